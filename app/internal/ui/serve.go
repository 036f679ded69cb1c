package ui

import "fyne.io/fyne/v2/widget"

// customiseServe is service of documents in the six methods of 003 §22
// (SPEC F9). The method chooses which fields, signatures and evidence are
// asked for; the checklist walks the officer through them — for lodging:
// refusal reason, date and place, witness, the server's and the witness's
// signatures, A/V of leaving the document (000-record §21) — and the field
// core refuses to record until they are all there.
func (f *stepForm) customiseServe() {
	u := f.u
	f.recordTxt = u.T("Record the service")
	f.checklistAfter = "method"
	f.header.Add(wrapped(u.T("Choose how the document is served. What the method requires is listed below and ticked off as you go.")))
	f.addAVPrompt()
	f.onChange = append(f.onChange, func() {
		f.renderAttachmentsIf(f.needsAV() || len(f.d.Attach) > 0)
	})
}

// customiseClose is closing the on-scene record (SPEC F11): the check lists
// exactly what is still missing; the core refuses while anything is.
func (f *stepForm) customiseClose() {
	u := f.u
	f.recordTxt = u.T("Close the scene")
	missing := f.state.MissingMandatory()
	if len(missing) == 0 {
		l := wrapped(u.T("Every mandatory step is recorded: the scene may be closed."))
		f.header.Add(l)
	} else {
		f.header.Add(heading(u.T("Close-scene check: still missing")))
		for _, m := range missing {
			l := wrapped(u.T("• {{.Step}} ({{.Article}})", map[string]any{"Step": u.tr.stepLabel(&m), "Article": u.tr.cite(m.Article)}))
			l.Importance = widget.DangerImportance
			f.header.Add(l)
		}
	}
	f.evidence.Hide()
}

// customise adds what a step kind shows beyond its fields.
func (f *stepForm) customise() {
	switch f.def.Kind {
	case "show_id":
		f.customiseShowID()
	case "notify_rights":
		f.customiseRights()
	case "photo":
		f.customisePhoto()
	case "av_record":
		f.customiseAV()
	case "serve":
		f.customiseServe()
	case "close_scene":
		f.customiseClose()
	default:
		if f.def.Evidence.AV {
			f.addAVPrompt()
		}
	}
}
