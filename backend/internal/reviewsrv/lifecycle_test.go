package reviewsrv

import (
	"errors"
	"strings"
	"testing"
	"time"

	"lawtrace/shared/deadline"
	"lawtrace/shared/enforce"
	"lawtrace/shared/review"
)

// life records a lifecycle step and fails the test on a refusal.
func (f *fixture) life(u User, c, step string, req LifeRequest) *State {
	f.t.Helper()
	st, err := f.svc.Life(f.ctx, u, c, step, req)
	if err != nil {
		f.t.Fatalf("%s: %v", step, err)
	}
	return st
}

// registered requests 立案 and has the head approve it (SPEC C1).
func (f *fixture) registered(c string) {
	f.t.Helper()
	f.life(officer, c, StepRegisterRequest, LifeRequest{Facts: "投诉举报：销售过期食品", HandlerOpinion: "涉嫌违反《食品安全法》第三十四条，建议立案",
		UnitOpinion: "同意立案调查", Complainant: "李某", Contact: "13900000000", Channel: "phone", Content: "某超市销售过期面包"})
	f.life(head, c, StepRegister, LifeRequest{Outcome: "register", Opinion: "同意立案"})
}

// noticeServed gives the prior notice of p's penalty and serves it now (C2).
func (f *fixture) noticeServed(c string, p review.Proposal) {
	f.t.Helper()
	f.life(officer, c, StepNotice, LifeRequest{Number: "新市监告〔2026〕1号", Facts: "销售超过保质期的食品", Reasons: "违反《食品安全法》第三十四条第（十）项",
		Basis: "《食品安全法》第一百二十四条", Measures: p.Measures, Fine: p.Fine})
	f.life(officer, c, StepNoticeServed, LifeRequest{Method: "direct", Recipient: "张三（当事人委托代理人）"})
}

func (f *fixture) decide(c string, p review.Proposal) error {
	f.t.Helper()
	_, err := f.svc.Decide(f.ctx, head, c, DecisionRequest{Document: DecisionDocument{Number: "新市监罚〔2026〕9号", File: f.upload(c, "d.pdf", "决定书 "+c)},
		Collective: collective(f, c)})
	return err
}

