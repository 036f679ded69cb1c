package ui

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
)

// evidenceExtensions are the files the picker offers (SPEC F5).
var evidenceExtensions = []string{".jpg", ".jpeg", ".png", ".heic", ".webp", ".mp4", ".mov", ".3gp", ".mkv", ".webm", ".avi",
	".mp3", ".m4a", ".aac", ".amr", ".wav", ".ogg", ".opus", ".pdf"}

// pickFile asks for an evidence file: Options.PickFile if set, else Fyne's
// file dialog (the platform picker on Android). A file without a local path
// (an Android content URI) is copied into the import folder first; the
// field core then copies it into the media store, hashing as it goes.
func (u *UI) pickFile(done func(path string, err error)) {
	if u.opt.PickFile != nil {
		u.opt.PickFile(done)
		return
	}
	d := dialog.NewFileOpen(func(r fyne.URIReadCloser, err error) {
		if err != nil || r == nil {
			done("", err)
			return
		}
		defer r.Close()
		if r.URI().Scheme() == "file" {
			done(r.URI().Path(), nil)
			return
		}
		var path string
		u.run(u.T("Reading the file…"), func() (err error) {
			path, err = u.importFile(r.URI().Name(), r)
			return err
		}, func(err error) { done(path, err) })
	}, u.win)
	d.SetFilter(storage.NewExtensionFileFilter(append(evidenceExtensions, upper(evidenceExtensions)...)))
	size := u.win.Canvas().Size()
	d.Resize(fyne.NewSize(size.Width*0.95, size.Height*0.9))
	d.Show()
}

func upper(exts []string) []string {
	out := make([]string, len(exts))
	for i, e := range exts {
		out[i] = strings.ToUpper(e)
	}
	return out
}

// importFile copies r into the import folder under a unique name.
func (u *UI) importFile(name string, r io.Reader) (string, error) {
	dir := u.opt.ImportDir
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "lawtrace-import")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	path := filepath.Join(dir, fmt.Sprintf("%s-%s", u.now().Format("20060102-150405.000"), filepath.Base(name)))
	f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return "", err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return "", err
	}
	return path, f.Close()
}
