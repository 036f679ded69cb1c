package ui

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"lawtrace/app/internal/field"
)

// Window sizes of the tests: a phone in portrait and a tablet in landscape.
var (
	phone  = fyne.NewSize(400, 820)
	tablet = fyne.NewSize(1280, 800)
)

// testDay is the fixed "now" of the tests' terminals.
var testDay = time.Date(2026, 5, 6, 10, 30, 0, 0, time.Local)

// newTerminal makes a terminal in a temporary home with a fixed clock. The
// field store is SQLite through cgo (mattn/go-sqlite3); built with
// CGO_ENABLED=0 the tests that need it are skipped.
func newTerminal(t *testing.T) (*field.Terminal, string) {
	t.Helper()
	home := filepath.Join(t.TempDir(), "terminal")
	term, err := field.Init(home, "test terminal")
	if err != nil {
		if strings.Contains(err.Error(), "CGO_ENABLED=0") || strings.Contains(err.Error(), "requires cgo") {
			t.Skip("the field store needs cgo (mattn/go-sqlite3); run these tests with CGO_ENABLED=1")
		}
		t.Fatal(err)
	}
	term.Now = func() time.Time { return testDay }
	t.Cleanup(func() { term.Close() })
	return term, home
}

// picker hands out files for the UI's file chooser, in order.
type picker struct {
	mu    sync.Mutex
	files []string
}

func (p *picker) next(path ...string) {
	p.mu.Lock()
	p.files = append(p.files, path...)
	p.mu.Unlock()
}

func (p *picker) pick(done func(string, error)) {
	p.mu.Lock()
	if len(p.files) == 0 {
		p.mu.Unlock()
		done("", nil)
		return
	}
	f := p.files[0]
	p.files = p.files[1:]
	p.mu.Unlock()
	done(f, nil)
}

// fakeSync is a Sync whose state the test sets.
type fakeSync struct {
	mu       sync.Mutex
	state    SyncState
	kicks    int
	enrolErr error
	onChange func()
}

func (f *fakeSync) Enroll(_ context.Context, server, _ string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.enrolErr != nil {
		return f.enrolErr
	}
	f.state.Enrolled, f.state.Server = true, server
	return nil
}
func (f *fakeSync) Start(context.Context) {}
func (f *fakeSync) Kick() {
	f.mu.Lock()
	f.kicks++
	f.mu.Unlock()
}
func (f *fakeSync) State() SyncState {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.state
}
func (f *fakeSync) OnChange(fn func()) { f.onChange = fn }

// harness is a UI over a real terminal in a test window.
type harness struct {
	t    *testing.T
	u    *UI
	w    fyne.Window
	term *field.Terminal
	home string
	pick *picker
}

// newHarness opens the UI in a test window of the given size. seed, if
// set, prepares the terminal first.
func newHarness(t *testing.T, size fyne.Size, seed func(term *field.Terminal, home string)) *harness {
	t.Helper()
	term, home := newTerminal(t)
	if seed != nil {
		seed(term, home)
	}
	return openHarness(t, size, term, home, Offline{})
}

func openHarness(t *testing.T, size fyne.Size, term *field.Terminal, home string, s Sync) *harness {
	t.Helper()
	a := test.NewTempApp(t)
	w := test.NewTempWindow(t, widget.NewLabel(""))
	w.Resize(size)
	h := &harness{t: t, w: w, term: term, home: home, pick: &picker{}}
	h.u = New(a, w, term, s, Options{Synchronous: true, RefreshEvery: -1, PickFile: h.pick.pick, ImportDir: filepath.Join(home, "import"), Version: "test"})
	h.u.Start()
	t.Cleanup(h.u.Stop)
	return h
}

// drawnText is a text object on screen with the objects above it.
type drawnText struct {
	text *canvas.Text
	path []fyne.CanvasObject // root first, the text's parent last
}

// drawn collects the text objects shown under root, walking the renderers
// the window really uses and skipping hidden subtrees.
func drawn(root fyne.CanvasObject) []drawnText {
	var out []drawnText
	var walk func(n fyne.CanvasObject, path []fyne.CanvasObject)
	walk = func(n fyne.CanvasObject, path []fyne.CanvasObject) {
		if n == nil || !n.Visible() {
			return
		}
		if t, ok := n.(*canvas.Text); ok && t.Text != "" {
			out = append(out, drawnText{t, slices.Clone(path)})
			return
		}
		path = append(path, n)
		switch v := n.(type) {
		case *fyne.Container:
			for _, k := range v.Objects {
				walk(k, path)
			}
		case fyne.Widget:
			for _, k := range test.WidgetRenderer(v).Objects() {
				walk(k, path)
			}
		}
	}
	walk(root, nil)
	return out
}