// SPEC C1 C2 C3 C4 R9: every refusal of the decision gate of a
// general-procedure penalty, each with its article, and the decisions the
// law allows.
func TestPenaltyDecisionGate(t *testing.T) {
	warning := review.Proposal{Measures: []string{"warning"}}
	bigFine := review.Proposal{Measures: []string{"fine"}, Fine: 200000} // an organisation: §63 hearing right
	tests := []struct {
		name     string
		setup    func(f *fixture, c string)
		proposal review.Proposal
		at       time.Time // when the review and the decision happen
		article  string    // "" = allowed
		missing  string
	}{
		// C1 — 行政处罚法 §54, 003 §12: no decision of a case never registered.
		{"not registered", func(f *fixture, c string) {}, warning, cstTime(2026, 3, 20, 10, 0), "行政处罚法 §54; 003 §12", StepRegister},
		// C2 — 行政处罚法 §62, §44: no prior notice.
		{"no notice", func(f *fixture, c string) { f.registered(c) }, warning, cstTime(2026, 3, 20, 10, 0), "行政处罚法 §62, §44", StepNotice},
		// C2 — 行政处罚法 §62: the notice was not served.
		{"notice not served", func(f *fixture, c string) {
			f.registered(c)
			f.life(officer, c, StepNotice, LifeRequest{Number: "告1", Facts: "事实", Reasons: "理由", Basis: "依据", Measures: []string{"warning"}})
		}, warning, cstTime(2026, 3, 20, 10, 0), "行政处罚法 §62", StepNoticeServed},
		// C2 — 行政处罚法 §62, §64(1), §85: served Tue 3 Mar; 4, 5, 6, 9, 10 Mar
		// count, the period runs until the end of 10 Mar.
		{"period running", func(f *fixture, c string) { f.registered(c); f.noticeServed(c, warning) }, warning, cstTime(2026, 3, 10, 23, 0), "行政处罚法 §62, §64(1), §85", "period"},
		{"period over", func(f *fixture, c string) { f.registered(c); f.noticeServed(c, warning) }, warning, cstTime(2026, 3, 11, 0, 0), "", ""},
		// C2: the party waived in writing — the decision need not wait.
		{"waived in writing", func(f *fixture, c string) {
			f.registered(c)
			f.noticeServed(c, warning)
			f.life(officer, c, StepWaiver, LifeRequest{At: "2026-03-03", File: f.upload(c, "waiver.pdf", "放弃声明")})
		}, warning, cstTime(2026, 3, 4, 10, 0), "", ""},
		// C2 — 行政处罚法 §45: a statement not reviewed (复核).
		{"statement not reviewed", func(f *fixture, c string) {
			f.registered(c)
			f.noticeServed(c, warning)
			f.life(officer, c, StepStatement, LifeRequest{Way: "written", Content: "面包系当日退货，未再销售"})
		}, warning, cstTime(2026, 3, 12, 10, 0), "行政处罚法 §45", StepStatementReview},
		{"statement reviewed", func(f *fixture, c string) {
			f.registered(c)
			f.noticeServed(c, warning)
			f.life(officer, c, StepStatement, LifeRequest{Way: "oral", Content: "面包系当日退货"})
			f.life(officer, c, StepStatementReview, LifeRequest{Outcome: "not_adopted", Reasons: "货架陈列即为销售，监控录像在卷"})
		}, warning, cstTime(2026, 3, 12, 10, 0), "", ""},
		// C2 — 行政处罚法 §45, §62: heavier than what the party was told.
		{"heavier than the notice", func(f *fixture, c string) { f.registered(c); f.noticeServed(c, warning) },
			review.Proposal{Measures: []string{"warning", "fine"}, Fine: 5000}, cstTime(2026, 3, 12, 10, 0), "行政处罚法 §45, §62", StepNotice},
		// C3 — 行政处罚法 §65, §64: a hearing requested and not held.
		{"hearing requested, no record", func(f *fixture, c string) {
			f.registered(c)
			f.noticeServed(c, bigFine)
			f.life(officer, c, StepHearingRequest, LifeRequest{Way: "written"})
		}, bigFine, cstTime(2026, 3, 20, 10, 0), "行政处罚法 §65, §64", StepHearing},
		// C3 — 行政处罚法 §65: the decision follows the hearing record.
		{"hearing held, decision ignores it", hearingHeld, bigFine, cstTime(2026, 3, 20, 10, 0), "行政处罚法 §65; 000-review §7(5)", "hearing_held"},
		{"hearing held and followed", hearingHeld, review.Proposal{Measures: []string{"fine"}, Fine: 150000, HearingHeld: true}, cstTime(2026, 3, 20, 10, 0), "", ""},
		// A decision of no penalty (不予处罚) needs no prior notice.
		{"no penalty", func(f *fixture, c string) { f.registered(c) }, review.Proposal{}, cstTime(2026, 3, 20, 10, 0), "", ""},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, cstTime(2026, 3, 2, 9, 0))
			c := "20260302-gate" + string(rune('a'+i)) + "000"
			f.penaltyCase(c, "org", "")
			f.clock.Set(cstTime(2026, 3, 3, 10, 0))
			tc.setup(f, c)
			f.clock.Set(tc.at)
			f.agreed(c, tc.proposal)
			err := f.decide(c, tc.proposal)
			if tc.article == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				st, _ := f.svc.State(f.ctx, c)
				if chain := st.Decision.Chain; len(chain) != 3 || chain[0].Role != "承办人" || chain[0].Name != officer.Name ||
					chain[1].Name != lawyer.Name || chain[2].Name != head.Name { // R9, 000-record §34
					t.Errorf("approval chain %+v", chain)
				}
				return
			}
			e := asEnforce(t, err)
			if e.Code != enforce.ERefused || e.Article != tc.article || !strings.Contains(strings.Join(e.MissingNames(), ","), tc.missing) || e.MessageZh == "" {
				t.Fatalf("got %v (article %q, missing %v), want %s %s", err, e.Article, e.MissingNames(), tc.article, tc.missing)
			}
			if !strings.Contains(e.Zh(), "《中华人民共和国行政处罚法》第") && !strings.Contains(e.Zh(), "武汉市") {
				t.Errorf("the Chinese refusal does not cite the law: %s", e.Zh())
			}
			if st, _ := f.svc.State(f.ctx, c); st.Decision != nil {
				t.Fatal("a refused decision was recorded")
			}
		})
	}
}

