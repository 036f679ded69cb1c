package reviewsrv

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"lawtrace/shared/deadline"
)

// refuse runs a step that must be refused with the article and, when
// given, the missing items (in order).
func (f *fixture) refuse(u User, c, step string, req LifeRequest, article, missing string) {
	f.t.Helper()
	_, err := f.svc.Life(f.ctx, u, c, step, req)
	e := asEnforce(f.t, err)
	if e.Article != article || missing != "" && strings.Join(e.MissingNames(), ",") != missing {
		f.t.Fatalf("%s: got %q %v (%s), want %q %s", step, e.Article, e.MissingNames(), e.MessageZh, article, missing)
	}
}

// deadlineStates maps a case's deadline kinds to "state due label".
func (f *fixture) deadlineStates(c string) map[string]Item {
	f.t.Helper()
	items, err := f.svc.Deadlines(f.ctx, Filter{Case: c})
	if err != nil {
		f.t.Fatal(err)
	}
	out := map[string]Item{}
	for _, it := range items {
		out[it.Kind] = it
	}
	return out
}

// SPEC C6 D5 (issue 10): a seizure begun on the scene continues in the
// office — the appraisal days are not counted and the head extends once
// with written notice (行政强制法 §25), the 处理决定 is refused after the
// term (§27, §28(4)), the release returns the goods by list (§28), and
// the case closes only when the seizure is dealt with.
func TestSeizureAfterTheScene(t *testing.T) {
	f := newFixture(t, cstTime(2025, 9, 29, 10, 0))
	const c = "20250929-coer0001"
	f.ingest(
		f.dev.Entry(c, "case_open", map[string]any{"procedure": "coercion", "procedure_version": 2, "party": "某仓储有限公司", "party_kind": "org", "officers": crew}),
		f.dev.Entry(c, "seizure", map[string]any{"fields": map[string]any{"approval": "prior", "term_days": "30"}}),
		f.dev.Entry(c, "close_scene", map[string]any{}),
	)
	f.clock.Set(cstTime(2025, 10, 10, 9, 0))
	if _, err := f.svc.Life(f.ctx, officer, c, StepSeizureExtend, LifeRequest{Days: 30}); !errors.As(err, new(*ForbiddenError)) {
		t.Fatalf("an officer extends: %v", err)
	}
	f.refuse(head, c, StepSeizureExtend, LifeRequest{}, "行政强制法 §25", "days,reasons,number,method")
	f.refuse(officer, c, StepSeizureAppraisal, LifeRequest{Content: "送检"}, "行政强制法 §25", "institution,days,file")
	st := f.life(officer, c, StepSeizureAppraisal, LifeRequest{Content: "产品质量检验", OfficeRequest: OfficeRequest{Institution: "市产品质量监督检验所"}, Days: 10,
		File: f.upload(c, "appraisal.pdf", "检验期间告知书")})
	if got := st.Office.Coercion.Seizure(nil); got.Found {
		t.Fatalf("no scene facts, no seizure: %+v", got)
	}
	st = f.life(head, c, StepSeizureExtend, LifeRequest{Days: 30, Reasons: "案情复杂，需进一步调查货物来源", Number: "武市监延〔2025〕3号", Method: "direct", Recipient: "仓库负责人"})
	// 30 + 10 (appraisal) + 30 (extension) days from 29 Sep: due 8 Dec 24:00.
	if due := st.Office.Coercion.Extension.Due; !due.Equal(cstTime(2025, 12, 9, 0, 0)) {
		t.Fatalf("extended due %s", due)
	}
	f.refuse(head, c, StepSeizureExtend, LifeRequest{Days: 10, Reasons: "再延长", Number: "2", Method: "direct"}, "行政强制法 §25", "")
	f.refuse(head, c, StepOfficeClosing, LifeRequest{}, "行政强制法 §27-28", "seizure_release")

	f.clock.Set(cstTime(2025, 12, 8, 23, 0))
	f.refuse(head, c, StepSeizureDisposal, LifeRequest{Outcome: "confiscate", Number: "武市监处〔2025〕9号", File: f.upload(c, "d.pdf", "处理决定书")}, "行政强制法 §27", "basis")
	f.clock.Set(cstTime(2025, 12, 9, 1, 0))
	f.refuse(head, c, StepSeizureDisposal, LifeRequest{Outcome: "confiscate", Number: "武市监处〔2025〕9号", Basis: "《产品质量法》第四十九条", File: f.upload(c, "d.pdf", "处理决定书")},
		"行政强制法 §27, §28(4)", "seizure_release")
	f.refuse(head, c, StepSeizureRelease, LifeRequest{Outcome: "expired", Number: "武市监解〔2025〕2号", File: f.upload(c, "r.pdf", "解除决定书")}, "行政强制法 §28", "objects,recipient")
	st = f.life(head, c, StepSeizureRelease, LifeRequest{Outcome: "expired", Number: "武市监解〔2025〕2号", File: f.upload(c, "r.pdf", "解除决定书"), Recipient: "仓库负责人 李某",
		OfficeRequest: OfficeRequest{Objects: "电动车电池 120 组\n充电器 40 个"}})
	if r := st.Office.Coercion.Release; r == nil || len(r.Objects) != 2 {
		t.Fatalf("release %+v", r)
	}
	// The release prints as 解除查封（扣押）决定书 (行政强制法 §28); the appraisal prints nothing.
	last := st.Steps[len(st.Steps)-1]
	if pdf, err := f.svc.OfficePDF(f.ctx, officer, c, last.Seq, "新城区市场监督管理局"); err != nil || !strings.HasPrefix(string(pdf), "%PDF") {
		t.Fatalf("release document: %v", err)
	}
	if _, err := f.svc.OfficePDF(f.ctx, officer, c, st.Steps[0].Seq, "新城区市场监督管理局"); asEnforce(t, err).Code != "not_found" {
		t.Fatalf("appraisal document: %v", err)
	}
	d := f.deadlineStates(c)[deadline.SeizureTerm]
	if d.State != deadline.StateMissed || !strings.Contains(d.Label, "经批准延长 30 日") || !strings.Contains(d.Label, "10 日不计入") || d.LastDay != "2025-12-08" {
		t.Fatalf("seizure term %+v", d)
	}
	st = f.life(head, c, StepOfficeClosing, LifeRequest{})
	if st.Ended.IsZero() || f.deadlineStates(c)[deadline.Archive].State != deadline.StateRunning {
		t.Fatalf("closed %s", st.Ended)
	}
	f.refuse(officer, c, StepSeizureAppraisal, LifeRequest{}, "", "")
	f.verifyChains()
}

