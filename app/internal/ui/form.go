package ui

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lawtrace/app/internal/field"
	"lawtrace/app/internal/field/capture"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
)

// stepForm is the form of one step, built from the procedure's FieldDefs
// (SPEC F2): the officer making the record (记录人), text, long text, date,
// date-time, number, yes/no, choices, item lists with rows added and
// removed; the evidence files the step needs; a signature pad for each
// signature it needs; and a checklist of what the step requires with the
// current input — the guard's own list (enforce Requirements), which for
// service by lodging walks the officer through refusal reason, witness,
// signatures and A/V. Step kinds with more to show (show ID, rights, A/V,
// close scene) add a header. Every change is saved as a draft; Record
// calls the field core and shows its refusal.
type stepForm struct {
	u     *UI
	c     *field.Case
	state enforce.CaseState
	def   *enforce.StepDef
	d     draft

	building bool
	hidden   map[string]bool
	// variantOnly are fields only some variant asks for, shown when it applies.
	variantOnly map[string]bool

	// reqs is what the step needs with the input as it stands.
	reqs []enforce.Requirement

	header    *fyne.Container
	recorder  *widget.Select
	entries   map[string]*widget.Entry
	choices   map[string]*widget.RadioGroup
	checks    map[string]*widget.Check
	items     map[string]*itemList
	rows      map[string]fyne.CanvasObject
	fieldBox  *fyne.Container
	attachBox *fyne.Container
	addFile   *widget.Button
	// captureBtns take a photo, video or audio in the app (Options.Capture).
	captureBtns []*widget.Button
	avNote      *cjkLabel
	evidence    *fyne.Container
	signBox     *fyne.Container
	signBtns    map[string]*widget.Button
	checklist   *fyne.Container
	record      *widget.Button
	banner      *cjkLabel

	// customisation by step kind
	onChange []func()
	// checklistAfter puts the checklist right after this field (service:
	// after the method, so the walk-through is on screen as it is chosen).
	checklistAfter string
	recordTxt      string
	addFileTxt     string
	promptText     *cjkLabel
	avPrompt       fyne.CanvasObject // the statement to speak, in the evidence section
	rightsText     *cjkLabel

	// scroller is the form's scroll: re-laid out when a section grows (a
	// file attached, the checklist longer) and its offset kept while a
	// signature is drawn (issue 12 (3) (6)).
	scroller *container.Scroll
}

func newStepForm(u *UI, caseID, kind string) (*stepForm, error) {
	c, err := u.term.Case(caseID)
	if err != nil {
		return nil, err
	}
	def, ok := c.Procedure.Step(kind)
	if !ok {
		return nil, enforce.Errorf(enforce.ENotFound, "procedure %s has no step %s", c.Procedure.ID, kind)
	}
	f := &stepForm{u: u, c: c, state: u.term.State(c), def: def, d: u.loadDraft(caseID, kind),
		hidden: map[string]bool{}, variantOnly: map[string]bool{},
		entries: map[string]*widget.Entry{}, choices: map[string]*widget.RadioGroup{}, checks: map[string]*widget.Check{},
		items: map[string]*itemList{}, rows: map[string]fyne.CanvasObject{}, signBtns: map[string]*widget.Button{},
		header: container.NewVBox(), fieldBox: container.NewVBox(), attachBox: container.NewVBox(), signBox: container.NewVBox(),
		checklist: container.NewVBox(), evidence: container.NewVBox()}
	f.building = true
	defer func() { f.building = false }()
	for _, v := range def.Variants {
		for _, name := range v.Fields {
			f.variantOnly[name] = true
		}
	}
	for _, fd := range def.Fields {
		if fd.Required || fd.Name == def.Evidence.AVUnless {
			delete(f.variantOnly, fd.Name)
		}
	}
	if !f.d.Touched {
		f.defaults()
	}
	if !slices.ContainsFunc(c.Officers, func(o enforce.Officer) bool { return o.Cert == f.d.Recorder }) {
		f.d.Recorder = lastRecorder(c)
	}
	f.customise()
	f.build()
	f.update()
	return f, nil
}

// title is the step's name.
func (f *stepForm) title() string { return f.u.tr.stepLabel(f.def) }

