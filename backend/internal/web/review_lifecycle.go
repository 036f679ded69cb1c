package web

import (
	"errors"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"lawtrace/backend/internal/reviewsrv"
	"lawtrace/shared/deadline"
	"lawtrace/shared/enforce"
	"lawtrace/shared/paper"
	"lawtrace/shared/review"
)

// The stages of a general-procedure penalty after the scene (issue 10,
// SPEC C1-C5, R9, D5), on the case's lifecycle page next to its review
// page: 立案 (the handler's request, the head's approval), the prior notice
// and its service, the party's statement and its 复核 or written waiver,
// the hearing (request, notice, record), the §60 term and its extension,
// the decision (recorded on the review page, after the legal review and the
// collective discussion) and its service. Each form posts to
// /review/cases/{id}/life/{step}; reviewsrv.Service.Life checks the role
// and the law, and a refusal comes back on the page with its article.

// stage is one row of the case's progress.
type stage struct {
	ID, Name, Article string
	Done              bool
	Text              string
}

type lifecycleData struct {
	Row       *BoardRow
	St        *reviewsrv.State
	L         *reviewsrv.Lifecycle
	Stages    []stage
	Deadlines []reviewsrv.Item
	Error     *reviewsrv.APIError
	In        map[string]string
	// What the signed-in user may record now.
	Handler, Head, Penalty, Decided, Closed bool
	// Simple is an on-the-spot decision whose fine is executed here (the
	// simple procedure joins at execution).
	Simple bool
	Show   map[string]bool
	// SuspForms are the head's 中止、恢复、终结执行 forms (行政强制法 §39-§40).
	SuspForms                            []officeForm
	Measures, Methods, Closed2, Channels []option
	Outcomes                             []option
	Intended                             string
	Rights                               string
	Now                                  string
	// Execution and closing (SPEC C6, C7): where the execution stands now
	// (the late fee by shared/deadline), and whether the §59 document can
	// be printed (DocMissing names what it lacks).
	X                     *reviewsrv.Execution
	Exec                  reviewsrv.ExecStatus
	DocMissing            []string
	EnfKinds, ClosingWays []option
	Performance           []option
}

func (p *reviewPages) lifecyclePage(w http.ResponseWriter, r *http.Request) error {
	p.s.learnReviewRules(r.Context())
	return p.renderLifecycle(w, r, http.StatusOK, nil, nil)
}

