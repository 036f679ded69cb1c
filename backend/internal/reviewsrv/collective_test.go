package reviewsrv

import (
	"strings"
	"testing"

	"lawtrace/shared/enforce"
	"lawtrace/shared/review"
)

// agreed runs a case's review to "agree" on the fixture's clock.
func (f *fixture) agreed(c string, p review.Proposal) {
	f.t.Helper()
	if _, err := f.svc.Propose(f.ctx, officer, c, ProposalRequest{Proposal: p}); err != nil {
		f.t.Fatal(err)
	}
	mats := f.materials(c)
	if p.HearingHeld {
		mats = append(mats, MaterialRef{ID: "hearing_record", Files: []string{f.upload(c, "hearing-record.pdf", "听证笔录 "+c)}})
	}
	if _, err := f.svc.Submit(f.ctx, officer, c, SubmitRequest{Materials: mats, Explanation: explanation}); err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.svc.GiveOpinion(f.ctx, lawyer, c, OpinionRequest{Kind: "agree", Findings: findings("agree", "")}); err != nil {
		f.t.Fatal(err)
	}
}

// SPEC C4 L5 (行政处罚法 §57-58, 000-review §14): the heads' collective
// discussion decides on the reviewed case, so it cannot be dated before the
// review opinion. The decision was recorded with a discussion dated the day
// before the opinion; now it is refused with the article.
func TestCollectiveDiscussionAfterReview(t *testing.T) {
	f := newFixture(t, cstTime(2026, 3, 2, 9, 0))
	const c = "20260302-cccc0003"
	f.penaltyCase(c, "org", "")
	f.registered(c)
	f.clock.Set(cstTime(2026, 3, 3, 10, 0))
	f.noticeServed(c, review.Proposal{Measures: []string{"warning"}})
	f.clock.Set(cstTime(2026, 3, 11, 10, 0)) // the 5 working days ran out
	f.agreed(c, review.Proposal{Measures: []string{"warning"}})

	f.clock.Set(cstTime(2026, 3, 12, 10, 0))
	cd := collective(f, c)
	cd.Date = "2026-03-10" // the day before the opinion of 11 Mar
	req := DecisionRequest{Document: DecisionDocument{Number: "新市监罚〔2026〕3号", File: f.upload(c, "d.pdf", "决定书")}, Collective: cd}
	_, err := f.svc.Decide(f.ctx, head, c, req)
	e := asEnforce(t, err)
	if e.Code != enforce.ERefused || !strings.Contains(e.Article, "行政处罚法 §57") || !strings.Contains(strings.Join(e.MissingNames(), ","), "collective_discussion.date") {
		t.Fatalf("a discussion dated before the review opinion: %v", err)
	}
	cd.Date = "2026-03-11" // the day of the opinion: allowed
	if _, err := f.svc.Decide(f.ctx, head, c, req); err != nil {
		t.Fatal(err)
	}
}
