package reviewsrv

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"lawtrace/shared/deadline"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
	"lawtrace/shared/review"
	"lawtrace/shared/workday"
)

// Execution of a general-procedure penalty (issue 10, SPEC C4, C6, D5;
// 行政处罚法 §28, §59, §66-67, §72-73; 行政强制法 §35-37, §53-54, §69;
// 003 §23-25; 000-record §24-27): the elements of the decision document
// the chain does not hold yet (§59), the party's performance checked and
// recorded with the payment voucher, 责令改正 and its check at the
// deadline, the written reminder (催告) with the party's statement, 加处罚款
// at 3 % of the fine a day capped at the fine — under approved instalments
// of each instalment's unpaid part, capped at the instalment
// (shared/deadline.LateFeeAt and Schedule.LateFeeAt, the one place it is
// computed), and the coercive execution decision or the
// application to the people's court. Each is a server-signed office entry
// checked inside the write transaction; a refusal cites its article.
// Closing (结案) is in closing.go.
const (
	StepDecisionDraft = "decision_draft"     // the §59 elements of the decision document
	StepRectifyOrder  = "rectify_order"      // 责令改正 with its deadline (行政处罚法 §28)
	StepRectifyCheck  = "rectify_recheck"    // the correction checked at its deadline (003 §23 ¶2)
	StepPerformance   = "performance"        // the party's performance checked (003 §23, 000-record §24)
	StepLateFee       = "late_fee"           // 加处罚款 computed and recorded (行政处罚法 §72(1))
	StepReminder      = "execution_reminder" // 催告书 served (行政强制法 §35, 000-record §25)
	StepReply         = "execution_reply"    // the party's statement on the reminder and its review (行政强制法 §36)
	StepEnforcement   = "enforcement"        // coercive execution decision or application to the court (§37, §53-54)
)

// ExecSteps are the execution and closing steps, recorded through Life.
var ExecSteps = []string{StepDecisionDraft, StepRectifyOrder, StepRectifyCheck, StepDeferralRequest, StepDeferral, StepPerformance, StepLateFee, StepReminder, StepReply,
	StepExecSuspend, StepExecResume, StepExecTerminate, StepExecAgreement, StepExecBreach, StepEnforcement, StepClosingRequest, StepClosing}

// PerformanceStatus are the results of a performance check.
var PerformanceStatus = map[string]string{"paid": "已全部履行（缴清罚款及加处罚款）", "partly": "部分履行", "not": "未履行"}

// EnforcementKinds are the two routes of 行政强制法 after a reminder.
var EnforcementKinds = map[string]string{
	"coercive_decision": "行政强制执行决定（本机关依法具有强制执行权）",
	"court_application": "申请人民法院强制执行",
}

// ExecRequest carries the execution forms' fields (part of LifeRequest).
type ExecRequest struct {
	// decision_draft
	PartyAddress string `json:"party_address,omitempty"`
	PartyID      string `json:"party_id,omitempty"`
	Evidence     string `json:"evidence,omitempty"` // one item a line
	PaymentPlace string `json:"payment_place,omitempty"`
	PerformBy    string `json:"perform_by,omitempty"`
	ReconOrgan   string `json:"reconsideration_organ,omitempty"`
	Court        string `json:"court,omitempty"` // also the court applied to
	// performance: Status paid | partly | not; Amount paid with this check
	Status string  `json:"status,omitempty"`
	Amount float64 `json:"amount,omitempty"`
	// rectify_order: the last day of the correction (YYYY-MM-DD)
	Deadline string `json:"deadline,omitempty"`
	// enforcement: coercive_decision | court_application; closing_request: the way the case ends;
	// payment_deferral_request: deferral | instalments
	Kind string `json:"kind,omitempty"`
	// payment_deferral: the instalments, one a line "YYYY-MM-DD amount" (the deferral's date is Deadline)
	Schedule string `json:"schedule,omitempty"`
}

// ---- payloads ----

// DraftFields are the elements of the decision document that the proposal,
// the notice and the decision do not hold (行政处罚法 §59): the party's
// address (as recorded: the document goes to the party, it is not public),
// the evidence, where and by when to perform, the remedy organs.
type DraftFields struct {
	By           Actor    `json:"by"`
	PartyAddress string   `json:"party_address"`
	PartyID      string   `json:"party_id,omitempty"`
	Evidence     []string `json:"evidence"`
	PaymentPlace string   `json:"payment_place,omitempty"`
	PerformBy    string   `json:"perform_by,omitempty"`
	ReconOrgan   string   `json:"reconsideration_organ"`
	Court        string   `json:"court"`
}

// RectifyOrderFields is a 责令改正 with its deadline.
type RectifyOrderFields struct {
	By      Actor  `json:"by"`
	Number  string `json:"number,omitempty"`
	Content string `json:"content"`
	LastDay string `json:"last_day"`
	File    string `json:"file,omitempty"`
}

// RectifyCheckFields is the check of the correction (改正情况核查).
type RectifyCheckFields struct {
	By        Actor     `json:"by"`
	CheckedAt time.Time `json:"checked_at"`
	Result    string    `json:"result"` // corrected | not_corrected
	Record    string    `json:"record"` // the check record (file)
	Note      string    `json:"note,omitempty"`
}

