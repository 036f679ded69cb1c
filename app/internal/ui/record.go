package ui

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lawtrace/app/internal/field"
	"lawtrace/shared/casedoc"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
)

// recordScreen shows a recorded step read-only (SPEC F12, R1): its fields
// as the record now stands (corrections applied and marked), its files —
// photos as thumbnails — with hash and sync state, the signatures as drawn,
// the corrections made, and the entry's verification by the offline
// verifier and the server's log proof. From it the officer corrects the
// record or prints its document.
type recordScreen struct {
	u     *UI
	c     *field.Case
	def   *enforce.StepDef
	r     *field.Recorded
	sync  field.EntrySync
	proof *field.EntryProof

	correct *widget.Button
	print   *widget.Button
	// verified is what the verification section says (tests read it).
	verified []string
}

// recordsOf are a case's entries of one step kind, oldest first.
func recordsOf(c *field.Case, kind string) []ledger.Entry {
	var out []ledger.Entry
	for _, e := range c.Entries {
		if e.Step == kind {
			out = append(out, e)
		}
	}
	return out
}

// openRecord shows a recorded entry read-only.
func (u *UI) openRecord(caseID, entryID string) {
	u.push(u.recordRoute(caseID, entryID))
}

func (u *UI) recordRoute(caseID, entryID string) route {
	return route{name: "record:" + entryID, build: func() (string, fyne.CanvasObject) {
		s, err := newRecordScreen(u, caseID, entryID)
		if err != nil {
			u.showError(err, nil)
			return u.T("Record"), wrapped(err.Error())
		}
		u.record = s
		return s.title(), s.content()
	}}
}

func newRecordScreen(u *UI, caseID, entryID string) (*recordScreen, error) {
	c, err := u.term.Case(caseID)
	if err != nil {
		return nil, err
	}
	r, err := u.term.Entry(caseID, entryID)
	if err != nil {
		return nil, err
	}
	s := &recordScreen{u: u, c: c, r: r}
	s.def, _ = c.Procedure.Step(r.Entry.Step)
	if s.sync, err = u.term.EntrySyncState(r.Entry); err != nil {
		return nil, err
	}
	if p, err := u.term.EntryProof(entryID); err == nil {
		s.proof = &p
	}
	return s, nil
}

func (s *recordScreen) title() string {
	if s.def != nil {
		return s.u.tr.stepLabel(s.def)
	}
	return s.r.Entry.Step
}

// when is an entry's device time in the officer's local time.
func (u *UI) when(e ledger.Entry) string {
	t, err := ledger.ParseTime(e.DeviceTime)
	if err != nil {
		return e.DeviceTime
	}
	return t.Local().Format("2006-01-02 15:04")
}

func (s *recordScreen) content() fyne.CanvasObject {
	u, e := s.u, s.r.Entry
	head := []string{u.T("Entry #{{.Seq}} · {{.Time}}", map[string]any{"Seq": e.Seq, "Time": u.when(e)})}
	if s.r.Recorder != nil {
		head = append(head, u.T("Recorder: {{.Name}} {{.Cert}}", map[string]any{"Name": s.r.Recorder.Name, "Cert": s.r.Recorder.Cert}))
	}
	objs := []fyne.CanvasObject{}
	for _, h := range head {
		objs = append(objs, wrapped(h))
	}
	if n := len(s.r.Corrections); n > 0 {
		l := wrapped(u.T("Corrected {{.N}} times: the values below are as corrected; the original stays in the record.", map[string]any{"N": n}))
		l.Importance = widget.WarningImportance
		objs = append(objs, l)
	}
	objs = append(objs, s.fields()...)
	objs = append(objs, s.files()...)
	objs = append(objs, s.signatures()...)
	objs = append(objs, s.corrections()...)
	objs = append(objs, s.verification()...)
	s.correct = widget.NewButtonWithIcon(u.T("Correct this record"), theme.DocumentCreateIcon(), func() { u.openCorrection(s.c.ID, e.ID) })
	s.correct.Importance = widget.HighImportance
	objs = append(objs, tall(s.correct, touch))
	if casedoc.Prints(s.c.Procedure, e) {
		s.print = widget.NewButtonWithIcon(u.T("Preview and print the document"), theme.DocumentPrintIcon(), func() { u.openPrint(s.c.ID, e.ID) })
		objs = append(objs, tall(s.print, touch))
	}
	return scroll(objs...)
}

