package reviewsrv

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"lawtrace/shared/deadline"
	"lawtrace/shared/enforce"
)

// onSpotCase records an on-the-spot fine collected on the spot (penalty-simple).
func (f *fixture) onSpotCase(id string) {
	f.t.Helper()
	f.ingest(
		f.dev.Entry(id, "case_open", map[string]any{"procedure": "penalty-simple", "procedure_version": 2, "party": "李四", "party_kind": "person", "officers": crew}),
		f.dev.Entry(id, "on_spot_decision", map[string]any{"fields": map[string]string{"penalty": "fine", "amount": "200", "payment": "on_spot"}}),
		f.dev.Entry(id, "close_scene", map[string]any{}),
	)
}

// SPEC F14 F15 D5: the monitor reads the on-scene steps from the store —
// the on-the-spot fine's hand-over and 备案, an emergency seizure's 24-hour
// approval and its term (not approved and not released: overdue at once),
// the decision on preserved evidence — and a step recorded later meets its
// deadline.
func TestSceneDeadlinesFromTheRecord(t *testing.T) {
	f := newFixture(t, cstTime(2025, 9, 30, 10, 0)) // Tuesday before National Day
	ctx := f.ctx
	const fine, seized, kept = "20250930-aaaa0001", "20250930-aaaa0002", "20250930-aaaa0003"
	f.onSpotCase(fine)
	f.ingest(
		f.dev.Entry(seized, "case_open", map[string]any{"procedure": "coercion", "procedure_version": 2, "party": "某仓库", "party_kind": "org", "officers": crew}),
		f.dev.Entry(seized, "seizure", map[string]any{"fields": map[string]any{"approval": "emergency", "term_days": "30"}}),
		f.dev.Entry(kept, "case_open", map[string]any{"procedure": "penalty", "procedure_version": 2, "party": "某商店", "party_kind": "org", "officers": crew}),
		f.dev.Entry(kept, "preserve", map[string]any{"fields": map[string]any{"reason": "证据可能灭失"}}),
	)
	items, err := f.svc.Deadlines(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	due := map[string]string{}
	for _, it := range items {
		due[it.CaseID+" "+it.Kind] = it.Due.Format("2006-01-02 15:04") + " " + it.State
	}
	for key, want := range map[string]string{
		// 行政处罚法 §85: 2 working days after Tue 30 Sep are 9 and 10 Oct.
		fine + " " + deadline.FineHandover:      "2025-10-11 00:00 running",
		fine + " " + deadline.OnSpotFiling:      "2025-10-11 00:00 running",
		seized + " " + deadline.SeizureApproval: "2025-10-01 10:00 running",
		seized + " " + deadline.SeizureTerm:     "2025-10-31 00:00 running",
		// 7 working days: 9, 10, 11 (Saturday worked), 13, 14, 15, 16 Oct.
		kept + " " + deadline.Preservation: "2025-10-17 00:00 running",
	} {
		if due[key] != want {
			t.Errorf("%s: %q, want %q (all: %v)", key, due[key], want, due)
		}
	}

	// The head does not approve the emergency seizure: it must be released at once.
	f.clock.Set(cstTime(2025, 9, 30, 20, 0))
	f.ingest(
		f.dev.Entry(seized, "seizure_approval", map[string]any{"fields": map[string]any{"result": "not_approved"}}),
		f.dev.Entry(fine, "fine_handover", map[string]any{"fields": map[string]any{"amount": "200"}}),
		f.dev.Entry(kept, "preserve_decision", map[string]any{"fields": map[string]any{"measure": "release"}}),
	)
	f.clock.Set(cstTime(2025, 9, 30, 20, 1))
	k := map[string]Item{}
	items, err = f.svc.Deadlines(ctx, Filter{})
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		k[it.CaseID+" "+it.Kind] = it
	}
	if it := k[seized+" "+deadline.SeizureTerm]; it.State != deadline.StateOverdue || it.Article != "行政强制法 §19" {
		t.Errorf("not approved, not released: %+v", it)
	}
	for _, key := range []string{seized + " " + deadline.SeizureApproval, fine + " " + deadline.FineHandover, kept + " " + deadline.Preservation} {
		if k[key].State != deadline.StateMet {
			t.Errorf("%s: %+v", key, k[key])
		}
	}
}

// SPEC F14: a head confirms the 备案 of an on-the-spot decision as a
// server-signed office entry; a case without one is refused with the
// article, twice is a conflict, and the deadline is met.
func TestConfirmFiling(t *testing.T) {
	f := newFixture(t, cstTime(2026, 3, 9, 10, 0))
	ctx := f.ctx
	const spot, general = "20260309-bbbb0001", "20260309-bbbb0002"
	f.onSpotCase(spot)
	f.penaltyCase(general, "org", "")

	_, err := f.svc.ConfirmFiling(ctx, head, general, "")
	var e *enforce.Error
	if !errors.As(err, &e) || e.Code != enforce.ERefused || e.Article != "行政处罚法 §52" || strings.Join(e.MissingNames(), ",") != "on_spot_decision" ||
		!strings.Contains(e.Zh(), "《中华人民共和国行政处罚法》第五十二条") {
		t.Fatalf("no on-the-spot decision: %v", err)
	}
	var fe *ForbiddenError
	if _, err := f.svc.ConfirmFiling(ctx, officer, spot, ""); !errors.As(err, &fe) {
		t.Fatalf("an officer confirming: %v", err)
	}
	st, err := f.svc.ConfirmFiling(ctx, head, spot, "已报局法制科备案")
	if err != nil || st.Filed.IsZero() || st.Steps[len(st.Steps)-1].Step != StepFiled || st.Steps[len(st.Steps)-1].By.Name != head.Name {
		t.Fatalf("confirm: %v %+v", err, st)
	}
	if _, err := f.svc.ConfirmFiling(ctx, head, spot, ""); enforce.ErrorCode(err) != enforce.EConflict {
		t.Fatalf("twice: %v", err)
	}
	items, err := f.svc.Deadlines(ctx, Filter{Case: spot, Kind: deadline.OnSpotFiling})
	if err != nil || len(items) != 1 || items[0].State != deadline.StateMet {
		t.Fatalf("filing deadline: %v %+v", err, items)
	}
	f.verifyChains()

	// Over the API: the refusal is JSON with the article and the item.
	mux := http.NewServeMux()
	f.svc.Register(mux, testAuth)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := apiClient{t, srv}
	if status, body := c.do("supervisor", "POST", "/api/review/cases/"+general+"/filing", map[string]any{"note": "x"}); status != 409 ||
		!strings.Contains(string(body), `"article":"行政处罚法 §52"`) || !strings.Contains(string(body), `"name":"on_spot_decision"`) {
		t.Fatalf("API refusal: %d %s", status, body)
	}
}