// SPEC C6 D5 (issue 10): the coercive execution of a decision the party
// does not perform — the reminder after the decision's period (行政强制法
// §34-35), the party's statement (§36), a building only after the
// announcement and the remedy periods (§44), 代履行 at least 3 working days
// after the reminder (§51), the court after the remedy periods (§53).
func TestCoerciveExecution(t *testing.T) {
	f := newFixture(t, cstTime(2025, 12, 1, 9, 0))
	const c = "20251201-coer0002"
	f.ingest(
		f.dev.Entry(c, "case_open", map[string]any{"procedure": "coercion", "procedure_version": 2, "party": "张某", "party_kind": "person", "officers": crew}),
		f.dev.Entry(c, "close_scene", map[string]any{}),
	)
	f.refuse(head, c, StepSeizureExtend, LifeRequest{Days: 5}, "行政强制法 §24-25", "seizure")
	f.refuse(officer, c, StepCoercionReminder, LifeRequest{}, "行政强制法 §34", StepObligation)
	f.refuse(head, c, StepObligation, LifeRequest{Number: "城执决〔2025〕1号"}, "行政强制法 §34, §38", "content,deadline,basis,method")
	f.life(head, c, StepObligation, LifeRequest{Number: "城执决〔2025〕1号", Content: "限期拆除违法搭建的彩钢棚", ExecRequest: ExecRequest{Deadline: "2025-12-10"},
		Basis: "《城乡规划法》第六十四条", Method: "direct", Recipient: "张某"})
	f.clock.Set(cstTime(2025, 12, 5, 9, 0))
	f.refuse(officer, c, StepCoercionReminder, LifeRequest{}, "行政强制法 §34-35", "at")
	f.clock.Set(cstTime(2025, 12, 11, 10, 0))
	f.refuse(officer, c, StepCoercionReminder, LifeRequest{Number: "城执催〔2025〕1号"}, "行政强制法 §35", "deadline,content,file")
	st := f.life(officer, c, StepCoercionReminder, LifeRequest{Number: "城执催〔2025〕1号", Content: "自行拆除彩钢棚", ExecRequest: ExecRequest{Deadline: "2025-12-20"},
		File: f.upload(c, "remind.pdf", "催告书"), Method: "direct", Recipient: "张某"})
	if !st.Office.Coercion.Reminder.Due.Equal(cstTime(2025, 12, 21, 0, 0)) {
		t.Fatalf("reminder due %s", st.Office.Coercion.Reminder.Due)
	}
	f.refuse(officer, c, StepCoercionStatement, LifeRequest{Content: "彩钢棚系临时用房"}, "行政强制法 §36", "outcome,reasons")
	f.life(officer, c, StepCoercionStatement, LifeRequest{Content: "彩钢棚系临时用房", Outcome: "not_adopted", Reasons: "未取得临时建设工程规划许可"})
	exec := LifeRequest{Number: "城执强〔2025〕1号", File: f.upload(c, "exec.pdf", "强制执行决定书"), Basis: "《城乡规划法》第六十八条", Content: "2026 年 6 月 10 日强制拆除",
		ExecRequest: ExecRequest{Kind: "coercive_decision", ReconOrgan: "区人民政府", Court: "区人民法院"}}
	f.clock.Set(cstTime(2025, 12, 15, 9, 0))
	f.refuse(head, c, StepCoerciveExecution, exec, "行政强制法 §37", "at")
	f.clock.Set(cstTime(2025, 12, 22, 9, 0))
	f.refuse(head, c, StepCoerciveExecution, exec, "行政强制法 §44", StepDemolitionNotice)
	f.life(officer, c, StepDemolitionNotice, LifeRequest{Number: "城执告〔2025〕1号", ExecRequest: ExecRequest{Deadline: "2025-12-31"}, File: f.upload(c, "ann.jpg", "公告照片")})
	f.clock.Set(cstTime(2026, 1, 5, 9, 0))
	f.refuse(head, c, StepCoerciveExecution, exec, "行政强制法 §44; 行政复议法 §20; 行政诉讼法 §46", "at")
	court := exec
	court.Kind, court.Court = "court_application", "区人民法院"
	f.refuse(head, c, StepCoerciveExecution, court, "行政强制法 §53; 行政复议法 §20; 行政诉讼法 §46", "at")
	sub := exec
	sub.Kind, sub.Institution, sub.Amount, sub.Deadline = "substitute", "某拆除工程有限公司", 5000, "2025-12-16"
	f.refuse(head, c, StepCoerciveExecution, sub, "行政强制法 §51(2), §69", "deadline")
	sub.Deadline = "2026-01-08"
	f.refuse(head, c, StepOfficeClosing, LifeRequest{}, "行政强制法 §34, §37", StepCoerciveExecution)
	st = f.life(head, c, StepCoerciveExecution, sub)
	if x := st.Office.Coercion.Execution; x.Outcome != "substitute" || x.AmountCents != 500000 || st.OfficeStage() != "强制执行" {
		t.Fatalf("execution %+v %s", x, st.OfficeStage())
	}
	ds := f.deadlineStates(c)
	if ds[deadline.CoercionNotice].State != deadline.StateMet || ds[deadline.Demolition].State != deadline.StateMet {
		t.Fatalf("deadlines %+v", ds)
	}
	f.life(head, c, StepOfficeClosing, LifeRequest{Opinion: "代履行完毕"})
	f.verifyChains()
}

