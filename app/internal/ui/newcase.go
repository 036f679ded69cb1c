package ui

import (
	"encoding/json"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lawtrace/app/internal/field"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
)

// newCaseScreen opens a case: enforcement type, party and its kind, source,
// officers (two with valid credentials; the core refuses an expired one and
// the refusal is shown), place, and an emergency reason if any (SPEC R8, D4).
type newCaseScreen struct {
	u         *UI
	types     *widget.RadioGroup
	typeIDs   map[string]string // label → procedure id
	party     *widget.Entry
	partyKind *widget.RadioGroup
	source    *widget.Select
	officers  *officerPicker
	place     *widget.Entry
	emergency *widget.Entry
	open      *widget.Button
	loading   bool
}

// setNewCaseDraft keeps the new-case form as typed, so a killed app reopens
// on it with everything entered (issue 12 (11)); setOnNewCase says the
// form was on screen.
const (
	setNewCaseDraft = "ui.draft.newcase"
	setOnNewCase    = "ui.on_newcase"
)

// newCaseDraft is the new-case form as typed.
type newCaseDraft struct {
	Type      string   `json:"type,omitempty"`
	Party     string   `json:"party,omitempty"`
	PartyKind string   `json:"party_kind,omitempty"`
	Source    string   `json:"source,omitempty"`
	Officers  []string `json:"officers,omitempty"`
	Place     string   `json:"place,omitempty"`
	Emergency string   `json:"emergency,omitempty"`
}

func (u *UI) newCaseRoute() route {
	return route{name: "newcase", build: func() (string, fyne.CanvasObject) {
		s := newNewCase(u)
		u.newCase = s
		u.setSetting(setOnNewCase, "1")
		return u.T("New case"), s.content()
	}}
}

func newNewCase(u *UI) *newCaseScreen {
	s := &newCaseScreen{u: u, typeIDs: map[string]string{}}
	var labels []string
	if cat, err := u.term.Catalog(); err == nil {
		for _, id := range procedureOrder(cat) {
			l := u.tr.procName(cat.Procedures[id])
			labels = append(labels, l)
			s.typeIDs[l] = id
		}
	} else {
		u.showError(err, nil)
	}
	s.types = widget.NewRadioGroup(labels, nil)
	s.types.Required = true
	s.party = widget.NewEntry()
	s.party.SetPlaceHolder(u.T("Name of the person or organisation"))
	s.partyKind = widget.NewRadioGroup([]string{u.tr.opt("party_kind", "org"), u.tr.opt("party_kind", "person")}, nil)
	s.partyKind.Horizontal = true
	s.partyKind.Required = true
	s.partyKind.SetSelected(u.tr.opt("party_kind", "org"))
	var sources []string
	for _, src := range field.Sources {
		sources = append(sources, u.tr.opt("source", src))
	}
	s.source = widget.NewSelect(sources, nil)
	s.source.SetSelected(u.tr.opt("source", "inspection"))
	s.officers = newOfficerPicker(u, onDuty(u))
	s.place = widget.NewEntry()
	s.place.SetPlaceHolder(u.T("Address of the scene"))
	s.emergency = widget.NewMultiLineEntry()
	s.emergency.Wrapping = fyne.TextWrapWord
	s.emergency.SetPlaceHolder(u.T("Only for an emergency start: the reason (internal approval within 2 working days)"))
	s.open = widget.NewButtonWithIcon(u.T("Open the case"), theme.ConfirmIcon(), s.submit)
	s.open.Importance = widget.HighImportance
	s.restore()
	changed := func(string) { s.save() }
	s.types.OnChanged = changed
	s.party.OnChanged = changed
	s.partyKind.OnChanged = changed
	s.source.OnChanged = changed
	s.place.OnChanged = changed
	s.emergency.OnChanged = changed
	s.officers.OnChanged = func() { s.save() }
	return s
}

