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
