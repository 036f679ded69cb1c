package reviewsrv

import (
	"encoding/json"
	"errors"
	"io/fs"
	"slices"
	"strings"
	"testing"
	"time"

	"lawtrace/assets"
	"lawtrace/backend/internal/auth"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/enforce"
	"lawtrace/shared/review"
)

func ruleIDs(ms []review.Match) string {
	var ids []string
	for _, m := range ms {
		ids = append(ids, m.RuleID)
	}
	return strings.Join(ids, ",")
}

func collective(f *fixture, caseID string) *CollectiveDiscussion {
	return &CollectiveDiscussion{Date: f.clock.Now().In(cst).Format(time.DateOnly), Participants: []string{"张建国", "刘副局长", "陈副局长"},
		Conclusion: "同意法制审核意见，作出罚款决定", Minutes: f.upload(caseID, "minutes.pdf", "集体讨论记录 "+caseID)}
}

// SPEC L1 L2 L3 L4 L5 R9: a fine over the catalog threshold cannot be
// decided until reviewed — the refusal names the rule and its article; an
// incomplete submission lists what is missing; "supplement" returns the
// case; the objection follows the legal-office setting; the deadline and
// its one extension run on working days across National Day 2025; after
// "agree" the decision is recorded with the collective discussion; every
// step is a verified server-signed entry.
func TestReviewToDecision(t *testing.T) {
	f := newFixture(t, cstTime(2025, 9, 30, 16, 0)) // Tuesday before National Day
	ctx := f.ctx
	const c = "20250930-aaaa0001"
	f.penaltyCase(c, "org", "")
	f.registered(c) // SPEC C1, C2: 立案 and the prior notice of this fine, served now
	f.noticeServed(c, review.Proposal{Measures: []string{"fine"}, Fine: 150000})

	if _, err := f.svc.Propose(ctx, lawyer, c, ProposalRequest{}); !errors.As(err, new(*ForbiddenError)) {
		t.Fatalf("a reviewer proposing: %v", err)
	}
	st, err := f.svc.Propose(ctx, officer, c, ProposalRequest{Proposal: review.Proposal{Measures: []string{"fine"}, Fine: 150000}})
	if err != nil {
		t.Fatal(err)
	}
	if !st.Required || ruleIDs(st.Matches) != "all-penalties,large-fine" || st.Proposal.PartyKind != "org" || st.Proposal.Procedure != "penalty" {
		t.Fatalf("proposal: required %v matches %s %+v", st.Required, ruleIDs(st.Matches), st.Proposal)
	}

	decision := DecisionRequest{Document: DecisionDocument{Number: "新市监罚〔2025〕88号", File: f.upload(c, "decision.pdf", "决定书")}}
	if _, err := f.svc.Decide(ctx, officer, c, decision); !errors.As(err, new(*ForbiddenError)) {
		t.Fatalf("an officer approving a decision: %v", err)
	}
	_, err = f.svc.Decide(ctx, head, c, decision)
	e := asEnforce(t, err)
	if e.Code != enforce.ERefused || !strings.Contains(e.Message, "rule large-fine") || !strings.Contains(e.Message, "000-review §3(2)") ||
		!strings.Contains(e.Message, "not_submitted") || e.Article != "000-review §5, §14; 002-review §2" {
		t.Fatalf("decision before review: %v", err)
	}

	// An incomplete submission is refused with the list and writes nothing.
	report := MaterialRef{ID: "investigation_report", Files: []string{f.upload(c, "report.pdf", "调查终结报告")}}
	_, err = f.svc.Submit(ctx, officer, c, SubmitRequest{Materials: []MaterialRef{report}, Explanation: Explanation{BasicFacts: "事实"}})
	e = asEnforce(t, err)
	missing := strings.Join(e.MissingNames(), "|")
	for _, want := range []string{"draft_decision", "evidence", "explanation.law_and_discretion", "explanation.officer_qualification", "explanation.investigation_and_hearing"} {
		if !strings.Contains(missing, want) {
			t.Errorf("missing list lacks %s: %v", want, e.Missing)
		}
	}
	if strings.Contains(missing, "investigation_report") || strings.Contains(missing, "basic_facts") || e.Article != "000-review §7-8" {
		t.Errorf("missing list %v (%s)", e.Missing, e.Article)
	}
	if _, err := f.svc.Submit(ctx, officer, c, SubmitRequest{Materials: []MaterialRef{{ID: "evidence", Files: []string{strings.Repeat("ab", 32)}}}}); enforce.ErrorCode(err) != enforce.EInvalid {
		t.Fatalf("a file never uploaded: %v", err)
	}
	if st, _ := f.svc.State(ctx, c); len(st.Steps) != 5 { // 立案 (2), the notice and its service, the proposal
		t.Fatalf("refused submissions wrote entries: %d steps", len(st.Steps))
	}

	st, err = f.svc.Submit(ctx, officer, c, SubmitRequest{Materials: f.materials(c), Explanation: explanation})
	if err != nil {
		t.Fatal(err)
	}
	// 3 working days from Tue 30 Sep: 1-8 Oct are off, Thu 9, Fri 10 and
	// the adjusted Saturday 11 Oct work, so the opinion is due by the end
	// of 11 Oct.
	if st.Review.State != review.StateUnderReview || !st.Due.Equal(cstTime(2025, 10, 12, 0, 0)) || !st.DueVerified || st.Overdue {
		t.Fatalf("under review: %s due %s verified %v", st.Review.State, st.Due, st.DueVerified)
	}

	// Only a qualified reviewer gives opinions (L6, 002-review §3).
	other := User{ID: "9", Username: "reviewer2", Name: "新人", Role: auth.Reviewer}
	if _, err := f.svc.GiveOpinion(ctx, other, c, OpinionRequest{Kind: "agree", Findings: findings("agree", "")}); !strings.Contains(err.Error(), "002-review §3") {
		t.Fatalf("an unqualified reviewer: %v", err)
	}
	if _, err := f.svc.GiveOpinion(ctx, lawyer, c, OpinionRequest{Kind: "agree", Findings: findings("agree", "")[:9]}); !strings.Contains(err.Error(), "missing crime_transfer") {
		t.Fatalf("a checklist item skipped: %v", err)
	}
	f.clock.Set(cstTime(2025, 10, 9, 10, 0))
	st, err = f.svc.GiveOpinion(ctx, lawyer, c, OpinionRequest{Kind: "supplement", Reasons: "补充抽样检验报告", Findings: findings("supplement", "evidence")})
	if err != nil || st.Review.State != review.StateReturned || st.Opinion.Qualification == "" || st.Opinion.Late {
		t.Fatalf("supplement: %v %+v", err, st)
	}
	if _, err := f.svc.Decide(ctx, head, c, decision); !strings.Contains(err.Error(), "the review is returned") {
		t.Fatalf("decision after supplement: %v", err)
	}
	// The legal office prevails in this agency: the objection is recorded
	// with that path, and the case stays with the handler.
	st, err = f.svc.Object(ctx, officer, c, "检验报告已在卷")
	if err != nil || st.Review.State != review.StateReturned || strings.Join(st.Path, ",") != PathLegalOfficePrevails {
		t.Fatalf("objection: %v %s %v", err, st.Review.State, st.Path)
	}

	// Resubmitted on Monday 13 Oct: due by the end of Thursday 16 Oct.
	f.clock.Set(cstTime(2025, 10, 13, 9, 0))
	mats := append(f.materials(c), MaterialRef{ID: "evidence", Files: []string{f.upload(c, "test-report.pdf", "抽样检验报告")}, Note: "补充"})
	if _, err := f.svc.Submit(ctx, officer2, c, SubmitRequest{Materials: mats, Explanation: explanation}); !errors.As(err, new(*ForbiddenError)) {
		t.Fatalf("an officer not on the case: %v", err)
	}
	st, err = f.svc.Submit(ctx, officer, c, SubmitRequest{Materials: mats, Explanation: explanation})
	if err != nil || st.Review.Rounds != 2 || !st.Due.Equal(cstTime(2025, 10, 17, 0, 0)) {
		t.Fatalf("resubmission: %v rounds %d due %s", err, st.Review.Rounds, st.Due)
	}
	if _, err := f.svc.Extend(ctx, officer, c, "案情复杂"); !errors.As(err, new(*ForbiddenError)) {
		t.Fatalf("an officer extending: %v", err)
	}
	if _, err := f.svc.Extend(ctx, head, c, " "); !strings.Contains(err.Error(), "approving head and the reason") {
		t.Fatalf("an extension without reason: %v", err)
	}
	st, err = f.svc.Extend(ctx, head, c, "案情复杂，涉及多个法律关系")
	if err != nil || !st.Review.Extended || !st.Due.Equal(cstTime(2025, 10, 21, 0, 0)) {
		t.Fatalf("extension: %v due %s", err, st.Due)
	}
	_, err = f.svc.Extend(ctx, head, c, "再次延长")
	if e := asEnforce(t, err); !strings.Contains(e.Message, "already extended once") || e.Article != "000-review §12" {
		t.Fatalf("a second extension: %v", err)
	}

	f.clock.Set(cstTime(2025, 10, 20, 15, 0))
	st, err = f.svc.GiveOpinion(ctx, lawyer, c, OpinionRequest{Kind: "agree", Findings: findings("agree", "")})
	if err != nil || st.Review.State != review.StateAgreed || st.Opinion.Late {
		t.Fatalf("agree: %v %+v", err, st.Review)
	}
	_, err = f.svc.Decide(ctx, head, c, decision)
	if e := asEnforce(t, err); !strings.Contains(strings.Join(e.MissingNames(), ","), "collective_discussion") || e.Article != "000-review §14, 002-review §11" {
		t.Fatalf("decision without collective discussion: %v", err)
	}
	decision.Collective = collective(f, c)
	st, err = f.svc.Decide(ctx, head, c, decision)
	if err != nil {
		t.Fatal(err)
	}
	d := st.Decision
	if d == nil || d.Approver != head.Name || !d.Required || d.Review.State != review.StateAgreed || d.Review.Opinion != "agree" || d.Review.Rounds != 2 ||
		d.Collective == nil || len(d.Collective.Participants) != 3 || d.Document.Number != "新市监罚〔2025〕88号" || ruleIDs(d.Matches) != "all-penalties,large-fine" {
		t.Fatalf("decision %+v", d)
	}
	if _, err := f.svc.Decide(ctx, head, c, decision); enforce.ErrorCode(err) != enforce.EConflict {
		t.Fatalf("a second decision: %v", err)
	}
	var steps []string
	for _, s := range st.Steps {
		steps = append(steps, s.Step)
	}
	want := "register_request,register_approval,prior_notice,prior_notice_served,decision_proposal,review_submit,review_opinion,review_objection,review_submit,review_extend,review_opinion,decision"
	if strings.Join(steps, ",") != want {
		t.Fatalf("office chain %s\nwant %s", strings.Join(steps, ","), want)
	}
	if len(st.Steps[11].Files) != 2 || st.Steps[5].By.Name != officer.Name || st.Steps[9].By.Name != head.Name {
		t.Fatalf("steps %+v", st.Steps)
	}
	f.verifyChains()
}

