package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lawtrace/app/internal/ui/widgets"
)

// signScreen captures a handwritten signature for one role of a step on the
// signature pad (SPEC F10): the signer's name, the strokes, clear and
// confirm. The strokes go into the step's draft; the field core stores them
// with a PNG render, bound to the record signed, when the step is recorded.
type signScreen struct {
	u       *UI
	caseID  string
	step    string
	role    string
	name    *widget.Entry
	pad     *widgets.SignaturePad
	clear   *widget.Button
	confirm *widget.Button
}

func (u *UI) signRoute(caseID, step, role, name string) route {
	return route{name: "sign:" + role, build: func() (string, fyne.CanvasObject) {
		s := newSignScreen(u, caseID, step, role, name)
		u.signer = s
		return u.T("Signature: {{.Role}}", map[string]any{"Role": u.tr.role(role)}), s.content()
	}}
}

func newSignScreen(u *UI, caseID, step, role, name string) *signScreen {
	s := &signScreen{u: u, caseID: caseID, step: step, role: role}
	s.name = widget.NewEntry()
	s.name.SetPlaceHolder(u.T("Name of the signer"))
	s.name.SetText(name)
	w := u.win.Canvas().Size().Width - 8*theme.Padding()
	size := fyne.NewSize(min(max(w, 240), 720), 240)
	if !u.wide {
		size.Height = 200
	}
	s.pad = widgets.NewSignaturePad(size)
	s.pad.SetHint(u.T("Sign here"))
	s.clear = widget.NewButtonWithIcon(u.T("Clear"), theme.ContentClearIcon(), s.pad.Clear)
	s.confirm = widget.NewButtonWithIcon(u.T("Confirm signature"), theme.ConfirmIcon(), s.done)
	s.confirm.Importance = widget.HighImportance
	return s
}

func (s *signScreen) content() fyne.CanvasObject {
	u := s.u
	return scroll(
		wrapped(u.T("The signer writes on the white area with a finger or stylus. The signature is bound to this record and cannot be moved to another.")),
		widget.NewForm(widget.NewFormItem(u.T("Signer"), s.name)),
		container.NewCenter(s.pad),
		container.NewGridWithColumns(2, tall(s.clear, touch), tall(s.confirm, touch)),
	)
}

// done puts the signature into the step's draft and returns to the step.
func (s *signScreen) done() {
	u := s.u
	if s.pad.IsEmpty() {
		u.problem(u.T("Please check the input"), u.T("Nothing is drawn on the pad yet."))
		return
	}
	name := strings.TrimSpace(s.name.Text)
	if name == "" {
		u.problem(u.T("Please check the input"), u.T("Enter the signer's name."))
		return
	}
	d := u.loadDraft(s.caseID, s.step)
	sig := signed{Role: s.role, Name: name, Strokes: s.pad.Strokes().Encode()}
	replaced := false
	for i := range d.Sign {
		if d.Sign[i].Role == s.role {
			d.Sign[i], replaced = sig, true
		}
	}
	if !replaced {
		d.Sign = append(d.Sign, sig)
	}
	d.Touched = true
	u.saveDraft(s.caseID, s.step, d)
	u.back()
}