// PerformanceFields is one check of the party's performance.
type PerformanceFields struct {
	By          Actor                  `json:"by"`
	CheckedAt   time.Time              `json:"checked_at"`
	Status      string                 `json:"status"`
	AmountCents int64                  `json:"amount_cents"` // paid with this record
	PaidCents   int64                  `json:"paid_cents"`   // paid in all
	FineCents   int64                  `json:"fine_cents"`
	LateFee     deadline.LateFeeAmount `json:"late_fee"`
	OwedCents   int64                  `json:"owed_cents"` // fine + late fee − paid, at the check
	Voucher     string                 `json:"voucher,omitempty"`
	Note        string                 `json:"note,omitempty"`
}

// LateFeeFields records 加处罚款 as computed at a day (行政处罚法 §72(1)).
type LateFeeFields struct {
	By         Actor                  `json:"by"`
	AsOf       time.Time              `json:"as_of"`
	PaymentDue time.Time              `json:"payment_due"`
	FineCents  int64                  `json:"fine_cents"`
	Amount     deadline.LateFeeAmount `json:"late_fee"`
	Note       string                 `json:"note,omitempty"`
}

// ReminderFields is the written reminder (催告书, 行政强制法 §35) and its
// service: the period and way to perform, the amount, the right to state
// and defend.
type ReminderFields struct {
	By           Actor                  `json:"by"`
	Number       string                 `json:"number"`
	ServedAt     time.Time              `json:"served_at"`
	Method       string                 `json:"method"`
	Recipient    string                 `json:"recipient"`
	File         string                 `json:"file"`
	FineCents    int64                  `json:"fine_cents"`
	PaidCents    int64                  `json:"paid_cents"`
	LateFee      deadline.LateFeeAmount `json:"late_fee"`
	OwedCents    int64                  `json:"owed_cents"`
	PerformEnds  time.Time              `json:"perform_ends"` // 10 working days after service (§54, §69)
	PaymentPlace string                 `json:"payment_place,omitempty"`
	Rights       string                 `json:"rights"`
}

// ReplyFields is the party's statement on the reminder and the agency's
// review of it (行政强制法 §36).
type ReplyFields struct {
	By         Actor     `json:"by"`
	ReceivedAt time.Time `json:"received_at"`
	Way        string    `json:"way"`
	Content    string    `json:"content"`
	Outcome    string    `json:"outcome"`
	Reasons    string    `json:"reasons"`
}

// EnforcementFields is the coercive execution decision (行政强制法 §37) or
// the application to the people's court (§53-55).
type EnforcementFields struct {
	By         Actor     `json:"by"`
	Kind       string    `json:"kind"`
	Number     string    `json:"number"`
	At         time.Time `json:"at"`
	Basis      string    `json:"basis,omitempty"` // the law giving the agency the power (§13), or the application's grounds
	Way        string    `json:"way,omitempty"`   // the way and time of execution (§37(2)(三))
	Court      string    `json:"court,omitempty"` // the court applied to
	File       string    `json:"file"`            // the decision or the application
	OwedCents  int64     `json:"owed_cents"`      // what the party owed
	RemedyEnds time.Time `json:"remedy_ends,omitzero"`
	Due        time.Time `json:"due,omitzero"`
}

// Execution is the execution and closing replayed from the office chain.
type Execution struct {
	Draft         *DraftFields               `json:"draft,omitempty"`
	Rectify       *RectifyOrderFields        `json:"rectify_order,omitempty"`
	RectifyChecks []Seqd[RectifyCheckFields] `json:"rectify_checks"`
	Corrected     time.Time                  `json:"corrected,omitzero"`
	Checks        []Seqd[PerformanceFields]  `json:"performance"`
	PaidCents     int64                      `json:"paid_cents"`
	Paid          time.Time                  `json:"paid,omitzero"` // paid in full
	LateFees      []Seqd[LateFeeFields]      `json:"late_fees"`
	Reminder      *ReminderFields            `json:"reminder,omitempty"`
	Replies       []Seqd[ReplyFields]        `json:"replies"`
	Enforcement   *EnforcementFields         `json:"enforcement,omitempty"`
	// DeferralRequest waits for the head; Deferral is the approved
	// deferral or instalments (行政处罚法 §66 ¶2, deferral.go).
	DeferralRequest *DeferralFields       `json:"deferral_request,omitempty"`
	Deferral        *DeferralFields       `json:"deferral,omitempty"`
	ClosingRequest  *ClosingRequestFields `json:"closing_request,omitempty"`
	Closing         *ClosingFields        `json:"closing,omitempty"`
	RequestSeq      int64                 `json:"closing_request_seq,omitempty"`
	Returned        []Seqd[ClosingFields] `json:"closing_returned"`
	// Suspension is the 中止、恢复、终结 of the execution (行政强制法
	// §39-§40, suspension.go).
	Suspension Suspension `json:"suspension"`
}

