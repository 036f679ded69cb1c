package field

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lawtrace/shared/enforce"
	"lawtrace/shared/signature"
)

var testNow = time.Date(2026, 5, 6, 10, 30, 0, 0, time.Local)

func newTerminal(t testing.TB) *Terminal {
	t.Helper()
	term, err := Init(filepath.Join(t.TempDir(), "home"), "test terminal")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { term.Close() })
	term.Now = func() time.Time { return testNow }
	for _, o := range []enforce.Officer{
		{Name: "王强", Cert: "A1", Expires: "2027-12-31"},
		{Name: "李明", Cert: "A2", Expires: "2027-12-31"},
		{Name: "赵刚", Cert: "X9", Expires: "2026-05-05"},
	} {
		if err := term.PutOfficer(o); err != nil {
			t.Fatal(err)
		}
	}
	return term
}

func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func strokes() []byte {
	return signature.Strokes{Width: 100, Height: 50, Strokes: [][]signature.Point{{{X: 10, Y: 10}, {X: 90, Y: 40}}}}.Encode()
}

func count(t testing.TB, db *sql.DB, query string) int {
	t.Helper()
	var n int
	if err := db.QueryRow(query).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func openInspection(t testing.TB, term *Terminal, officers ...string) *Case {
	t.Helper()
	c, err := term.OpenCase(NewCase{Type: "inspection", Party: "惠民便利店", PartyKind: "org", Officers: officers})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// SPEC D4: an expired credential cannot be put on a new case.
func TestOpenCaseRefusesExpiredCredential(t *testing.T) {
	term := newTerminal(t)
	_, err := term.OpenCase(NewCase{Type: "inspection", Party: "p", PartyKind: "org", Officers: []string{"A1", "X9"}})
	if err == nil || !strings.Contains(err.Error(), "credential X9 of 赵刚 expired on 2026-05-05") || !strings.Contains(err.Error(), "003 §14") {
		t.Fatalf("got %v", err)
	}
	if n := count(t, term.db, `SELECT COUNT(*) FROM entries`); n != 0 {
		t.Fatalf("refused case wrote %d entries", n)
	}
}

func TestOpenCaseRefusesBadInput(t *testing.T) {
	term := newTerminal(t)
	tests := []struct {
		nc   NewCase
		want string
	}{
		{NewCase{Type: "parking", Party: "p", PartyKind: "org", Officers: []string{"A1"}}, `unknown case type "parking"`},
		{NewCase{Type: "inspection", Party: " ", PartyKind: "org", Officers: []string{"A1"}}, "party's name is required"},
		{NewCase{Type: "inspection", Party: "p", PartyKind: "robot", Officers: []string{"A1"}}, "party kind must be one of person, org"},
		{NewCase{Type: "inspection", Party: "p", PartyKind: "org", Source: "rumour", Officers: []string{"A1"}}, "003 §13"},
		{NewCase{Type: "inspection", Party: "p", PartyKind: "org", Officers: []string{"A1", "A1"}}, "named twice"},
		{NewCase{Type: "inspection", Party: "p", PartyKind: "org", Officers: []string{"Q7"}}, "no officer with credential Q7"},
	}
	for _, tc := range tests {
		if _, err := term.OpenCase(tc.nc); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: got %v, want %q", tc.nc, err, tc.want)
		}
	}
}

// SPEC F11 R1: a refused step writes nothing and what was recorded stays.
func TestRefusedStepWritesNothing(t *testing.T) {
	term := newTerminal(t)
	c := openInspection(t, term, "A1", "A2")
	video := writeFile(t, "v.mp4", []byte("video"))
	if _, err := term.RecordStep(c.ID, StepRequest{Recorder: "A1", Kind: "show_id", Attach: []Attachment{{Path: video}}}); err != nil {
		t.Fatal(err)
	}
	photo := writeFile(t, "p.jpg", []byte("jpeg"))
	before := count(t, term.db, `SELECT COUNT(*) FROM entries`)
	mediaBefore := count(t, term.db, `SELECT COUNT(*) FROM media`)
	refusals := []struct {
		req  StepRequest
		want string
	}{
		{StepRequest{Recorder: "A1", Kind: "serve", Fields: map[string]string{"document": "笔录", "document_kind": "other", "method": "lodging", "date": "2026-05-06", "place": "店内", "refusal_reason": "拒收"},
			Attach: []Attachment{{Path: video}}, Sign: []Signing{{Role: "server", Name: "王强", Strokes: strokes()}}}, "missing witness_name, witness signature (000-record §21, 002-record §20)"},
		{StepRequest{Recorder: "A1", Kind: "serve", Fields: map[string]string{"document": "笔录", "document_kind": "other", "method": "lodging", "date": "2026-05-06", "place": "店内", "refusal_reason": "拒收", "witness_name": "王五"},
			Attach: []Attachment{{Path: video}}, Sign: []Signing{{Role: "server", Name: "王强", Strokes: strokes()}, {Role: "witness", Name: "李四", Strokes: strokes()}}}, "witness signature by 李四, but witness_name is 王五"},
		{StepRequest{Kind: "photo", Fields: map[string]string{"caption": "x"}, Attach: []Attachment{{Path: photo}}}, "name the officer making the record"},
		{StepRequest{Recorder: "X9", Kind: "photo", Fields: map[string]string{"caption": "x"}, Attach: []Attachment{{Path: photo}}}, "officer X9 is not on case"},
		{StepRequest{Recorder: "A1", Kind: "photo", Fields: map[string]string{"caption": "x"}, Attach: []Attachment{{Path: "/nonexistent/p.jpg"}}}, "attachment /nonexistent/p.jpg cannot be read"},
		{StepRequest{Recorder: "A1", Kind: "notify_rights", Fields: map[string]string{"acknowledgement": "signed"}, Sign: []Signing{{Role: "party", Strokes: []byte(`{"width":10}`)}}}, "party signature:"},
		{StepRequest{Recorder: "A1", Kind: "notify_rights", Fields: map[string]string{"acknowledgement": "signed", "rights_version": "inspection-v0"}, Sign: []Signing{{Role: "party", Strokes: strokes()}}}, "rights text inspection-v0 was not the one shown"},
		{StepRequest{Recorder: "A1", Kind: "close_scene"}, "mandatory steps are not recorded"},
		{StepRequest{Recorder: "A1", Kind: "show_id", Attach: []Attachment{{Path: video}}}, "already recorded"},
	}
	for _, r := range refusals {
		_, err := term.RecordStep(c.ID, r.req)
		if err == nil || !strings.Contains(err.Error(), r.want) {
			t.Errorf("%s: got %v, want %q", r.req.Kind, err, r.want)
		}
	}
	if n := count(t, term.db, `SELECT COUNT(*) FROM entries`); n != before {
		t.Fatalf("refusals changed the entry count from %d to %d", before, n)
	}
	if n := count(t, term.db, `SELECT COUNT(*) FROM media`); n != mediaBefore {
		t.Fatalf("refusals changed the media count from %d to %d", mediaBefore, n)
	}
	if f, err := term.Verify(""); err != nil || len(f) != 0 {
		t.Fatalf("verify after refusals: %v %v", f, err)
	}
}

// SPEC F4 F10: the rights text version shown is recorded and the party's
// signature is bound to the record.
func TestNotifyRightsRecordsVersionAndBoundSignature(t *testing.T) {
	term := newTerminal(t)
	c := openInspection(t, term, "A1", "A2")
	video := writeFile(t, "v.mp4", []byte("video"))
	if _, err := term.RecordStep(c.ID, StepRequest{Recorder: "A1", Kind: "show_id", Attach: []Attachment{{Path: video}}}); err != nil {
		t.Fatal(err)
	}
	e, err := term.RecordStep(c.ID, StepRequest{Recorder: "A1", Kind: "notify_rights", Fields: map[string]string{"acknowledgement": "signed", "party_agent": "张伟"}, Sign: []Signing{{Role: "party", Name: "张伟", Strokes: strokes()}}})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"rights_version":"inspection-v1"`, `"ref":"inspection-v1"`, `"role":"party"`, `"binds":"`} {
		if !strings.Contains(string(e.Payload), want) {
			t.Errorf("payload %s lacks %s", e.Payload, want)
		}
	}
	if len(e.Media) != 2 {
		t.Fatalf("signature should store strokes and PNG, entry media %v", e.Media)
	}
	for _, h := range e.Media {
		if !term.Media().Has(h) {
			t.Errorf("media %s not stored", h)
		}
	}
}

