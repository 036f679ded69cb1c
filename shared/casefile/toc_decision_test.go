package casefile

import (
	"encoding/json"
	"testing"

	"lawtrace/shared/ledger"
)

// SPEC C4 R5: the table of contents lists the decision entry of the office
// chain as the 行政处罚决定书 of 行政处罚法 §59 (casedoc.OfficeDocuments, one
// place), filed under media/ by the hash of the approved document, in the
// group 审核与决定.
func TestTOCListsTheDecisionDocument(t *testing.T) {
	fields, _ := json.Marshal(map[string]any{"document": map[string]string{"number": "新市监罚〔2026〕21号", "file": "ab12"}})
	payload, _ := json.Marshal(ledger.Payload{Fields: fields})
	in := tocInput{Office: []ledger.Entry{
		{ID: "o1", Seq: 1, Step: "decision_proposal", DeviceTime: "2026-03-10T02:00:00Z", Payload: json.RawMessage(`{"fields":{}}`)},
		{ID: "o2", Seq: 2, Step: "decision", DeviceTime: "2026-03-16T07:00:00Z", Payload: payload},
	}}
	rows := in.rows()
	r := rows[len(rows)-1]
	if r.Title != "行政处罚决定书（第五十九条）" || r.File != DirMedia+"ab12" || r.Group != "审核与决定" {
		t.Fatalf("decision row %+v", r)
	}
	if rows[0].Title != "拟作决定意见" || rows[0].File != PathOffice+" #1" {
		t.Fatalf("proposal row %+v", rows[0])
	}
}

// SPEC R5 (issue 10): the documents of the coercion, permit and inspection
// steps are listed by their titles (casedoc.OfficeSteps, the one table), in
// the archive's groups and order, each filed under media/ by its hash.
func TestTOCListsOfficeDocuments(t *testing.T) {
	entry := func(seq int64, step, at, file string) ledger.Entry {
		fields, _ := json.Marshal(map[string]string{"file": file})
		payload, _ := json.Marshal(ledger.Payload{Fields: fields})
		return ledger.Entry{ID: step, Seq: seq, Step: step, DeviceTime: at, Payload: payload}
	}
	in := tocInput{Office: []ledger.Entry{
		entry(1, "seizure_appraisal", "2026-03-02T02:00:00Z", "aa01"),
		entry(2, "seizure_extend", "2026-03-03T02:00:00Z", ""),
		entry(3, "coercion_reminder", "2026-03-04T02:00:00Z", "aa03"),
		entry(4, "seizure_release", "2026-03-05T02:00:00Z", "aa04"),
		entry(5, "office_closing", "2026-03-06T02:00:00Z", ""),
	}}
	var got []string
	for _, r := range in.rows() {
		got = append(got, r.Group+"|"+r.Title+"|"+r.File)
	}
	want := []string{
		"调查取证|检测、检验、检疫、技术鉴定期间告知书|" + DirMedia + "aa01",
		"审核与决定|延长查封扣押期限审批及通知书|" + PathOffice + " #2",
		"审核与决定|解除查封扣押决定书及退还清单|" + DirMedia + "aa04",
		"执行|催告书|" + DirMedia + "aa03",
		"结案归档|结案审批表|" + PathOffice + " #5",
	}
	if len(got) != len(want) {
		t.Fatalf("rows %q", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("row %d: %q, want %q", i, got[i], want[i])
		}
	}
}