func (p *reviewPages) renderLifecycle(w http.ResponseWriter, r *http.Request, status int, fail *reviewsrv.APIError, in map[string]string) error {
	row, err := p.s.caseFor(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	u := userOf(SessionOf(r))
	st, err := p.svc.StateFor(ctx, u, row.ID)
	if err != nil {
		return pageError(err)
	}
	if _, ok := officeProcedures[st.Case.Procedure]; ok {
		return p.renderOffice(w, r, status, row, st, fail, in)
	}
	l := &st.Life
	simple := st.ExecutesOnSpot()
	d := lifecycleData{Row: row, St: st, L: l, Error: fail, In: in, Handler: u.Can(reviewsrv.Handlers), Head: u.Can(reviewsrv.Heads),
		Penalty: st.Case.Procedure == "penalty", Decided: st.Decision != nil || simple, Simple: simple, Closed: l.NotRegistered || !st.Ended.IsZero(),
		Measures: penaltyOptions(), Methods: serviceOptions(), Closed2: sortedOptions(reviewsrv.ClosedHearing),
		Channels: sortedOptions(reviewsrv.Channels), Outcomes: sortedOptions(reviewsrv.ReviewOutcomes),
		Now: p.s.cfg.Now().In(chinaTime).Format("2006-01-02T15:04")}
	if d.In == nil {
		d.In = map[string]string{}
	}
	if l.Notice != nil {
		d.Intended = intendedLabel(l.Notice.Intended)
	}
	d.Rights = reviewsrv.RightsText(true)
	d.Stages = stagesOf(st, p.s.cfg.Now())
	cal, _, err := p.svc.Calendar(ctx)
	if err != nil {
		return err
	}
	d.X, d.Exec = &st.Exec, st.ExecAt(cal, p.s.cfg.Now())
	d.EnfKinds, d.ClosingWays, d.Performance = sortedOptions(reviewsrv.EnforcementKinds), closingOptions(), performanceOptions()
	if d.Penalty {
		var b strings.Builder
		if err := paper.RenderPenaltyDecision(&b, st.DecisionPaper(p.s.publicAgencyName(ctx))); err != nil {
			var e *enforce.Error
			if errors.As(err, &e) {
				for _, m := range e.Missing {
					d.DocMissing = append(d.DocMissing, m.Zh)
				}
			}
		}
	}
	d.Stages = append(d.Stages, execStages(st, d.Exec)...)
	items, err := p.svc.Deadlines(ctx, reviewsrv.Filter{Case: row.ID})
	if err != nil {
		return err
	}
	for _, it := range items {
		if it.Kind != deadline.Upload {
			d.Deadlines = append(d.Deadlines, it)
		}
	}
	open := d.Penalty && !d.Decided && !d.Closed
	registered := !l.RegisteredAt.IsZero()
	served := l.Served != nil
	d.Show = map[string]bool{
		reviewsrv.StepRegisterRequest: open && d.Handler && l.Request == nil,
		reviewsrv.StepRegister:        open && d.Head && l.Request != nil && l.Register == nil,
		reviewsrv.StepNotice:          open && d.Handler && registered && !st.Case.SceneClosed.IsZero() && !l.HearingOpen(),
		reviewsrv.StepNoticeServed:    open && d.Handler && l.Notice != nil && !served,
		reviewsrv.StepStatement:       open && d.Handler && served,
		reviewsrv.StepStatementReview: open && d.Handler && len(l.Unreviewed()) > 0,
		reviewsrv.StepWaiver:          open && d.Handler && served && l.Waiver == nil && l.HearingRequest == nil,
		reviewsrv.StepHearingRequest:  open && d.Handler && served && l.Notice.HearingRight && l.HearingRequest == nil && l.Waiver == nil,
		reviewsrv.StepHearingNotice:   open && d.Handler && l.HearingRequest != nil && l.HearingNotice == nil,
		reviewsrv.StepHearing:         open && d.Handler && l.HearingNotice != nil && l.Hearing == nil,
		reviewsrv.StepTermExtend:      open && d.Head && registered,
		reviewsrv.StepDecisionServed:  d.Penalty && d.Decided && d.Handler && l.DecisionServed == nil,
	}
	x, es, ended := &st.Exec, d.Exec, !st.Ended.IsZero()
	executing := (d.Penalty || simple) && d.Decided && !ended && d.Handler
	delivered := l.DecisionServed != nil || simple // an on-the-spot decision is delivered on the spot (行政处罚法 §52)
	d.Show[reviewsrv.StepDecisionDraft] = d.Penalty && !ended && d.Handler && registered && l.DecisionServed == nil
	d.Show[reviewsrv.StepRectifyOrder] = executing && x.Rectify == nil
	d.Show[reviewsrv.StepRectifyCheck] = executing && x.Rectify != nil && x.Corrected.IsZero()
	d.Show[reviewsrv.StepDeferralRequest] = executing && es.Fine && !es.PaidInFull && delivered && x.Deferral == nil && x.DeferralRequest == nil
	d.Show[reviewsrv.StepDeferral] = (d.Penalty || simple) && !ended && d.Head && x.DeferralRequest != nil
	d.Show[reviewsrv.StepPerformance] = executing && es.Fine && !es.PaidInFull
	d.Show[reviewsrv.StepLateFee] = executing && es.Fine && !es.PaidInFull && !es.PaymentDue.IsZero() && !p.s.cfg.Now().Before(es.PaymentDue)
	running := x.Suspension.Suspended == nil && x.Suspension.Terminated == nil && x.Suspension.Agreement == nil // 行政强制法 §39-40, §42
	d.Show[reviewsrv.StepReminder] = executing && len(es.Open) > 0 && x.Reminder == nil && delivered && running
	d.Show[reviewsrv.StepReply] = executing && x.Reminder != nil && len(es.Open) > 0
	d.Show[reviewsrv.StepEnforcement] = executing && x.Reminder != nil && x.Enforcement == nil && len(es.Open) > 0 && running
	suspensionShown(d.Show, &x.Suspension, (d.Penalty || simple) && d.Decided && !ended && d.Head, len(es.Open) > 0, penaltyHolds)
	for _, step := range []string{reviewsrv.StepExecAgreement, reviewsrv.StepExecBreach, reviewsrv.StepExecSuspend, reviewsrv.StepExecResume, reviewsrv.StepExecTerminate} {
		if d.Show[step] {
			f := officeFormDefs[step]
			f.Step = step
			d.SuspForms = append(d.SuspForms, f)
		}
	}
	d.Show[reviewsrv.StepClosingRequest] = (d.Penalty && registered || simple) && !ended && d.Handler && x.ClosingRequest == nil
	d.Show[reviewsrv.StepClosing] = (d.Penalty || simple) && !ended && d.Head && x.ClosingRequest != nil
	return p.s.renderStatus(w, r, status, "lifecycle", "办案流程 "+row.ID, d)
}

// serviceOptions lists the service methods, direct service first.
func serviceOptions() []option {
	var out []option
	for _, k := range []string{"direct", "lodged", "mail", "electronic", "entrusted", "announcement"} {
		out = append(out, option{Value: k, Label: reviewsrv.ServiceMethods[k]})
	}
	return out
}

func penaltyOptions() []option {
	var out []option
	for _, m := range review.PenaltyMeasures {
		out = append(out, option{Value: m, Label: review.Measures[m]})
	}
	return out
}

func intendedLabel(in reviewsrv.Intended) string {
	var parts []string
	for _, m := range in.Measures {
		switch m {
		case "fine":
			parts = append(parts, "罚款 "+strconv.FormatFloat(in.Fine, 'f', 2, 64)+" 元")
		case "confiscate":
			parts = append(parts, "没收违法所得、非法财物（价值 "+strconv.FormatFloat(in.Confiscated, 'f', 2, 64)+" 元）")
		default:
			parts = append(parts, review.Measures[m])
		}
	}
	return strings.Join(parts, "、")
}

func cstText(t time.Time) string { return t.In(chinaTime).Format("2006-01-02 15:04") }

// stagesOf is the case's progress through the general procedure.
func stagesOf(st *reviewsrv.State, now time.Time) []stage {
	l := &st.Life
	s := []stage{}
	add := func(id, name, article string, done bool, text string) {
		s = append(s, stage{ID: id, Name: name, Article: article, Done: done, Text: text})
	}
	switch {
	case l.NotRegistered:
		add("register", "立案审批", "003 §12-13", true, "不予立案："+l.Register.Opinion)
	case !l.RegisteredAt.IsZero():
		add("register", "立案审批", "行政处罚法 §54; 003 §12", true, "负责人 "+l.Register.By.Name+" 于 "+cstText(l.RegisteredAt)+" 批准立案")
	case l.Request != nil:
		add("register", "立案审批", "行政处罚法 §54; 003 §12", false, "承办人已申请，待负责人审批")
	default:
		add("register", "立案审批", "行政处罚法 §54; 003 §12", false, "待承办人申请立案")
	}
	switch {
	case l.Served != nil:
		add("notice", "事先告知", "行政处罚法 §44, §62", true, "告知书 "+l.Notice.Number+" 于 "+cstText(l.Served.ServedAt)+" 送达；陈述申辩、听证申请期限至 "+dueText(l.PeriodEnds))
	case l.Notice != nil:
		add("notice", "事先告知", "行政处罚法 §44, §62", false, "告知书 "+l.Notice.Number+" 已制作，待送达")
	default:
		add("notice", "事先告知", "行政处罚法 §44, §62", false, "尚未告知")
	}
	stmt := "当事人未陈述申辩"
	switch {
	case l.Waiver != nil:
		stmt = "当事人已于 " + l.Waiver.SignedOn + " 书面放弃陈述申辩和听证"
	case len(l.Statements) > 0:
		stmt = strconv.Itoa(len(l.Statements)) + " 次陈述申辩，" + strconv.Itoa(len(l.Reviews)) + " 次复核"
	}
	add("statement", "陈述申辩与复核", "行政处罚法 §45", l.Served != nil && len(l.Unreviewed()) == 0 && (l.Waiver != nil || len(l.Statements) > 0 || !l.PeriodEnds.IsZero() && !now.Before(l.PeriodEnds)), stmt)
	hearing := "不适用（拟作出的处罚不属于听证范围）"
	hdone := true
	if l.Notice != nil && l.Notice.HearingRight {
		switch {
		case l.Hearing != nil && l.Hearing.Attendance == "absent":
			hearing = "当事人未出席，视为放弃听证"
		case l.Hearing != nil:
			hearing = "已于 " + cstText(l.Hearing.HeldAt) + " 举行听证，主持人 " + l.HearingNotice.Officer
		case l.HearingNotice != nil:
			hearing, hdone = "定于 "+cstText(l.HearingNotice.HearingAt)+" 举行", false
		case l.HearingRequest != nil:
			hearing, hdone = "当事人已要求听证，待通知", false
		case l.Waiver != nil:
			hearing = "当事人书面放弃"
		default:
			hearing, hdone = "已告知听证权利", l.Served != nil && !now.Before(l.PeriodEnds)
		}
	} else if l.Notice == nil {
		hearing, hdone = "待事先告知", false
	}
	add("hearing", "听证", "行政处罚法 §63-65", hdone, hearing)
	review := "法制审核：" + reviewStateLabel(st.Review.State)
	add("review", "法制审核与集体讨论", "行政处罚法 §57-58; 000-review §14", st.Review.State == "agreed", review)
	if st.Decision != nil {
		add("decision", "作出决定", "行政处罚法 §59-62", true, st.Decision.Document.Number+"，批准人 "+st.Decision.Approver)
	} else {
		add("decision", "作出决定", "行政处罚法 §59-62", false, "期限至 "+orDash(l.TermDue))
	}
	if l.DecisionServed != nil {
		add("service", "决定书送达", "行政处罚法 §61", true, "于 "+cstText(l.DecisionServed.ServedAt)+" "+reviewsrv.ServiceMethods[l.DecisionServed.Method])
	} else {
		add("service", "决定书送达", "行政处罚法 §61", false, "决定后当事人不在场的，7 个工作日内送达")
	}
	return s
}

func orDash(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return dueText(t)
}

// lifeStep records one lifecycle step from its form.
func (p *reviewPages) lifeStep(w http.ResponseWriter, r *http.Request) error {
	step := r.PathValue("step")
	if !slices.Contains(reviewsrv.LifeSteps, step) {
		return errNotFound("办案环节")
	}
	if err := r.ParseMultipartForm(8 << 20); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		return errBad("表单无法读取。")
	}
	ctx := r.Context()
	u := userOf(SessionOf(r))
	id := r.PathValue("id")
	in := map[string]string{}
	for k, v := range r.PostForm {
		if k != "csrf" && len(v) > 0 {
			in[k] = v[0]
		}
	}
	v := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	req := reviewsrv.LifeRequest{Facts: v("facts"), HandlerOpinion: v("handler_opinion"), UnitOpinion: v("unit_opinion"), Complainant: v("complainant"),
		Contact: v("contact"), Channel: v("channel"), Content: v("content"), ReceivedOn: v("received_on"), Outcome: v("outcome"), Opinion: v("opinion"),
		NoticeDate: v("notice_date"), Number: v("number"), Reasons: v("reasons"), Basis: v("basis"), Measures: r.PostForm["measure"],
		OtherHeavy: v("other_heavy") == "yes", At: v("at"), Method: v("method"), Recipient: v("recipient"), Present: v("party_present") == "yes",
		Way: v("way"), HearingAt: v("hearing_at"), Place: v("place"), Officer: v("officer"), OfficerCert: v("officer_cert"), Recorder: v("recorder"),
		Closed: v("closed_reason"), PartySigned: v("party_signed"), Note: v("note"), NoAVReason: v("no_av_reason")}
	req.Fine, _ = strconv.ParseFloat(v("fine"), 64)
	req.Confiscated, _ = strconv.ParseFloat(v("confiscated_value"), 64)
	req.Days, _ = strconv.Atoi(v("days"))
	req.ExecRequest = reviewsrv.ExecRequest{PartyAddress: v("party_address"), PartyID: v("party_id"), Evidence: v("evidence"), PaymentPlace: v("payment_place"),
		PerformBy: v("perform_by"), ReconOrgan: v("reconsideration_organ"), Court: v("court"), Status: v("status"), Deadline: v("deadline"), Kind: v("kind"),
		Schedule: v("schedule")}
	req.OfficeRequest = reviewsrv.OfficeRequest{Objects: v("objects"), Institution: v("institution"), SourceCase: v("source_case"), Received: v("received"),
		Seizure: v("seizure")}
	if a := v("amount"); a != "" {
		amount, err := strconv.ParseFloat(a, 64)
		if err != nil || math.IsNaN(amount) || math.IsInf(amount, 0) || amount < 0 || amount > 1e12 {
			return p.lifeRefused(w, r, enforce.Errorf(enforce.EInvalid, "amount %q is not an amount of yuan", a), in)
		}
		req.Amount = amount
	}
	files, err := p.upload(ctx, u, id, multipartFiles(r, "file"))
	if err != nil {
		return p.lifeRefused(w, r, err, in)
	}
	if len(files) > 0 {
		req.File = files[0]
	}
	if req.AV, err = p.upload(ctx, u, id, multipartFiles(r, "av")); err != nil {
		return p.lifeRefused(w, r, err, in)
	}
	if _, err := p.svc.Life(ctx, u, id, step, req); err != nil {
		return p.lifeRefused(w, r, err, in)
	}
	done := lifeDone[step]
	if done == "" {
		done = officeFormDefs[step].Title + "已记录。"
	}
	return p.s.redirect(w, r, "/review/cases/"+id+"/lifecycle", done)
}

