package ui

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lawtrace/app/internal/field"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
)

// stepForm is the form of one step, built from the procedure's FieldDefs
// (SPEC F2): text, long text, date, date-time, number, yes/no, choices, item
// lists with rows added and removed; the evidence files the step needs;
// the signatures it needs; and a checklist of what the step requires with
// the current input — which for service by lodging walks the officer
// through refusal reason, witness, signatures and A/V. Step kinds with more
// to show (show ID, rights, A/V, close scene) add a header. Every change is
// saved as a draft; Record calls the field core and shows its refusal.
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

	header    *fyne.Container
	entries   map[string]*widget.Entry
	choices   map[string]*widget.RadioGroup
	checks    map[string]*widget.Check
	items     map[string]*itemList
	rows      map[string]fyne.CanvasObject
	fieldBox  *fyne.Container
	attachBox *fyne.Container
	addFile   *widget.Button
	evidence  *fyne.Container
	signBox   *fyne.Container
	signBtns  map[string]*widget.Button
	checklist *fyne.Container
	record    *widget.Button
	banner    *widget.Label

	// customisation by step kind
	onChange []func()
	// checklistAfter puts the checklist right after this field (service:
	// after the method, so the walk-through is on screen as it is chosen).
	checklistAfter string
	recordTxt      string
	addFileTxt     string
	promptText     *widget.Label
	avPrompt       fyne.CanvasObject // the statement to speak, in the evidence section
	rightsText     *widget.Label
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
		}
	}
}

// build makes the widgets for every field, the evidence and signatures.
func (f *stepForm) build() {
	u := f.u
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
	f.evidence.Objects = []fyne.CanvasObject{heading(u.T("Evidence"))}
	if f.avPrompt != nil {
		f.evidence.Add(f.avPrompt)
	}
	f.evidence.Add(f.attachBox)
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
	basis := widget.NewLabel(mand + " · " + f.def.Article)
	basis.SizeName = theme.SizeNameCaptionText
	basis.Wrapping = fyne.TextWrapWord
	objs := []fyne.CanvasObject{f.banner, basis, f.header, f.fieldBox, f.evidence, f.signBox}
	if f.checklistAfter == "" {
		objs = append(objs, f.checklist)
	}
	return scroll(append(objs, tall(f.record, touch))...)
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
			labels = append(labels, u.tr.opt(name, o))
		}
		r := widget.NewRadioGroup(labels, func(string) { f.changed() })
		r.Horizontal = len(labels) <= 3
		if value != "" {
			r.Selected = u.tr.opt(name, value)
		}
		f.choices[name] = r
		input = r
	case enforce.FieldItems:
		l := newItemList(f, fd, f.d.Items[name])
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
	title := widget.NewLabelWithStyle(label, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Wrapping = fyne.TextWrapWord
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
		for _, fd := range f.def.Fields {
			if fd.Name == name {
				for _, o := range fd.Options {
					if f.u.tr.opt(name, o) == r.Selected {
						return o
					}
				}
			}
		}
		return ""
	}
	return f.d.Fields[name]
}

func (f *stepForm) filled(name string) bool {
	if l, ok := f.items[name]; ok {
		return len(l.values()) > 0
	}
	return strings.TrimSpace(f.value(name)) != ""
}

// activeVariants are the variants the current choices select.
func (f *stepForm) activeVariants() []enforce.Variant {
	var out []enforce.Variant
	for _, v := range f.def.Variants {
		if f.value(v.Field) == v.Equals {
			out = append(out, v)
		}
	}
	return out
}

// signRoles are the signatures the step asks for with the current input.
func (f *stepForm) signRoles() []enforce.SignReq {
	out := slices.Clone(f.def.Signatures)
	for _, v := range f.activeVariants() {
		out = append(out, v.Signatures...)
	}
	return out
}

