package ui

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"lawtrace/app/internal/ui/widgets"
)

// tapTarget is a widget that takes a tap or focus, as laid out on the window.
type tapTarget struct {
	what string
	size fyne.Size
}

// tapTargets walks what is drawn under root (the renderers the window
// really uses, hidden subtrees skipped) and returns every object a finger
// can hit: tappables (buttons, check boxes, radio and list rows, selects,
// entries), focusables and the signature pad. A target's own parts are not
// counted again. Two of Fyne's are left out: the scroll bar (on a touch
// screen the content itself is dragged) and selectable text (a hash or an
// address to copy, read rather than tapped).
func tapTargets(root fyne.CanvasObject) []tapTarget {
	var out []tapTarget
	var walk func(n fyne.CanvasObject)
	walk = func(n fyne.CanvasObject) {
		if n == nil || !n.Visible() {
			return
		}
		_, tap := n.(fyne.Tappable)
		_, focus := n.(fyne.Focusable)
		_, pad := n.(*widgets.SignaturePad)
		switch reflect.TypeOf(n).String() {
		case "*widget.scrollBarArea", "*widget.focusSelectable":
			return
		}
		if tap || focus || pad {
			out = append(out, tapTarget{describe(n), n.Size()})
			return
		}
		switch v := n.(type) {
		case *fyne.Container:
			for _, k := range v.Objects {
				walk(k)
			}
		case fyne.Widget:
			for _, k := range test.WidgetRenderer(v).Objects() {
				walk(k)
			}
		}
	}
	walk(root)
	return out
}

// describe names a target for the failure message: its type and text.
func describe(o fyne.CanvasObject) string {
	name := reflect.TypeOf(o).String()
	switch v := o.(type) {
	case *widget.Button:
		return fmt.Sprintf("%s %q", name, v.Text)
	case *widget.Check:
		return fmt.Sprintf("%s %q", name, v.Text)
	case *widget.Entry:
		return fmt.Sprintf("%s %q", name, v.PlaceHolder)
	case *widget.Select:
		return fmt.Sprintf("%s %q", name, v.PlaceHolder)
	}
	for _, d := range drawn(o) {
		return fmt.Sprintf("%s %q", name, d.text.Text)
	}
	return name
}

// Issue 12, SPEC F13: on every screen, phone (360×720) and tablet, in the
// default and the high-contrast theme, every tap target — buttons, check
// boxes, radio and list rows, selects, entries, the signature pad and its
// buttons, the dialogs' buttons — is at least widgets.MinTouchTarget (48 dp,
// Material's guideline; Fyne's units are dp) in both dimensions, as laid out.
func TestTapTargetsOnEveryScreen(t *testing.T) {
	const min = widgets.MinTouchTarget
	for _, size := range []fyne.Size{fyne.NewSize(360, 720), tablet} {
		for _, hc := range []bool{false, true} {
			theme := map[bool]string{false: "default", true: "high-contrast"}[hc]
			// one app per window size and theme, every screen opened on it in turn
			h := newDemoHarness(t, size)
			if hc {
				h.u.SetHighContrast(true)
			}
			for _, name := range Screens {
				if name == "sync" {
					continue
				}
				t.Run(fmt.Sprintf("%.0fx%.0f/%s/%s", size.Width, size.Height, theme, name), func(t *testing.T) {
					for o := h.w.Canvas().Overlays(); o.Top() != nil; {
						o.Remove(o.Top()) // the dialog the screen before left open
					}
					if err := h.u.Open(name); err != nil {
						t.Fatal(err)
					}
					n := 0
					for _, r := range h.roots(true) {
						for _, tt := range tapTargets(r) {
							n++
							if tt.size.Width < min || tt.size.Height < min {
								t.Errorf("%s is %.0f×%.0f, want at least %d×%d", tt.what, tt.size.Width, tt.size.Height, min, min)
							}
						}
					}
					if n == 0 {
						t.Fatalf("no tap target found on %s", name)
					}
				})
			}
		}
	}
}

// Issue 12, SPEC F13: in high contrast on a 360×720 phone the sync details
// (with a long error) stay between the dialog's title and its buttons:
// rows that do not fit scroll, none is drawn under 关闭 / 立即同步, and the
// indicator wraps its text instead of cutting the file count off.
func TestSyncDetailsFitThePhoneInHighContrast(t *testing.T) {
	sy := &fakeSync{state: SyncState{Enrolled: true, Server: "ws://127.0.0.1:18477/sync", Phase: "offline", Retryable: true,
		LastError: "dial tcp 127.0.0.1:18477: connect: connection refused", ErrorKind: "refused"}}
	term, home := newTerminal(t)
	seedOfficers(term, home)
	h := openHarness(t, phoneSmall, term, home, sy)
	h.u.SetHighContrast(true)
	h.u.Refresh()
	if l := h.u.syncInd.label; strings.Contains(l.Text, "…") || l.Truncation != fyne.TextTruncateOff || l.Wrapping != fyne.TextWrapWord {
		t.Errorf("the indicator cuts its text: %q", l.Text)
	}
	if err := h.u.Open("sync"); err != nil {
		t.Fatal(err)
	}
	top := h.w.Canvas().Overlays().Top()
	var buttonsTop float32 = -1
	var rowsBottom float32
	var walk func(o fyne.CanvasObject, clip float32)
	walk = func(o fyne.CanvasObject, clip float32) {
		if o == nil || !o.Visible() {
			return
		}
		switch v := o.(type) {
		case *widget.Button:
			if y := abs(v).Y; buttonsTop < 0 || y < buttonsTop {
				buttonsTop = y
			}
			return
		case *container.Scroll:
			clip = abs(v).Y + v.Size().Height // what is below is scrolled out of view
		case *cjkLabel:
			rowsBottom = max(rowsBottom, min(abs(v).Y+v.Size().Height, clip))
			return
		}
		switch v := o.(type) {
		case *fyne.Container:
			for _, k := range v.Objects {
				walk(k, clip)
			}
		case fyne.Widget:
			for _, k := range test.WidgetRenderer(v).Objects() {
				walk(k, clip)
			}
		}
	}
	walk(top, h.w.Canvas().Size().Height*10)
	if buttonsTop < 0 || rowsBottom == 0 {
		t.Fatalf("no buttons (%v) or rows (%v) in the sync details", buttonsTop, rowsBottom)
	}
	if rowsBottom > buttonsTop {
		t.Fatalf("the sync details' rows reach %.0f, under the buttons that start at %.0f", rowsBottom, buttonsTop)
	}
	// the demo terminal's longer status wraps with its numbers kept with
	// their measure words ("11 个文件", not "11" / "个文件")
	d := newDemoHarness(t, phoneSmall)
	d.u.SetHighContrast(true)
	d.u.Refresh()
	l := d.u.syncInd.label
	if !strings.Contains(l.Text, "\n") {
		t.Fatalf("the indicator %q does not wrap in high contrast on the phone", l.Text)
	}
	for _, line := range strings.Split(l.Text, "\n")[1:] {
		if strings.HasPrefix(line, "个") || strings.HasPrefix(line, "条") {
			t.Errorf("the indicator breaks a number from its measure word: %q", l.Text)
		}
	}
}