// hearingHeld: a fine with the hearing right, requested in time, noticed 7
// working days ahead, held with its record signed and its A/V (SPEC C3).
func hearingHeld(f *fixture, c string) {
	f.registered(c)
	f.noticeServed(c, review.Proposal{Measures: []string{"fine"}, Fine: 200000})
	f.clock.Set(cstTime(2026, 3, 4, 9, 0))
	f.life(officer, c, StepHearingRequest, LifeRequest{Way: "written"})
	f.life(officer, c, StepHearingNotice, LifeRequest{HearingAt: "2026-03-16T09:00", Place: "局三楼听证室", Officer: "刘法制", OfficerCert: "15010009",
		Recorder: "陈记录", Method: "direct"})
	f.clock.Set(cstTime(2026, 3, 16, 11, 0))
	f.life(officer, c, StepHearing, LifeRequest{At: "2026-03-16 09:00", Outcome: "attended", File: f.upload(c, "hearing.pdf", "听证笔录"), PartySigned: "signed",
		AV: []string{f.upload(c, "hearing.mp4", "听证录像")}, Opinion: "事实清楚，建议罚款 15 万元"})
}

// SPEC C1 C3 C4: the refusals of the steps themselves, each with its article.
func TestLifecycleStepRefusals(t *testing.T) {
	f := newFixture(t, cstTime(2026, 3, 2, 9, 0))
	ctx := f.ctx
	const c = "20260302-life0001"
	f.penaltyCase(c, "org", "")
	refused := func(u User, step string, req LifeRequest, article, missing string) {
		t.Helper()
		_, err := f.svc.Life(ctx, u, c, step, req)
		e := asEnforce(t, err)
		if e.Code != enforce.ERefused || e.Article != article || !strings.Contains(strings.Join(e.MissingNames(), ","), missing) {
			t.Fatalf("%s: %v (article %q, missing %v), want %s %s", step, err, e.Article, e.MissingNames(), article, missing)
		}
	}
	// C1 — 003 §12: the head approves; the request with the opinions comes first.
	if _, err := f.svc.Life(ctx, officer, c, StepRegister, LifeRequest{Outcome: "register"}); !errors.As(err, new(*ForbiddenError)) {
		t.Fatalf("an officer approving 立案: %v", err)
	}
	refused(head, StepRegister, LifeRequest{Outcome: "register"}, "003 §12", StepRegisterRequest)
	// C1 — 003 §12-13: the 立案 form names the source, opinions and the complaint.
	refused(officer, StepRegisterRequest, LifeRequest{Facts: "投诉"}, "003 §12-13", "handler_opinion,unit_opinion,channel,content")
	// C2 — 行政处罚法 §54: nothing before 立案.
	refused(officer, StepNotice, LifeRequest{Number: "告1"}, "行政处罚法 §54; 003 §12", StepRegister)
	// C4 — 行政处罚法 §60: the term starts with 立案, 90 days.
	f.registered(c)
	st, _ := f.svc.State(ctx, c)
	if !st.Life.TermDue.Equal(cstTime(2026, 6, 1, 0, 0)) { // 2 Mar + 90 days = 31 May
		t.Fatalf("term due %s", st.Life.TermDue)
	}
	refused(head, StepTermExtend, LifeRequest{Days: 45, Reasons: "复杂"}, "行政处罚法 §60", "days")
	st = f.life(head, c, StepTermExtend, LifeRequest{Days: 30, Reasons: "案情复杂，需补充检验"})
	if !st.Life.TermDue.Equal(cstTime(2026, 7, 1, 0, 0)) {
		t.Fatalf("extended term due %s", st.Life.TermDue)
	}
	// C2 — 行政处罚法 §44: the notice names facts, reasons, basis and penalty.
	refused(officer, StepNotice, LifeRequest{Number: "告1"}, "行政处罚法 §44", "facts,reasons,basis,measures")
	f.clock.Set(cstTime(2026, 3, 3, 10, 0))
	f.life(officer, c, StepNotice, LifeRequest{Number: "告1", Facts: "事实", Reasons: "理由", Basis: "依据", Measures: []string{"warning"}})
	// C2 — 行政处罚法 §62: the party answers a served notice.
	refused(officer, StepStatement, LifeRequest{Way: "oral", Content: "x"}, "行政处罚法 §62", StepNoticeServed)
	f.life(officer, c, StepNoticeServed, LifeRequest{Method: "direct", Recipient: "张三"})
	// C3 — 行政处罚法 §63: a warning carries no hearing right.
	refused(officer, StepHearingRequest, LifeRequest{Way: "written"}, "行政处罚法 §63", "")
	// A new notice of a fine of 200,000 yuan to an organisation does (§63(1)).
	st = f.life(officer, c, StepNotice, LifeRequest{Number: "告2", Facts: "事实", Reasons: "理由", Basis: "依据", Measures: []string{"fine"}, Fine: 200000})
	if !st.Life.Notice.HearingRight || st.Life.Served != nil || !strings.Contains(st.Life.Notice.Rights, "五个工作日内") {
		t.Fatalf("the new notice: %+v", st.Life.Notice)
	}
	f.life(officer, c, StepNoticeServed, LifeRequest{Method: "mail", Recipient: "新城区某食品有限公司", At: "2026-03-03 10:00"})
	// C3 — 行政处罚法 §64(1), §85: the 5 working days end with 10 Mar.
	f.clock.Set(cstTime(2026, 3, 11, 0, 1))
	refused(officer, StepHearingRequest, LifeRequest{Way: "written"}, "行政处罚法 §64(1), §85", "")
	st = f.life(officer, c, StepHearingRequest, LifeRequest{Way: "written", At: "2026-03-10 17:00"}) // received in time, recorded later
	if st.Life.HearingRequest == nil {
		t.Fatal("hearing request")
	}
	// C3 — 行政处罚法 §64(4): not an investigator of the case.
	notice := LifeRequest{HearingAt: "2026-03-23T09:00", Place: "听证室", Officer: "李明", OfficerCert: "15010002", Method: "direct", At: "2026-03-11 00:01"}
	refused(officer, StepHearingNotice, notice, "行政处罚法 §64(4)", "officer")
	// C3 — 行政处罚法 §64(2), §85: told on 11 Mar, 12, 13, 16-20 Mar count, so not before 21 Mar.
	notice.Officer, notice.OfficerCert, notice.HearingAt = "刘法制", "15010009", "2026-03-20T09:00"
	refused(officer, StepHearingNotice, notice, "行政处罚法 §64(2), §85", "hearing_at")
	// C3 — 行政处罚法 §64(3): public unless a legal reason.
	notice.HearingAt, notice.Closed = "2026-03-23T09:00", "busy"
	refused(officer, StepHearingNotice, notice, "行政处罚法 §64", "closed_reason")
	notice.Closed = "trade_secret"
	st = f.life(officer, c, StepHearingNotice, notice)
	if st.Life.HearingNotice.Public || !st.Life.HearingNotice.EarliestDay.Equal(cstTime(2026, 3, 21, 0, 0)) {
		t.Fatalf("hearing notice %+v", st.Life.HearingNotice)
	}
	// C3 — 行政处罚法 §64(8), 000-record §12: the record signed, the A/V kept.
	f.clock.Set(cstTime(2026, 3, 23, 12, 0))
	refused(officer, StepHearing, LifeRequest{Outcome: "attended", Opinion: "x"}, "行政处罚法 §64; 000-record §12", "file,party_signed,av")
	refused(officer, StepHearing, LifeRequest{Outcome: "attended", Opinion: "x", File: f.upload(c, "h.pdf", "笔录"), PartySigned: "refused", NoAVReason: "设备故障"},
		"行政处罚法 §64; 000-record §12", "note")
	st = f.life(officer, c, StepHearing, LifeRequest{Outcome: "attended", Opinion: "建议维持", File: f.upload(c, "h.pdf", "笔录"), PartySigned: "refused",
		Note: "当事人代理人拒绝签字，主持人已在笔录中注明", AV: []string{f.upload(c, "h.mp4", "录像")}})
	if st.Life.Hearing == nil || st.Life.HearingOpen() {
		t.Fatal("hearing record")
	}
	f.verifyChains()
}

