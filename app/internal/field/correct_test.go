package field

import (
	"errors"
	"strings"
	"testing"

	"lawtrace/shared/enforce"
)

// recordSample records show ID and a sampling of two lots on an inspection.
func recordSample(t *testing.T, term *Terminal) (*Case, string) {
	t.Helper()
	c := openInspection(t, term, "A1", "A2")
	video := writeFile(t, "v.mp4", []byte("video"))
	if _, err := term.RecordStep(c.ID, StepRequest{Recorder: "A1", Kind: "show_id", Attach: []Attachment{{Path: video}}}); err != nil {
		t.Fatal(err)
	}
	e, err := term.RecordStep(c.ID, StepRequest{Recorder: "A2", Kind: "sample",
		Fields: map[string]string{"location": "店内", "party_agent": "张伟"},
		Items: map[string][]map[string]string{"items": {
			{"item": "瓜子", "quantity": "4袋", "seal_number": "FY-1", "sample_id": "YP-1"},
			{"item": "牛肉干", "quantity": "6袋", "seal_number": "FY-2", "sample_id": "YP-2"}}},
		Attach: []Attachment{{Path: video}},
		Sign:   []Signing{{Role: "officer", Name: "王强", Strokes: strokes()}, {Role: "officer", Name: "李明", Strokes: strokes()}, {Role: "party", Name: "张伟", Strokes: strokes()}}})
	if err != nil {
		t.Fatal(err)
	}
	return c, e.ID
}

// SPEC R1 F9: a correction is guarded by the rules of the step it corrects,
// run on the corrected values; the refusal names every problem at once;
// the original stays and the record reads with the correction applied.
func TestCorrectStepIsGuardedByTheStepsRules(t *testing.T) {
	term := newTerminal(t)
	c, id := recordSample(t, term)
	refusals := []struct {
		fields map[string]string
		want   []string
	}{
		{map[string]string{"location": ""}, []string{"correction would leave the step incomplete", "location"}},
		{map[string]string{"items": `[{"item":"瓜子","quantity":"4袋","sample_id":"YP-1"},{"item":"牛肉干","sample_id":"YP-2"}]`},
			[]string{"seal_number", "quantity"}},
		{map[string]string{"items": `not json`}, []string{"JSON list of rows"}},
		{map[string]string{"colour": "red"}, []string{"has no field colour"}},
	}
	for _, r := range refusals {
		_, err := term.CorrectStep(c.ID, id, "A2", "笔误", r.fields)
		if err == nil {
			t.Fatalf("%v: correction accepted", r.fields)
		}
		for _, w := range r.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%v: got %v, want %q", r.fields, err, w)
			}
		}
	}
	var e *enforce.Error
	_, err := term.CorrectStep(c.ID, id, "A2", "笔误", map[string]string{"items": `[{"item":"瓜子","quantity":"4袋","sample_id":"YP-1"},{"item":"牛肉干","quantity":"6袋","sample_id":"YP-2"}]`})
	if !errorsAs(err, &e) || len(e.Missing) != 2 {
		t.Fatalf("two rows without seal numbers: got %v, want both named", err)
	}
	if _, err := term.CorrectStep(c.ID, id, "A2", " ", map[string]string{"location": ""}); err == nil || !strings.Contains(err.Error(), "location, reason for the correction") {
		t.Fatalf("no reason and no location: got %v, want both named", err)
	}
	if _, err := term.CorrectStep(c.ID, id, "X9", "笔误", map[string]string{"location": "仓库"}); err == nil {
		t.Fatal("a correction by an officer not on the case was accepted")
	}
	// Closing the scene does not stop corrections (003 §29).
	corr, err := term.CorrectStep(c.ID, id, "A2", "抽样地点写错", map[string]string{"location": "店内仓库", "items": `[{"item":"瓜子","quantity":"5袋","seal_number":"FY-1","sample_id":"YP-1"}]`})
	if err != nil {
		t.Fatal(err)
	}
	if corr.Corrects != id {
		t.Fatalf("correction corrects %q, want %s", corr.Corrects, id)
	}
	// a correction changing no field needs only its reason
	if _, err := term.CorrectStep(c.ID, id, "A1", "补充说明：封条由当事人确认", nil); err != nil {
		t.Fatal(err)
	}
	r, err := term.Entry(c.ID, id)
	if err != nil {
		t.Fatal(err)
	}
	if r.Fields["location"] != "店内" || len(r.Items["items"]) != 2 {
		t.Fatalf("the original changed: %v %v", r.Fields, r.Items)
	}
	if len(r.Corrections) != 2 || r.Corrections[0].Reason != "抽样地点写错" || r.Corrections[0].Recorder.Cert != "A2" {
		t.Fatalf("corrections %+v", r.Corrections)
	}
	def, _ := c.Procedure.Step("sample")
	cur := r.Current(def)
	if cur.Fields["location"] != "店内仓库" || len(cur.Items["items"]) != 1 || cur.Items["items"][0]["quantity"] != "5袋" {
		t.Fatalf("current record %v %v", cur.Fields, cur.Items)
	}
	if len(cur.Signatures) != 3 || len(cur.FileKinds) != 1 {
		t.Fatalf("signers %v files %v", cur.Signatures, cur.FileKinds)
	}
	if _, err := term.CorrectStep(c.ID, corr.ID, "A2", "x", map[string]string{"location": "y"}); err == nil {
		t.Fatal("a correction of a correction was accepted")
	}
	st, err := term.EntrySyncState(r.Entry)
	if err != nil || st.Confirmed || len(st.Files) != len(r.Entry.Media) {
		t.Fatalf("sync state %+v %v", st, err)
	}
	for h := range st.Files {
		if !st.Local[h] {
			t.Errorf("file %s not held locally", h)
		}
		if b, err := term.OpenMedia(h); err != nil || len(b) == 0 {
			t.Errorf("open %s: %v", h, err)
		}
	}
	if f, err := term.Verify(""); err != nil || len(f) != 0 {
		t.Fatalf("verify: %v %v", f, err)
	}
}

func errorsAs(err error, e **enforce.Error) bool { return errors.As(err, e) }