// fieldText is a field's value as the officer reads it.
func (u *UI) fieldText(fd enforce.FieldDef, v string) string {
	switch fd.Type {
	case enforce.FieldChoice:
		return fd.OptionLabel(v, u.tr.en())
	case enforce.FieldBool:
		if v == "true" {
			return u.T("Yes")
		}
		return u.T("No")
	}
	return v
}

// fields lists the values as the record now stands, corrected ones marked
// with what they were.
func (s *recordScreen) fields() []fyne.CanvasObject {
	u := s.u
	if s.def == nil {
		return nil
	}
	cur := s.r.Current(s.def)
	objs := []fyne.CanvasObject{heading(u.T("Record"))}
	for _, fd := range s.def.Fields {
		label := u.tr.fieldLabel(fd)
		if fd.Type == enforce.FieldItems {
			rows := cur.Items[fd.Name]
			if len(rows) == 0 {
				continue
			}
			objs = append(objs, heading(label))
			for i, row := range rows {
				var cells []string
				for _, col := range fd.Items {
					if v := row[col.Name]; v != "" {
						cells = append(cells, u.tr.fieldLabel(col)+u.T(": ")+v)
					}
				}
				objs = append(objs, wrapped(u.T("Row {{.N}}", map[string]any{"N": i + 1})+u.T(": ")+strings.Join(cells, u.T("; "))))
			}
			if orig := s.r.Items[fd.Name]; !slices.EqualFunc(orig, rows, maps.Equal) {
				l := wrapped(u.T("(corrected; the original had {{.N}} rows)", map[string]any{"N": len(orig)}))
				l.Importance = widget.WarningImportance
				objs = append(objs, l)
			}
			continue
		}
		v, orig := cur.Fields[fd.Name], s.r.Fields[fd.Name]
		if v == "" && orig == "" {
			continue
		}
		l := wrapped(label + u.T(": ") + u.fieldText(fd, v))
		objs = append(objs, l)
		if v != orig {
			was := orig
			if was == "" {
				was = u.T("(empty)")
			} else {
				was = u.fieldText(fd, was)
			}
			c := wrapped(u.T("(corrected; originally: {{.Was}})", map[string]any{"Was": was}))
			c.Importance = widget.WarningImportance
			objs = append(objs, c)
		}
	}
	return objs
}

// syncText says where a file is: confirmed by the server, waiting, or
// removed from the terminal after confirmation.
func (s *recordScreen) syncText(hash string) (string, widget.Importance) {
	u := s.u
	switch {
	case s.sync.Files[hash] && !s.sync.Local[hash]:
		return u.T("Held by the server (removed from this terminal)"), widget.SuccessImportance
	case s.sync.Files[hash]:
		return u.T("Uploaded and confirmed by the server"), widget.SuccessImportance
	case s.sync.Confirmed:
		return u.T("Waiting to upload"), widget.WarningImportance
	default:
		return u.T("Waiting to upload, after its record"), widget.WarningImportance
	}
}

// thumb is an image file as a thumbnail, nil when it cannot be read here.
func (s *recordScreen) thumb(f ledger.File, w, h float32) fyne.CanvasObject {
	if !s.sync.Local[f.Hash] {
		return nil
	}
	b, err := s.u.term.OpenMedia(f.Hash)
	if err != nil {
		return nil
	}
	img := canvas.NewImageFromResource(fyne.NewStaticResource(f.Hash[:12]+"-"+f.Name, b))
	img.FillMode = canvas.ImageFillContain
	img.SetMinSize(fyne.NewSize(w, h))
	return img
}