// SPEC C1 R8 (003 §12-13): 不予立案 of a named complainant's case needs the
// written notice and closes the case; the head's decision on 立案 is the
// approval of an emergency start within 2 working days.
func TestNotRegistered(t *testing.T) {
	f := newFixture(t, cstTime(2026, 2, 12, 9, 0)) // Thu before the Spring Festival
	const c = "20260212-nreg0001"
	f.penaltyCase(c, "person", "当事人正在转移涉案物品")
	f.life(officer, c, StepRegisterRequest, LifeRequest{Facts: "举报", HandlerOpinion: "不符合立案条件", UnitOpinion: "同意不予立案",
		Complainant: "王某", Channel: "online", Content: "举报无证经营"})
	_, err := f.svc.Life(f.ctx, head, c, StepRegister, LifeRequest{Outcome: "not_register"})
	if e := asEnforce(t, err); e.Article != "003 §13" || strings.Join(e.MissingNames(), ",") != "opinion,notice_date,method,file" {
		t.Fatalf("不予立案 without reasons and notice: %v %v", err, e.MissingNames())
	}
	// 2 working days from Thu 12 Feb 2026: Fri 13 and the adjusted Sat 14.
	f.clock.Set(cstTime(2026, 2, 14, 16, 0))
	st := f.life(head, c, StepRegister, LifeRequest{Outcome: "not_register", Opinion: "经核查，举报事项不属实", NoticeDate: "2026-02-14", Method: "mail",
		File: f.upload(c, "notice.pdf", "不予立案告知书")})
	if !st.Life.NotRegistered || st.Ended.IsZero() || st.Life.Register.Notified == nil || st.Life.Register.Late {
		t.Fatalf("not registered: %+v ended %s", st.Life.Register, st.Ended)
	}
	refused := func(step string) {
		_, err := f.svc.Life(f.ctx, officer, c, step, LifeRequest{})
		if e := asEnforce(t, err); e.Article != "003 §13" {
			t.Fatalf("%s after 不予立案: %v", step, err)
		}
	}
	refused(StepNotice)
	items, err := f.svc.Deadlines(f.ctx, Filter{Case: c})
	if err != nil {
		t.Fatal(err)
	}
	var states []string
	for _, it := range items {
		states = append(states, it.Kind+":"+it.State)
	}
	got := strings.Join(states, ",")
	if !strings.Contains(got, deadline.EmergencyStart+":met") || !strings.Contains(got, deadline.Archive+":running") || strings.Contains(got, deadline.DecisionTerm) {
		t.Fatalf("deadlines %s", got)
	}
}
