package capture_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"lawtrace/app/internal/field"
	"lawtrace/app/internal/field/capture"
	"lawtrace/shared/ledger"
)

// picked is a desktop Picker that hands out path and records the
// extensions the dialog offered.
func picked(path string, offered *[]string) capture.Picker {
	return capture.Picker{Pick: func(exts []string, done func(string, error)) {
		*offered = exts
		done(path, nil)
	}}
}

// SPEC F5 R3: the desktop Capturer picks a file of the kind, and Take
// keeps it in the real media store under its SHA-256 before anyone sees it.
func TestPickerTakeKeepsTheFileAtOnce(t *testing.T) {
	store, err := field.OpenMediaStore(filepath.Join(t.TempDir(), "media"))
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	cases := []struct {
		name, kind, file string
		wantErr          bool
	}{
		{"photo", ledger.KindPhoto, "门头.JPG", false},
		{"video", ledger.KindVideo, "segment.mp4", false},
		{"audio", ledger.KindAudio, "inquiry.m4a", false},
		{"video offered as photo", ledger.KindPhoto, "clip.mp4", true},
		{"document as audio", ledger.KindAudio, "notes.pdf", true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := filepath.Join(dir, c.file)
			body := []byte("bytes of " + c.name)
			if err := os.WriteFile(path, body, 0o600); err != nil {
				t.Fatal(err)
			}
			var offered []string
			var got capture.Landed
			var gotErr error
			capture.Take(picked(path, &offered), c.kind, store.PutFile, func(l capture.Landed, err error) { got, gotErr = l, err })
			if len(offered) == 0 || capture.KindOf("x"+offered[0]) != c.kind {
				t.Fatalf("the picker offered %v for %s", offered, c.kind)
			}
			if c.wantErr {
				if gotErr == nil {
					t.Fatalf("%s taken as %s", c.file, c.kind)
				}
				return
			}
			sum := sha256.Sum256(body)
			want := hex.EncodeToString(sum[:])
			if gotErr != nil || got.Hash != want || got.Size != int64(len(body)) || got.Path != path || got.Kind != c.kind {
				t.Fatalf("landed %+v (%v), want hash %s", got, gotErr, want)
			}
			if !store.Has(want) {
				t.Fatal("the file is not in the media store after Take")
			}
			stored, err := os.ReadFile(store.Path(want))
			if err != nil || string(stored) != string(body) {
				t.Fatalf("stored bytes %q (%v)", stored, err)
			}
		})
	}
}

// Cancelling the picker takes nothing and says so.
func TestPickerCancelled(t *testing.T) {
	var offered []string
	var gotErr error
	capture.Take(picked("", &offered), ledger.KindPhoto, func(string) (string, int64, error) {
		t.Fatal("nothing to keep")
		return "", 0, nil
	}, func(_ capture.Landed, err error) { gotErr = err })
	if !errors.Is(gotErr, capture.ErrCancelled) {
		t.Fatalf("cancel gave %v", gotErr)
	}
}
