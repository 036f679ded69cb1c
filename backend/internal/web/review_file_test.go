package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"lawtrace/backend/internal/reviewsrv"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/review"
)

// Issue 13 finding 4, on the review page: a submitted material the browser
// cannot preview was sent as an attachment — the original — without the
// head's approval and registered as 查看. A PDF is shown inline and
// registered as 查看; anything else is a copy: refused without approval,
// and with it given out and registered as 复制 naming the approver (R7,
// 003 §28).
func TestReviewFileThatCannotBePreviewedIsACopy(t *testing.T) {
	e := start(t, nil)
	const id = "20260302-4a4d0009"
	penaltyCase(t, e, 79, id)
	ctx := context.Background()
	svc := e.m.Review
	if _, err := svc.Propose(ctx, setupHandler, id, reviewsrv.ProposalRequest{Proposal: review.Proposal{Fine: 150000}, Summary: "罚款 15 万元"}); err != nil {
		t.Fatal(err)
	}
	pdf := "%PDF-1.4 investigation report"
	docx := "PK\x03\x04 a draft decision in a word-processor file"
	var mats []reviewsrv.MaterialRef
	hashes := map[string]string{}
	for m, body := range map[string]string{"investigation_report": pdf, "draft_decision": docx, "evidence": "%PDF-1.4 evidence"} {
		f, err := svc.Upload(ctx, setupHandler, id, m+".bin", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		hashes[m] = f.Hash
		mats = append(mats, reviewsrv.MaterialRef{ID: m, Files: []string{f.Hash}})
	}
	if _, err := svc.Submit(ctx, setupHandler, id, reviewsrv.SubmitRequest{Materials: mats, Explanation: reviewsrv.Explanation{BasicFacts: "事实",
		LawAndDiscretion: "法律", OfficerQualification: "资格", InvestigationAndHearing: "放弃听证"}}); err != nil {
		t.Fatal(err)
	}
	rev := e.as("reviewer")
	if r := rev.post("/review/cases/"+id+"/access", url.Values{"purpose": {"review"}, "reason": {"法制审核"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("access: %d %s", r.StatusCode, r.body)
	}
	base := "/review/cases/" + id + "/files/"
	if r := rev.get(base + hashes["investigation_report"]); r.StatusCode != http.StatusOK || r.body != pdf || strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("the PDF: %d %q", r.StatusCode, r.Header.Get("Content-Disposition"))
	}
	if r := rev.get(base + hashes["draft_decision"]); r.StatusCode != http.StatusForbidden || strings.Contains(r.body, docx) {
		t.Fatalf("a file the browser cannot show, without approval: %d %q", r.StatusCode, r.Header.Get("Content-Disposition"))
	}
	for _, rec := range registerRows(t, e, store.AccessFilter{CaseID: id}) {
		if rec.MediaHash == hashes["draft_decision"] {
			t.Errorf("register row %s for a file that was not given out", rec.Action)
		}
	}
	if r := rev.post("/cases/"+id+"/requests", url.Values{"action": {"download"}, "hash": {hashes["draft_decision"]}, "reason": {"审核决定书代拟稿"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("request: %d %s", r.StatusCode, r.body)
	}
	reqs, err := e.m.Data.Store.AccessRequests(ctx, store.RequestFilter{CaseID: id})
	if err != nil || len(reqs) != 1 {
		t.Fatalf("requests %+v %v", reqs, err)
	}
	if r := e.as("supervisor").post("/access/requests/"+itoa(reqs[0].ID), url.Values{"decision": {"approve"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d", r.StatusCode)
	}
	if r := rev.get(base + hashes["draft_decision"]); r.StatusCode != http.StatusOK || r.body != docx || !strings.HasPrefix(r.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("the approved copy: %d %q", r.StatusCode, r.Header.Get("Content-Disposition"))
	}
	var plays, copies int
	for _, rec := range registerRows(t, e, store.AccessFilter{CaseID: id}) {
		switch {
		case rec.MediaHash == hashes["investigation_report"] && rec.Action == store.AccessPlay:
			plays++
		case rec.MediaHash == hashes["draft_decision"] && rec.Action == store.AccessDownload && rec.Approver != "":
			copies++
		case rec.MediaHash == hashes["draft_decision"] && rec.Action != store.AccessAsk && rec.Action != store.AccessApprove:
			t.Errorf("the copy registered as %s (approver %q)", rec.Action, rec.Approver)
		}
	}
	if plays != 1 || copies != 1 {
		t.Fatalf("register: %d views of the PDF, %d approved copies of the draft", plays, copies)
	}
}