func (s *recordScreen) files() []fyne.CanvasObject {
	u := s.u
	var objs []fyne.CanvasObject
	for _, f := range s.r.Payload.Files {
		if f.Kind == ledger.KindSignStrokes || f.Kind == ledger.KindSignImage {
			continue
		}
		if len(objs) == 0 {
			objs = append(objs, heading(u.T("Evidence")))
		}
		if f.Kind == ledger.KindPhoto {
			if t := s.thumb(f, 240, 160); t != nil {
				objs = append(objs, t)
			}
		}
		info := fmt.Sprintf("%s · %s · %s", u.tr.opt("kind", f.Kind), f.Name, byteSize(f.Size))
		if f.Caption != "" {
			info += " · " + f.Caption
		}
		objs = append(objs, wrapped(info))
		hash := widget.NewLabel("SHA-256 " + f.Hash)
		hash.Wrapping = fyne.TextWrapBreak
		hash.SizeName = theme.SizeNameCaptionText
		objs = append(objs, hash)
		st, imp := s.syncText(f.Hash)
		l := wrapped(st)
		l.Importance = imp
		objs = append(objs, l)
	}
	return objs
}

func (s *recordScreen) signatures() []fyne.CanvasObject {
	u := s.u
	var objs []fyne.CanvasObject
	for _, sig := range s.r.Payload.Signatures {
		if len(objs) == 0 {
			objs = append(objs, heading(u.T("Signatures")))
		}
		objs = append(objs, wrapped(u.tr.role(sig.Role)+" "+sig.Name))
		if t := s.thumb(ledger.File{Hash: sig.Image, Name: "signature.png"}, 240, 96); t != nil {
			objs = append(objs, t)
		}
		b := widget.NewLabel(u.T("Bound to the record {{.Hash}}", map[string]any{"Hash": sig.Binds}))
		b.Wrapping = fyne.TextWrapBreak
		b.SizeName = theme.SizeNameCaptionText
		objs = append(objs, b)
	}
	return objs
}

func (s *recordScreen) corrections() []fyne.CanvasObject {
	u := s.u
	if len(s.r.Corrections) == 0 {
		return nil
	}
	objs := []fyne.CanvasObject{heading(u.T("Corrections"))}
	for _, c := range s.r.Corrections {
		by := ""
		if c.Recorder != nil {
			by = c.Recorder.Name + " " + c.Recorder.Cert
		}
		objs = append(objs, wrapped(u.T("Entry #{{.Seq}} · {{.Time}}", map[string]any{"Seq": c.Entry.Seq, "Time": u.when(c.Entry)})+" · "+by))
		objs = append(objs, wrapped(u.T("Reason: {{.Reason}}", map[string]any{"Reason": c.Reason})))
		var changed []string
		for _, k := range slices.Sorted(maps.Keys(c.Fields)) {
			label := k
			if s.def != nil {
				if fd, ok := s.def.Field(k); ok {
					label = u.tr.fieldLabel(fd)
				}
			}
			changed = append(changed, label)
		}
		if len(changed) > 0 {
			objs = append(objs, wrapped(u.T("Changed: {{.Fields}}", map[string]any{"Fields": strings.Join(changed, u.T(", "))})))
		}
	}
	return objs
}

// verification runs the offline verifier over the case and reports this
// entry's findings, with its hashes and the server's log proof.
func (s *recordScreen) verification() []fyne.CanvasObject {
	u, e := s.u, s.r.Entry
	objs := []fyne.CanvasObject{heading(u.T("Verification"))}
	findings, err := u.term.Verify(s.c.ID)
	var mine []string
	if err != nil {
		mine = append(mine, err.Error())
	}
	for _, f := range findings {
		if f.EntryID == e.ID || (f.EntryID == "" && f.Seq == e.Seq) {
			mine = append(mine, f.Problem)
		}
	}
	s.verified = nil
	if len(mine) == 0 {
		txt := u.T("Verified on this terminal: hash chain, device signature, file hashes and signers intact.")
		l := wrapped(txt)
		l.Importance = widget.SuccessImportance
		objs = append(objs, l)
		s.verified = append(s.verified, txt)
	} else {
		for _, m := range mine {
			l := wrapped(u.T("Problem: {{.Problem}}", map[string]any{"Problem": m}))
			l.Importance = widget.DangerImportance
			objs = append(objs, l)
			s.verified = append(s.verified, m)
		}
	}
	switch {
	case s.proof != nil && s.proof.Verified:
		objs = append(objs, wrapped(u.T("In the server's log at position {{.Index}} (tree of {{.Size}}), proof verified.", map[string]any{"Index": s.proof.LeafIndex, "Size": s.proof.TreeHead.Size})))
	case s.proof != nil:
		l := wrapped(u.T("The server's log proof does not verify."))
		l.Importance = widget.DangerImportance
		objs = append(objs, l)
	case s.sync.Confirmed:
		objs = append(objs, wrapped(u.T("Confirmed by the server.")))
	default:
		l := wrapped(u.T("Not yet confirmed by the server: it will be sent at the next sync."))
		l.Importance = widget.WarningImportance
		objs = append(objs, l)
	}
	for _, h := range []string{u.T("Entry hash") + " " + e.Hash, u.T("Previous hash") + " " + e.PrevHash} {
		l := widget.NewLabel(h)
		l.Wrapping = fyne.TextWrapBreak
		l.SizeName = theme.SizeNameCaptionText
		objs = append(objs, l)
	}
	return objs
}