func (f *stepForm) needsAV() bool {
	ev := f.def.Evidence
	if ev.AV {
		return true
	}
	for _, v := range f.activeVariants() {
		if v.AV {
			return true
		}
	}
	return false
}

func (f *stepForm) hasAV() bool {
	for _, a := range f.d.Attach {
		if a.Kind == ledger.KindVideo || a.Kind == ledger.KindAudio {
			return true
		}
	}
	return false
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
	for name, row := range f.rows {
		if f.variantOnly[name] && !f.variantWants(name) {
			row.Hide()
		} else {
			row.Show()
		}
	}
	f.renderSignatures()
	f.renderChecklist()
	for _, fn := range f.onChange {
		fn()
	}
}

func (f *stepForm) variantWants(name string) bool {
	for _, v := range f.activeVariants() {
		if slices.Contains(v.Fields, name) {
			return true
		}
	}
	return false
}

// requirement is one line of the checklist.
type requirement struct {
	Text string
	Done bool
}

// requirements lists what the step needs with the current input, in the
// order the officer does it: fields, evidence, signatures (SPEC F9, F11).
func (f *stepForm) requirements() []requirement {
	u := f.u
	var out []requirement
	for _, fd := range f.def.Fields {
		if fd.Required && !f.hidden[fd.Name] {
			out = append(out, requirement{u.tr.fieldLabel(fd), f.filled(fd.Name)})
		}
	}
	for _, v := range f.activeVariants() {
		for _, name := range v.Fields {
			if !slices.ContainsFunc(out, func(r requirement) bool { return r.Text == u.tr.fieldName(f.def, name) }) {
				out = append(out, requirement{u.tr.fieldName(f.def, name), f.filled(name)})
			}
		}
	}
	ev := f.def.Evidence
	if f.needsAV() {
		text := u.T("audio/video record")
		done := f.hasAV()
		if ev.AV && ev.AVUnless != "" && !slices.ContainsFunc(f.activeVariants(), func(v enforce.Variant) bool { return v.AV }) {
			text = u.T("{{.What}} (or {{.Alt}})", map[string]any{"What": text, "Alt": u.tr.fieldName(f.def, ev.AVUnless)})
			done = done || f.filled(ev.AVUnless)
		}
		out = append(out, requirement{text, done})
	}
	photos := 0
	for _, a := range f.d.Attach {
		if a.Kind == ledger.KindPhoto {
			photos++
		}
	}
	if ev.MinPhotos > 0 {
		out = append(out, requirement{u.T("photos: at least {{.N}}", map[string]any{"N": ev.MinPhotos}), photos >= ev.MinPhotos})
	}
	if ev.MinFiles > 0 {
		out = append(out, requirement{u.T("files: at least {{.N}}", map[string]any{"N": ev.MinFiles}), len(f.d.Attach) >= ev.MinFiles})
	}
	for _, s := range f.signRoles() {
		text := u.T("{{.Role}}'s signature", map[string]any{"Role": u.tr.role(s.Role)})
		done := f.signedBy(s.Role) != nil
		if s.Unless != "" {
			text = u.T("{{.What}} (or {{.Alt}})", map[string]any{"What": text, "Alt": u.tr.fieldName(f.def, s.Unless)})
			done = done || f.filled(s.Unless)
		}
		out = append(out, requirement{text, done})
	}
	return out
}

func (f *stepForm) renderChecklist() {
	u := f.u
	reqs := f.requirements()
	f.checklist.Objects = nil
	if len(reqs) == 0 {
		f.checklist.Refresh()
		return
	}
	title := u.T("Before recording")
	for _, v := range f.activeVariants() {
		title = u.T("{{.Variant}} requires", map[string]any{"Variant": u.tr.opt(v.Field, v.Equals)}) + " (" + v.Article + ")"
	}
	f.checklist.Add(heading(title))
	for _, r := range reqs {
		var icon fyne.Resource = theme.NewErrorThemedResource(theme.RadioButtonIcon())
		if r.Done {
			icon = theme.NewSuccessThemedResource(theme.ConfirmIcon())
		}
		l := wrapped(r.Text)
		if !r.Done {
			l.Importance = widget.DangerImportance
		}
		f.checklist.Add(container.NewBorder(nil, nil, widget.NewIcon(icon), nil, l))
	}
	f.checklist.Refresh()
}