func foldExec(st *State, e ledger.Entry, d decoded, step *Step) (bool, error) {
	x := &st.Exec
	un := func(v any) error { return json.Unmarshal(d.fields, v) }
	switch e.Step {
	case StepDecisionDraft:
		var f DraftFields
		if err := un(&f); err != nil {
			return true, err
		}
		x.Draft = &f
		step.By, step.Summary = f.By, fmt.Sprintf("决定书要素：当事人住所 %s；证据 %d 项；复议机关 %s；管辖法院 %s", f.PartyAddress, len(f.Evidence), f.ReconOrgan, f.Court)
	case StepRectifyOrder:
		var f RectifyOrderFields
		if err := un(&f); err != nil {
			return true, err
		}
		x.Rectify, x.Corrected = &f, time.Time{}
		step.By, step.Summary = f.By, "责令改正："+f.Content+"，期限至 "+f.LastDay
	case StepRectifyCheck:
		var f RectifyCheckFields
		if err := un(&f); err != nil {
			return true, err
		}
		x.RectifyChecks = append(x.RectifyChecks, Seqd[RectifyCheckFields]{e.Seq, f})
		res := "未改正"
		if f.Result == "corrected" {
			x.Corrected, res = f.CheckedAt, "已改正"
		}
		step.By, step.Summary = f.By, "改正情况核查（"+f.CheckedAt.In(cst).Format("2006-01-02")+"）："+res+reasonsSuffix(f.Note)
	case StepPerformance:
		var f PerformanceFields
		if err := un(&f); err != nil {
			return true, err
		}
		x.Checks = append(x.Checks, Seqd[PerformanceFields]{e.Seq, f})
		x.PaidCents = f.PaidCents
		if f.Status == "paid" && x.Paid.IsZero() {
			x.Paid = f.CheckedAt
		}
		s := "履行情况检查：" + PerformanceStatus[f.Status]
		if f.AmountCents > 0 {
			s += "，本次缴纳 " + deadline.Yuan(f.AmountCents) + " 元"
		}
		if f.LateFee.Cents > 0 {
			s += fmt.Sprintf("，加处罚款 %s 元（%d 日）", deadline.Yuan(f.LateFee.Cents), f.LateFee.Days)
		}
		step.By, step.Summary = f.By, s+"，累计 "+deadline.Yuan(f.PaidCents)+" 元"
	case StepLateFee:
		var f LateFeeFields
		if err := un(&f); err != nil {
			return true, err
		}
		x.LateFees = append(x.LateFees, Seqd[LateFeeFields]{e.Seq, f})
		step.By, step.Summary = f.By, lateFeeText(f.FineCents, f.Amount, f.AsOf)
	case StepReminder:
		var f ReminderFields
		if err := un(&f); err != nil {
			return true, err
		}
		x.Reminder = &f
		step.By, step.Summary = f.By, fmt.Sprintf("催告书 %s 已送达（%s，%s）：应于 %s 前履行 %s 元", f.Number, ServiceMethods[f.Method],
			f.ServedAt.In(cst).Format("2006-01-02 15:04"), dayText(f.PerformEnds), deadline.Yuan(f.OwedCents))
	case StepReply:
		var f ReplyFields
		if err := un(&f); err != nil {
			return true, err
		}
		x.Replies = append(x.Replies, Seqd[ReplyFields]{e.Seq, f})
		step.By, step.Summary = f.By, "当事人对催告陈述申辩："+f.Content+"；复核："+ReviewOutcomes[f.Outcome]+reasonsSuffix(f.Reasons)
	case StepEnforcement:
		var f EnforcementFields
		if err := un(&f); err != nil {
			return true, err
		}
		x.Enforcement = &f
		s := "作出行政强制执行决定 " + f.Number
		if f.Kind == "court_application" {
			s = "向 " + f.Court + " 申请强制执行（" + f.Number + "）"
		}
		step.By, step.Summary = f.By, s+"，未履行金额 "+deadline.Yuan(f.OwedCents)+" 元"
	case StepExecSuspend, StepExecResume, StepExecTerminate, StepExecAgreement, StepExecBreach:
		var f OfficeFields
		if err := un(&f); err != nil {
			return true, err
		}
		step.By, step.Summary = f.By, x.Suspension.apply(e.Step, Seqd[OfficeFields]{e.Seq, f})
	default:
		if ok, err := foldDeferral(st, e, d, step); ok {
			return true, err
		}
		return foldClosing(st, e, d, step)
	}
	return true, nil
}

// dayText is the last day of a period that runs out at due ("… 24:00").
func dayText(due time.Time) string {
	return due.In(cst).Add(-time.Nanosecond).Format("2006-01-02") + " 24:00"
}

func lateFeeText(fine int64, lf deadline.LateFeeAmount, asOf time.Time) string {
	s := fmt.Sprintf("加处罚款：罚款 %s 元 × 3%% × %d 日 = %s 元（计至 %s）", deadline.Yuan(fine), lf.Days, deadline.Yuan(lf.Cents), asOf.In(cst).Format("2006-01-02"))
	if lf.Capped {
		s = fmt.Sprintf("加处罚款 %s 元（已达罚款数额，不得超出，计至 %s）", deadline.Yuan(lf.Cents), asOf.In(cst).Format("2006-01-02"))
	}
	return s
}

