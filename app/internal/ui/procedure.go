package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lawtrace/app/internal/field"
	"lawtrace/app/internal/ui/widgets"
	"lawtrace/shared/enforce"
)

// procedureScreen is the guided procedure of one case (SPEC F2, F11): its
// steps in order, mandatory ones marked, the next one highlighted, blocked
// ones with the reason and article, and the close-scene check listing what
// is missing. On a tablet the chosen step's form is beside the list.
type procedureScreen struct {
	u        *UI
	c        *field.Case
	state    enforce.CaseState
	steps    *widgets.StepList
	check    *fyne.Container
	join     *widget.Button
	selected string
	// headerBox holds the case card, redrawn when sync confirms entries.
	headerBox *fyne.Container
}

// openCase shows a case's procedure and remembers it for a restart.
func (u *UI) openCase(id string) {
	u.setSetting(setLastCase, id)
	u.setSetting(setLastStep, "")
	for len(u.stack) > 1 && u.current() != "cases" {
		u.stack = u.stack[:len(u.stack)-1]
	}
	u.proc = nil
	u.push(route{name: "procedure", build: func() (string, fyne.CanvasObject) {
		prev := ""
		if u.proc != nil && u.proc.c.ID == id {
			prev = u.proc.selected
		}
		s, err := newProcedure(u, id)
		if err != nil {
			u.showError(err, nil)
			return u.T("Case"), wrapped(err.Error())
		}
		s.selected = prev
		u.proc = s
		return s.c.Open.Party, s.content()
	}})
}

// openStep shows a step of the open case: beside the list on a tablet, as
// its own screen on a phone.
//
// A step recorded and not to be recorded again (or any recorded step once
// the scene is closed) opens read-only on its latest record instead of a
// blank form: the correction and the print are there.
func (u *UI) openStep(kind string) {
	if u.proc == nil {
		return
	}
	if c := u.proc.c; c.Recorded[kind] > 0 {
		if def, ok := c.Procedure.Step(kind); ok {
			var e *enforce.Error
			if err := u.term.State(c).Blocked(def); asEnforce(err, &e) && (e.Reason == enforce.ReasonRecorded || e.Reason == enforce.ReasonClosed) {
				if rs := recordsOf(c, kind); len(rs) > 0 {
					u.openRecord(c.ID, rs[len(rs)-1].ID)
					return
				}
			}
		}
	}
	u.setSetting(setLastStep, kind)
	if u.wide {
		u.proc.selected = kind
		if strings.HasPrefix(u.current(), "step:") {
			u.stack = u.stack[:len(u.stack)-1]
		}
		u.render()
		return
	}
	id := u.proc.c.ID
	if strings.HasPrefix(u.current(), "step:") {
		u.stack = u.stack[:len(u.stack)-1]
	}
	u.push(route{name: "step:" + kind, build: func() (string, fyne.CanvasObject) {
		f, err := newStepForm(u, id, kind)
		if err != nil {
			u.showError(err, nil)
			return kind, wrapped(err.Error())
		}
		u.form = f
		return f.title(), f.content()
	}})
}

func newProcedure(u *UI, id string) (*procedureScreen, error) {
	c, err := u.term.Case(id)
	if err != nil {
		return nil, err
	}
	s := &procedureScreen{u: u, c: c, state: u.term.State(c)}
	s.steps = widgets.NewStepList(s.items(), u.openStep)
	s.join = widget.NewButtonWithIcon(u.T("Add an officer to the case"), theme.ContentAddIcon(), s.showJoin)
	s.check = container.NewVBox(s.closeCheck()...)
	return s, nil
}

// items is the plan in the officer's language.
func (s *procedureScreen) items() []widgets.StepItem {
	u := s.u
	var out []widgets.StepItem
	for _, p := range s.state.Plan() {
		def, _ := s.c.Procedure.Step(p.Kind)
		it := widgets.StepItem{Kind: p.Kind, Label: u.tr.stepLabel(def), Status: p.Status, Mandatory: p.Mandatory, Selected: p.Kind == s.selected}
		if p.Mandatory {
			it.Badge = u.T("mandatory")
		}
		switch p.Status {
		case enforce.StatusRecorded:
			it.Detail = u.T("Recorded")
			if p.Count > 1 {
				it.Detail = u.T("Recorded {{.N}} times", map[string]any{"N": p.Count})
			}
			if def.Repeatable && !s.c.SceneClosed {
				it.Detail += u.T("; may be recorded again")
			}
		case enforce.StatusNext:
			it.Detail = u.T("Next step")
		case enforce.StatusOpen:
			it.Detail = u.T("May be recorded")
		case enforce.StatusBlocked:
			it.Detail, it.Article = s.blockedWhy(def)
		}
		out = append(out, it)
	}
	return out
}

// blockedWhy says why a step cannot be taken, in the officer's language.
func (s *procedureScreen) blockedWhy(def *enforce.StepDef) (string, string) {
	u := s.u
	if def.Kind == enforce.StepCloseScene && !s.c.SceneClosed {
		if missing := s.state.MissingMandatory(); len(missing) > 0 {
			var names, arts []string
			for _, m := range missing {
				names = append(names, u.tr.stepLabel(&m))
				if !contains(arts, m.Article) {
					arts = append(arts, m.Article)
				}
			}
			return u.T("Missing: {{.Steps}}", map[string]any{"Steps": strings.Join(names, u.T(", "))}), u.tr.cite(strings.Join(arts, ", "))
		}
	}
	err := s.state.Blocked(def)
	if err == nil {
		return "", ""
	}
	r := u.tr.explain(err, s.c.Procedure)
	return u.tr.short(r), r.Article
}