// SPEC L5: where the head decides disagreements (002-review §10), an
// objection escalates, the head's decision is recorded, and an agree by
// the head opens the decision.
func TestDisagreementHeadDecides(t *testing.T) {
	f := newFixture(t, cstTime(2026, 3, 2, 10, 0))
	ctx := f.ctx
	data, _ := fs.ReadFile(assets.FS, "review/catalog.v1.json")
	var cat review.Catalog
	_ = json.Unmarshal(data, &cat)
	cat.Version, cat.Settings.Disagreement = 2, review.HeadDecides
	body, _ := json.Marshal(cat)
	if _, err := f.svc.PublishCatalog(ctx, admin, body); err != nil {
		t.Fatal(err)
	}
	const c = "20260302-bbbb0002"
	f.penaltyCase(c, "person", "")
	f.registered(c)
	f.noticeServed(c, review.Proposal{Measures: []string{"fine"}, Fine: 2000})
	f.life(officer, c, StepWaiver, LifeRequest{At: "2026-03-02", File: f.upload(c, "waiver.pdf", "当事人书面放弃陈述申辩")}) // SPEC C2
	if _, err := f.svc.Propose(ctx, officer, c, ProposalRequest{Proposal: review.Proposal{Fine: 2000}, Summary: "罚款 2000 元"}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Submit(ctx, officer, c, SubmitRequest{Materials: f.materials(c), Explanation: explanation}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.HeadDecide(ctx, head, c, "agree", "同意"); !strings.Contains(err.Error(), "only an escalated") {
		t.Fatalf("head decision before any objection: %v", err)
	}
	if _, err := f.svc.GiveOpinion(ctx, lawyer, c, OpinionRequest{Kind: "change", Reasons: "裁量过重", Findings: findings("change", "discretion")}); err != nil {
		t.Fatal(err)
	}
	st, err := f.svc.Object(ctx, officer, c, "已按裁量基准一般情节下限")
	if err != nil || st.Review.State != review.StateEscalated {
		t.Fatalf("objection: %v %s", err, st.Review.State)
	}
	if _, err := f.svc.Decide(ctx, head, c, DecisionRequest{}); !strings.Contains(err.Error(), "the review is escalated") {
		t.Fatalf("decision while escalated: %v", err)
	}
	st, err = f.svc.HeadDecide(ctx, head, c, "agree", "裁量适当，按承办机构意见")
	if err != nil || st.Review.State != review.StateAgreed || !st.Review.HeadDecided || strings.Join(st.Path, ",") != "escalated_to_head,head_agree" {
		t.Fatalf("head decision: %v %+v %v", err, st.Review, st.Path)
	}
	st, err = f.svc.Decide(ctx, head, c, DecisionRequest{Document: DecisionDocument{Number: "罚〔2026〕3号", File: f.upload(c, "d.pdf", "决定书")}, Collective: collective(f, c)})
	if err != nil || !st.Decision.Review.HeadDecided {
		t.Fatalf("decision: %v", err)
	}
	f.verifyChains()
}

// SPEC L4: the review runs out at the end of its last working day; the
// overdue review is flagged, an extension after it is refused, a late
// opinion is recorded as late.
func TestOverdueReview(t *testing.T) {
	f := newFixture(t, cstTime(2026, 2, 13, 9, 0)) // Friday before Spring Festival 2026
	ctx := f.ctx
	const c = "20260213-cccc0003"
	f.penaltyCase(c, "person", "")
	if _, err := f.svc.Propose(ctx, officer, c, ProposalRequest{Proposal: review.Proposal{Measures: []string{"revoke_license"}}}); err != nil {
		t.Fatal(err)
	}
	st, err := f.svc.Submit(ctx, officer, c, SubmitRequest{Materials: f.materials(c), Explanation: explanation})
	if err != nil {
		t.Fatal(err)
	}
	// Sat 14 Feb is an adjusted working day, 15-23 Feb off, then Tue 24
	// and Wed 25 Feb: due by the end of 25 Feb.
	if !st.Due.Equal(cstTime(2026, 2, 26, 0, 0)) || ruleIDs(st.Matches) != "all-penalties,severe-measure" {
		t.Fatalf("due %s matches %s", st.Due, ruleIDs(st.Matches))
	}
	f.clock.Set(cstTime(2026, 2, 25, 23, 59))
	if st, _ = f.svc.State(ctx, c); st.Overdue {
		t.Fatal("overdue a minute before the end of the last day")
	}
	f.clock.Set(cstTime(2026, 2, 26, 0, 0))
	if st, _ = f.svc.State(ctx, c); !st.Overdue {
		t.Fatal("not overdue at the end of the last day")
	}
	if _, err := f.svc.Extend(ctx, head, c, "复杂"); !strings.Contains(err.Error(), "ran out") {
		t.Fatalf("an extension after the period: %v", err)
	}
	st, err = f.svc.GiveOpinion(ctx, lawyer, c, OpinionRequest{Kind: "agree", Findings: findings("agree", "")})
	if err != nil || !st.Opinion.Late || st.Overdue {
		t.Fatalf("late opinion: %v %+v overdue %v", err, st.Opinion, st.Overdue)
	}
}

// SPEC L1: a case the catalog does not require to be reviewed is decided
// without review; a voluntary review must still end in agree; nothing is
// proposed before the investigation ends.
func TestDecisionWithoutReview(t *testing.T) {
	f := newFixture(t, cstTime(2026, 5, 11, 10, 0))
	ctx := f.ctx
	const open = "20260511-dddd0004"
	f.ingest(f.dev.Entry(open, "case_open", map[string]any{"procedure": "permit", "party": "某店", "party_kind": "org", "officers": crew}))
	if _, err := f.svc.Propose(ctx, officer, open, ProposalRequest{}); !strings.Contains(err.Error(), "000-review §6") {
		t.Fatalf("proposal before the scene closed: %v", err)
	}
	f.ingest(f.dev.Entry(open, "close_scene", map[string]any{}))
	st, err := f.svc.Propose(ctx, officer, open, ProposalRequest{Proposal: review.Proposal{}, Summary: "准予行政许可"})
	if err != nil || st.Required || len(st.Matches) != 0 {
		t.Fatalf("a permit granted needs no review: %v %+v", err, st)
	}
	st, err = f.svc.Decide(ctx, head, open, DecisionRequest{Document: DecisionDocument{Number: "许〔2026〕1号", File: f.upload(open, "p.pdf", "许可决定书")}})
	if err != nil || st.Decision.Required || st.Decision.Collective != nil {
		t.Fatalf("decision without review: %v", err)
	}
	if _, err := f.svc.Decide(ctx, head, "no-such-case", DecisionRequest{}); enforce.ErrorCode(err) != enforce.ENotFound {
		t.Fatalf("unknown case: %v", err)
	}
	if _, err := f.svc.Propose(ctx, officer, open, ProposalRequest{}); !strings.Contains(err.Error(), "decided") {
		t.Fatalf("a proposal after the decision: %v", err)
	}
}

// SPEC L1 P1: the catalog is stored in versions, the built-in one first;
// an admin publishes a new version validated by review.ParseCatalog; the
// version in force decides, also for a proposal made under an older one.
func TestCatalogVersions(t *testing.T) {
	f := newFixture(t, cstTime(2026, 4, 1, 9, 0))
	ctx := f.ctx
	ci, err := f.svc.Catalog(ctx, 0)
	if err != nil || ci.Version != 1 || ci.PublishedBy != "system built-in catalog" || len(ci.Catalog.Rules) != 7 {
		t.Fatalf("seeded catalog %+v %v", ci.ReviewCatalog, err)
	}
	if _, err := f.svc.PublishCatalog(ctx, admin, []byte(`{"agency":"A","version":2,"settings":{"disagreement":"coin","deadline_workdays":3},"rules":[]}`)); enforce.ErrorCode(err) != enforce.EInvalid {
		t.Fatalf("invalid catalog: %v", err)
	}
	data, _ := fs.ReadFile(assets.FS, "review/catalog.v1.json")
	if _, err := f.svc.PublishCatalog(ctx, admin, data); enforce.ErrorCode(err) != enforce.EConflict {
		t.Fatalf("v1 again: %v", err)
	}
	const c = "20260401-eeee0005"
	f.penaltyCase(c, "person", "")
	var cat review.Catalog
	_ = json.Unmarshal(data, &cat)
	cat.Settings.ReviewAllPenalties = false
	cat.Version = 2
	body, _ := json.Marshal(cat)
	if _, err := f.svc.PublishCatalog(ctx, admin, body); err != nil {
		t.Fatal(err)
	}
	st, err := f.svc.Propose(ctx, officer, c, ProposalRequest{Proposal: review.Proposal{Fine: 500}})
	if err != nil || st.Required || st.CatalogVersion != 2 {
		t.Fatalf("small fine under v2: %v required %v v%d", err, st.Required, st.CatalogVersion)
	}
	// v3 lowers the threshold for persons: the decision checks the catalog
	// in force, not only the one the proposal saw.
	cat.Version = 3
	cat.Rules[0].FineAtLeast["person"] = 300
	body, _ = json.Marshal(cat)
	if _, err := f.svc.PublishCatalog(ctx, admin, body); err != nil {
		t.Fatal(err)
	}
	_, err = f.svc.Decide(ctx, head, c, DecisionRequest{Document: DecisionDocument{Number: "罚〔2026〕9号", File: f.upload(c, "d.pdf", "决定书")}})
	if err == nil || !strings.Contains(err.Error(), "rule large-fine") {
		t.Fatalf("decision under a stricter catalog: %v", err)
	}
	list, _ := f.svc.Catalogs(ctx)
	if len(list) != 3 || list[0].Version != 3 || !slices.ContainsFunc(list, func(x storeCatalog) bool { return x.PublishedBy == "admin 系统管理员" }) {
		t.Fatalf("versions %+v", list)
	}
}

type storeCatalog = store.ReviewCatalog
