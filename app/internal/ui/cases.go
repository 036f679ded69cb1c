package ui

import (
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lawtrace/app/internal/field"
	"lawtrace/app/internal/ui/widgets"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
)

// caseListScreen lists today's cases (or all) with their stage, what is
// missing and their sync state (SPEC S1).
type caseListScreen struct {
	u       *UI
	newBtn  *widget.Button
	all     *widget.Check
	list    *fyne.Container
	rows    map[string]*widgets.Card
	summary map[string]caseInfo
}

// caseInfo is what a case row shows.
type caseInfo struct {
	Summary  field.CaseSummary
	Proc     string
	Next     string
	Stage    string
	Missing  []string
	Closed   bool
	Opened   time.Time
	Officers []string
}

func (u *UI) casesRoute() route {
	return route{name: "cases", build: func() (string, fyne.CanvasObject) {
		s := &caseListScreen{u: u}
		u.cases = s
		return u.T("Cases"), s.content()
	}}
}

func (s *caseListScreen) content() fyne.CanvasObject {
	u := s.u
	s.newBtn = widget.NewButtonWithIcon(u.T("New case"), theme.ContentAddIcon(), func() { u.push(u.newCaseRoute()) })
	s.newBtn.Importance = widget.HighImportance
	s.all = widget.NewCheck(u.T("Show earlier cases"), func(bool) { s.reload() })
	s.list = container.NewVBox()
	s.reload()
	top := container.NewVBox(tall(s.newBtn, touch), s.all)
	return container.NewBorder(container.NewPadded(top), nil, nil, nil, container.NewVScroll(container.NewPadded(s.list)))
}

// reload reads the cases from the field core.
func (s *caseListScreen) reload() {
	u := s.u
	since := startOfDay(u.now())
	if s.all.Checked {
		since = time.Time{}
	}
	list, err := u.term.Cases(since)
	if err != nil {
		u.showError(err, nil)
		return
	}
	s.rows = map[string]*widgets.Card{}
	s.summary = map[string]caseInfo{}
	s.list.Objects = nil
	if len(list) == 0 {
		s.list.Add(wrapped(u.T("No cases today. Tap New case to start one.")))
	}
	for _, cs := range list {
		info, err := s.info(cs)
		if err != nil {
			u.showError(err, nil)
			continue
		}
		id := cs.ID
		s.summary[id] = info
		card := widgets.NewCard(s.lines(info), func() { u.openCase(id) })
		card.Accent = rowAccent(info)
		s.rows[id] = card
		s.list.Add(card)
	}
	s.list.Refresh()
}

func startOfDay(t time.Time) time.Time {
	y, m, d := t.Date()
	return time.Date(y, m, d, 0, 0, 0, 0, t.Location())
}

func (s *caseListScreen) info(cs field.CaseSummary) (caseInfo, error) {
	u := s.u
	info := caseInfo{Summary: cs}
	c, err := u.term.Case(cs.ID)
	if err != nil {
		return info, err
	}
	info.Proc = u.tr.procName(c.Procedure)
	info.Closed = c.SceneClosed
	if t, err := ledger.ParseTime(cs.OpenedAt); err == nil {
		info.Opened = t
	}
	for _, o := range c.Officers {
		info.Officers = append(info.Officers, o.Name)
	}
	st := u.term.State(c)
	for _, p := range st.Plan() {
		if p.Status == enforce.StatusNext {
			def, _ := c.Procedure.Step(p.Kind)
			info.Next = u.tr.stepLabel(def)
			info.Stage = u.tr.stageName(c.Procedure, def.Stage)
		}
	}
	for _, m := range st.MissingMandatory() {
		info.Missing = append(info.Missing, u.tr.stepLabel(&m))
	}
	return info, nil
}

// lines are the text lines of a case row.
func (s *caseListScreen) lines(info caseInfo) []widgets.CardLine {
	u := s.u
	cs := info.Summary
	out := []widgets.CardLine{
		{Text: cs.Party, Bold: true},
		{Text: info.Proc + " · " + info.Opened.Local().Format("01-02 15:04") + " · " + strings.Join(info.Officers, u.T(", "))},
	}
	switch {
	case info.Closed:
		out = append(out, widgets.CardLine{Text: u.T("Scene closed"), Importance: widget.SuccessImportance})
	case len(info.Missing) > 0:
		out = append(out, widgets.CardLine{Text: u.T("Next: {{.Step}} (stage: {{.Stage}})", map[string]any{"Step": info.Next, "Stage": info.Stage}), Importance: widget.HighImportance})
		out = append(out, widgets.CardLine{Text: u.T("Missing: {{.Steps}}", map[string]any{"Steps": strings.Join(info.Missing, u.T(", "))}), Importance: widget.WarningImportance})
	default:
		out = append(out, widgets.CardLine{Text: u.T("Ready to close the scene"), Importance: widget.HighImportance})
	}
	if cs.Unconfirmed > 0 {
		out = append(out, widgets.CardLine{Text: u.T("Sync: {{.N}} entries queued", map[string]any{"N": cs.Unconfirmed}), Importance: widget.WarningImportance})
	} else {
		out = append(out, widgets.CardLine{Text: u.T("Sync: all entries confirmed"), Importance: widget.SuccessImportance})
	}
	return out
}

func rowAccent(info caseInfo) fyne.ThemeColorName {
	switch {
	case info.Summary.Unconfirmed > 0:
		return theme.ColorNameWarning
	case info.Closed:
		return theme.ColorNameSuccess
	}
	return theme.ColorNamePrimary
}