// signedBy returns the signature captured for role, if any.
func (f *stepForm) signedBy(role string) *signed {
	for i := range f.d.Sign {
		if f.d.Sign[i].Role == role {
			return &f.d.Sign[i]
		}
	}
	return nil
}

func (f *stepForm) renderSignatures() {
	u := f.u
	roles := f.signRoles()
	f.signBox.Objects = nil
	f.signBtns = map[string]*widget.Button{}
	if len(roles) == 0 {
		f.signBox.Refresh()
		return
	}
	f.signBox.Add(heading(u.T("Signatures")))
	for _, r := range roles {
		role := r.Role
		text := u.T("Sign: {{.Role}}", map[string]any{"Role": u.tr.role(role)})
		b := widget.NewButtonWithIcon(text, theme.DocumentCreateIcon(), func() { f.sign(role) })
		if s := f.signedBy(role); s != nil {
			b.SetText(u.T("Signed: {{.Role}} {{.Name}} (tap to sign again)", map[string]any{"Role": u.tr.role(role), "Name": s.Name}))
			b.SetIcon(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
		}
		f.signBtns[role] = b
		f.signBox.Add(tall(b, touch))
	}
	f.signBox.Refresh()
}

// sign opens the signature pad for role; the signature returns to the draft.
func (f *stepForm) sign(role string) {
	f.collect()
	f.u.saveDraft(f.c.ID, f.def.Kind, f.d)
	f.u.push(f.u.signRoute(f.c.ID, f.def.Kind, role, f.signerName(role)))
}

// signerName suggests who signs for a role.
func (f *stepForm) signerName(role string) string {
	switch role {
	case "party", "recipient":
		if n := f.value("recipient_name"); n != "" && role == "recipient" {
			return n
		}
		return f.c.Open.Party
	case "person":
		return f.value("person_name")
	case "witness":
		return f.value("witness_name")
	case "officer":
		if len(f.c.Officers) > 0 {
			return f.c.Officers[0].Name
		}
	case "server":
		if len(f.c.Officers) > 1 {
			return f.c.Officers[1].Name
		}
		if len(f.c.Officers) > 0 {
			return f.c.Officers[0].Name
		}
	}
	return ""
}

// pick lets the officer choose an evidence file.
func (f *stepForm) pick() {
	f.collect()
	f.u.pickFile(func(path string, err error) {
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

// attach adds a file, hashing it so the officer sees the SHA-256 at once.
func (f *stepForm) attach(path string) {
	caption := f.value("caption")
	a := attachment{Path: path, Kind: field.KindOf(path), Caption: caption}
	f.u.run(f.u.T("Reading the file…"), func() error {
		h, n, err := hashFile(path)
		a.Hash, a.Size = h, n
		return err
	}, func(err error) {
		if err != nil {
			f.u.showError(err, nil)
			return
		}
		f.d.Attach = append(f.d.Attach, a)
		f.renderAttachments()
		f.changed()
	})
}

func hashFile(path string) (string, int64, error) {
	file, err := os.Open(path)
	if err != nil {
		return "", 0, err
	}
	defer file.Close()
	h := sha256.New()
	n, err := io.Copy(h, file)
	return hex.EncodeToString(h.Sum(nil)), n, err
}

func (f *stepForm) renderAttachments() {
	u := f.u
	f.attachBox.Objects = nil
	if f.needsAV() {
		f.attachBox.Add(wrapped(u.T("This step needs an audio/video record.")))
	}
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
}

// request is the step as the field core takes it.
func (f *stepForm) request() field.StepRequest {
	f.collect()
	req := field.StepRequest{Kind: f.def.Kind, Fields: map[string]string{}, Items: map[string][]map[string]string{}}
	for _, fd := range f.def.Fields {
		if l, ok := f.items[fd.Name]; ok {
			if rows := l.values(); len(rows) > 0 {
				req.Items[fd.Name] = rows
			}
			continue
		}
		row, shown := f.rows[fd.Name]
		if !shown || !row.Visible() {
			continue
		}
		if v := strings.TrimSpace(f.value(fd.Name)); v != "" {
			req.Fields[fd.Name] = v
		}
	}
	for k, v := range f.fixed() {
		req.Fields[k] = v
	}
	for _, a := range f.d.Attach {
		caption := a.Caption
		if caption == "" {
			caption = f.value("caption")
		}
		req.Attach = append(req.Attach, field.Attachment{Path: a.Path, Kind: a.Kind, Caption: caption})
	}
	roles := f.signRoles()
	for _, s := range f.d.Sign {
		if slices.ContainsFunc(roles, func(r enforce.SignReq) bool { return r.Role == s.Role }) {
			req.Sign = append(req.Sign, field.Signing{Role: s.Role, Name: s.Name, Strokes: s.Strokes})
		}
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

// recorded tells the officer what was stored, with hashes, and moves on.
func (u *UI) recorded(f *stepForm, e *ledger.Entry) {
	lines := []string{u.T("Entry #{{.Seq}} · SHA-256 {{.Hash}}", map[string]any{"Seq": e.Seq, "Hash": e.Hash})}
	if p, err := ledger.DecodePayload(e.Payload); err == nil {
		for _, file := range p.Files {
			if file.Kind == ledger.KindSignStrokes || file.Kind == ledger.KindSignImage {
				continue
			}
			lines = append(lines, fmt.Sprintf("%s %s · SHA-256 %s", u.tr.opt("kind", file.Kind), file.Name, file.Hash))
		}
		for _, s := range p.Signatures {
			lines = append(lines, u.T("{{.Role}}'s signature {{.Name}} bound to {{.Hash}}", map[string]any{"Role": u.tr.role(s.Role), "Name": s.Name, "Hash": s.Binds[:16]}))
		}
	}
	u.lastRecorded = e
	u.setSetting(setLastStep, "")
	u.Refresh()
	if u.wide && u.proc != nil {
		u.proc.selected = ""
		u.render()
	} else {
		u.popTo("procedure")
	}
	u.info(u.T("Recorded: {{.Step}}", map[string]any{"Step": f.title()}), strings.Join(lines, "\n"))
}

// itemList is an item-list field: rows of columns, added and removed (the
// sample list, the objects preserved).
type itemList struct {
	f    *stepForm
	def  enforce.FieldDef
	box  *fyne.Container
	rows []*itemRow
	add  *widget.Button
}

type itemRow struct {
	entries map[string]*widget.Entry
	remove  *widget.Button
}

func newItemList(f *stepForm, def enforce.FieldDef, values []map[string]string) *itemList {
	l := &itemList{f: f, def: def, box: container.NewVBox()}
	l.add = widget.NewButtonWithIcon(f.u.T("Add a row"), theme.ContentAddIcon(), func() {
		l.addRow(nil)
		l.render()
		f.changed()
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
		e.OnChanged = func(string) { l.f.changed() }
		r.entries[col.Name] = e
	}
	r.remove = widget.NewButtonWithIcon(l.f.u.T("Remove row"), theme.DeleteIcon(), func() {
		i := slices.Index(l.rows, r)
		if i >= 0 {
			l.rows = slices.Delete(l.rows, i, i+1)
		}
		l.render()
		l.f.changed()
	})
	l.rows = append(l.rows, r)
}

func (l *itemList) render() {
	u := l.f.u
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