// defaults fills a fresh form: today for dates, now for start times.
func (f *stepForm) defaults() {
	now := f.u.now()
	for _, fd := range f.def.Fields {
		if f.d.Fields[fd.Name] != "" {
			continue
		}
		switch {
		case fd.Type == enforce.FieldDate && fd.Required:
			f.d.Fields[fd.Name] = now.Format(enforce.DateLayout)
		case fd.Type == enforce.FieldDateTime && fd.Required:
			f.d.Fields[fd.Name] = now.Format("2006-01-02 15:04")
		case fd.Name == "location" || fd.Name == "place":
			f.d.Fields[fd.Name] = f.u.setting(placeKey(f.c.ID))
		case fd.Name == enforce.PartyAgentField:
			// the person who signed for the party before signs again:
			// the name is typed once (issue 12 (9))
			f.d.Fields[fd.Name] = lastPartyAgent(f.c)
		}
	}
}

// lastPartyAgent is the party_agent of the case's latest record that names
// one: the representative who signed for the party on an earlier step.
func lastPartyAgent(c *field.Case) string {
	for i := len(c.Entries) - 1; i >= 0; i-- {
		p, err := ledger.DecodePayload(c.Entries[i].Payload)
		if err != nil || len(p.Fields) == 0 {
			continue
		}
		var fields map[string]any
		if json.Unmarshal(p.Fields, &fields) != nil {
			continue
		}
		if v, ok := fields[enforce.PartyAgentField].(string); ok && strings.TrimSpace(v) != "" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// lastRecorder is the officer who recorded the case's latest step, else
// the first officer on the case.
func lastRecorder(c *field.Case) string {
	for i := len(c.Entries) - 1; i >= 0; i-- {
		var p field.StepPayload
		if json.Unmarshal(c.Entries[i].Payload, &p) == nil && p.Recorder != nil &&
			slices.ContainsFunc(c.Officers, func(o enforce.Officer) bool { return o.Cert == p.Recorder.Cert }) {
			return p.Recorder.Cert
		}
	}
	if len(c.Officers) > 0 {
		return c.Officers[0].Cert
	}
	return ""
}

// recorderRow is the choice of the officer making the record, one of the
// officers on the case (记录人, 000-record §4).
func (f *stepForm) recorderRow() fyne.CanvasObject {
	u := f.u
	var labels []string
	for _, o := range f.c.Officers {
		labels = append(labels, o.Name+"  "+o.Cert)
	}
	f.recorder = widget.NewSelect(labels, func(string) {
		if i := f.recorder.SelectedIndex(); i >= 0 {
			f.d.Recorder = f.c.Officers[i].Cert
		}
		f.changed()
	})
	for i, o := range f.c.Officers {
		if o.Cert == f.d.Recorder {
			f.recorder.SetSelectedIndex(i)
		}
	}
	title := widget.NewLabelWithStyle(u.T("Recorder")+" *", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	return container.NewVBox(title, f.recorder)
}

// build makes the widgets for every field, the evidence and signatures.
func (f *stepForm) build() {
	u := f.u
	f.fieldBox.Add(f.recorderRow())
	for _, fd := range f.def.Fields {
		if f.hidden[fd.Name] {
			continue
		}
		row := f.fieldWidget(fd)
		f.rows[fd.Name] = row
		f.fieldBox.Add(row)
		if fd.Name == f.checklistAfter {
			f.fieldBox.Add(f.checklist)
		}
	}
	addTxt := f.addFileTxt
	if addTxt == "" {
		addTxt = u.T("Add photo, audio, video or file")
	}
	f.addFile = widget.NewButtonWithIcon(addTxt, theme.FileIcon(), f.pick)
	f.avNote = wrapped(u.T("This step needs an audio/video record."))
	f.evidence.Objects = []fyne.CanvasObject{heading(u.T("Evidence")), f.avNote}
	if f.avPrompt != nil {
		f.evidence.Add(f.avPrompt)
	}
	f.evidence.Add(f.attachBox)
	if u.opt.Capture != nil {
		// the platform's camera and recorder, for the kinds the step takes
		for _, k := range captureKinds(f.def) {
			b := widget.NewButtonWithIcon(u.T(captureLabels[k]), theme.MediaRecordIcon(), func() { f.take(k) })
			f.captureBtns = append(f.captureBtns, b)
			f.evidence.Add(tall(b, touch))
		}
	}
	f.evidence.Add(tall(f.addFile, touch))
	f.renderAttachments()
	label := f.recordTxt
	if label == "" {
		label = u.T("Record {{.Step}}", map[string]any{"Step": f.title()})
	}
	f.record = widget.NewButtonWithIcon(label, theme.DocumentSaveIcon(), f.submit)
	f.record.Importance = widget.HighImportance
	f.banner = wrapped("")
	f.banner.Importance = widget.DangerImportance
	if err := f.state.Blocked(f.def); err != nil {
		r := u.tr.explain(err, f.c.Procedure)
		why := u.tr.short(r)
		if r.Article != "" {
			why += " (" + r.Article + ")"
		}
		f.banner.SetText(why)
	} else {
		f.banner.Hide()
	}
}

func (f *stepForm) content() fyne.CanvasObject {
	u := f.u
	mand := u.T("Optional step")
	if f.def.Mandatory {
		mand = u.T("Mandatory step")
	}
	basis := wrapped(mand + " · " + u.tr.cite(f.def.Article))
	basis.SizeName = theme.SizeNameCaptionText
	objs := []fyne.CanvasObject{f.banner, basis}
	// a step recorded before (photos, samples): each record opens read-only
	for _, e := range recordsOf(f.c, f.def.Kind) {
		id := e.ID
		b := widget.NewButtonWithIcon(u.T("View record #{{.Seq}} ({{.Time}})", map[string]any{"Seq": e.Seq, "Time": u.when(e)}), theme.VisibilityIcon(), func() { u.openRecord(f.c.ID, id) })
		objs = append(objs, tall(b, 44))
	}
	objs = append(objs, f.header, f.fieldBox, f.evidence, f.signBox)
	if f.checklistAfter == "" {
		objs = append(objs, f.checklist)
	}
	sc := scroll(append(objs, tall(f.record, touch))...).(*container.Scroll)
	f.scroller = sc
	if off, ok := u.keptOffset[formKey(f.c.ID, f.def.Kind)]; ok {
		sc.Offset = off
		delete(u.keptOffset, formKey(f.c.ID, f.def.Kind))
	}
	return sc
}

func formKey(caseID, kind string) string { return caseID + "/" + kind }

// relayout lays the whole form out again after a section changed size:
// a container refreshed alone grows over what follows it.
func (f *stepForm) relayout() {
	if f.scroller != nil && !f.building {
		f.u.relayout()
	}
}

// fieldWidget makes the input of one field with its label.
func (f *stepForm) fieldWidget(fd enforce.FieldDef) fyne.CanvasObject {
	u := f.u
	label := u.tr.fieldLabel(fd)
	if fd.Required {
		label += " *"
	}
	name := fd.Name
	value := f.d.Fields[name]
	var input fyne.CanvasObject
	switch fd.Type {
	case enforce.FieldLongText:
		e := widget.NewMultiLineEntry()
		e.Wrapping = fyne.TextWrapWord
		e.SetMinRowsVisible(3)
		e.SetText(value)
		e.OnChanged = func(string) { f.changed() }
		f.entries[name] = e
		input = e
	case enforce.FieldBool:
		c := widget.NewCheck(label, func(bool) { f.changed() })
		c.Checked = value == "true"
		f.checks[name] = c
		return tall(c, 44)
	case enforce.FieldChoice:
		var labels []string
		for _, o := range fd.Options {
			labels = append(labels, fd.OptionLabel(o, u.tr.en()))
		}
		r := widget.NewRadioGroup(labels, func(string) { f.changed() })
		r.Horizontal = len(labels) <= 3
		if r.Horizontal && r.MinSize().Width > f.u.formWidth() {
			r.Horizontal = false // side by side they would widen the window (issue 12 (4))
		}
		if value != "" {
			r.Selected = fd.OptionLabel(value, u.tr.en())
		}
		f.choices[name] = r
		input = r
	case enforce.FieldItems:
		l := newItemList(u, fd, f.d.Items[name], f.changed)
		f.items[name] = l
		input = l.box
	default:
		e := widget.NewEntry()
		switch fd.Type {
		case enforce.FieldDate:
			e.SetPlaceHolder("YYYY-MM-DD")
		case enforce.FieldDateTime:
			e.SetPlaceHolder("YYYY-MM-DD HH:MM")
		case enforce.FieldNumber:
			e.SetPlaceHolder("0")
		}
		e.SetText(value)
		e.OnChanged = func(string) { f.changed() }
		f.entries[name] = e
		input = e
	}
	title := wrapped(label)
	title.TextStyle = fyne.TextStyle{Bold: true}
	return container.NewVBox(title, input)
}

// value is a field's current input, in the core's terms.
func (f *stepForm) value(name string) string {
	if e, ok := f.entries[name]; ok {
		return e.Text
	}
	if c, ok := f.checks[name]; ok {
		if c.Checked {
			return "true"
		}
		return ""
	}
	if r, ok := f.choices[name]; ok {
		fd, _ := f.def.Field(name)
		for _, o := range fd.Options {
			if fd.OptionLabel(o, f.u.tr.en()) == r.Selected {
				return o
			}
		}
		return ""
	}
	return f.d.Fields[name]
}

// input is the step as it stands, in the guard's terms: the fields the
// current choices ask for, the item rows, the kinds of the files attached
// and who signed.
func (f *stepForm) input() enforce.StepInput {
	f.collect()
	in := enforce.StepInput{Kind: f.def.Kind, Fields: map[string]string{}, Items: map[string][]map[string]string{}}
	for _, fd := range f.def.Fields {
		if l, ok := f.items[fd.Name]; ok {
			if rows := l.values(); len(rows) > 0 {
				in.Items[fd.Name] = rows
			}
			continue
		}
		if v := strings.TrimSpace(f.value(fd.Name)); v != "" {
			in.Fields[fd.Name] = v
		}
	}
	maps.Copy(in.Fields, f.fixed())
	wanted := f.variantFields(in)
	for name := range f.variantOnly {
		if !wanted[name] {
			delete(in.Fields, name)
		}
	}
	for _, a := range f.d.Attach {
		in.FileKinds = append(in.FileKinds, a.Kind)
	}
	for _, s := range f.signatures(in) {
		in.Signatures = append(in.Signatures, enforce.Signer{Role: s.Role, Name: s.Name})
	}
	return in
}

// variantFields are the fields the variants the input selects ask for.
func (f *stepForm) variantFields(in enforce.StepInput) map[string]bool {
	out := map[string]bool{}
	for _, v := range f.state.ActiveVariants(f.def, in) {
		for _, name := range v.Fields {
			out[name] = true
		}
	}
	return out
}

func (f *stepForm) needsAV() bool {
	return slices.ContainsFunc(f.reqs, func(r enforce.Requirement) bool { return r.Name == "av" })
}

// changed saves the input as the draft and updates what depends on it.
func (f *stepForm) changed() {
	if f.building {
		return
	}
	f.collect()
	f.d.Touched = true
	f.u.saveDraft(f.c.ID, f.def.Kind, f.d)
	f.update()
}

// collect reads the widgets into the draft.
func (f *stepForm) collect() {
	for _, fd := range f.def.Fields {
		if _, ok := f.items[fd.Name]; ok {
			f.d.Items[fd.Name] = f.items[fd.Name].rawValues()
			continue
		}
		if _, shown := f.rows[fd.Name]; shown {
			f.d.Fields[fd.Name] = f.value(fd.Name)
		}
	}
}

// update shows the fields, signatures and evidence the current choices ask
// for, and the checklist.
func (f *stepForm) update() {
	in := f.input()
	f.reqs = f.state.Requirements(f.def, in)
	wanted := f.variantFields(in)
	for name, row := range f.rows {
		if f.variantOnly[name] && !wanted[name] {
			row.Hide()
		} else {
			row.Show()
		}
	}
	f.avNote.Hidden = !f.needsAV()
	f.renderSignatures(in)
	f.renderChecklist(in)
	for _, fn := range f.onChange {
		fn()
	}
	f.relayout()
}

// renderChecklist lists what the step needs with the current input, ticked
// off as it is done (SPEC F9, F11); fields the form fills itself are left out.
// An item list is ticked only when every required cell of every row is
// filled, and the cells still missing are listed under it by row (issue 12
// (10)): the core's Requirements name each cell.
func (f *stepForm) renderChecklist(in enforce.StepInput) {
	u := f.u
	f.checklist.Objects = nil
	title := u.T("Before recording")
	for _, v := range f.state.ActiveVariants(f.def, in) {
		fd, _ := f.def.Field(v.Field)
		title = u.T("{{.Variant}} requires", map[string]any{"Variant": fd.OptionLabel(v.Equals, u.tr.en())}) + " (" + u.tr.cite(v.Article) + ")"
	}
	cells := map[string][]rowCell{}
	for _, r := range f.reqs {
		if c, ok := parseRowCell(r); ok {
			cells[c.list] = append(cells[c.list], c)
		}
	}
	line := func(text string, done, sub bool) {
		if len(f.checklist.Objects) == 0 {
			h := wrapped(title)
			h.TextStyle = fyne.TextStyle{Bold: true}
			f.checklist.Add(h)
		}
		var icon fyne.Resource = theme.NewErrorThemedResource(theme.RadioButtonIcon())
		if done {
			icon = theme.NewSuccessThemedResource(theme.ConfirmIcon())
		}
		l := wrapped(text)
		if !done {
			l.Importance = widget.DangerImportance
		}
		var row fyne.CanvasObject = container.NewBorder(nil, nil, widget.NewIcon(icon), nil, l)
		if sub {
			row = container.NewBorder(nil, nil, widget.NewLabel(""), nil, row) // indented under its list
		}
		f.checklist.Add(row)
	}
	missingCells := func(list string) bool {
		missing := false
		for _, c := range cells[list] {
			if !c.req.Done {
				missing = true
				line(f.cellLabel(c), false, true)
			}
		}
		delete(cells, list)
		return missing
	}
	for _, r := range f.reqs {
		if f.hidden[r.Name] {
			continue
		}
		if c, ok := parseRowCell(r); ok {
			if _, parent := f.items[c.list]; parent && slices.ContainsFunc(f.reqs, func(p enforce.Requirement) bool { return p.Name == c.list }) {
				continue // listed under its list
			}
			missingCells(c.list)
			continue
		}
		if _, isList := f.items[r.Name]; isList {
			done := r.Done && !slices.ContainsFunc(cells[r.Name], func(c rowCell) bool { return !c.req.Done })
			line(u.tr.item(r.Item, f.c.Procedure, f.def), done, false)
			missingCells(r.Name)
			continue
		}
		line(u.tr.item(r.Item, f.c.Procedure, f.def), r.Done, false)
	}
	f.checklist.Refresh()
}

// rowCell is a requirement on one cell of an item list: list[row].column.
type rowCell struct {
	list, column string
	row          int
	req          enforce.Requirement
}

func parseRowCell(r enforce.Requirement) (rowCell, bool) {
	open := strings.IndexByte(r.Name, '[')
	closeAt := strings.Index(r.Name, "].")
	if open <= 0 || closeAt < open {
		return rowCell{}, false
	}
	n, err := strconv.Atoi(r.Name[open+1 : closeAt])
	if err != nil {
		return rowCell{}, false
	}
	return rowCell{list: r.Name[:open], row: n, column: r.Name[closeAt+2:], req: r}, true
}

// cellLabel names a missing cell under its list: 第2行：封样编号.
func (f *stepForm) cellLabel(c rowCell) string {
	col := c.column
	if fd, ok := f.def.Field(c.list); ok {
		for _, it := range fd.Items {
			if it.Name == c.column {
				col = f.u.tr.fieldLabel(it)
			}
		}
	}
	return f.u.T("Row {{.N}}: {{.Column}}", map[string]any{"N": c.row, "Column": col})
}

// padKey names a signature pad: its role, or officer:CERT for each officer.
func padKey(p enforce.SignatureRequest) string {
	if p.Officer != nil {
		return p.Role + ":" + p.Officer.Cert
	}
	return p.Role
}

// signedOn returns the signature captured on a pad, if any.
func (f *stepForm) signedOn(p enforce.SignatureRequest) *signed {
	for i, s := range f.d.Sign {
		if s.Role == p.Role && (p.Officer == nil || s.Name == p.Officer.Name) {
			return &f.d.Sign[i]
		}
	}
	return nil
}

// signatures are the signatures captured for the pads the input asks for.
// A signer the form names in a field (witness_name, recipient_name,
// person_name, party_agent) is that field's value: the name is typed once.
func (f *stepForm) signatures(in enforce.StepInput) []signed {
	var out []signed
	for _, p := range f.state.SignatureRequests(f.def, in) {
		s := f.signedOn(p)
		if s == nil {
			continue
		}
		sig := *s
		if v := in.Fields[p.NameField]; p.NameField != "" && v != "" {
			sig.Name = v
		}
		out = append(out, sig)
	}
	return out
}

func (f *stepForm) renderSignatures(in enforce.StepInput) {
	u := f.u
	pads := f.state.SignatureRequests(f.def, in)
	f.signBox.Objects = nil
	f.signBtns = map[string]*widget.Button{}
	if len(pads) > 0 {
		f.signBox.Add(heading(u.T("Signatures")))
	}
	signers := f.signatures(in)
	for _, p := range pads {
		pad := f.signPad(p)
		b := widget.NewButtonWithIcon(u.T("Sign: {{.Role}}", map[string]any{"Role": pad.Label}), theme.DocumentCreateIcon(), func() { f.sign(pad) })
		if i := slices.IndexFunc(signers, func(s signed) bool { return s.Role == p.Role && (p.Officer == nil || s.Name == p.Officer.Name) }); i >= 0 {
			b.SetText(u.T("Signed: {{.Role}} {{.Name}} (tap to sign again)", map[string]any{"Role": u.tr.role(p.Role), "Name": signers[i].Name}))
			b.SetIcon(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
		}
		f.signBtns[padKey(p)] = b
		f.signBox.Add(tall(b, touch))
	}
	f.signBox.Refresh()
}

// signPad is what the signature screen needs for a pad: an officer signs
// under their own name; a party signs as the party or its agent; anyone
// else as the person the form names.
func (f *stepForm) signPad(p enforce.SignatureRequest) signPad {
	pad := signPad{Role: p.Role, Label: f.u.tr.role(p.Role), NameField: p.NameField}
	if p.NameField != "" {
		pad.Name = strings.TrimSpace(f.value(p.NameField))
	}
	switch {
	case p.Officer != nil:
		pad.Label += " " + p.Officer.Name
		pad.Name, pad.Fixed = p.Officer.Name, true
	case p.Role == enforce.RoleServer:
		pad.Name = f.officerName(f.d.Recorder)
	case p.Role == enforce.RoleParty:
		pad.Party = f.c.Open.Party
		if pad.Name == "" && f.c.Open.PartyKind == "person" {
			pad.Name = f.c.Open.Party
		}
	}
	return pad
}

func (f *stepForm) officerName(cert string) string {
	for _, o := range f.c.Officers {
		if o.Cert == cert {
			return o.Name
		}
	}
	return ""
}

// sign opens the signature pad; the signature returns to the draft.
func (f *stepForm) sign(pad signPad) {
	f.collect()
	if f.scroller != nil {
		f.u.keptOffset[formKey(f.c.ID, f.def.Kind)] = f.scroller.Offset
	}
	f.u.saveDraft(f.c.ID, f.def.Kind, f.d)
	f.u.push(f.u.signRoute(f.c.ID, f.def.Kind, pad))
}

// pick lets the officer choose an evidence file.
func (f *stepForm) pick() {
	f.collect()
	f.u.pickFile(pickExtensions(f.def), func(path string, err error) {
		if err != nil {
			f.u.showError(err, nil)
			return
		}
		if path == "" {
			return
		}
		f.attach(path)
	})
}

// attach adds a picked file: it goes into the media store at once, so the
// officer sees its SHA-256 and a kill loses nothing (issue 12).
func (f *stepForm) attach(path string) {
	f.keep(func(done func(capture.Landed, error)) {
		hash, size, err := f.u.term.KeepMedia(path)
		done(capture.Landed{Path: path, Hash: hash, Size: size}, err)
	})
}

// take captures a file of kind with the platform's Capturer.
func (f *stepForm) take(kind string) {
	f.collect()
	f.keep(func(done func(capture.Landed, error)) {
		capture.Take(f.u.opt.Capture, kind, f.u.term.KeepMedia, done)
	})
}

// keep runs a capture in the background and adds the file it kept to the
// draft, which is saved at once.
func (f *stepForm) keep(take func(done func(capture.Landed, error))) {
	caption := f.value("caption")
	var got capture.Landed
	f.u.run(f.u.T("Reading the file…"), func() error {
		var err error
		landed := make(chan struct{})
		take(func(l capture.Landed, e error) { got, err = l, e; close(landed) })
		<-landed // a camera or recorder answers when the officer is done
		return err
	}, func(err error) {
		if errors.Is(err, capture.ErrCancelled) {
			return
		}
		if errors.Is(err, capture.ErrWrongKind) {
			f.u.problem(f.u.T("Please check the input"), f.u.T("This step takes only: {{.Exts}}", map[string]any{"Exts": strings.Join(pickExtensions(f.def), " ")}))
			return
		}
		if err != nil {
			f.u.showError(err, nil)
			return
		}
		a := attachment{Path: got.Path, Kind: field.KindOf(got.Path), Caption: caption, Hash: got.Hash, Size: got.Size}
		cur := f.u.form // the form may have been built again meanwhile (rotation, theme)
		if cur == nil || cur.c.ID != f.c.ID || cur.def.Kind != f.def.Kind {
			d := f.u.loadDraft(f.c.ID, f.def.Kind)
			d.Attach = append(d.Attach, a)
			f.u.saveDraft(f.c.ID, f.def.Kind, d)
			return
		}
		cur.d.Attach = append(cur.d.Attach, a)
		cur.renderAttachments()
		cur.changed()
	})
}

func (f *stepForm) renderAttachments() {
	u := f.u
	f.attachBox.Objects = nil
	for i := range f.d.Attach {
		i := i
		a := f.d.Attach[i]
		caption := widget.NewEntry()
		caption.SetPlaceHolder(u.T("Caption"))
		caption.SetText(a.Caption)
		caption.OnChanged = func(s string) {
			f.d.Attach[i].Caption = s
			f.changed()
		}
		remove := widget.NewButtonWithIcon("", theme.DeleteIcon(), func() {
			f.d.Attach = slices.Delete(f.d.Attach, i, i+1)
			f.renderAttachments()
			f.changed()
		})
		info := widget.NewLabel(fmt.Sprintf("%s · %s · %s", u.tr.opt("kind", a.Kind), filepath.Base(a.Path), byteSize(a.Size)))
		info.Wrapping = fyne.TextWrapBreak
		hash := widget.NewLabel("SHA-256 " + a.Hash)
		hash.Wrapping = fyne.TextWrapBreak
		hash.SizeName = theme.SizeNameCaptionText
		f.attachBox.Add(container.NewBorder(nil, nil, nil, remove, container.NewVBox(info, hash, caption)))
	}
	f.attachBox.Refresh()
	f.relayout()
}

// request is the step as the field core takes it, made by the officer
// chosen as recorder.
func (f *stepForm) request() field.StepRequest {
	in := f.input()
	req := field.StepRequest{Kind: f.def.Kind, Recorder: f.d.Recorder, Fields: in.Fields, Items: in.Items}
	for _, a := range f.d.Attach {
		caption := a.Caption
		if caption == "" {
			caption = f.value("caption")
		}
		req.Attach = append(req.Attach, field.Attachment{Path: a.Path, Kind: a.Kind, Caption: caption})
	}
	for _, s := range f.signatures(in) {
		req.Sign = append(req.Sign, field.Signing{Role: s.Role, Name: s.Name, Strokes: s.Strokes})
	}
	if addr := f.u.setting(placeKey(f.c.ID)); addr != "" {
		req.Place = &ledger.Place{Address: addr}
	}
	return req
}

// fixed are values the form sets itself (the rights text version shown).
func (f *stepForm) fixed() map[string]string {
	out := map[string]string{}
	if f.def.Kind == enforce.StepNotifyRights {
		if r, ok := f.rights(); ok {
			out["rights_version"] = r.Ref()
		}
	}
	return out
}

// submit records the step; a refusal is shown and the input stays.
func (f *stepForm) submit() {
	u := f.u
	req := f.request()
	var entry *ledger.Entry
	u.run(u.T("Recording…"), func() (err error) {
		entry, err = u.term.RecordStep(f.c.ID, req)
		return err
	}, func(err error) {
		if err != nil {
			u.showError(err, f.c.Procedure)
			return
		}
		u.clearDraft(f.c.ID, f.def.Kind)
		u.sync.Kick()
		u.recorded(f, entry)
	})
}

// recorded confirms the record briefly — the toast needs no tap; the
// hashes, files and signatures are on the record's own screen — and moves on.
func (u *UI) recorded(f *stepForm, e *ledger.Entry) {
	u.lastRecorded = e
	u.setSetting(setLastStep, "")
	u.Refresh()
	if u.wide && u.proc != nil {
		u.proc.selected = ""
		u.render()
	} else {
		u.popTo("procedure")
	}
	u.notify(u.T("Recorded: {{.Step}}", map[string]any{"Step": f.title()}) + u.T(" · entry #{{.Seq}}", map[string]any{"Seq": e.Seq}))
}

// itemList is an item-list field: rows of columns, added and removed (the
// sample list, the objects preserved).
type itemList struct {
	u       *UI
	changed func()
	def     enforce.FieldDef
	box     *fyne.Container
	rows    []*itemRow
	add     *widget.Button
}

type itemRow struct {
	entries map[string]*widget.Entry
	remove  *widget.Button
}

func newItemList(u *UI, def enforce.FieldDef, values []map[string]string, changed func()) *itemList {
	l := &itemList{u: u, changed: changed, def: def, box: container.NewVBox()}
	l.add = widget.NewButtonWithIcon(u.T("Add a row"), theme.ContentAddIcon(), func() {
		l.addRow(nil)
		l.render()
		l.changed()
	})
	for _, v := range values {
		l.addRow(v)
	}
	if len(values) == 0 {
		l.addRow(nil)
	}
	l.render()
	return l
}

func (l *itemList) addRow(v map[string]string) {
	r := &itemRow{entries: map[string]*widget.Entry{}}
	for _, col := range l.def.Items {
		e := widget.NewEntry()
		e.SetText(v[col.Name])
		e.OnChanged = func(string) { l.changed() }
		r.entries[col.Name] = e
	}
	r.remove = widget.NewButtonWithIcon(l.u.T("Remove row"), theme.DeleteIcon(), func() {
		i := slices.Index(l.rows, r)
		if i >= 0 {
			l.rows = slices.Delete(l.rows, i, i+1)
		}
		l.render()
		l.changed()
	})
	l.rows = append(l.rows, r)
}

func (l *itemList) render() {
	u := l.u
	l.box.Objects = nil
	for i, r := range l.rows {
		form := widget.NewForm()
		for _, col := range l.def.Items {
			label := u.tr.fieldLabel(col)
			if col.Required {
				label += " *"
			}
			form.Append(label, r.entries[col.Name])
		}
		title := widget.NewLabelWithStyle(u.T("Row {{.N}}", map[string]any{"N": i + 1}), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		l.box.Add(container.NewVBox(container.NewBorder(nil, nil, title, r.remove), form, widget.NewSeparator()))
	}
	l.box.Add(tall(l.add, touch))
	l.box.Refresh()
}

// rawValues are all rows as typed (for the draft).
func (l *itemList) rawValues() []map[string]string {
	var out []map[string]string
	for _, r := range l.rows {
		m := map[string]string{}
		for name, e := range r.entries {
			m[name] = e.Text
		}
		out = append(out, m)
	}
	return out
}

// values are the rows with anything in them, trimmed, empty cells left out.
func (l *itemList) values() []map[string]string {
	var out []map[string]string
	for _, r := range l.rows {
		m := map[string]string{}
		for name, e := range r.entries {
			if v := strings.TrimSpace(e.Text); v != "" {
				m[name] = v
			}
		}
		if len(m) > 0 {
			out = append(out, m)
		}
	}
	return out
}