var lifeDone = map[string]string{
	reviewsrv.StepRegisterRequest: "立案申请已提交负责人审批。",
	reviewsrv.StepRegister:        "立案审批已记录。",
	reviewsrv.StepNotice:          "事先告知书已记录，请送达当事人。",
	reviewsrv.StepNoticeServed:    "事先告知书送达已记录：陈述申辩、听证申请期限开始计算（5 个工作日）。",
	reviewsrv.StepStatement:       "陈述申辩已记录，请复核。",
	reviewsrv.StepStatementReview: "复核意见已记录。",
	reviewsrv.StepWaiver:          "当事人书面放弃已记录。",
	reviewsrv.StepHearingRequest:  "听证要求已记录。",
	reviewsrv.StepHearingNotice:   "听证通知已记录。",
	reviewsrv.StepHearing:         "听证笔录已记录。",
	reviewsrv.StepTermExtend:      "已批准延长办案期限。",
	reviewsrv.StepDecisionServed:  "决定书送达已记录：当事人自收到之日起 15 日内缴纳罚款。",
	reviewsrv.StepDecisionDraft:   "决定书要素已记录。",
	reviewsrv.StepRectifyOrder:    "责令改正已记录，期限届满时核查。",
	reviewsrv.StepRectifyCheck:    "改正情况核查已记录。",
	reviewsrv.StepPerformance:     "履行情况已记录。",
	reviewsrv.StepLateFee:         "加处罚款已记录。",
	reviewsrv.StepReminder:        "催告书送达已记录：10 个工作日内当事人履行义务。",
	reviewsrv.StepReply:           "陈述申辩及复核已记录。",
	reviewsrv.StepEnforcement:     "强制执行已记录。",
	reviewsrv.StepClosingRequest:  "结案报告已提交负责人审批。",
	reviewsrv.StepClosing:         "结案审批已记录。",
	reviewsrv.StepDeferralRequest: "暂缓或分期缴纳申请已提交负责人审批。",
	reviewsrv.StepDeferral:        "暂缓或分期缴纳审批已记录：缴款期限按批准的日期计算。",
}

