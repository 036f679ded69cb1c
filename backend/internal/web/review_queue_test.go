package web_test

import (
	"context"
	"encoding/csv"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"lawtrace/backend/internal/reviewsrv"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/review"
)

var reviewRowIDs = regexp.MustCompile(`<tr id="review-([^"]+)"`)

// proposedCase pushes a penalty case of a party, closed on scene, crew
// 15010001 and 15010002, and records a proposal that needs review.
func proposedCase(t *testing.T, e *env, seed uint64, id, party string) {
	t.Helper()
	tm := e.terminal(seed, "patrol-"+id)
	crew := []map[string]string{{"cert": "15010001"}, {"cert": "15010002"}}
	tm.push(t,
		tm.d.Entry(id, "case_open", map[string]any{"procedure": "penalty", "procedure_version": 1, "party": party, "party_kind": "org", "source": "complaint", "officers": crew}),
		tm.d.Entry(id, "close_scene", map[string]any{}),
	)
	if _, err := e.m.Review.Propose(context.Background(), setupHandler, id, reviewsrv.ProposalRequest{Proposal: review.Proposal{Fine: 150000}, Summary: "罚款 15 万元"}); err != nil {
		t.Fatal(err)
	}
}

// submitForReview submits a case's recorded proposal with its materials.
func submitForReview(t *testing.T, e *env, id string) {
	t.Helper()
	ctx := context.Background()
	var mats []reviewsrv.MaterialRef
	for _, m := range []string{"investigation_report", "draft_decision", "evidence"} {
		f, err := e.m.Review.Upload(ctx, setupHandler, id, m+".pdf", strings.NewReader("%PDF-1.4 "+m))
		if err != nil {
			t.Fatal(err)
		}
		mats = append(mats, reviewsrv.MaterialRef{ID: m, Files: []string{f.Hash}})
	}
	if _, err := e.m.Review.Submit(ctx, setupHandler, id, reviewsrv.SubmitRequest{Materials: mats, Explanation: reviewsrv.Explanation{BasicFacts: "销售超过保质期的食品 120 袋",
		LawAndDiscretion: "《食品安全法》第一百二十四条", OfficerQualification: "两名执法人员证件有效", InvestigationAndHearing: "放弃听证"}}); err != nil {
		t.Fatal(err)
	}
}

// SPEC L1 D5 (issue 15): the review queue is paged and filtered on the
// server (state, party, case number, officer, days opened), follows the
// office chains as they grow, shows an officer only the cases of their
// crew, and exports the filtered cases as CSV, a row of the access
// register.
func TestReviewQueuePagingFilterAndExport(t *testing.T) {
	e := start(t, nil)
	for i, party := range []string{"新城区某食品有限公司", "老城区某超市", "新城区某饭店"} {
		proposedCase(t, e, uint64(300+i), fmt.Sprintf("R%d", i+1), party)
	}
	submitForReview(t, e, "R1")
	reviewer := e.as("reviewer")
	for _, c := range []struct {
		query, rows, page string
	}{
		{"size=2", "R3,R2", "第 1 / 2 页"},
		{"size=2&page=2", "R1", "第 2 / 2 页"},
		{"state=under_review", "R1", "共 1 件"},
		{"state=not_submitted", "R3,R2", "共 2 件"},
		{"party=" + "新城区", "R3,R1", "共 2 件"},
		{"case=r2", "R2", "共 1 件"},
		{"case=R2", "R2", "共 1 件"},
		{"officer=15010002", "R3,R2,R1", "共 3 件"},
		{"officer=15010003", "", "共 0 件"},
		{"from=2000-01-01&to=2000-01-02", "", "共 0 件"},
	} {
		body := reviewer.get("/review?" + c.query).body
		var got []string
		for _, m := range reviewRowIDs.FindAllStringSubmatch(body, -1) {
			got = append(got, m[1])
		}
		if strings.Join(got, ",") != c.rows || !strings.Contains(body, c.page) {
			t.Errorf("%s: rows %v, want %s (%s)", c.query, got, c.rows, c.page)
		}
	}
	if body := reviewer.get("/review?size=2").body; !strings.Contains(body, `href="?page=2&amp;size=2"`) {
		t.Error("no link to the second page")
	}
	// A step of the office chain moves the case in the queue.
	submitForReview(t, e, "R2")
	if body := reviewer.get("/review?state=under_review").body; len(reviewRowIDs.FindAllString(body, -1)) != 2 {
		t.Error("R2 submitted is not under review in the queue")
	}
	// An officer sees the cases of their crew only.
	if body := e.as("officer").get("/review").body; len(reviewRowIDs.FindAllString(body, -1)) != 3 {
		t.Error("the crew's officer does not see the crew's cases")
	}
	if body := e.as("officer2").get("/review").body; len(reviewRowIDs.FindAllString(body, -1)) != 0 {
		t.Error("an officer of another crew sees its cases")
	}
	resp := reviewer.get("/review?party=" + "新城区" + "&format=csv")
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(resp.body, "\ufeff案件编号,当事人") {
		t.Fatalf("export: %d %q", resp.StatusCode, resp.body[:min(60, len(resp.body))])
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(resp.body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 3 || recs[1][0] != "R3" || recs[1][3] != "已拟决定，未送审" || recs[2][0] != "R1" || recs[2][3] != "审核中" {
		t.Fatalf("export of the filtered cases: %v", recs)
	}
	regs, err := e.m.Data.Store.AccessRecords(context.Background(), store.AccessFilter{Action: store.AccessExport})
	if err != nil || len(regs) != 1 || !strings.Contains(regs[0].Reason, "导出法制审核案件 2 件（当事人含\"新城区\"）") {
		t.Fatalf("the export is not in the register: %+v %v", regs, err)
	}
}