// correctionScreen makes a correction entry of a recorded step (SPEC R1,
// 003 §29): the officer making it, the reason, and the fields as corrected.
// Only the fields changed go into the correction; the field core checks
// them against the step's rules (field.CorrectStep) and a refusal lists
// every problem at once.
type correctionScreen struct {
	u   *UI
	c   *field.Case
	def *enforce.StepDef
	r   *field.Recorded
	cur enforce.StepInput

	recorder *widget.Select
	by       string
	reason   *widget.Entry
	entries  map[string]*widget.Entry
	choices  map[string]*widget.RadioGroup
	checks   map[string]*widget.Check
	items    map[string]*itemList
	save     *widget.Button
}

func (u *UI) openCorrection(caseID, entryID string) {
	u.push(route{name: "correct:" + entryID, build: func() (string, fyne.CanvasObject) {
		s, err := newCorrection(u, caseID, entryID)
		if err != nil {
			u.showError(err, nil)
			return u.T("Correction"), wrapped(err.Error())
		}
		u.correction = s
		title := u.T("Correction")
		if s.def != nil {
			title = u.T("Correct: {{.Step}}", map[string]any{"Step": u.tr.stepLabel(s.def)})
		}
		return title, s.content()
	}})
}

func newCorrection(u *UI, caseID, entryID string) (*correctionScreen, error) {
	c, err := u.term.Case(caseID)
	if err != nil {
		return nil, err
	}
	r, err := u.term.Entry(caseID, entryID)
	if err != nil {
		return nil, err
	}
	s := &correctionScreen{u: u, c: c, r: r, entries: map[string]*widget.Entry{}, choices: map[string]*widget.RadioGroup{},
		checks: map[string]*widget.Check{}, items: map[string]*itemList{}}
	s.def, _ = c.Procedure.Step(r.Entry.Step)
	s.cur = r.Current(s.def)
	if r.Recorder != nil && slices.ContainsFunc(c.Officers, func(o enforce.Officer) bool { return o.Cert == r.Recorder.Cert }) {
		s.by = r.Recorder.Cert
	} else {
		s.by = lastRecorder(c)
	}
	return s, nil
}

func (s *correctionScreen) content() fyne.CanvasObject {
	u := s.u
	note := wrapped(u.T("A correction is a new record with its reason; the original stays as it was. Basis: {{.Article}}", map[string]any{"Article": u.tr.cite("003 §29")}))
	var labels []string
	for _, o := range s.c.Officers {
		labels = append(labels, o.Name+"  "+o.Cert)
	}
	s.recorder = widget.NewSelect(labels, func(string) {
		if i := s.recorder.SelectedIndex(); i >= 0 {
			s.by = s.c.Officers[i].Cert
		}
	})
	for i, o := range s.c.Officers {
		if o.Cert == s.by {
			s.recorder.SetSelectedIndex(i)
		}
	}
	s.reason = widget.NewMultiLineEntry()
	s.reason.Wrapping = fyne.TextWrapWord
	s.reason.SetMinRowsVisible(2)
	s.reason.SetPlaceHolder(u.T("Why the record is corrected"))
	objs := []fyne.CanvasObject{note, heading(u.T("Recorder") + " *"), s.recorder, heading(u.T("Reason for the correction") + " *"), s.reason}
	if s.def != nil {
		objs = append(objs, heading(u.T("The record as corrected")))
		for _, fd := range s.def.Fields {
			if fd.Name == "rights_version" {
				continue
			}
			objs = append(objs, s.fieldWidget(fd))
		}
	}
	s.save = widget.NewButtonWithIcon(u.T("Record the correction"), theme.DocumentSaveIcon(), s.submit)
	s.save.Importance = widget.HighImportance
	objs = append(objs, tall(s.save, touch))
	return scroll(objs...)
}