// SPEC R1: a correction is a new entry referencing the old; the old stays.
func TestCorrectionAppendsAndKeepsOriginal(t *testing.T) {
	term := newTerminal(t)
	c := openInspection(t, term, "A1", "A2")
	photo := writeFile(t, "p.jpg", []byte("jpeg"))
	orig, err := term.RecordStep(c.ID, StepRequest{Recorder: "A1", Kind: "photo", Fields: map[string]string{"caption": "货价"}, Attach: []Attachment{{Path: photo}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := term.Correct(c.ID, orig.ID, "A1", "", nil); err == nil {
		t.Fatal("correction without reason accepted")
	}
	corr, err := term.Correct(c.ID, orig.ID, "A1", "说明有错字", map[string]string{"caption": "货架"})
	if err != nil {
		t.Fatal(err)
	}
	if corr.Corrects != orig.ID || corr.Seq != orig.Seq+1 || corr.PrevHash != orig.Hash {
		t.Fatalf("correction %+v does not follow and reference %s", corr, orig.ID)
	}
	got, err := term.Case(c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if string(got.Entries[orig.Seq-1].Payload) != string(orig.Payload) {
		t.Fatal("original entry changed")
	}
}

// SPEC R1: the store refuses edits and deletions of unconfirmed entries.
func TestStoreIsAppendOnly(t *testing.T) {
	term := newTerminal(t)
	openInspection(t, term, "A1", "A2")
	if _, err := term.db.Exec(`UPDATE entries SET body = 'x'`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("update: %v", err)
	}
	if _, err := term.db.Exec(`DELETE FROM entries`); err == nil || !strings.Contains(err.Error(), "never deleted") {
		t.Fatalf("delete: %v", err)
	}
}

func TestPlanShowsNextAndBlocked(t *testing.T) {
	term := newTerminal(t)
	c := openInspection(t, term, "A1")
	plan := term.State(c).Plan()
	if plan[0].Kind != "show_id" || plan[0].Status != enforce.StatusBlocked || !strings.Contains(plan[0].Blocked, "003 §14") {
		t.Fatalf("one officer: show_id should be blocked citing 003 §14, got %+v", plan[0])
	}
	c, err := term.JoinOfficers(c.ID, []string{"A2"})
	if err != nil {
		t.Fatal(err)
	}
	plan = term.State(c).Plan()
	if plan[0].Status != enforce.StatusNext {
		t.Fatalf("with two officers show_id should be next, got %+v", plan[0])
	}
}