// lifeRefused shows the page again with the refusal and what was entered.
func (p *reviewPages) lifeRefused(w http.ResponseWriter, r *http.Request, err error, in map[string]string) error {
	status, body := reviewsrv.StatusOf(err)
	if status == http.StatusInternalServerError {
		return err
	}
	if status == http.StatusForbidden || status == http.StatusNotFound {
		return pageError(err)
	}
	return p.renderLifecycle(w, r, status, &body, in)
}

// attachLifecycle adds the decision document and the office state of the
// board rows (called from AttachReview).
func (p *reviewPages) attachLifecycle() {
	p.s.Handle(Route{Method: "GET", Path: "/review/cases/{id}/decision.pdf", Roles: reviewReaders, Handler: p.decisionPDF})
	p.s.Handle(Route{Method: "GET", Path: "/review/cases/{id}/office/{seq}/document.pdf", Roles: reviewReaders, Handler: p.officePDF})
	p.s.Handle(Route{Method: "GET", Path: "/review/retention", Roles: registerers, Handler: p.retentionPage})
	p.s.AddBoardHook(p.boardOffice)
}

// decisionPDF serves the 行政处罚决定书 of §59 made from the office chain
// (a draft for the approval before the decision); a document lacking an
// element is refused with the element named.
func (p *reviewPages) decisionPDF(w http.ResponseWriter, r *http.Request) error {
	row, err := p.s.caseFor(r)
	if err != nil {
		return err
	}
	pdf, err := p.svc.DecisionPDF(r.Context(), userOf(SessionOf(r)), row.ID, p.s.publicAgencyName(r.Context()))
	if err != nil {
		var e *enforce.Error
		if errors.As(err, &e) && len(e.Missing) > 0 {
			var names []string
			for _, m := range e.Missing {
				names = append(names, m.Zh)
			}
			return &Error{Status: http.StatusConflict, Msg: e.Zh() + "：" + strings.Join(names, "、")}
		}
		return pageError(err)
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="decision-`+row.ID+`.pdf"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(pdf)
	return err
}

// officePDF serves the document an office entry of a coercion, permit or
// inspection case stands for (解除决定书, 催告书, 许可决定书 …), printed
// from the server-signed entry.
func (p *reviewPages) officePDF(w http.ResponseWriter, r *http.Request) error {
	row, err := p.s.caseFor(r)
	if err != nil {
		return err
	}
	seq, err := strconv.ParseInt(r.PathValue("seq"), 10, 64)
	if err != nil {
		return errNotFound("文书")
	}
	pdf, err := p.svc.OfficePDF(r.Context(), userOf(SessionOf(r)), row.ID, seq, p.s.publicAgencyName(r.Context()))
	if err != nil {
		return pageError(err)
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `inline; filename="office-`+row.ID+`-`+strconv.FormatInt(seq, 10)+`.pdf"`)
	w.Header().Set("Cache-Control", "no-store")
	_, err = w.Write(pdf)
	return err
}

func closingOptions() []option {
	var out []option
	for _, k := range []string{"performed", "not_punished", "revoked", "transferred", "execution_terminated"} {
		out = append(out, option{Value: k, Label: reviewsrv.ClosingWays[k]})
	}
	return out
}

func performanceOptions() []option {
	var out []option
	for _, k := range []string{"paid", "partly", "not"} {
		out = append(out, option{Value: k, Label: reviewsrv.PerformanceStatus[k]})
	}
	return out
}

// execStages are the execution and closing rows of the case's progress.
func execStages(st *reviewsrv.State, es reviewsrv.ExecStatus) []stage {
	x := &st.Exec
	var out []stage
	if st.Decision != nil || st.ExecutesOnSpot() {
		text := "无需执行"
		switch {
		case len(es.Open) > 0 && x.Enforcement != nil:
			text = reviewsrv.EnforcementKinds[x.Enforcement.Kind]
		case len(es.Open) > 0 && x.Reminder != nil:
			text = "已催告，期限至 " + dueText(x.Reminder.PerformEnds)
		case len(es.Open) > 0:
			text = es.Open[0].Zh
		case es.Fine:
			text = "罚款已缴清"
		}
		out = append(out, stage{ID: "execution", Name: "执行", Article: "行政处罚法 §66-67, §72; 行政强制法 §35-37, §53", Done: len(es.Open) == 0, Text: text})
	}
	switch {
	case !st.Archived.IsZero():
		out = append(out, stage{ID: "closing", Name: "结案归档", Article: "000-record §28", Done: true, Text: "已于 " + cstText(st.Archived) + " 立卷归档"})
	case !st.Ended.IsZero():
		out = append(out, stage{ID: "closing", Name: "结案归档", Article: "000-record §28", Text: "已于 " + cstText(st.Ended) + " 结案，30 日内立卷归档"})
	case x.ClosingRequest != nil:
		out = append(out, stage{ID: "closing", Name: "结案归档", Article: "000-record §28, §34", Text: "结案报告待负责人审批"})
	default:
		out = append(out, stage{ID: "closing", Name: "结案归档", Article: "000-record §28, §34", Text: "未结案"})
	}
	return out
}

func init() {
	funcs["yuan"] = deadline.Yuan
	funcs["performanceStatus"] = func(k string) string { return reviewsrv.PerformanceStatus[k] }
	funcs["enforcementKind"] = func(k string) string { return reviewsrv.EnforcementKinds[k] }
	funcs["closingWay"] = func(k string) string { return reviewsrv.ClosingWays[k] }
	funcs["printable"] = reviewsrv.Printable
	funcs["deferralWay"] = func(k string) string { return reviewsrv.DeferralWays[k] }
	funcs["suspendGround"] = func(k string) string { return reviewsrv.SuspendGrounds[k] }
	funcs["terminateGround"] = func(k string) string { return reviewsrv.TerminateGrounds[k] }
	funcs["deferralPlan"] = func(f *reviewsrv.DeferralFields) string { return f.Plan.Label() }
	funcs["serviceMethod"] = func(k string) string { return reviewsrv.ServiceMethods[k] }
	funcs["reviewOutcome"] = func(k string) string { return reviewsrv.ReviewOutcomes[k] }
	funcs["closedReason"] = func(k string) string { return reviewsrv.ClosedHearing[k] }
	funcs["cstTime"] = cstText
	funcs["sourceLabel"] = sourceLabel
	funcs["channelLabel"] = func(k string) string { return reviewsrv.Channels[k] }
}