// restore fills the form from the draft a killed app left.
func (s *newCaseScreen) restore() {
	u := s.u
	raw := u.setting(setNewCaseDraft)
	if raw == "" {
		return
	}
	var d newCaseDraft
	if err := json.Unmarshal([]byte(raw), &d); err != nil {
		fyne.LogError("new case draft unreadable; starting afresh", err)
		return
	}
	s.loading = true
	defer func() { s.loading = false }()
	for label, id := range s.typeIDs {
		if id == d.Type {
			s.types.SetSelected(label)
		}
	}
	s.party.SetText(d.Party)
	if d.PartyKind != "" {
		s.partyKind.SetSelected(u.tr.opt("party_kind", d.PartyKind))
	}
	if d.Source != "" {
		s.source.SetSelected(u.tr.opt("source", d.Source))
	}
	s.place.SetText(d.Place)
	s.emergency.SetText(d.Emergency)
	if d.Officers != nil {
		s.officers.chosen = map[string]bool{}
		for _, c := range d.Officers {
			s.officers.chosen[c] = true
		}
		s.officers.reload()
	}
}

// save keeps the form as typed (every change).
func (s *newCaseScreen) save() {
	if s.loading {
		return
	}
	kind, source := s.choices()
	d := newCaseDraft{Type: s.typeIDs[s.types.Selected], Party: s.party.Text, PartyKind: kind, Source: source,
		Officers: s.officers.selected(), Place: s.place.Text, Emergency: s.emergency.Text}
	b, err := json.Marshal(d)
	if err != nil {
		return
	}
	s.u.setSetting(setNewCaseDraft, string(b))
}

// choices are the party kind and source chosen, in the core's terms.
func (s *newCaseScreen) choices() (kind, source string) {
	u := s.u
	kind = "org"
	if s.partyKind.Selected == u.tr.opt("party_kind", "person") {
		kind = "person"
	}
	source = "inspection"
	for _, src := range field.Sources {
		if u.tr.opt("source", src) == s.source.Selected {
			source = src
		}
	}
	return kind, source
}

// procedureOrder lists inspection first, as the most common on-scene work.
func procedureOrder(cat *enforce.Catalog) []string {
	ids := cat.ProcedureIDs()
	out := []string{}
	for _, id := range []string{"inspection", "penalty-simple", "penalty", "coercion", "permit"} {
		if _, ok := cat.Procedures[id]; ok {
			out = append(out, id)
		}
	}
	for _, id := range ids {
		if !contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

func (s *newCaseScreen) content() fyne.CanvasObject {
	u := s.u
	return scroll(
		heading(u.T("Enforcement type")), s.types,
		heading(u.T("Party")), s.party, s.partyKind,
		heading(u.T("Source of the case")), s.source,
		heading(u.T("Officers (two with valid credentials)")), s.officers,
		heading(u.T("Place")), s.place,
		heading(u.T("Emergency start")), s.emergency,
		tall(s.open, touch),
	)
}

func (s *newCaseScreen) submit() {
	u := s.u
	kind, source := s.choices()
	typ := s.typeIDs[s.types.Selected]
	if typ == "" {
		u.problem(u.T("Please check the input"), u.T("Choose the enforcement type."))
		return
	}
	nc := field.NewCase{Type: typ, Party: s.party.Text, PartyKind: kind, Source: source,
		Officers: s.officers.selected(), EmergencyReason: s.emergency.Text}
	if addr := strings.TrimSpace(s.place.Text); addr != "" {
		nc.Place = &ledger.Place{Address: addr}
	}
	var c *field.Case
	u.run(u.T("Opening the case…"), func() (err error) {
		c, err = u.term.OpenCase(nc)
		return err
	}, func(err error) {
		if err != nil {
			u.showError(err, nil)
			return
		}
		if nc.Place != nil {
			u.setSetting(placeKey(c.ID), nc.Place.Address)
		}
		u.setSetting(setNewCaseDraft, "")
		u.setSetting(setOnNewCase, "")
		u.sync.Kick()
		u.Refresh()
		u.stack = u.stack[:len(u.stack)-1] // the new case form is done
		u.openCase(c.ID)
	})
}

// placeKey is the setting holding a case's scene address, used as the
// place of its steps.
func placeKey(caseID string) string { return "ui.place." + caseID }
