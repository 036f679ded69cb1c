package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"

	"lawtrace/shared/enforce"
)

// customisePhoto is photo evidence: pick or take photos, caption, and the
// SHA-256 of each shown as soon as it is chosen and again once stored
// (SPEC F5).
func (f *stepForm) customisePhoto() {
	u := f.u
	f.recordTxt = u.T("Store the photos")
	f.header.Add(wrapped(u.T("Take photos or choose them from the gallery. Each file is stored unchanged and identified by its SHA-256 hash.")))
	f.addFileTxt = u.T("Add a photo")
}

// customiseAV is an audio/video record segment: starting one shows the
// statement to speak first (time, place, officers, party, stage, 003 §7);
// resuming after an interruption asks for the reason (003 §18).
func (f *stepForm) customiseAV() {
	u := f.u
	f.recordTxt = u.T("Store the A/V record")
	if f.d.Fields["segment"] == "" {
		seg := "start"
		if f.c.Recorded[f.def.Kind] > 0 {
			seg = "resume"
		}
		f.d.Fields["segment"] = seg
	}
	if f.d.Fields["statement"] == "" {
		f.d.Fields["statement"] = f.avStatement(f.d.Fields["segment"] == "resume")
	}
	prompt := f.promptBox()
	f.header.Add(prompt)
	last := f.d.Fields["statement"]
	f.onChange = append(f.onChange, func() {
		resume := f.value("segment") == "resume"
		want := f.avStatement(resume)
		f.promptText.SetText(want)
		// follow the segment choice unless the officer edited the statement
		if e := f.entries["statement"]; e != nil && e.Text == last && e.Text != want {
			f.building = true
			e.SetText(want)
			f.building = false
			f.d.Fields["statement"] = want
			f.u.saveDraft(f.c.ID, f.def.Kind, f.d)
		}
		if e := f.entries["statement"]; e != nil {
			last = e.Text
		}
	})
}

// addAVPrompt shows the statement to speak when a step needs A/V.
func (f *stepForm) addAVPrompt() {
	box := f.promptBox()
	f.avPrompt = box
	f.onChange = append(f.onChange, func() {
		if f.needsAV() {
			box.Show()
		} else {
			box.Hide()
		}
	})
}

// promptBox is the voice-statement prompt in large type.
func (f *stepForm) promptBox() fyne.CanvasObject {
	u := f.u
	f.promptText = wrapped(f.avStatement(false))
	f.promptText.SizeName = theme.SizeNameSubHeadingText
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	bg.StrokeColor = theme.Color(theme.ColorNamePrimary)
	bg.StrokeWidth = 2
	bg.CornerRadius = theme.InputRadiusSize()
	return container.NewStack(bg, container.NewPadded(container.NewVBox(
		heading(u.T("When the recording starts, say:")), f.promptText)))
}

// avStatement is the opening statement of an A/V record (003 §7): time,
// place, officers, party, and the stage of the step the record belongs to
// (for a free-standing A/V record, of the next step); a resume adds that
// it resumes and why.
func (f *stepForm) avStatement(resume bool) string {
	u := f.u
	var crew []string
	for _, o := range f.c.Officers {
		crew = append(crew, u.T("{{.Name}} (credential {{.Cert}})", map[string]any{"Name": o.Name, "Cert": o.Cert}))
	}
	place := u.setting(placeKey(f.c.ID))
	if place == "" {
		place = u.T("(say the address)")
	}
	stage := f.def.Stage
	if f.def.Kind == "av_record" {
		// a free-standing A/V record films what comes next
		for _, p := range f.state.Plan() {
			if p.Status == enforce.StatusNext {
				stage = p.Stage
				break
			}
		}
	}
	data := map[string]any{
		"Time":     u.now().Format(u.T("2006-01-02 15:04")),
		"Place":    place,
		"Officers": strings.Join(crew, u.T(", ")),
		"Party":    f.c.Open.Party,
		"Stage":    u.tr.stageName(f.c.Procedure, stage),
	}
	if resume {
		return u.T("It is {{.Time}}. The recording resumes after an interruption at {{.Place}}. Officers: {{.Officers}}. Party: {{.Party}}. Stage: {{.Stage}}. The interruption was because: ", data)
	}
	return u.T("It is {{.Time}}. We are at {{.Place}}. Officers: {{.Officers}}. Party: {{.Party}}. Stage: {{.Stage}}. Audio and video recording starts now.", data)
}
