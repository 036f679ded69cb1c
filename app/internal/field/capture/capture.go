// Package capture takes photos, video and audio for evidence through the platform and keeps each file in the media store with its SHA-256 the moment it lands (SPEC F5, R3).
package capture

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"lawtrace/shared/ledger"
)

// Kinds a Capturer takes: the evidence kinds of shared/ledger.
var Kinds = []string{ledger.KindPhoto, ledger.KindVideo, ledger.KindAudio}

// extensions are the file names each kind is taken under.
var extensions = map[string][]string{
	ledger.KindPhoto: {".jpg", ".jpeg", ".png", ".heic", ".webp"},
	ledger.KindVideo: {".mp4", ".mov", ".3gp", ".mkv", ".webm", ".avi"},
	ledger.KindAudio: {".mp3", ".m4a", ".aac", ".amr", ".wav", ".ogg", ".opus"},
}

// Extensions are the file name extensions of a kind, lower case.
func Extensions(kind string) []string { return slices.Clone(extensions[kind]) }

// KindOf is the kind a file name is captured as, "" if none.
func KindOf(name string) string {
	ext := strings.ToLower(filepath.Ext(name))
	for k, exts := range extensions {
		if slices.Contains(exts, ext) {
			return k
		}
	}
	return ""
}

// A Capturer takes one file of a kind — from the camera or recorder where
// the platform has them in the app, else a file the officer picks — and
// calls done with its local path, or "" when the officer cancelled.
type Capturer interface {
	Capture(kind string, done func(path string, err error))
}

// Picker is the desktop Capturer: the officer chooses an existing file of
// the kind (a photo copied off a camera, a recording) with Pick, the file
// dialog offering the kind's extensions.
type Picker struct {
	Pick func(exts []string, done func(path string, err error))
}

// Capture implements Capturer.
func (p Picker) Capture(kind string, done func(string, error)) {
	exts := Extensions(kind)
	if exts == nil {
		done("", fmt.Errorf("capture: unknown kind %q", kind))
		return
	}
	p.Pick(exts, func(path string, err error) {
		if err == nil && path != "" && KindOf(path) != kind {
			err = fmt.Errorf("%w: %s is not a %s file (%s)", ErrWrongKind, filepath.Base(path), kind, strings.Join(exts, " "))
		}
		done(path, err)
	})
}

// Landed is a captured file as kept in the media store.
type Landed struct {
	Path string // where the platform put it (its name and kind go into the record)
	Kind string
	Hash string // SHA-256 of the bytes, hex
	Size int64
}

// Keep stores a file in the media store and returns its SHA-256 and size
// (field.Terminal.KeepMedia).
type Keep func(path string) (hash string, size int64, err error)

// ErrWrongKind is given when the file taken is not of the kind asked for.
var ErrWrongKind = errors.New("capture: wrong kind of file")

// ErrCancelled is given to Take's done when nothing was captured.
var ErrCancelled = errors.New("capture: cancelled")

// Take captures one file of kind with c and keeps it in the media store
// before done sees it: a file that has landed is in the store, under its
// hash, even if the app is killed the next moment.
func Take(c Capturer, kind string, keep Keep, done func(Landed, error)) {
	c.Capture(kind, func(path string, err error) {
		if err != nil {
			done(Landed{}, err)
			return
		}
		if path == "" {
			done(Landed{}, ErrCancelled)
			return
		}
		hash, size, err := keep(path)
		if err != nil {
			done(Landed{}, fmt.Errorf("capture: keep %s: %w", filepath.Base(path), err))
			return
		}
		done(Landed{Path: path, Kind: kind, Hash: hash, Size: size}, nil)
	})
}
