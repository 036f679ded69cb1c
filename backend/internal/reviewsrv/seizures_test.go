package reviewsrv

import (
	"testing"

	"lawtrace/shared/deadline"
)

// SPEC C6 D5 (issue 10): a coercion case with two seizure decisions on the
// scene — each is dealt with on its own (行政强制法 §25-§28): a step names
// the decision it acts on, each is extended once, each has its term on
// the monitor, and the case closes when both are decided or released.
func TestSeveralSeizures(t *testing.T) {
	f := newFixture(t, cstTime(2025, 9, 29, 10, 0))
	const c = "20250929-coer0003"
	f.ingest(
		f.dev.Entry(c, "case_open", map[string]any{"procedure": "coercion", "procedure_version": 2, "party": "某仓储有限公司", "party_kind": "org", "officers": crew}),
		f.dev.Entry(c, "seizure", map[string]any{"fields": map[string]any{"approval": "prior", "term_days": "30", "decision_number": "武市监扣〔2025〕1号"}}),
	)
	f.clock.Set(cstTime(2025, 10, 9, 10, 0))
	f.ingest(
		f.dev.Entry(c, "seizure", map[string]any{"fields": map[string]any{"approval": "prior", "term_days": "20", "decision_number": "武市监扣〔2025〕2号"}}),
		f.dev.Entry(c, "close_scene", map[string]any{}),
	)
	ext := LifeRequest{Days: 30, Reasons: "案情复杂", Number: "武市监延〔2025〕1号", Method: "direct", Recipient: "仓库负责人"}
	f.refuse(head, c, StepSeizureExtend, ext, "行政强制法 §24-25", "seizure")
	ext.Seizure = "武市监扣〔2025〕1号"
	st := f.life(head, c, StepSeizureExtend, ext)
	// The first: 29 Sep + 30 + 30 days, the last day 28 Nov.
	if r := st.Office.Coercion.Seizures[st.Office.Coercion.Extension.Seizure]; r == nil || !r.Extension.Due.Equal(cstTime(2025, 11, 29, 0, 0)) {
		t.Fatalf("first extension %+v", r)
	}
	f.refuse(head, c, StepSeizureExtend, ext, "行政强制法 §25", "") // once per decision
	f.life(officer, c, StepSeizureAppraisal, LifeRequest{Content: "电池安全检验", OfficeRequest: OfficeRequest{Institution: "市质检所", Seizure: "武市监扣〔2025〕2号"}, Days: 5,
		File: f.upload(c, "a.pdf", "告知书")})
	ext.Seizure, ext.Number = "武市监扣〔2025〕2号", "武市监延〔2025〕2号"
	f.life(head, c, StepSeizureExtend, ext)

	items, err := f.svc.Deadlines(f.ctx, Filter{Case: c})
	if err != nil {
		t.Fatal(err)
	}
	terms := map[string]string{}
	for _, it := range items {
		if it.Kind == deadline.SeizureTerm {
			terms[it.Subject] = it.LastDay
		}
	}
	// The second: 9 Oct + 20 + 5 (appraisal) + 30 days, the last day 3 Dec.
	if len(terms) != 2 || terms[""] != "2025-11-28" || terms["武市监扣〔2025〕2号"] != "2025-12-03" {
		t.Fatalf("seizure terms %v", terms)
	}

	release := LifeRequest{Outcome: "not_needed", Number: "武市监解〔2025〕1号", File: f.upload(c, "r.pdf", "解除决定书"), Recipient: "李某",
		OfficeRequest: OfficeRequest{Objects: "电动车电池 120 组", Seizure: "武市监扣〔2025〕1号"}}
	f.life(head, c, StepSeizureRelease, release)
	f.refuse(head, c, StepSeizureRelease, release, "", "") // released already
	f.refuse(head, c, StepOfficeClosing, LifeRequest{}, "行政强制法 §27-28", StepSeizureRelease)
	st = f.life(head, c, StepSeizureDisposal, LifeRequest{Outcome: "destroy", Number: "武市监处〔2025〕2号", Basis: "《产品质量法》第四十九条", File: f.upload(c, "d.pdf", "处理决定书"),
		OfficeRequest: OfficeRequest{Seizure: "武市监扣〔2025〕2号"}})
	scene, err := f.svc.SceneFacts(f.ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	for _, tm := range st.Office.Coercion.SeizureTerms(scene) {
		if tm.Done.IsZero() {
			t.Fatalf("open seizure %+v", tm)
		}
	}
	f.life(head, c, StepOfficeClosing, LifeRequest{})
	f.verifyChains()
}