// ExecStatus is where the execution stands at a moment.
type ExecStatus struct {
	Fine        bool                   `json:"fine"`
	FineCents   int64                  `json:"fine_cents"`
	PaidCents   int64                  `json:"paid_cents"`
	Served      time.Time              `json:"served,omitzero"`      // the decision served
	PaymentDue  time.Time              `json:"payment_due,omitzero"` // end of the 15 days (§67)
	LateFee     deadline.LateFeeAmount `json:"late_fee"`
	OwedCents   int64                  `json:"owed_cents"`
	PaidInFull  bool                   `json:"paid_in_full"`
	RemedyEnds  time.Time              `json:"remedy_ends,omitzero"`
	CourtDue    time.Time              `json:"court_due,omitzero"`
	ReminderDue time.Time              `json:"reminder_due,omitzero"`
	// Open names what keeps the execution open (empty: settled or nothing to execute).
	Open []enforce.Item `json:"open"`
}

// fineCents is the fine of the decision, 0 when none.
func (st *State) fineCents() int64 {
	if st.Decision == nil && st.OnSpot != nil {
		return st.OnSpot.FineCents
	}
	if st.Decision == nil || !slices.Contains(st.Decision.Proposal.Measures, "fine") {
		return 0
	}
	return deadline.Cents(st.Decision.Proposal.Fine)
}

// ExecAt computes the execution's standing at now: the payment period
// from the service of the decision (§67), the late fee accrued (§72(1),
// shared/deadline), what is owed, and what keeps the execution open.
func (st *State) ExecAt(cal *workday.Calendar, now time.Time) ExecStatus {
	x := &st.Exec
	es := ExecStatus{FineCents: st.fineCents(), PaidCents: x.PaidCents, PaidInFull: !x.Paid.IsZero()}
	es.Fine = es.FineCents > 0
	if o := st.OnSpot; o != nil && st.Decision == nil {
		es.Served = o.At // delivered on the spot (行政处罚法 §52)
		es.PaymentDue = x.paymentDue(es.Served)
		es.RemedyEnds, es.CourtDue = deadline.RemedyEnds(es.Served), deadline.CourtApplicationDue(es.Served)
		if o.Collected {
			es.PaidInFull, es.PaidCents = true, es.FineCents // collected on the spot (§68)
		}
	}
	if sv := st.Life.DecisionServed; sv != nil {
		es.Served = sv.ServedAt.In(cst)
		es.PaymentDue = x.paymentDue(es.Served)
		es.RemedyEnds, es.CourtDue = deadline.RemedyEnds(es.Served), deadline.CourtApplicationDue(es.Served)
	}
	if x.Reminder != nil {
		es.ReminderDue = x.Reminder.PerformEnds
	}
	at := now
	if es.PaidInFull {
		at = x.Paid
	}
	if es.Fine && !es.PaymentDue.IsZero() {
		es.LateFee = x.lateFee(es, at)
	}
	if es.Fine && !es.PaidInFull {
		es.OwedCents = max(es.FineCents+es.LateFee.Cents-es.PaidCents, 0)
		es.Open = append(es.Open, item(StepPerformance, fmt.Sprintf("罚款未缴清（尚欠 %s 元）", deadline.Yuan(es.OwedCents)), "行政处罚法 §66-67, §72"))
	}
	if x.Rectify != nil && x.Corrected.IsZero() {
		es.Open = append(es.Open, item(StepRectifyCheck, "责令改正尚未核查确认已改正", "003 §23; 000-record §24"))
	}
	return es
}

func cents(yuan float64) (int64, bool) {
	c := deadline.Cents(yuan)
	return c, yuan >= 0 && c >= 0 && float64(c) <= yuan*100+0.5
}

// exec records an execution or closing step (from Life).
func (s *Service) exec(ctx context.Context, u User, caseID, step string, req LifeRequest) (*State, error) {
	roles := Handlers
	if step == StepClosing || step == StepDeferral || suspensionKind(step) != "" {
		roles = Heads
	}
	if err := allow(u, roles, "recording "+step); err != nil {
		return nil, err
	}
	files, cal, scene, err := s.stepInputs(ctx, caseID, step, req)
	if err != nil {
		return nil, err
	}
	return s.act(ctx, u, caseID, step, func(st *State, _ *review.Catalog, now time.Time) (built, error) {
		if st.Case.Procedure == "penalty-simple" {
			st.OnSpot = onSpotOf(scene)
		}
		if !st.joinsExecution(step) && st.Case.Procedure == "penalty-simple" {
			return built{}, lifeRefused(step, "行政处罚法 §52, §68", "the on-the-spot decision leaves no fine to execute in the office (a warning, or collected on the spot)",
				"当场处罚决定没有需要执行的罚款（警告，或罚款已当场收缴）")
		}
		if !st.joinsExecution(step) {
			return built{}, &enforce.Error{Code: enforce.ERefused, Step: step, Article: "行政处罚法 §54",
				Message: fmt.Sprintf("case %s is a %s case; these steps are those of the general procedure of a penalty", caseID, st.Case.Procedure), MessageZh: "本案不是适用普通程序的行政处罚案件"}
		}
		if !st.Ended.IsZero() {
			return built{}, &enforce.Error{Code: enforce.EConflict, Step: step, Message: "the case was closed at " + st.Ended.Format("2006-01-02 15:04"), MessageZh: "本案已结案"}
		}
		var f any
		var err error
		if step == StepClosingRequest || step == StepClosing {
			f, err = closingBuild(st, u, step, req, now, cal)
		} else {
			f, err = execBuild(st, u, step, req, now, cal)
		}
		if err != nil {
			return built{}, err
		}
		return built{fields: f, files: files}, nil
	})
}

