package ui

import (
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lawtrace/app/internal/ui/widgets"
	"lawtrace/shared/signature"
)

// signPad is one signature a step asks for, as the signature screen takes it.
type signPad struct {
	Role  string
	Label string // who signs, as the screen names them: 见证人, 执法人员 王强
	Name  string // the name suggested, or the officer's own
	Fixed bool   // an officer signs under their own name
	// NameField is the step's field naming the signer; the name typed on
	// the pad is kept there, so it is typed once and the guard finds the
	// signature by the person the record names.
	NameField string
	Party     string // the case's party: signing as the party needs no agent
}

// signScreen captures a handwritten signature for one pad of a step
// (SPEC F10): the signer's name, the strokes, clear and confirm. The
// strokes go into the step's draft; the field core stores them with a PNG
// render, bound to the record signed, when the step is recorded.
type signScreen struct {
	u       *UI
	caseID  string
	step    string
	pad     signPad
	name    *widget.Entry
	canvas  *widgets.SignaturePad
	clear   *widget.Button
	confirm *widget.Button
}

func (u *UI) signRoute(caseID, step string, pad signPad) route {
	return route{name: "sign:" + pad.Role, build: func() (string, fyne.CanvasObject) {
		s := newSignScreen(u, caseID, step, pad)
		u.signer = s
		return u.T("Signature: {{.Role}}", map[string]any{"Role": pad.Label}), s.content()
	}}
}

func newSignScreen(u *UI, caseID, step string, pad signPad) *signScreen {
	s := &signScreen{u: u, caseID: caseID, step: step, pad: pad}
	s.name = widget.NewEntry()
	s.name.SetPlaceHolder(u.T("Name of the signer"))
	s.name.SetText(pad.Name)
	if pad.Fixed {
		s.name.Disable()
	}
	w := u.win.Canvas().Size().Width - 8*theme.Padding()
	size := fyne.NewSize(min(max(w, 240), 720), 240)
	if !u.wide {
		size.Height = 200
	}
	s.canvas = widgets.NewSignaturePad(size)
	s.canvas.SetHint(u.T("Sign here"))
	if pd := u.loadDraft(caseID, step).Pad; pd != nil && pd.Role == pad.Role && pd.Label == pad.Label {
		// the pad as it was when the app stopped, rotated or changed theme
		if st, err := signature.Parse(pd.Strokes); err == nil {
			s.canvas.SetStrokes(st)
		}
		if !pad.Fixed {
			s.name.SetText(pd.Name)
		}
	}
	s.canvas.OnChanged = s.keep
	s.name.OnChanged = func(string) { s.keep() }
	s.clear = widget.NewButtonWithIcon(u.T("Clear"), theme.ContentClearIcon(), s.canvas.Clear)
	s.confirm = widget.NewButtonWithIcon(u.T("Confirm signature"), theme.ConfirmIcon(), s.done)
	s.confirm.Importance = widget.HighImportance
	return s
}

func (s *signScreen) content() fyne.CanvasObject {
	u := s.u
	return scroll(
		wrapped(u.T("The signer writes on the white area with a finger or stylus. The signature is bound to this record and cannot be moved to another.")),
		widget.NewForm(widget.NewFormItem(u.T("Signer"), s.name)),
		container.NewCenter(s.canvas),
		container.NewGridWithColumns(2, tall(s.clear, touch), tall(s.confirm, touch)),
	)
}

// keep saves the pad in the step's draft after every stroke and every
// change of the name (issue 12: a kill loses nothing drawn).
func (s *signScreen) keep() {
	d := s.u.loadDraft(s.caseID, s.step)
	pd := &padDraft{signPad: s.pad}
	pd.Name = s.name.Text
	if !s.canvas.IsEmpty() {
		pd.Strokes = s.canvas.Strokes().Encode()
	}
	d.Pad = pd
	s.u.saveDraft(s.caseID, s.step, d)
}

// forget drops the pad from the draft: the signature was confirmed or the
// officer went back without it.
func (s *signScreen) forget() {
	d := s.u.loadDraft(s.caseID, s.step)
	if d.Pad == nil {
		return
	}
	d.Pad = nil
	s.u.saveDraft(s.caseID, s.step, d)
}

// done puts the signature into the step's draft, the signer's name into
// the field that names them, and returns to the step.
func (s *signScreen) done() {
	u := s.u
	if s.canvas.IsEmpty() {
		u.problem(u.T("Please check the input"), u.T("Nothing is drawn on the pad yet."))
		return
	}
	name := strings.TrimSpace(s.name.Text)
	if name == "" {
		u.problem(u.T("Please check the input"), u.T("Enter the signer's name."))
		return
	}
	d := u.loadDraft(s.caseID, s.step)
	sig := signed{Role: s.pad.Role, Name: name, Strokes: s.canvas.Strokes().Encode()}
	d.Sign = slices.DeleteFunc(d.Sign, func(o signed) bool { return o.Role == sig.Role && (!s.pad.Fixed || o.Name == sig.Name) })
	d.Sign = append(d.Sign, sig)
	if s.pad.NameField != "" {
		// the party signing in person has no agent
		if name == s.pad.Party {
			name = ""
		}
		d.Fields[s.pad.NameField] = name
	}
	d.Touched = true
	d.Pad = nil
	u.saveDraft(s.caseID, s.step, d)
	u.back()
}