// SPEC C1 C6 (issue 10; 003 §3): an inspection's 责令改正, the 复查 at the
// deadline, 转立案 — and the penalty case that names it as its source.
func TestInspectionAfterTheScene(t *testing.T) {
	f := newFixture(t, cstTime(2025, 11, 3, 9, 0))
	const c, other, pen = "20251103-insp0001", "20251103-insp0002", "20251103-pena0001"
	for _, id := range []string{c, other} {
		f.ingest(
			f.dev.Entry(id, "case_open", map[string]any{"procedure": "inspection", "procedure_version": 2, "party": "某餐饮店", "party_kind": "org", "officers": crew}),
			f.dev.Entry(id, "close_scene", map[string]any{}),
		)
	}
	f.penaltyCase(pen, "org", "")
	f.refuse(officer, c, StepInspectionRectify, LifeRequest{Number: "责改〔2025〕7号", Content: "后厨未设防鼠设施", ExecRequest: ExecRequest{Deadline: "2025-11-10"}},
		"003 §3; 行政处罚法 §28", "basis")
	f.life(officer, c, StepInspectionRectify, LifeRequest{Number: "责改〔2025〕7号", Content: "后厨未设防鼠设施", Basis: "《食品安全法》第三十三条",
		ExecRequest: ExecRequest{Deadline: "2025-11-10"}})
	f.refuse(head, c, StepOfficeClosing, LifeRequest{}, "003 §3, §23; 000-record §24", StepInspectionRecheck)
	f.clock.Set(cstTime(2025, 11, 7, 9, 0))
	f.refuse(officer, c, StepInspectionRecheck, LifeRequest{Outcome: "not_corrected", File: f.upload(c, "re.pdf", "复查记录")}, "003 §3; 行政处罚法 §28", "at")
	f.clock.Set(cstTime(2025, 11, 11, 9, 0))
	f.life(officer, c, StepInspectionRecheck, LifeRequest{Outcome: "not_corrected", Content: "仍未设置", File: f.upload(c, "re.pdf", "复查记录")})
	if d := f.deadlineStates(c)[deadline.RectifyCheck]; d.State != deadline.StateMet {
		t.Fatalf("re-check %+v", d)
	}
	req := LifeRequest{Facts: "检查中发现", HandlerOpinion: "建议立案", UnitOpinion: "同意", Channel: "transfer", Content: "行政检查转立案", OfficeRequest: OfficeRequest{SourceCase: other}}
	f.refuse(officer, pen, StepRegisterRequest, req, "003 §3; 行政处罚法 §54", "source_case")
	f.refuse(officer, c, StepInspectionTransfer, LifeRequest{}, "行政处罚法 §54; 003 §3", "reasons,content")
	st := f.life(officer, c, StepInspectionTransfer, LifeRequest{Reasons: "逾期未改正，涉嫌违反《食品安全法》第三十三条", Content: "11 月 3 日检查，11 月 11 日复查未改正"})
	if st.Ended.IsZero() || st.OfficeStage() != "已转立案" {
		t.Fatalf("transferred: %s %q", st.Ended, st.OfficeStage())
	}
	f.refuse(head, c, StepOfficeClosing, LifeRequest{}, "", "")
	req.SourceCase = c
	st = f.life(officer, pen, StepRegisterRequest, req)
	if st.Life.Request.SourceCase != c || !strings.Contains(st.Steps[len(st.Steps)-1].Summary, "转立案") {
		t.Fatalf("source %+v", st.Life.Request)
	}
	f.refuse(officer, pen, StepInspectionRectify, LifeRequest{}, "003 §3", "")
	f.verifyChains()
}

