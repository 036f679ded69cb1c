package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"lawtrace/backend/internal/server"
	"lawtrace/shared/deadline"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
)

// onSpotCase pushes an on-the-spot fine collected on the spot, with a
// refusal whose witness signature is by someone other than the named
// witness, by the demo officers 15010001 and 15010002.
func onSpotCase(t *testing.T, e *env, seed uint64, id string) {
	t.Helper()
	tm := e.terminal(seed, "patrol-"+id)
	var crew []enforce.Officer
	for _, o := range server.DemoOfficers(time.Now()) {
		if o.Cert == "15010001" || o.Cert == "15010002" {
			crew = append(crew, o)
		}
	}
	fields := []byte(`{"description":"拒绝出示证件","witness_name":"王五"}`)
	binds, err := ledger.ContentHash(id, "refusal", fields, nil)
	if err != nil {
		t.Fatal(err)
	}
	strokes, image := ledgerHash([]byte("strokes")), ledgerHash([]byte("png"))
	sig := func(role, name string) ledger.HandSignature {
		return ledger.HandSignature{Role: role, Name: name, Strokes: strokes, Image: image, Binds: binds}
	}
	tm.push(t,
		tm.d.Entry(id, "case_open", map[string]any{"procedure": "penalty-simple", "procedure_version": 2, "party": "李四", "party_kind": "person", "source": "inspection", "officers": crew}),
		tm.d.Entry(id, "refusal", ledger.Payload{Fields: fields,
			Signatures: []ledger.HandSignature{sig("officer", crew[0].Name), sig("officer", crew[1].Name), sig("witness", "赵六")}}, strokes, image),
		tm.d.Entry(id, "on_spot_decision", map[string]any{"fields": map[string]string{"penalty": "fine", "amount": "200", "payment": "on_spot"}}),
		tm.d.Entry(id, "close_scene", map[string]any{}),
	)
}

// SPEC F14 R2 D5: on the case page a head confirms the 备案 of an
// on-the-spot decision — a server-signed entry of the office chain, the
// deadline met; a case without one is refused with 行政处罚法 §52 in
// Chinese; an officer may not. The server's verification reports the
// witness signature by someone other than the named witness, and the
// monitor shows the new deadlines with their citations in Chinese.
func TestFilingOnTheCasePage(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))}
	e := start(t, clk)
	const spot, general = "20260302-5f070001", "20260302-5f070002"
	onSpotCase(t, e, 81, spot)
	penaltyCase(t, e, 82, general)

	sup := e.as("supervisor")
	for _, id := range []string{spot, general} {
		if r := sup.post("/cases/"+id+"/access", url.Values{"purpose": {"supervision"}, "reason": {"督查当场处罚决定备案"}}); r.StatusCode != http.StatusSeeOther {
			t.Fatalf("access %s: %d", id, r.StatusCode)
		}
	}
	page := sup.get("/cases/" + spot)
	if page.StatusCode != http.StatusOK || !strings.Contains(page.body, `id="filing-form"`) || !strings.Contains(page.body, "《中华人民共和国行政处罚法》第五十二条") {
		t.Fatalf("the case page lacks the 备案 form: %d", page.StatusCode)
	}
	// R2: the stored witness signature is not by the witness the record names.
	if !strings.Contains(page.body, "witness signature bound to the wrong person") || !strings.Contains(page.body, "王五") {
		t.Error("the case page does not report the witness signature bound to the wrong person")
	}
	if strings.Contains(sup.get("/cases/"+general).body, `id="filing-form"`) {
		t.Error("the 备案 form is offered for a case without an on-the-spot decision")
	}

	if r := e.as("officer").post("/cases/"+spot+"/filing", url.Values{}); r.StatusCode != http.StatusForbidden {
		t.Fatalf("an officer confirming: %d", r.StatusCode)
	}
	r := sup.post("/cases/"+general+"/filing", url.Values{"note": {"x"}})
	if r.StatusCode != http.StatusConflict || !strings.Contains(r.body, "本案没有当场处罚决定") || !strings.Contains(r.body, "《中华人民共和国行政处罚法》第五十二条") {
		t.Fatalf("no on-the-spot decision: %d %s", r.StatusCode, r.body)
	}
	if r := sup.post("/cases/"+spot+"/filing", url.Values{"note": {"已报法制科"}}); r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != "/cases/"+spot {
		t.Fatalf("confirm: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	page = sup.get("/cases/" + spot)
	if strings.Contains(page.body, `id="filing-form"`) || !strings.Contains(page.body, `data-step="on_spot_filed"`) || !strings.Contains(page.body, "当场处罚决定备案") {
		t.Error("the case page does not show the confirmed 备案 in the office chain")
	}
	st, err := e.m.Review.State(context.Background(), spot)
	if err != nil || st.Filed.IsZero() {
		t.Fatalf("state: %v %+v", err, st)
	}

	// The monitor: the fine's hand-over runs, the 备案 is met; citations in Chinese.
	mon := sup.get("/deadlines?state=&case=" + spot)
	for _, want := range []string{`data-kind="` + deadline.FineHandover + `" data-state="running"`, `data-kind="` + deadline.OnSpotFiling + `" data-state="met"`,
		"《中华人民共和国行政处罚法》第七十一条"} {
		if !strings.Contains(mon.body, want) {
			t.Errorf("the deadline monitor lacks %s", want)
		}
	}
	if strings.Contains(mon.body, ">行政处罚法 §71") {
		t.Error("the monitor shows an article id instead of its citation")
	}
}