// roots are what is on the window: everything, or what takes taps (the
// dialog on top, else the content).
func (h *harness) roots(all bool) []fyne.CanvasObject {
	c := h.w.Canvas()
	if all {
		return append([]fyne.CanvasObject{c.Content()}, c.Overlays().List()...)
	}
	if top := c.Overlays().Top(); top != nil {
		return []fyne.CanvasObject{top}
	}
	return []fyne.CanvasObject{c.Content()}
}

// texts are all the strings drawn on the window, the content and the
// dialogs over it, in drawing order.
func (h *harness) texts() []string {
	var out []string
	for _, r := range h.roots(true) {
		for _, d := range drawn(r) {
			out = append(out, d.text.Text)
		}
	}
	return out
}

// screenText is everything drawn, joined, without spaces (wrapped lines
// are split into several text objects).
func (h *harness) screenText() string {
	return strings.ReplaceAll(strings.Join(h.texts(), ""), " ", "")
}

// see fails unless every want is drawn on the window.
func (h *harness) see(want ...string) {
	h.t.Helper()
	got := h.screenText()
	for _, w := range want {
		if !strings.Contains(got, strings.ReplaceAll(w, " ", "")) {
			h.t.Fatalf("%q is not on the screen; the screen shows:\n%s", w, strings.Join(h.texts(), " | "))
		}
	}
}

// dontSee fails if s is drawn on the window.
func (h *harness) dontSee(s string) {
	h.t.Helper()
	if strings.Contains(h.screenText(), strings.ReplaceAll(s, " ", "")) {
		h.t.Fatalf("%q is on the screen, it should not be", s)
	}
}

// tapText taps the tappable thing drawn under the text s (a radio option,
// a check, a button, a row) on the dialog on top, or on the screen when no
// dialog is open.
func (h *harness) tapText(s string) {
	h.t.Helper()
	for _, r := range h.roots(false) {
		for _, d := range drawn(r) {
			if d.text.Text != s {
				continue
			}
			for i := len(d.path) - 1; i >= 0; i-- {
				if tp, ok := d.path[i].(fyne.Tappable); ok {
					// tap the middle of the text, in the tappable's coordinates
					pos := d.text.Position().Add(fyne.NewPos(d.text.Size().Width/2, d.text.Size().Height/2))
					for _, o := range d.path[i+1:] {
						pos = pos.Add(o.Position())
					}
					test.TapAt(tp, pos)
					return
				}
			}
		}
	}
	h.t.Fatalf("no %q to tap; the screen shows:\n%s", s, strings.Join(h.texts(), " | "))
}

// dismiss closes the dialog on top by tapping its button.
func (h *harness) dismiss(button string) {
	h.t.Helper()
	if h.w.Canvas().Overlays().Top() == nil {
		h.t.Fatal("no dialog to dismiss")
	}
	h.tapText(button)
	if h.w.Canvas().Overlays().Top() != nil {
		h.t.Fatalf("the dialog is still open after tapping %q", button)
	}
}

// dialogShown fails unless a dialog is open showing every want.
func (h *harness) dialogShown(want ...string) {
	h.t.Helper()
	top := h.w.Canvas().Overlays().Top()
	if top == nil {
		h.t.Fatalf("no dialog is open; wanted one showing %q", want)
	}
	var texts []string
	for _, d := range drawn(top) {
		texts = append(texts, d.text.Text)
	}
	got := strings.ReplaceAll(strings.Join(texts, ""), " ", "")
	for _, w := range want {
		if !strings.Contains(got, strings.ReplaceAll(w, " ", "")) {
			h.t.Fatalf("the dialog does not show %q; it shows:\n%s", w, strings.Join(texts, " | "))
		}
	}
}

// noDialog fails if a dialog is open.
func (h *harness) noDialog() {
	h.t.Helper()
	if top := h.w.Canvas().Overlays().Top(); top != nil {
		var texts []string
		for _, d := range drawn(top) {
			texts = append(texts, d.text.Text)
		}
		h.t.Fatalf("a dialog is open: %s", strings.Join(texts, " | "))
	}
}

// drawSignature signs on the signature screen's pad with two strokes.
func (h *harness) drawSignature() {
	h.t.Helper()
	s := h.u.signer
	if s == nil {
		h.t.Fatal("no signature screen")
	}
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(s.canvas)
	test.Drag(h.w.Canvas(), pos.Add(fyne.NewPos(120, 120)), 60, 30)
	s.canvas.DragEnd()
	test.Drag(h.w.Canvas(), pos.Add(fyne.NewPos(220, 110)), 50, -40)
	s.canvas.DragEnd()
	if s.canvas.IsEmpty() {
		h.t.Fatal("the drag did not reach the pad")
	}
}

// files writes evidence files into the home and returns their paths.
func (h *harness) files() (photo, video, audio string) {
	h.t.Helper()
	photo, video, audio, err := DemoPhoto(filepath.Join(h.home, "..", "inputs"))
	if err != nil {
		h.t.Fatal(err)
	}
	return photo, video, audio
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
