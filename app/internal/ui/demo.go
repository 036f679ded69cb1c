package ui

import (
	"fmt"
	"os"
	"path/filepath"

	"fyne.io/fyne/v2"

	"lawtrace/app/internal/demo"
	"lawtrace/app/internal/field"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
)

// DemoExpiredCert is the credential number of the demo officer whose
// credential has expired (to show the refusal on the new-case screen).
const DemoExpiredCert = "15010009"

// SeedDemo fills an empty terminal for the --demo flag and screenshots: the
// demo officers (and one with an expired credential), the complete demo
// inspection case, and a second case in progress with its credentials
// shown, and a third just opened; it marks the terminal set up, the two officers on duty, and opens
// on the case in progress. serverURL, if set, is the enrolled server the
// credential QR codes point at. It returns the case in progress.
func SeedDemo(t *field.Terminal, dir, serverURL string) (string, error) {
	in, err := demo.WriteInputs(filepath.Join(dir, "demo-input"))
	if err != nil {
		return "", err
	}
	if _, _, err := demo.RecordInspection(t, in, "新城区惠民便利店"); err != nil {
		return "", fmt.Errorf("demo case: %w", err)
	}
	expired := enforce.Officer{Name: "赵刚", Cert: DemoExpiredCert, Unit: "市场监管综合执法大队二中队", Category: "市场监管", Area: "回民区",
		Expires: t.Now().AddDate(0, -1, 0).Format(enforce.DateLayout)}
	if err := t.PutOfficer(expired); err != nil {
		return "", err
	}
	place := "呼和浩特市新城区海东路 12 号"
	c, err := t.OpenCase(field.NewCase{Type: "inspection", Party: "鑫源食品商行", PartyKind: "org", Source: "complaint",
		Officers: []string{"15010001", "15010002"}, Place: &ledger.Place{Address: place}})
	if err != nil {
		return "", err
	}
	if _, err := t.RecordStep(c.ID, field.StepRequest{Kind: "show_id", Recorder: "15010001", Place: &ledger.Place{Address: place},
		Attach: []field.Attachment{{Path: in.Video, Caption: "出示执法证件"}}}); err != nil {
		return "", err
	}
	// a case just opened, for the show ID screen
	fresh, err := t.OpenCase(field.NewCase{Type: "inspection", Party: "海东路综合市场 12 号摊位", PartyKind: "person", Source: "inspection",
		Officers: []string{"15010001", "15010002"}, Place: &ledger.Place{Address: "呼和浩特市新城区海东路综合市场"}})
	if err != nil {
		return "", err
	}
	settings := map[string]string{
		placeKey(fresh.ID): "呼和浩特市新城区海东路综合市场",
		setSetupDone:       "1", setOnDuty: "15010001,15010002", setLastCase: c.ID, placeKey(c.ID): place,
	}
	if serverURL != "" {
		settings[setServerURL] = serverURL
	}
	for k, v := range settings {
		if err := t.SetSetting(k, v); err != nil {
			return "", err
		}
	}
	return c.ID, nil
}

// DemoPhoto writes the demo's photo and video stand-ins into dir and returns
// their paths, for a file picker in demos and tests.
func DemoPhoto(dir string) (photo, video, audio string, err error) {
	in, err := demo.WriteInputs(dir)
	if err != nil {
		return "", "", "", err
	}
	if _, err := os.Stat(in.Photo); err != nil {
		return "", "", "", err
	}
	return in.Photo, in.Video, in.Audio, nil
}

// attachDemoPhoto attaches the demo photo to the open photo step with a
// caption (the photo-attached screen: the file above the checklist).
func (u *UI) attachDemoPhoto() error {
	in, err := demo.WriteInputs(filepath.Join(os.TempDir(), "lawtrace-demo-input"))
	if err != nil {
		return err
	}
	if e := u.form.entries["caption"]; e != nil {
		e.SetText("门头及货架全景")
	}
	u.form.attach(in.Photo)
	return nil
}

// fillDemoSampleRows fills the open sampling step's list with a complete
// row and a second row without its seal number, and scrolls to the
// checklist, which names the missing cell by row (the sample-rows screen).
func (u *UI) fillDemoSampleRows() {
	f := u.form
	l := f.items["items"]
	if l == nil || len(l.rows) == 0 {
		return
	}
	set := func(r *itemRow, v map[string]string) {
		for k, s := range v {
			if e := r.entries[k]; e != nil {
				e.SetText(s)
			}
		}
	}
	set(l.rows[0], map[string]string{"item": "五香瓜子", "quantity": "4袋", "seal_number": "FY-0001", "sample_id": "YP-001"})
	if l.add != nil && l.add.OnTapped != nil {
		l.add.OnTapped()
	}
	if len(l.rows) > 1 {
		set(l.rows[1], map[string]string{"item": "原味瓜子", "quantity": "4袋", "sample_id": "YP-002"})
	}
	u.relayout()
	if f.scroller != nil {
		f.scroller.ScrollToOffset(fyne.NewPos(0, f.checklist.Position().Y))
	}
}