// closeCheck lists what closing the scene still needs (SPEC F11).
func (s *procedureScreen) closeCheck() []fyne.CanvasObject {
	u := s.u
	if s.c.SceneClosed {
		l := wrapped(u.T("The on-scene record is closed. Service may still be recorded; anything else is a correction."))
		l.Importance = widget.SuccessImportance
		return []fyne.CanvasObject{l}
	}
	missing := s.state.MissingMandatory()
	if len(missing) == 0 {
		l := wrapped(u.T("Every mandatory step is recorded: the scene may be closed."))
		l.Importance = widget.SuccessImportance
		return []fyne.CanvasObject{heading(u.T("Close-scene check")), l}
	}
	out := []fyne.CanvasObject{heading(u.T("Close-scene check: still missing"))}
	for _, m := range missing {
		l := wrapped(u.T("• {{.Step}} ({{.Article}})", map[string]any{"Step": u.tr.stepLabel(&m), "Article": u.tr.cite(m.Article)}))
		l.Importance = widget.DangerImportance
		out = append(out, l)
	}
	return out
}

// reloadHeader re-reads the case and redraws its card (its sync line
// follows sync; issue 12 (5)).
func (s *procedureScreen) reloadHeader() {
	if s.headerBox == nil {
		return
	}
	c, err := s.u.term.Case(s.c.ID)
	if err != nil {
		return
	}
	s.c.Unconfirmed = c.Unconfirmed
	s.headerBox.Objects = []fyne.CanvasObject{s.header()}
	s.headerBox.Refresh()
}

// header shows the case: party, type, officers and their credentials, sync.
func (s *procedureScreen) header() fyne.CanvasObject {
	u, c := s.u, s.c
	var crew []string
	for _, o := range s.state.Officers {
		mark := ""
		if p := o.CredentialProblem(u.now()); p != "" {
			mark = u.T(" (credential invalid)")
		}
		crew = append(crew, o.Name+" "+o.Cert+mark)
	}
	lines := []widgets.CardLine{
		{Text: c.Open.Party + " · " + u.tr.opt("party_kind", c.Open.PartyKind), Bold: true},
		{Text: u.tr.procName(c.Procedure) + " · " + u.tr.opt("source", c.Open.Source), Small: true},
		{Text: u.T("Officers: {{.Names}}", map[string]any{"Names": strings.Join(crew, u.T(", "))})},
	}
	if len(s.state.Officers) < c.Procedure.MinOfficers {
		lines = append(lines, widgets.CardLine{Text: u.T("Only {{.N}} officer on the case: add a second before showing ID (003 §14).", map[string]any{"N": len(s.state.Officers)}), Importance: widget.DangerImportance})
	}
	if c.Unconfirmed > 0 {
		lines = append(lines, widgets.CardLine{Text: u.T("Sync: {{.N}} entries queued", map[string]any{"N": c.Unconfirmed}), Importance: widget.WarningImportance, Small: true})
	} else {
		lines = append(lines, widgets.CardLine{Text: u.T("Sync: all entries confirmed"), Importance: widget.SuccessImportance, Small: true})
	}
	card := widgets.NewCard(lines, nil)
	card.Accent = theme.ColorNamePrimary
	return card
}

func (s *procedureScreen) content() fyne.CanvasObject {
	u := s.u
	s.headerBox = container.NewStack(s.header())
	list := container.NewVBox(s.headerBox)
	if !s.c.SceneClosed {
		list.Add(tall(s.join, 44))
	}
	list.Add(heading(u.T("Steps")))
	list.Add(s.steps)
	list.Add(s.check)
	left := container.NewVScroll(container.NewPadded(list))
	if !u.wide {
		u.form = nil
		return left
	}
	kind := s.selected
	if kind == "" {
		kind = s.nextKind()
		s.selected = kind
	}
	s.steps.SetItems(s.items()) // mark the step shown beside the list
	var right fyne.CanvasObject = wrapped(u.T("Choose a step."))
	if kind != "" {
		f, err := newStepForm(u, s.c.ID, kind)
		if err != nil {
			u.showError(err, nil)
		} else {
			u.form = f
			right = container.NewBorder(container.NewPadded(heading(f.title())), nil, nil, nil, f.content())
		}
	}
	split := container.NewHSplit(left, right)
	split.Offset = 0.36
	return split
}

// nextKind is the step the guide suggests: the next one, else close_scene
// if open, else the first step.
func (s *procedureScreen) nextKind() string {
	for _, p := range s.state.Plan() {
		if p.Status == enforce.StatusNext {
			return p.Kind
		}
	}
	if len(s.c.Procedure.Steps) > 0 {
		return s.c.Procedure.Steps[0].Kind
	}
	return ""
}

// showJoin adds officers to the case's crew.
func (s *procedureScreen) showJoin() {
	u := s.u
	on := map[string]bool{}
	for _, o := range s.c.Officers {
		on[o.Cert] = true
	}
	picker := newOfficerPicker(u, nil)
	for cert, c := range picker.checks {
		if on[cert] {
			c.Disable()
		}
	}
	u.dialogs = append(u.dialogs, u.T("Add an officer to the case"))
	u.joinSubmit = newFormDialog(u, u.T("Add an officer to the case"), container.NewVScroll(picker), func() bool {
		certs := picker.selected()
		if len(certs) == 0 {
			return true
		}
		if _, err := u.term.JoinOfficers(s.c.ID, certs); err != nil {
			u.showError(err, s.c.Procedure)
			return false
		}
		u.sync.Kick()
		u.render()
		return true
	})
	u.joinPicker = picker
}