// execBuild checks one execution step against the law and returns its payload.
func execBuild(st *State, u User, step string, req LifeRequest, now time.Time, cal *workday.Calendar) (any, error) {
	x := &st.Exec
	by := actorOf(u)
	t := strings.TrimSpace
	if step == StepDecisionDraft {
		// The elements of §59 the chain lacks: before the decision is
		// served (the document served is the one recorded).
		if st.Life.RegisteredAt.IsZero() {
			return nil, lifeRefused(step, "行政处罚法 §54; 003 §12", "the case is not registered (立案)", "本案尚未经负责人批准立案", item(StepRegister, "立案审批", "行政处罚法 §54"))
		}
		if st.Life.DecisionServed != nil {
			return nil, lifeRefused(step, "行政处罚法 §61", "the decision was served: the document served cannot change", "决定书已送达，不得更改")
		}
		f := DraftFields{By: by, PartyAddress: t(req.PartyAddress), PartyID: t(req.PartyID), PaymentPlace: t(req.PaymentPlace), PerformBy: t(req.PerformBy),
			ReconOrgan: t(req.ReconOrgan), Court: t(req.Court)}
		for _, line := range strings.Split(req.Evidence, "\n") {
			if line = t(line); line != "" {
				f.Evidence = append(f.Evidence, line)
			}
		}
		var miss []enforce.Item
		if f.PartyAddress == "" {
			miss = append(miss, item("party_address", "当事人的住所（地址）", "行政处罚法 §59(1)"))
		}
		if len(f.Evidence) == 0 {
			miss = append(miss, item("evidence", "认定违法事实的证据", "行政处罚法 §59(2)"))
		}
		p := st.Proposal
		if st.Decision != nil {
			p = &st.Decision.Proposal
		}
		if p != nil && slices.Contains(p.Measures, "fine") && f.PaymentPlace == "" {
			miss = append(miss, item("payment_place", "罚款缴纳的银行或电子支付方式", "行政处罚法 §59(4), §67"))
		}
		if f.ReconOrgan == "" {
			miss = append(miss, item("reconsideration_organ", "申请行政复议的机关", "行政处罚法 §59(5); 行政复议法 §20"))
		}
		if f.Court == "" {
			miss = append(miss, item("court", "提起行政诉讼的人民法院", "行政处罚法 §59(5); 行政诉讼法 §46"))
		}
		if len(miss) > 0 {
			return nil, lifeRefused(step, "行政处罚法 §59", "the decision document lacks elements §59 requires", "行政处罚决定书缺少第五十九条规定的事项", miss...)
		}
		return f, nil
	}

	// Every other execution step follows the decision (§66).
	if st.Decision == nil && !st.ExecutesOnSpot() {
		return nil, lifeRefused(step, "行政处罚法 §66", "there is no decision to execute", "尚未作出行政处罚决定，无可执行的决定", item(StepDecision, "行政处罚决定", "行政处罚法 §59"))
	}
	es := st.ExecAt(cal, now)
	switch step {
	case StepDeferralRequest, StepDeferral:
		return deferralBuild(st, by, step, req, now, es)
	case StepExecSuspend, StepExecResume, StepExecTerminate, StepExecAgreement, StepExecBreach:
		return suspensionBuild(&x.Suspension, OfficeFields{By: by}, step, req, now, es.Open)
	case StepReminder, StepEnforcement:
		if err := x.Suspension.gate(step); err != nil {
			return nil, err
		}
	}
	switch step {
	case StepRectifyOrder:
		last, err := time.ParseInLocation(time.DateOnly, t(req.Deadline), cst)
		var miss []enforce.Item
		if blank(req.Content) {
			miss = append(miss, item("content", "责令改正的内容", "行政处罚法 §28"))
		}
		if err != nil {
			miss = append(miss, item("deadline", "改正期限（YYYY-MM-DD）", "行政处罚法 §28"))
		}
		if len(miss) > 0 {
			return nil, lifeRefused(step, "行政处罚法 §28", "a 责令改正 states what to correct and by when", "责令改正须写明改正内容和期限", miss...)
		}
		if last.Before(time.Date(now.In(cst).Year(), now.In(cst).Month(), now.In(cst).Day(), 0, 0, 0, 0, cst)) {
			return nil, lifeRefused(step, "行政处罚法 §28", "the correction deadline is in the past", "改正期限不能早于今天", item("deadline", "改正期限", "行政处罚法 §28"))
		}
		return RectifyOrderFields{By: by, Number: t(req.Number), Content: t(req.Content), LastDay: last.Format(time.DateOnly), File: req.File}, nil

	case StepRectifyCheck:
		if x.Rectify == nil {
			return nil, lifeRefused(step, "003 §23; 000-record §24", "no 责令改正 to check", "未责令改正，无需核查", item(StepRectifyOrder, "责令改正", "行政处罚法 §28"))
		}
		at, err := parseAt(req.At, now, "核查时间")
		if err != nil {
			return nil, err
		}
		var miss []enforce.Item
		if req.Outcome != "corrected" && req.Outcome != "not_corrected" {
			miss = append(miss, item("outcome", "核查结论（已改正 / 未改正）", "003 §23"))
		}
		if req.File == "" {
			miss = append(miss, item("file", "核查记录", "003 §23; 000-record §24"))
		}
		if len(miss) > 0 {
			return nil, lifeRefused(step, "003 §23; 000-record §24", "the check is recorded with its result", "改正情况核查须制作记录并写明结论", miss...)
		}
		last, _ := time.ParseInLocation(time.DateOnly, x.Rectify.LastDay, cst)
		if req.Outcome == "not_corrected" && at.Before(last.AddDate(0, 0, 1)) {
			return nil, lifeRefused(step, "003 §23; 行政处罚法 §28",
				"the party has until the end of "+x.Rectify.LastDay+" to correct: 'not corrected' is found at the deadline",
				"改正期限至 "+x.Rectify.LastDay+" 届满，期限届满前不得认定未改正，应按期核查", item("at", "改正期限届满后的核查时间", "003 §23"))
		}
		return RectifyCheckFields{By: by, CheckedAt: at, Result: req.Outcome, Record: req.File, Note: t(req.Note)}, nil

	case StepPerformance:
		if !es.Fine {
			return nil, lifeRefused(step, "行政处罚法 §66-67", "the decision imposes no fine: performance of a 责令改正 is its check", "本决定无罚款，改正情况以核查记录", item(StepRectifyCheck, "改正情况核查", "003 §23"))
		}
		if es.PaidInFull {
			return nil, &enforce.Error{Code: enforce.EConflict, Step: step, Message: "the fine was paid in full", MessageZh: "罚款已缴清"}
		}
		at, err := parseAt(req.At, now, "检查时间")
		if err != nil {
			return nil, err
		}
		amount, ok := cents(req.Amount)
		if !ok {
			return nil, enforce.Errorf(enforce.EInvalid, "amount %v is not an amount of yuan", req.Amount)
		}
		f := PerformanceFields{By: by, CheckedAt: at, Status: req.Status, AmountCents: amount, PaidCents: x.PaidCents + amount, FineCents: es.FineCents,
			Voucher: req.File, Note: t(req.Note)}
		if !es.PaymentDue.IsZero() {
			f.LateFee = x.lateFee(es, at)
		}
		owed := es.FineCents + f.LateFee.Cents
		f.OwedCents = max(owed-f.PaidCents, 0)
		switch req.Status {
		case "paid", "partly":
			if amount <= 0 || req.File == "" {
				return nil, lifeRefused(step, "003 §23; 000-record §24; 行政处罚法 §67", "a payment is recorded with its amount and the voucher",
					"缴款须记录金额并附缴款凭证", item("amount", "本次缴纳金额", "行政处罚法 §67"), item("file", "缴款凭证（银行回单、电子缴款凭证）", "000-record §24"))
			}
			if req.Status == "paid" && f.PaidCents < owed {
				return nil, lifeRefused(step, "行政处罚法 §72(1), §67",
					fmt.Sprintf("paid %s yuan in all; the fine and the late fee at %s come to %s yuan", deadline.Yuan(f.PaidCents), at.Format("2006-01-02"), deadline.Yuan(owed)),
					fmt.Sprintf("累计缴纳 %s 元，不足罚款 %s 元与加处罚款 %s 元之和 %s 元，应记为部分履行", deadline.Yuan(f.PaidCents), deadline.Yuan(es.FineCents), deadline.Yuan(f.LateFee.Cents), deadline.Yuan(owed)),
					item("status", "部分履行", "行政处罚法 §72(1)"))
			}
			if req.Status == "partly" && f.PaidCents >= owed {
				f.Status = "paid"
			}
		case "not":
			if es.Served.IsZero() {
				return nil, lifeRefused(step, "行政处罚法 §61, §67", "the decision was not served: the 15 days to pay have not started",
					"决定书尚未送达，当事人缴纳罚款的十五日期限尚未起算", item(StepDecisionServed, "决定书送达", "行政处罚法 §61"))
			}
			if at.Before(es.PaymentDue) {
				return nil, lifeRefused(step, "行政处罚法 §67, §85",
					"the party has until "+dayText(es.PaymentDue)+" to pay: non-performance is found after the period",
					"当事人应当自收到决定书之日起十五日内缴纳罚款，期限至 "+dayText(es.PaymentDue)+"，期限届满前不得认定未履行",
					item("at", "缴款期限届满后的检查时间", "行政处罚法 §67"))
			}
			if amount != 0 {
				return nil, enforce.Errorf(enforce.EInvalid, "nothing is paid when the party did not perform")
			}
		default:
			return nil, lifeRefused(step, "003 §23", "the check records paid, partly or not", "须记录履行情况（已全部履行、部分履行、未履行）",
				item("status", "履行情况", "003 §23"))
		}
		return f, nil

	case StepLateFee:
		if !es.Fine {
			return nil, lifeRefused(step, "行政处罚法 §72(1)", "加处罚款 is for a fine not paid", "本决定无罚款，不适用加处罚款")
		}
		if es.PaidInFull {
			return nil, &enforce.Error{Code: enforce.EConflict, Step: step, Message: "the fine was paid in full", MessageZh: "罚款已缴清"}
		}
		if es.Served.IsZero() {
			return nil, lifeRefused(step, "行政处罚法 §61, §67", "the decision was not served: the payment period has not started",
				"决定书尚未送达，缴款期限尚未起算", item(StepDecisionServed, "决定书送达", "行政处罚法 §61"))
		}
		at, err := parseAt(req.At, now, "计算日期")
		if err != nil {
			return nil, err
		}
		if at.Before(es.PaymentDue) {
			return nil, lifeRefused(step, "行政处罚法 §72(1), §67",
				"the fine is not overdue: 加处罚款 runs from the day after "+es.PaymentDue.Add(-time.Nanosecond).Format("2006-01-02"),
				"到期不缴纳罚款的方可加处罚款：缴款期限至 "+dayText(es.PaymentDue)+"，自次日起每日加处罚款数额的百分之三",
				item("at", "缴款期限届满后的日期", "行政处罚法 §72(1)"))
		}
		return LateFeeFields{By: by, AsOf: at, PaymentDue: es.PaymentDue, FineCents: es.FineCents, Amount: x.lateFee(es, at), Note: t(req.Note)}, nil

	case StepReminder:
		if x.Reminder != nil {
			return nil, &enforce.Error{Code: enforce.EConflict, Step: step, Message: "the reminder was served", MessageZh: "催告书已送达"}
		}
		if len(es.Open) == 0 {
			return nil, lifeRefused(step, "行政强制法 §35", "the decision was performed: there is nothing to remind of", "当事人已履行决定，无需催告")
		}
		if es.Served.IsZero() {
			return nil, lifeRefused(step, "行政强制法 §34-35; 行政处罚法 §61", "the decision was not served", "决定书尚未送达当事人",
				item(StepDecisionServed, "决定书送达", "行政处罚法 §61"))
		}
		at, err := parseAt(req.At, now, "送达时间")
		if err != nil {
			return nil, err
		}
		if es.Fine && at.Before(es.PaymentDue) {
			return nil, lifeRefused(step, "行政强制法 §34-35; 行政处罚法 §67",
				"the party is reminded after failing to pay in the period, which runs until "+dayText(es.PaymentDue),
				"当事人在决定的期限内（至 "+dayText(es.PaymentDue)+"）不履行的，方可催告", item("at", "缴款期限届满后的催告", "行政强制法 §35"))
		}
		var miss []enforce.Item
		if blank(req.Number) {
			miss = append(miss, item("number", "催告书文号", "行政强制法 §35"))
		}
		if req.File == "" {
			miss = append(miss, item("file", "书面催告书", "行政强制法 §35; 000-record §25"))
		}
		if len(miss) > 0 {
			return nil, lifeRefused(step, "行政强制法 §35; 000-record §25", "the reminder is in writing", "催告应当以书面形式作出", miss...)
		}
		f := ReminderFields{By: by, Number: t(req.Number), ServedAt: at, Method: req.Method, Recipient: t(req.Recipient), File: req.File,
			FineCents: es.FineCents, PaidCents: es.PaidCents, Rights: "当事人收到催告书后有权进行陈述和申辩（《中华人民共和国行政强制法》第三十五条第（四）项、第三十六条）。"}
		if _, err := service(by, "催告书 "+f.Number, at, req, step); err != nil {
			return nil, err
		}
		if es.Fine {
			f.LateFee = x.lateFee(es, at)
			f.OwedCents = max(es.FineCents+f.LateFee.Cents-es.PaidCents, 0)
		}
		if x.Draft != nil {
			f.PaymentPlace = x.Draft.PaymentPlace
		}
		f.PerformEnds, _ = deadline.ReminderEnds(cal, at)
		return f, nil

	case StepReply:
		if x.Reminder == nil {
			return nil, lifeRefused(step, "行政强制法 §36", "no reminder was served", "尚未催告", item(StepReminder, "催告书", "行政强制法 §35"))
		}
		at, err := parseAt(req.At, now, "陈述申辩时间")
		if err != nil {
			return nil, err
		}
		var miss []enforce.Item
		if blank(req.Content) {
			miss = append(miss, item("content", "当事人陈述申辩的事实、理由和证据", "行政强制法 §36"))
		}
		if _, ok := ReviewOutcomes[req.Outcome]; !ok {
			miss = append(miss, item("outcome", "复核结论（采纳、部分采纳、不予采纳）", "行政强制法 §36"))
		}
		if blank(req.Reasons) {
			miss = append(miss, item("reasons", "复核理由", "行政强制法 §36"))
		}
		if len(miss) > 0 {
			return nil, lifeRefused(step, "行政强制法 §36", "the statement is recorded and reviewed with reasons", "应当充分听取当事人意见，记录、复核陈述申辩并写明理由", miss...)
		}
		way := req.Way
		if way != "oral" {
			way = "written"
		}
		return ReplyFields{By: by, ReceivedAt: at, Way: way, Content: t(req.Content), Outcome: req.Outcome, Reasons: t(req.Reasons)}, nil

	case StepEnforcement:
		if x.Enforcement != nil {
			return nil, &enforce.Error{Code: enforce.EConflict, Step: step, Message: "the execution was decided or applied for", MessageZh: "已作出强制执行决定或已申请人民法院强制执行"}
		}
		if len(es.Open) == 0 {
			return nil, lifeRefused(step, "行政强制法 §37, §53", "the decision was performed", "当事人已履行决定，不得强制执行")
		}
		if x.Reminder == nil {
			return nil, lifeRefused(step, "行政强制法 §35, §37, §54", "coercive execution and the application to the court come after a written reminder",
				"作出强制执行决定或申请人民法院强制执行前，应当事先催告当事人履行义务", item(StepReminder, "催告书", "行政强制法 §35"))
		}
		at, err := parseAt(req.At, now, "决定或申请时间")
		if err != nil {
			return nil, err
		}
		if at.Before(x.Reminder.PerformEnds) {
			return nil, lifeRefused(step, "行政强制法 §37, §54, §69",
				"the 10 working days after the reminder run until "+dayText(x.Reminder.PerformEnds),
				"催告书送达十日后（工作日，至 "+dayText(x.Reminder.PerformEnds)+"）当事人仍未履行的，方可强制执行或申请人民法院强制执行",
				item("at", "催告期限届满后", "行政强制法 §54"))
		}
		f := EnforcementFields{By: by, Kind: req.Kind, Number: t(req.Number), At: at, Basis: t(req.Basis), Way: t(req.Content), Court: t(req.Court), File: req.File,
			OwedCents: es.OwedCents}
		var miss []enforce.Item
		if blank(req.Number) {
			miss = append(miss, item("number", "文书编号", "行政强制法 §37, §55"))
		}
		if req.File == "" {
			miss = append(miss, item("file", "强制执行决定书 / 强制执行申请书", "000-record §26-27; 003 §25"))
		}
		switch req.Kind {
		case "coercive_decision":
			if f.Basis == "" {
				miss = append(miss, item("basis", "本机关强制执行权的法律依据", "行政强制法 §13, §37(2)"))
			}
			if f.Way == "" {
				miss = append(miss, item("content", "强制执行的方式和时间", "行政强制法 §37(2)"))
			}
		case "court_application":
			if f.Court == "" {
				miss = append(miss, item("court", "申请的人民法院（所在地有管辖权的法院）", "行政强制法 §54"))
			}
			f.RemedyEnds, f.Due = es.RemedyEnds, es.CourtDue
			if at.Before(es.RemedyEnds) {
				return nil, lifeRefused(step, "行政强制法 §53; 行政复议法 §20; 行政诉讼法 §46",
					"the court is applied to after the periods for reconsideration (60 days) and suit (6 months) ended, on "+es.RemedyEnds.Format("2006-01-02"),
					"当事人在法定期限内不申请行政复议或者提起行政诉讼的，自期限届满之日（"+es.RemedyEnds.Format("2006-01-02")+"）起方可申请人民法院强制执行",
					item("at", "复议、诉讼期限届满后", "行政强制法 §53"))
			}
			if !at.Before(es.CourtDue) {
				return nil, lifeRefused(step, "行政强制法 §53", "the 3 months to apply to the court ran out at "+dayText(es.CourtDue),
					"申请人民法院强制执行的期限（复议、诉讼期限届满之日起三个月）已于 "+dayText(es.CourtDue)+" 届满")
			}
		default:
			miss = append(miss, item("kind", "强制执行决定或申请人民法院强制执行", "行政强制法 §37, §53"))
		}
		if len(miss) > 0 {
			return nil, lifeRefused(step, "行政强制法 §37, §53-55", "the execution record is incomplete", "强制执行记录不完整", miss...)
		}
		return f, nil
	}
	return nil, enforce.Errorf(enforce.ENotFound, "no case step %q", step)
}

// execFacts are what the execution deadlines run from (shared/deadline).
func execFacts(st *State) deadline.ExecutionFacts {
	x := &st.Exec
	f := deadline.ExecutionFacts{FineCents: st.fineCents(), Paid: x.Paid}
	if x.Deferral != nil {
		f.Schedule, f.PaidCents, f.Payments = x.Deferral.Plan, x.PaidCents-x.Deferral.PaidBefore, x.planPayments()
	}
	if o := st.OnSpot; o != nil && o.Collected && f.Paid.IsZero() {
		f.Paid = o.At
	}
	if x.Rectify != nil {
		f.RectifyLastDay, _ = time.ParseInLocation(time.DateOnly, x.Rectify.LastDay, cst)
		if n := len(x.RectifyChecks); n > 0 {
			f.RectifyChecked = x.RectifyChecks[n-1].Fields.CheckedAt
		}
	}
	if x.Reminder != nil {
		f.ReminderServed = x.Reminder.ServedAt
	}
	if x.Enforcement != nil {
		f.Enforced = x.Enforcement.At
	}
	return f
}