// SPEC C1 C4 D5 (issue 10): a permit after 受理 — the terminal's 受理 counts,
// the hearing on request within 5 working days with notice 7 days before
// and a presider who did not review it, the decision after the hearing
// record, 不予许可 with reasons and the remedy (行政许可法 §32, §38, §42-48).
func TestPermitAfterAcceptance(t *testing.T) {
	f := newFixture(t, cstTime(2025, 9, 22, 9, 0)) // Monday before National Day
	const c = "20250922-perm0001"
	f.ingest(
		f.dev.Entry(c, "case_open", map[string]any{"procedure": "permit", "procedure_version": 2, "party": "某药房", "party_kind": "org", "officers": crew}),
		f.dev.Entry(c, "acceptance", map[string]any{"fields": map[string]any{"matter": "药品经营许可", "outcome": "accepted", "receipt_number": "受〔2025〕88号"}}),
		f.dev.Entry(c, "close_scene", map[string]any{}),
	)
	// 20 working days from Mon 22 Sep 2025: 23-26, 28 (Sunday worked), 29, 30; 9, 10, 11 (Saturday worked), 13-17; 20-24 Oct.
	if d := f.deadlineStates(c)[deadline.PermitDecision]; d.LastDay != "2025-10-24" || d.State != deadline.StateRunning {
		t.Fatalf("permit term %+v", d)
	}
	if _, err := f.svc.Life(f.ctx, officer, c, StepPermitAcceptance, LifeRequest{Outcome: "accepted", Number: "2"}); err == nil {
		t.Fatal("accepted twice")
	}
	f.clock.Set(cstTime(2025, 9, 23, 9, 0))
	f.life(officer, c, StepPermitInterested, LifeRequest{Outcome: "hearing_right", Method: "mail", OfficeRequest: OfficeRequest{Objects: "某药房\n相邻药店 某大药房"}})
	f.clock.Set(cstTime(2025, 9, 24, 10, 0))
	hn := LifeRequest{Outcome: "requested", NoticeDate: "2025-09-24 09:30", HearingAt: "2025-10-09T09:00", Place: "区政务服务中心听证室", Officer: "王强"}
	f.refuse(officer, c, StepPermitHearingNotice, hn, "行政许可法 §48(3)", "officer")
	hn.Officer = "刘洋"
	f.refuse(officer, c, StepPermitHearingNotice, hn, "行政许可法 §48(1)", "hearing_at")
	f.refuse(head, c, StepPermitDecision, LifeRequest{Outcome: "grant"}, "行政许可法 §38", "number,content,file")
	hn.HearingAt = "2025-10-15T09:00"
	f.life(officer, c, StepPermitHearingNotice, hn)
	f.refuse(head, c, StepPermitDecision, LifeRequest{Outcome: "grant"}, "行政许可法 §48", StepPermitHearing)
	f.clock.Set(cstTime(2025, 10, 15, 11, 0))
	st := f.life(officer, c, StepPermitHearing, LifeRequest{PartySigned: "signed", Content: "利害关系人反对，距离不足", File: f.upload(c, "h.pdf", "听证笔录")})
	if st.Office.Permit.Excluded < 1 {
		t.Fatalf("hearing days not excluded: %+v", st.Office.Permit.Hearing)
	}
	f.refuse(head, c, StepPermitDecision, LifeRequest{Outcome: "deny", Number: "不许〔2025〕3号", File: f.upload(c, "dec.pdf", "决定书")}, "行政许可法 §38",
		"reasons,reconsideration_organ,court")
	st = f.life(head, c, StepPermitDecision, LifeRequest{Outcome: "deny", Number: "不许〔2025〕3号", File: f.upload(c, "dec.pdf", "决定书"), Reasons: "不符合设置距离要求",
		ExecRequest: ExecRequest{ReconOrgan: "区人民政府", Court: "区人民法院"}})
	if p := st.Office.Permit.Decision; p.Late || p.Due.IsZero() {
		t.Fatalf("decision %+v", p)
	}
	f.refuse(head, c, StepOfficeClosing, LifeRequest{}, "行政许可法 §44", StepPermitService)
	f.life(officer, c, StepPermitService, LifeRequest{Method: "direct", Recipient: "某药房 负责人"})
	f.life(head, c, StepOfficeClosing, LifeRequest{})
	ds := f.deadlineStates(c)
	for _, k := range []string{deadline.PermitDecision, deadline.PermitService, deadline.PermitHearing} {
		if ds[k].State != deadline.StateMet {
			t.Errorf("%s %+v", k, ds[k])
		}
	}
	if !slices.Contains(LifeSteps, StepPermitService) {
		t.Fatal("permit steps are not lifecycle steps")
	}
	f.verifyChains()
}