func (s *correctionScreen) fieldWidget(fd enforce.FieldDef) fyne.CanvasObject {
	u := s.u
	label := u.tr.fieldLabel(fd)
	if fd.Required {
		label += " *"
	}
	v := s.cur.Fields[fd.Name]
	var input fyne.CanvasObject
	switch fd.Type {
	case enforce.FieldBool:
		c := widget.NewCheck(label, nil)
		c.Checked = v == "true"
		s.checks[fd.Name] = c
		return tall(c, 44)
	case enforce.FieldChoice:
		var labels []string
		for _, o := range fd.Options {
			labels = append(labels, fd.OptionLabel(o, u.tr.en()))
		}
		r := widget.NewRadioGroup(labels, nil)
		r.Horizontal = len(labels) <= 3
		if v != "" {
			r.Selected = fd.OptionLabel(v, u.tr.en())
		}
		s.choices[fd.Name] = r
		input = r
	case enforce.FieldItems:
		l := newItemList(u, fd, s.cur.Items[fd.Name], func() {})
		s.items[fd.Name] = l
		input = l.box
	case enforce.FieldLongText:
		e := widget.NewMultiLineEntry()
		e.Wrapping = fyne.TextWrapWord
		e.SetMinRowsVisible(3)
		e.SetText(v)
		s.entries[fd.Name] = e
		input = e
	default:
		e := widget.NewEntry()
		e.SetText(v)
		s.entries[fd.Name] = e
		input = e
	}
	title := wrapped(label)
	title.TextStyle = fyne.TextStyle{Bold: true}
	return container.NewVBox(title, input)
}

// changes are the fields whose value differs from the record as it stands:
// item lists as their rows in JSON, a cleared field as "".
func (s *correctionScreen) changes() map[string]string {
	out := map[string]string{}
	if s.def == nil {
		return out
	}
	for _, fd := range s.def.Fields {
		name := fd.Name
		var v string
		switch {
		case s.entries[name] != nil:
			v = strings.TrimSpace(s.entries[name].Text)
		case s.checks[name] != nil:
			if s.checks[name].Checked {
				v = "true"
			}
		case s.choices[name] != nil:
			for _, o := range fd.Options {
				if fd.OptionLabel(o, s.u.tr.en()) == s.choices[name].Selected {
					v = o
				}
			}
		case s.items[name] != nil:
			rows := s.items[name].values()
			if slices.EqualFunc(rows, s.cur.Items[name], maps.Equal) {
				continue
			}
			b, _ := json.Marshal(rows)
			if len(rows) == 0 {
				b = nil
			}
			out[name] = string(b)
			continue
		default:
			continue
		}
		if v != strings.TrimSpace(s.cur.Fields[name]) {
			out[name] = v
		}
	}
	return out
}

// submit records the correction; a refusal is shown and the input stays.
func (s *correctionScreen) submit() {
	u := s.u
	changes := s.changes()
	reason := strings.TrimSpace(s.reason.Text)
	var entry *ledger.Entry
	u.run(u.T("Recording…"), func() (err error) {
		entry, err = u.term.CorrectStep(s.c.ID, s.r.Entry.ID, s.by, reason, changes)
		return err
	}, func(err error) {
		if err != nil {
			r := u.tr.explain(err, s.c.Procedure)
			if s.def != nil {
				r.Title = u.T("Cannot correct: {{.Step}}", map[string]any{"Step": u.tr.stepLabel(s.def)})
			}
			u.lastRefusal = &r
			u.dialogs = append(u.dialogs, r.Title)
			showRefusal(u, r)
			return
		}
		u.lastRecorded = entry
		u.sync.Kick()
		u.Refresh()
		u.back() // to the record, now showing the correction
		u.notify(u.T("Correction recorded: entry #{{.Seq}}", map[string]any{"Seq": entry.Seq}))
	})
}
