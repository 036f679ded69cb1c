package ui

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/widget"

	"lawtrace/app/internal/field"
	"lawtrace/app/internal/field/capture"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
)

// evidenceExtensions are the files the picker offers (SPEC F5).
var evidenceExtensions = []string{".jpg", ".jpeg", ".png", ".heic", ".webp", ".mp4", ".mov", ".3gp", ".mkv", ".webm", ".avi",
	".mp3", ".m4a", ".aac", ".amr", ".wav", ".ogg", ".opus", ".pdf"}

// pickExtensions are the files the picker offers for a step: only
// images where the step asks for photos and no audio/video (issue 12
// (12): the photo picker offered .mp4), only audio and video on the
// audio/video record, every evidence file elsewhere.
func pickExtensions(def *enforce.StepDef) []string {
	var kinds []string
	switch {
	case def == nil:
	case def.Evidence.MinPhotos > 0 && !def.Evidence.AV && def.Evidence.MinFiles == 0:
		kinds = []string{ledger.KindPhoto}
	case def.Kind == "av_record":
		kinds = []string{ledger.KindVideo, ledger.KindAudio}
	}
	if kinds == nil {
		return evidenceExtensions
	}
	var out []string
	for _, e := range evidenceExtensions {
		if slices.Contains(kinds, field.KindOf(e)) {
			out = append(out, e)
		}
	}
	return out
}

// captureLabels name the in-app capture of each kind (Options.Capture).
var captureLabels = map[string]string{ledger.KindPhoto: "Take a photo", ledger.KindVideo: "Record video", ledger.KindAudio: "Record audio"}

// captureKinds are the kinds a step's capture buttons take: the kinds its
// picker offers.
func captureKinds(def *enforce.StepDef) []string {
	exts := pickExtensions(def)
	var out []string
	for _, k := range capture.Kinds {
		if slices.ContainsFunc(capture.Extensions(k), func(e string) bool { return slices.Contains(exts, e) }) {
			out = append(out, k)
		}
	}
	return out
}

// pickDirKey is the setting holding the folder the last file was picked
// from; the file dialog opens there.
const pickDirKey = "ui.pick_dir"

// pickFile asks for an evidence file with one of exts: Options.PickFile
// if set, else Fyne's file dialog (the platform picker on Android) with
// its places in the officer's language. A file without a local path (an
// Android content URI) is copied into the import folder first; the field
// core then copies it into the media store, hashing as it goes.
func (u *UI) pickFile(exts []string, done func(path string, err error)) {
	u.pickExts = exts
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
			u.setSetting(pickDirKey, filepath.Dir(r.URI().Path()))
			done(r.URI().Path(), nil)
			return
		}
		var path string
		u.run(u.T("Reading the file…"), func() (err error) {
			path, err = u.importFile(r.URI().Name(), r)
			return err
		}, func(err error) { done(path, err) })
	}, u.win)
	d.SetFilter(storage.NewExtensionFileFilter(append(slices.Clone(exts), upper(exts)...)))
	if dir := u.setting(pickDirKey); dir != "" {
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			if l, err := storage.ListerForURI(storage.NewFileURI(dir)); err == nil {
				d.SetLocation(l)
			}
		}
	}
	size := u.win.Canvas().Size()
	d.Resize(fyne.NewSize(size.Width*0.95, size.Height*0.9))
	d.Show()
	u.translatePlaces(u.win.Canvas().Overlays().Top())
}

// placeNames are the places Fyne 2.7.1's file dialog lists, which it
// names in English whatever the language (dialog/file.go, file_unix.go).
var placeNames = []string{"Home", "App Files", "Computer", "Desktop", "Documents", "Downloads", "Music", "Pictures", "Videos"}

// translatePlaces names the file dialog's places in the officer's
// language: the dialog's place list is the leading side of its split;
// its UpdateItem is wrapped to rename the label it has just set.
func (u *UI) translatePlaces(o fyne.CanvasObject) {
	list := placeList(o)
	if list == nil {
		return
	}
	update := list.UpdateItem
	list.UpdateItem = func(id widget.ListItemID, item fyne.CanvasObject) {
		update(id, item)
		c, ok := item.(*fyne.Container)
		if !ok {
			return
		}
		for _, k := range c.Objects {
			if l, ok := k.(*widget.Label); ok && slices.Contains(placeNames, l.Text) {
				key := "place." + l.Text // place.Home … in assets/i18n
				l.SetText(u.T(key))
			}
		}
	}
	list.Refresh()
}

// placeList finds the list on the leading side of a split under o.
func placeList(o fyne.CanvasObject) *widget.List {
	switch v := o.(type) {
	case *widget.PopUp:
		return placeList(v.Content)
	case *fyne.Container:
		for _, k := range v.Objects {
			if l := placeList(k); l != nil {
				return l
			}
		}
	case *container.Split:
		if l, ok := v.Leading.(*widget.List); ok {
			return l
		}
		if l := placeList(v.Leading); l != nil {
			return l
		}
		return placeList(v.Trailing)
	case *container.Scroll:
		return placeList(v.Content)
	}
	return nil
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
