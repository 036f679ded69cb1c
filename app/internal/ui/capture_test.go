package ui

import (
	"path/filepath"
	"testing"

	"fyne.io/fyne/v2/test"

	"lawtrace/app/internal/field"
	"lawtrace/app/internal/field/capture"
	"lawtrace/shared/ledger"
)

// captureButtons are the texts of the form's in-app capture buttons.
func captureButtons(f *stepForm) []string {
	var out []string
	for _, b := range f.captureBtns {
		out = append(out, b.Text)
	}
	return out
}

// Issue 12, SPEC F5 R3: with a platform Capturer (here the desktop one,
// capture.Picker, over the test's picker) a step shows a capture button
// for each kind it takes; a file taken is in the media store under its
// SHA-256 the moment it lands, and a kill right after loses nothing: the
// reopened step has it with its hash.
func TestInAppCaptureKeepsTheFileAtOnce(t *testing.T) {
	term, home := newTerminal(t)
	seedOfficers(term, home)
	h := openHarness(t, phoneSmall, term, home, Offline{})
	h.u.opt.Capture = capture.Picker{Pick: func(_ []string, done func(string, error)) { h.pick.pick(done) }}
	photo, video, _ := h.files()
	h.openNewCase("鑫源食品商行", "海东路12号")
	caseID := h.u.proc.c.ID
	h.step("show_id")
	if got := captureButtons(h.u.form); len(got) != 3 {
		t.Fatalf("show ID offers capture %q, want photo, video and audio", got)
	}
	h.u.back()
	h.step("photo")
	if got := captureButtons(h.u.form); len(got) != 1 || got[0] != "拍照" {
		t.Fatalf("the photo step offers capture %q, want 拍照 only", got)
	}
	h.pick.next(photo)
	test.Tap(h.u.form.captureBtns[0])
	h.noDialog()
	d := h.u.loadDraft(caseID, "photo")
	if len(d.Attach) != 1 || d.Attach[0].Hash != ledger.HashBytes(mustRead(t, photo)) {
		t.Fatalf("draft after the capture: %+v", d.Attach)
	}
	if !term.HasMedia(d.Attach[0].Hash) {
		t.Fatal("the photo is not in the media store right after it was taken")
	}
	// a video offered to the photo capture is refused, nothing kept
	h.pick.next(video)
	test.Tap(h.u.form.captureBtns[0])
	h.dialogShown("本步骤只接受", ".jpg")
	h.w.Canvas().Overlays().Remove(h.w.Canvas().Overlays().Top())
	if n := len(h.u.loadDraft(caseID, "photo").Attach); n != 1 {
		t.Fatalf("%d files after a video was offered as a photo", n)
	}

	// killed right after the capture: the store closes without a shutdown
	h.u.Stop()
	if err := term.Close(); err != nil {
		t.Fatal(err)
	}
	term2, err := field.Open(home)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { term2.Close() })
	h2 := openHarness(t, phoneSmall, term2, home, Offline{})
	if h2.u.current() != "step:photo" || len(h2.u.form.d.Attach) != 1 {
		t.Fatalf("reopened on %s with %d files", h2.u.current(), len(h2.u.form.d.Attach))
	}
	a := h2.u.form.d.Attach[0]
	if !term2.HasMedia(a.Hash) || filepath.Base(a.Path) != filepath.Base(photo) {
		t.Fatalf("after the kill: %+v, in the store %v", a, term2.HasMedia(a.Hash))
	}
	h2.see(a.Hash[:16])
}

// Issue 12 (seen on the tablet screenshot of photo-attached): a file that
// lands after the form was built again — the window crossed to the tablet
// layout while the file was being stored — goes into the form on screen
// and its draft, not into the form that was replaced.
func TestFileLandingAfterRebuildIsKept(t *testing.T) {
	h := newHarness(t, phoneSmall, seedOfficers)
	photo, video, _ := h.files()
	h.openNewCase("鑫源食品商行", "海东路12号")
	h.showID(video)
	h.step("photo")
	stale := h.u.form
	h.w.Resize(tablet)
	h.u.rebuild()
	if h.u.form == stale {
		t.Fatal("the form was not built again")
	}
	stale.attach(photo)
	if got := h.u.form.d.Attach; len(got) != 1 || got[0].Hash != ledger.HashBytes(mustRead(t, photo)) {
		t.Fatalf("the form on screen has %+v", got)
	}
	if got := h.u.loadDraft(h.u.form.c.ID, "photo").Attach; len(got) != 1 {
		t.Fatalf("the draft has %d files", len(got))
	}
}
