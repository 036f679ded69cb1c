package reviewsrv

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"lawtrace/shared/casedoc"
	"lawtrace/shared/deadline"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
	"lawtrace/shared/review"
	"lawtrace/shared/syncproto"
	"lawtrace/shared/workday"
)

// The general-procedure penalty after the scene (issue 10, SPEC C1-C5, R9,
// D5; 行政处罚法 §44-45, §54-65, §85; 003 §12-13; 000-record §12, §34):
// 立案 requested by the handler and approved (or refused) by the head, the
// prior notice and its service, the party's statement and its 复核, the
// written waiver, the hearing request, notice and record, the head's
// extension of the 90-day term, and the service of the decision. Each is a
// server-signed entry of the office chain, checked inside the write
// transaction like the review steps; the decision gate (penaltyGate) reads
// what they recorded.
const (
	StepRegisterRequest = "register_request"     // 承办人 asks for 立案 (003 §12 ¶2)
	StepRegister        = "register_approval"    // the head approves 立案 or refuses it (不予立案, 003 §13)
	StepNotice          = "prior_notice"         // 行政处罚事先告知书 (行政处罚法 §44, §62-64)
	StepNoticeServed    = "prior_notice_served"  // its service: the party's period starts (§64(1), §85)
	StepStatement       = "statement"            // 陈述、申辩 (§45)
	StepStatementReview = "statement_review"     // 复核 of the statement (§45)
	StepWaiver          = "rights_waiver"        // the party waives statement and hearing in writing
	StepHearingRequest  = "hearing_request"      // §64(1)
	StepHearingNotice   = "hearing_notice"       // §64(2)-(4)
	StepHearing         = "hearing_record"       // 听证笔录 (§64(8), 000-record §12)
	StepTermExtend      = "decision_term_extend" // the head extends the §60 term
	StepDecisionServed  = "decision_served"      // §61
)

// LifeSteps lists the lifecycle steps in the order a case takes them.
// The execution and closing steps (execution.go, closing.go) follow.
var LifeSteps = append([]string{StepRegisterRequest, StepRegister, StepNotice, StepNoticeServed, StepStatement, StepStatementReview, StepWaiver,
	StepHearingRequest, StepHearingNotice, StepHearing, StepTermExtend, StepDecisionServed}, slices.Concat(ExecSteps, OfficeSteps)...)

// lifeHeads are the steps only a head takes (立案 approval, the §60
// extension); the handler — an officer on the crew, or a head — records
// the rest.
var lifeHeads = []string{StepRegister, StepTermExtend}

// ServiceMethods are the ways a document is served (民事诉讼法 as 行政处罚法
// §61 refers to it; the methods of the on-scene service rules).
var ServiceMethods = map[string]string{
	"direct":       "直接送达",
	"lodged":       "留置送达",
	"mail":         "邮寄送达",
	"electronic":   "电子送达（当事人同意）",
	"entrusted":    "委托送达",
	"announcement": "公告送达",
}

// ClosedHearing are the reasons a hearing is not public (行政处罚法 §64(3)).
var ClosedHearing = map[string]string{
	"state_secret": "涉及国家秘密",
	"trade_secret": "涉及商业秘密",
	"privacy":      "涉及个人隐私",
}

// Channels are how a complaint came in (003 §13(2)).
var Channels = map[string]string{"phone": "电话（12315 等）", "letter": "信函", "visit": "来访", "online": "网络平台", "transfer": "其他机关移送"}

// ---- payloads ----

// Complaint is the complainant, channel and content of a complaint case.
type Complaint struct {
	Complainant string `json:"complainant,omitempty"` // empty: anonymous
	Contact     string `json:"contact,omitempty"`
	Channel     string `json:"channel"`
	Content     string `json:"content"`
	ReceivedOn  string `json:"received_on,omitempty"`
}

// RegisterRequestFields is the 立案审批表 as the handler fills it (003 §12 ¶2):
// source, party, the handler's and the handling unit's opinions.
type RegisterRequestFields struct {
	By             Actor      `json:"by"`
	CaseHead       Anchor     `json:"case_head"`
	Source         string     `json:"source"`
	Party          string     `json:"party"`
	PartyKind      string     `json:"party_kind"`
	Facts          string     `json:"facts"`
	HandlerOpinion string     `json:"handler_opinion"`
	UnitOpinion    string     `json:"unit_opinion"`
	Complaint      *Complaint `json:"complaint,omitempty"`
	// SourceCase is the inspection handed over by 转立案 (inspection.go).
	SourceCase string `json:"source_case,omitempty"`
}

// WrittenNotice is a written notice given to someone: when, how, the file.
type WrittenNotice struct {
	Date   string `json:"date"`
	Method string `json:"method"`
	File   string `json:"file,omitempty"`
}

// RegisterFields is the head's 立案 approval or refusal.
type RegisterFields struct {
	By       Actor          `json:"by"`
	Outcome  string         `json:"outcome"` // register | not_register
	Opinion  string         `json:"opinion"` // 负责人意见 / the reasons for 不予立案
	Emerg    bool           `json:"emergency_start,omitempty"`
	Due      string         `json:"emergency_due,omitempty"`
	Late     bool           `json:"late,omitempty"`
	Notified *WrittenNotice `json:"complainant_notice,omitempty"`
}

// Intended is the intended penalty a prior notice states.
type Intended struct {
	Measures    []string `json:"measures"`
	Fine        float64  `json:"fine,omitempty"`
	Confiscated float64  `json:"confiscated_value,omitempty"`
	Other       bool     `json:"other_heavy,omitempty"` // 其他较重的行政处罚 (§63(5)(6))
}

// NoticeFields is the 行政处罚事先告知书 (§44): facts, reasons, basis, the
// intended penalty and the party's rights, with the hearing right where
// §63 gives it.
type NoticeFields struct {
	By           Actor    `json:"by"`
	CaseHead     Anchor   `json:"case_head"`
	Number       string   `json:"number"`
	Facts        string   `json:"facts"`
	Reasons      string   `json:"reasons"`
	Basis        string   `json:"basis"`
	Intended     Intended `json:"intended"`
	HearingRight bool     `json:"hearing_right"`
	HearingWhy   []string `json:"hearing_why,omitempty"`
	Rights       string   `json:"rights"`
	File         string   `json:"file,omitempty"`
}

// ServiceFields is the service of a document.
type ServiceFields struct {
	By        Actor     `json:"by"`
	Document  string    `json:"document"`
	ServedAt  time.Time `json:"served_at"`
	Method    string    `json:"method"`
	Recipient string    `json:"recipient"`
	Proof     string    `json:"proof,omitempty"` // 送达回证 / receipt
	Present   bool      `json:"party_present,omitempty"`
}

// StatementFields is the party's 陈述、申辩.
type StatementFields struct {
	By         Actor     `json:"by"`
	ReceivedAt time.Time `json:"received_at"`
	Way        string    `json:"way"` // written | oral
	Content    string    `json:"content"`
	File       string    `json:"file,omitempty"`
}

// StatementReviewFields is the 复核 of a statement, with the reasons for
// adopting it or not (§45).
type StatementReviewFields struct {
	By        Actor  `json:"by"`
	Statement int64  `json:"statement_seq"`
	Outcome   string `json:"outcome"` // adopted | partly | not_adopted
	Reasons   string `json:"reasons"`
}

// WaiverFields is the party's written waiver of statement and hearing.
type WaiverFields struct {
	By       Actor  `json:"by"`
	SignedOn string `json:"signed_on"`
	File     string `json:"file"`
	Note     string `json:"note,omitempty"`
}

// HearingRequestFields is the party's request for a hearing.
type HearingRequestFields struct {
	By         Actor     `json:"by"`
	ReceivedAt time.Time `json:"received_at"`
	Way        string    `json:"way"`
	PeriodEnds time.Time `json:"period_ends"`
	File       string    `json:"file,omitempty"`
}

// HearingNoticeFields is the 听证通知书 and who holds the hearing.
type HearingNoticeFields struct {
	By            Actor     `json:"by"`
	HearingAt     time.Time `json:"hearing_at"`
	Place         string    `json:"place"`
	Officer       string    `json:"officer"`
	OfficerCert   string    `json:"officer_cert,omitempty"`
	Recorder      string    `json:"recorder,omitempty"`
	Public        bool      `json:"public"`
	Closed        string    `json:"closed_reason,omitempty"`
	ServedAt      time.Time `json:"served_at"`
	Method        string    `json:"method"`
	EarliestDay   time.Time `json:"earliest"`
	Investigators []string  `json:"investigators"` // the case's officers, as compared
	File          string    `json:"file,omitempty"`
}

// HearingFields is the 听证笔录 and its A/V (§64(8), 000-record §12).
type HearingFields struct {
	By          Actor     `json:"by"`
	HeldAt      time.Time `json:"held_at"`
	Attendance  string    `json:"attendance"` // attended | absent (§64(6): treated as giving up the hearing)
	Record      string    `json:"record"`
	PartySigned string    `json:"party_signed"` // signed | refused (noted by the hearing officer)
	Note        string    `json:"note,omitempty"`
	AV          []string  `json:"av,omitempty"`
	NoAVReason  string    `json:"no_av_reason,omitempty"`
	Opinion     string    `json:"opinion"`
}

// TermExtendFields is the head's extension of the 90-day term (§60).
type TermExtendFields struct {
	By          Actor     `json:"by"`
	Days        int       `json:"days"`
	Reason      string    `json:"reason"`
	PreviousDue time.Time `json:"previous_due"`
	Due         time.Time `json:"due"`
}

// ApprovalStep is one link of the internal approval chain (R9).
type ApprovalStep struct {
	Role string `json:"role"` // 承办人 | 审核人 | 批准人
	Name string `json:"name"`
	Step string `json:"step"`
	Seq  int64  `json:"seq,omitempty"`
	At   string `json:"at"`
}

// ProceduralFacts is what the decision records of the general procedure.
type ProcedureFacts struct {
	Registered     string `json:"registered"`
	Notice         string `json:"notice"`
	NoticeServed   string `json:"notice_served"`
	PeriodEnds     string `json:"period_ends"`
	Waived         bool   `json:"waived"`
	Statements     int    `json:"statements"`
	HearingHeld    bool   `json:"hearing_held"`
	HearingRecord  int64  `json:"hearing_record_seq,omitempty"`
	HearingWaived  bool   `json:"hearing_given_up,omitempty"`
	DecisionTermTo string `json:"decision_term_due,omitempty"`
}

// ---- state ----

// Lifecycle is the general procedure replayed from the office chain.
type Lifecycle struct {
	Request      *RegisterRequestFields `json:"register_request,omitempty"`
	Register     *RegisterFields        `json:"register,omitempty"`
	RegisteredAt time.Time              `json:"registered_at,omitzero"`
	// RegisterDecided is when the head decided on 立案 either way: it
	// completes the approval of a case begun on the scene (003 §12).
	RegisterDecided time.Time `json:"register_decided,omitzero"`
	NotRegistered   bool      `json:"not_registered,omitempty"`

	Notice     *NoticeFields  `json:"notice,omitempty"`
	NoticeAt   time.Time      `json:"notice_at,omitzero"`
	NoticeSeq  int64          `json:"notice_seq,omitempty"`
	Served     *ServiceFields `json:"notice_served,omitempty"`
	PeriodEnds time.Time      `json:"period_ends,omitzero"`
	PeriodOK   bool           `json:"period_verified"`

	Statements []Seqd[StatementFields]       `json:"statements"`
	Reviews    []Seqd[StatementReviewFields] `json:"statement_reviews"`
	Waiver     *WaiverFields                 `json:"waiver,omitempty"`

	HearingRequest *HearingRequestFields `json:"hearing_request,omitempty"`
	HearingNotice  *HearingNoticeFields  `json:"hearing_notice,omitempty"`
	Hearing        *HearingFields        `json:"hearing,omitempty"`
	HearingSeq     int64                 `json:"hearing_seq,omitempty"`

	Extensions []TermExtendFields `json:"term_extensions"`
	Extended   int                `json:"extended_days"`
	TermDue    time.Time          `json:"term_due,omitzero"`

	DecisionServed *ServiceFields `json:"decision_served,omitempty"`
}

// Seqd is a payload with the office entry number that holds it.
type Seqd[T any] struct {
	Seq    int64 `json:"seq"`
	Fields T     `json:"fields"`
}

// Unreviewed are the statements not yet reviewed (复核).
func (l *Lifecycle) Unreviewed() []Seqd[StatementFields] {
	var out []Seqd[StatementFields]
	for _, s := range l.Statements {
		if !slices.ContainsFunc(l.Reviews, func(r Seqd[StatementReviewFields]) bool { return r.Fields.Statement == s.Seq }) {
			out = append(out, s)
		}
	}
	return out
}

// HearingOpen reports a hearing requested and neither held nor given up.
func (l *Lifecycle) HearingOpen() bool { return l.HearingRequest != nil && l.Hearing == nil }

func (l *Lifecycle) finish(cal *workday.Calendar) {
	if l.Served != nil {
		l.PeriodEnds, l.PeriodOK = deadline.HearingRequestEnds(cal, l.Served.ServedAt.In(cst))
	}
	if !l.RegisteredAt.IsZero() {
		l.TermDue = deadline.DecisionDue(l.RegisteredAt, l.Extended)
	}
}

func foldLife(st *State, e ledger.Entry, d decoded, step *Step) (bool, error) {
	l := &st.Life
	un := func(v any) error { return json.Unmarshal(d.fields, v) }
	switch e.Step {
	case StepRegisterRequest:
		var f RegisterRequestFields
		if err := un(&f); err != nil {
			return true, err
		}
		l.Request = &f
		step.By, step.Summary = f.By, "承办人申请立案："+f.HandlerOpinion+"；承办机构意见："+f.UnitOpinion
		if f.SourceCase != "" {
			step.Summary += "；案件来源：行政检查 " + f.SourceCase + " 转立案"
		}
	case StepRegister:
		var f RegisterFields
		if err := un(&f); err != nil {
			return true, err
		}
		l.Register, l.RegisterDecided = &f, d.at
		step.By = f.By
		if f.Outcome == "register" {
			l.RegisteredAt, step.Summary = d.at, "负责人批准立案"+reasonsSuffix(f.Opinion)
		} else {
			l.NotRegistered, step.Summary = true, "负责人决定不予立案"+reasonsSuffix(f.Opinion)
			st.Ended = d.at // 不予立案 closes the case
			if f.Notified != nil {
				step.Summary += "；已书面告知投诉举报人（" + f.Notified.Date + "）"
			}
		}
	case StepNotice:
		var f NoticeFields
		if err := un(&f); err != nil {
			return true, err
		}
		// A new notice (a changed intended penalty) starts over: service,
		// statements, waiver and hearing belong to the notice they answer.
		*l = Lifecycle{Request: l.Request, Register: l.Register, RegisteredAt: l.RegisteredAt, Extensions: l.Extensions, Extended: l.Extended}
		l.Notice, l.NoticeAt, l.NoticeSeq = &f, d.at, e.Seq
		step.By, step.Summary = f.By, "行政处罚事先告知书 "+f.Number+"：拟"+intendedText(f.Intended)+map[bool]string{true: "；告知听证权利", false: ""}[f.HearingRight]
	case StepNoticeServed:
		var f ServiceFields
		if err := un(&f); err != nil {
			return true, err
		}
		l.Served = &f
		step.By, step.Summary = f.By, "事先告知书已送达（"+ServiceMethods[f.Method]+"，"+f.ServedAt.In(cst).Format("2006-01-02 15:04")+"，受送达人 "+f.Recipient+"）"
	case StepStatement:
		var f StatementFields
		if err := un(&f); err != nil {
			return true, err
		}
		l.Statements = append(l.Statements, Seqd[StatementFields]{e.Seq, f})
		step.By, step.Summary = f.By, "当事人陈述申辩（"+map[string]string{"written": "书面", "oral": "口头"}[f.Way]+"）："+f.Content
	case StepStatementReview:
		var f StatementReviewFields
		if err := un(&f); err != nil {
			return true, err
		}
		l.Reviews = append(l.Reviews, Seqd[StatementReviewFields]{e.Seq, f})
		step.By, step.Summary = f.By, "陈述申辩复核："+ReviewOutcomes[f.Outcome]+reasonsSuffix(f.Reasons)
	case StepWaiver:
		var f WaiverFields
		if err := un(&f); err != nil {
			return true, err
		}
		l.Waiver = &f
		step.By, step.Summary = f.By, "当事人书面放弃陈述申辩和听证权利（"+f.SignedOn+"）"
	case StepHearingRequest:
		var f HearingRequestFields
		if err := un(&f); err != nil {
			return true, err
		}
		l.HearingRequest = &f
		step.By, step.Summary = f.By, "当事人要求听证（"+f.ReceivedAt.In(cst).Format("2006-01-02 15:04")+"）"
	case StepHearingNotice:
		var f HearingNoticeFields
		if err := un(&f); err != nil {
			return true, err
		}
		l.HearingNotice = &f
		pub := "公开举行"
		if !f.Public {
			pub = "不公开（" + ClosedHearing[f.Closed] + "）"
		}
		step.By, step.Summary = f.By, fmt.Sprintf("听证通知：%s 在%s举行，主持人 %s，%s", f.HearingAt.In(cst).Format("2006-01-02 15:04"), f.Place, f.Officer, pub)
	case StepHearing:
		var f HearingFields
		if err := un(&f); err != nil {
			return true, err
		}
		l.Hearing, l.HearingSeq = &f, e.Seq
		if f.Attendance == "absent" {
			step.Summary = "当事人无正当理由未出席听证，视为放弃听证权利，听证终止"
		} else {
			step.Summary = "听证笔录（当事人" + map[string]string{"signed": "已签字", "refused": "拒绝签字，主持人已注明"}[f.PartySigned] + "）：" + f.Opinion
		}
		step.By = f.By
	case StepTermExtend:
		var f TermExtendFields
		if err := un(&f); err != nil {
			return true, err
		}
		l.Extensions = append(l.Extensions, f)
		l.Extended += f.Days
		step.By, step.Summary = f.By, fmt.Sprintf("负责人批准延长办案期限 %d 日：%s", f.Days, f.Reason)
	case StepDecisionServed:
		var f ServiceFields
		if err := un(&f); err != nil {
			return true, err
		}
		l.DecisionServed = &f
		step.By, step.Summary = f.By, "行政处罚决定书已送达（"+ServiceMethods[f.Method]+"，"+f.ServedAt.In(cst).Format("2006-01-02 15:04")+"）"
	default:
		if ok, err := foldOffice(st, e, d, step); ok {
			return true, err
		}
		return foldExec(st, e, d, step)
	}
	return true, nil
}

// ReviewOutcomes are the results of a 复核.
var ReviewOutcomes = map[string]string{"adopted": "采纳", "partly": "部分采纳", "not_adopted": "不予采纳"}

func intendedText(in Intended) string {
	var parts []string
	for _, m := range in.Measures {
		switch m {
		case "fine":
			parts = append(parts, fmt.Sprintf("罚款 %.2f 元", in.Fine))
		case "confiscate":
			parts = append(parts, fmt.Sprintf("没收违法所得、非法财物（价值 %.2f 元）", in.Confiscated))
		default:
			parts = append(parts, review.Measures[m])
		}
	}
	return joinOr(parts, "（无处罚）")
}

// RightsText is the rights part of a prior notice (§44-45, §63-64).
func RightsText(hearing bool) string {
	s := "当事人有权进行陈述和申辩（《中华人民共和国行政处罚法》第四十四条、第四十五条），可在本告知书送达之日起五个工作日内提出；行政机关不因当事人陈述、申辩而给予更重的处罚。"
	if hearing {
		s += "当事人有权要求听证（第六十三条），应当在本告知书送达之日起五个工作日内提出（第六十四条第（一）项、第八十五条）；逾期未提出的，视为放弃。"
	}
	return s + "当事人可以书面放弃上述权利。"
}

// ---- the request and the service method ----

// LifeRequest carries the form of any lifecycle step; each step reads the
// fields it names (see docs/lifecycle.md). Times are "2006-01-02T15:04"
// (the browser's datetime-local), "2006-01-02 15:04" or a date, China
// time; empty is now. Files are SHA-256 hashes of stored files.
type LifeRequest struct {
	// register_request
	Facts          string `json:"facts,omitempty"`
	HandlerOpinion string `json:"handler_opinion,omitempty"`
	UnitOpinion    string `json:"unit_opinion,omitempty"`
	Complainant    string `json:"complainant,omitempty"`
	Contact        string `json:"contact,omitempty"`
	Channel        string `json:"channel,omitempty"`
	Content        string `json:"content,omitempty"` // also a statement's content
	ReceivedOn     string `json:"received_on,omitempty"`
	// register_approval: outcome register | not_register; the notice to a
	// named complainant of 不予立案 (NoticeDate, Method, File)
	Outcome    string `json:"outcome,omitempty"`
	Opinion    string `json:"opinion,omitempty"`
	NoticeDate string `json:"notice_date,omitempty"`
	// prior_notice
	Number      string   `json:"number,omitempty"`
	Reasons     string   `json:"reasons,omitempty"`
	Basis       string   `json:"basis,omitempty"`
	Measures    []string `json:"measures,omitempty"`
	Fine        float64  `json:"fine,omitempty"`
	Confiscated float64  `json:"confiscated_value,omitempty"`
	OtherHeavy  bool     `json:"other_heavy,omitempty"`
	// service, statement, request, hearing
	At        string `json:"at,omitempty"`
	Method    string `json:"method,omitempty"`
	Recipient string `json:"recipient,omitempty"`
	Present   bool   `json:"party_present,omitempty"`
	Way       string `json:"way,omitempty"`
	// hearing_notice
	HearingAt   string `json:"hearing_at,omitempty"`
	Place       string `json:"place,omitempty"`
	Officer     string `json:"officer,omitempty"`
	OfficerCert string `json:"officer_cert,omitempty"`
	Recorder    string `json:"recorder,omitempty"`
	Closed      string `json:"closed_reason,omitempty"` // empty: public
	// hearing_record: Outcome attended | absent; PartySigned signed | refused
	PartySigned string   `json:"party_signed,omitempty"`
	Note        string   `json:"note,omitempty"`
	AV          []string `json:"av,omitempty"`
	NoAVReason  string   `json:"no_av_reason,omitempty"`
	// decision_term_extend
	Days int `json:"days,omitempty"`
	// the step's document (notice, proof of service, statement, waiver,
	// hearing record, voucher, reminder, execution decision or application)
	File string `json:"file,omitempty"`
	// execution and closing (execution.go, closing.go)
	ExecRequest
	// coercion, permit and inspection (office.go)
	OfficeRequest
}

// Life records one lifecycle step of a case. The role is checked first
// (the head approves 立案 and extends the term; handlers record the rest),
// then the step's rules on the state replayed inside the write transaction.
func (s *Service) Life(ctx context.Context, u User, caseID, step string, req LifeRequest) (*State, error) {
	if !slices.Contains(LifeSteps, step) {
		return nil, enforce.Errorf(enforce.ENotFound, "no case step %q", step)
	}
	if slices.Contains(ExecSteps, step) {
		return s.exec(ctx, u, caseID, step, req)
	}
	if slices.Contains(OfficeSteps, step) {
		return s.office(ctx, u, caseID, step, req)
	}
	if step == StepRegisterRequest && strings.TrimSpace(req.SourceCase) != "" {
		if err := s.checkSource(ctx, u, strings.TrimSpace(req.SourceCase)); err != nil {
			return nil, err
		}
	}
	roles := Handlers
	if slices.Contains(lifeHeads, step) {
		roles = Heads
	}
	if err := allow(u, roles, "recording "+step); err != nil {
		return nil, err
	}
	var files []ledger.File
	for _, h := range append([]string{req.File}, req.AV...) {
		if h == "" {
			continue
		}
		f, err := s.storedFile(ctx, h, casedoc.OfficeSteps[step].Document)
		if err != nil {
			return nil, err
		}
		if slices.Contains(req.AV, h) {
			f.Kind = ledger.KindVideo
		}
		files = append(files, f)
	}
	cal, _, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	var names map[string]string
	if step == StepHearingNotice {
		if names, err = s.officerNames(ctx); err != nil {
			return nil, err
		}
	}
	return s.act(ctx, u, caseID, step, func(st *State, _ *review.Catalog, now time.Time) (built, error) {
		if st.Decision != nil && step != StepDecisionServed {
			return built{}, &enforce.Error{Code: enforce.EConflict, Step: step, Message: fmt.Sprintf("case %s was decided at %s", caseID, st.Decided.Format("2006-01-02 15:04")),
				MessageZh: "本案已作出决定"}
		}
		if st.Case.Procedure != "penalty" {
			return built{}, &enforce.Error{Code: enforce.ERefused, Step: step, Article: "行政处罚法 §54",
				Message: fmt.Sprintf("case %s is a %s case; these steps are those of the general procedure of a penalty", caseID, st.Case.Procedure), MessageZh: "本案不是适用普通程序的行政处罚案件"}
		}
		if st.Life.NotRegistered {
			return built{}, lifeRefused(step, "003 §13", "the head decided not to register the case", "本案已决定不予立案，案件已终结")
		}
		f, err := lifeBuild(st, u, step, req, now, cal, names)
		if err != nil {
			return built{}, err
		}
		return built{fields: f, files: files}, nil
	})
}

// checkSource refuses a 立案 request naming an inspection that was not
// handed over (转立案) or that the user may not see.
func (s *Service) checkSource(ctx context.Context, u User, id string) error {
	src, err := s.StateFor(ctx, u, id)
	if err != nil {
		return err
	}
	if src.Case.Procedure != "inspection" || src.Office.Inspection.Transfer == nil {
		return lifeRefused(StepRegisterRequest, "003 §3; 行政处罚法 §54", "case "+id+" is not an inspection handed over for 立案",
			"案件 "+id+" 不是已转立案的行政检查", item("source_case", "已转立案的行政检查案件", "003 §3"))
	}
	return nil
}

// officerNames maps credential numbers to officers' names (the down-sync
// catalog), to compare a hearing officer with the investigators.
func (s *Service) officerNames(ctx context.Context) (map[string]string, error) {
	items, err := s.st.CatalogLatest(ctx, syncproto.KindOfficer)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, it := range items {
		var o enforce.Officer
		if json.Unmarshal(it.Body, &o) == nil {
			out[o.Cert] = o.Name
		}
	}
	return out, nil
}

// lifeRefused is a refusal by a rule of the law, in both languages.
func lifeRefused(step, article, en, zh string, missing ...enforce.Item) *enforce.Error {
	return &enforce.Error{Code: enforce.ERefused, Step: step, Article: article, Message: en, MessageZh: zh, Missing: missing}
}

func item(name, zh, article string) enforce.Item {
	return enforce.Item{Name: name, Zh: zh, En: name, Article: article}
}

// parseAt reads a time of a form, China time; empty is now. A time in the
// future is refused: the record says what happened.
func parseAt(s string, now time.Time, what string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return now.In(cst), nil
	}
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", time.DateOnly, time.RFC3339} {
		if t, err := time.ParseInLocation(layout, s, cst); err == nil {
			if t.After(now) {
				return t, &enforce.Error{Code: enforce.EInvalid, Message: what + " is in the future", MessageZh: what + "不能晚于现在"}
			}
			return t, nil
		}
	}
	return time.Time{}, &enforce.Error{Code: enforce.EInvalid, Message: what + ": not a time (YYYY-MM-DD HH:MM)", MessageZh: what + "格式应为 YYYY-MM-DD HH:MM"}
}

func parseFuture(s string) (time.Time, bool) {
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02 15:04", time.RFC3339} {
		if t, err := time.ParseInLocation(layout, strings.TrimSpace(s), cst); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

// lifeBuild checks one step against the law and returns its payload.
func lifeBuild(st *State, u User, step string, req LifeRequest, now time.Time, cal *workday.Calendar, names map[string]string) (any, error) {
	l := &st.Life
	by := actorOf(u)
	t := strings.TrimSpace
	switch step {
	case StepRegisterRequest:
		if l.Register != nil {
			return nil, &enforce.Error{Code: enforce.EConflict, Step: step, Message: "立案 was already decided", MessageZh: "立案审批已完成"}
		}
		var miss []enforce.Item
		if blank(req.Facts) {
			miss = append(miss, item("facts", "案件来源及基本情况（启动原因）", "003 §12"))
		}
		if blank(req.HandlerOpinion) {
			miss = append(miss, item("handler_opinion", "承办人意见", "003 §12"))
		}
		if blank(req.UnitOpinion) {
			miss = append(miss, item("unit_opinion", "承办机构意见", "003 §12"))
		}
		f := RegisterRequestFields{By: by, CaseHead: anchor(st.Case), Source: st.Case.Source, Party: st.Case.Party, PartyKind: st.Case.PartyKind,
			Facts: t(req.Facts), HandlerOpinion: t(req.HandlerOpinion), UnitOpinion: t(req.UnitOpinion), SourceCase: t(req.SourceCase)}
		if st.Case.Source == "complaint" {
			c := &Complaint{Complainant: t(req.Complainant), Contact: t(req.Contact), Channel: req.Channel, Content: t(req.Content), ReceivedOn: t(req.ReceivedOn)}
			if _, ok := Channels[c.Channel]; !ok {
				miss = append(miss, item("channel", "投诉举报渠道", "003 §13"))
			}
			if c.Content == "" {
				miss = append(miss, item("content", "投诉举报内容", "003 §13"))
			}
			f.Complaint = c
		}
		if len(miss) > 0 {
			return nil, lifeRefused(step, "003 §12-13", "the 立案 request is incomplete", "立案审批表不完整", miss...)
		}
		return f, nil

	case StepRegister:
		if l.Register != nil {
			return nil, &enforce.Error{Code: enforce.EConflict, Step: step, Message: "立案 was already decided", MessageZh: "立案审批已完成"}
		}
		if l.Request == nil {
			return nil, lifeRefused(step, "003 §12", "no 立案 request: the handler's and the unit's opinions come first", "承办人尚未提出立案申请（承办人意见、承办机构意见）",
				item(StepRegisterRequest, "立案审批表", "003 §12"))
		}
		f := RegisterFields{By: by, Outcome: req.Outcome, Opinion: t(req.Opinion), Emerg: st.Case.Emergency != ""}
		if f.Emerg {
			due, _ := cal.Deadline(st.Case.Opened.In(cst), 2)
			f.Due, f.Late = due.Add(-time.Nanosecond).Format(time.DateOnly), !now.Before(due)
		}
		switch req.Outcome {
		case "register":
			if f.Opinion == "" {
				f.Opinion = "同意立案"
			}
		case "not_register":
			var miss []enforce.Item
			if f.Opinion == "" {
				miss = append(miss, item("opinion", "不予立案的理由", "003 §13"))
			}
			if c := l.Request.Complaint; c != nil && c.Complainant != "" {
				n := &WrittenNotice{Date: t(req.NoticeDate), Method: req.Method, File: req.File}
				if _, err := time.ParseInLocation(time.DateOnly, n.Date, cst); err != nil {
					miss = append(miss, item("notice_date", "书面告知投诉举报人的日期", "003 §13"))
				}
				if _, ok := ServiceMethods[n.Method]; !ok {
					miss = append(miss, item("method", "告知方式", "003 §13"))
				}
				if n.File == "" {
					miss = append(miss, item("file", "不予立案告知书（书面记录）", "003 §13"))
				}
				f.Notified = n
			}
			if len(miss) > 0 {
				return nil, lifeRefused(step, "003 §13", "不予立案 needs its reasons and, for a named complainant, the written notice", "不予立案须载明理由，并书面告知具名投诉举报人", miss...)
			}
		default:
			return nil, enforce.Errorf(enforce.EInvalid, "outcome must be register or not_register")
		}
		return f, nil
	}

	// Every later step is of a registered case.
	if l.RegisteredAt.IsZero() {
		return nil, lifeRefused(step, "行政处罚法 §54; 003 §12", "the case is not registered (立案): the head approves it first",
			"本案尚未经负责人批准立案", item(StepRegister, "立案审批", "行政处罚法 §54"))
	}
	switch step {
	case StepTermExtend:
		due := deadline.DecisionDue(l.RegisteredAt, l.Extended)
		if !now.Before(due) {
			return nil, lifeRefused(step, "行政处罚法 §60", "the 90-day term ran out; an extension is approved before it does", "办案期限已届满，延长须在期限届满前批准")
		}
		if req.Days < 1 || req.Days > 30 || blank(req.Reason()) {
			return nil, lifeRefused(step, "行政处罚法 §60", "an extension states its days (1-30) and reason", "延长办案期限须写明天数（1–30 日）和理由",
				item("days", "延长天数（1–30 日）", "行政处罚法 §60"), item("reasons", "延长理由（案情复杂等）", "行政处罚法 §60"))
		}
		return TermExtendFields{By: by, Days: req.Days, Reason: req.Reason(), PreviousDue: due, Due: deadline.DecisionDue(l.RegisteredAt, l.Extended+req.Days)}, nil

	case StepNotice:
		if err := afterInvestigation(st, step); err != nil {
			return nil, err
		}
		in := Intended{Confiscated: req.Confiscated, Fine: req.Fine, Other: req.OtherHeavy}
		for _, m := range req.Measures {
			if !slices.Contains(review.PenaltyMeasures, m) {
				return nil, enforce.Errorf(enforce.EInvalid, "%q is not an administrative penalty", m)
			}
			if !slices.Contains(in.Measures, m) {
				in.Measures = append(in.Measures, m)
			}
		}
		var miss []enforce.Item
		if blank(req.Number) {
			miss = append(miss, item("number", "告知书文号", "行政处罚法 §44"))
		}
		if blank(req.Facts) {
			miss = append(miss, item("facts", "拟作出行政处罚的事实", "行政处罚法 §44"))
		}
		if blank(req.Reasons) {
			miss = append(miss, item("reasons", "理由", "行政处罚法 §44"))
		}
		if blank(req.Basis) {
			miss = append(miss, item("basis", "依据", "行政处罚法 §44"))
		}
		if len(in.Measures) == 0 {
			miss = append(miss, item("measures", "拟作出的行政处罚内容", "行政处罚法 §44"))
		}
		if slices.Contains(in.Measures, "fine") && in.Fine <= 0 {
			miss = append(miss, item("fine", "罚款金额", "行政处罚法 §44"))
		}
		if len(miss) > 0 {
			return nil, lifeRefused(step, "行政处罚法 §44", "the prior notice lacks what §44 requires", "事先告知书内容不全", miss...)
		}
		why := review.HearingRight(st.Case.PartyKind, in.Measures, in.Fine, in.Confiscated, in.Other)
		return NoticeFields{By: by, CaseHead: anchor(st.Case), Number: t(req.Number), Facts: t(req.Facts), Reasons: t(req.Reasons), Basis: t(req.Basis),
			Intended: in, HearingRight: len(why) > 0, HearingWhy: why, Rights: RightsText(len(why) > 0), File: req.File}, nil
	}

	// Every later step answers a prior notice.
	if l.Notice == nil && step != StepDecisionServed {
		return nil, lifeRefused(step, "行政处罚法 §44, §62", "no prior notice was given", "尚未制作行政处罚事先告知书", item(StepNotice, "行政处罚事先告知书", "行政处罚法 §44"))
	}
	switch step {
	case StepNoticeServed:
		if l.Served != nil {
			return nil, &enforce.Error{Code: enforce.EConflict, Step: step, Message: "the notice was already served", MessageZh: "事先告知书已送达"}
		}
		at, err := parseAt(req.At, now, "送达时间")
		if err != nil {
			return nil, err
		}
		if at.Before(l.NoticeAt.Add(-time.Minute)) {
			return nil, enforce.Errorf(enforce.EInvalid, "served before the notice was made")
		}
		return service(by, "行政处罚事先告知书 "+l.Notice.Number, at, req, step)
	case StepDecisionServed:
		if st.Decision == nil {
			return nil, lifeRefused(step, "行政处罚法 §61", "no decision to serve", "尚未作出行政处罚决定")
		}
		if l.DecisionServed != nil {
			return nil, &enforce.Error{Code: enforce.EConflict, Step: step, Message: "the decision was already served", MessageZh: "决定书已送达"}
		}
		at, err := parseAt(req.At, now, "送达时间")
		if err != nil {
			return nil, err
		}
		f, err := service(by, "行政处罚决定书 "+st.Decision.Document.Number, at, req, step)
		if err == nil {
			f.Present = req.Present
		}
		return f, err
	}

	// The party answers a served notice.
	if l.Served == nil {
		return nil, lifeRefused(step, "行政处罚法 §62", "the prior notice was not served", "事先告知书尚未送达当事人", item(StepNoticeServed, "事先告知书送达", "行政处罚法 §62"))
	}
	switch step {
	case StepStatement:
		at, err := parseAt(req.At, now, "陈述申辩时间")
		if err != nil {
			return nil, err
		}
		if req.Way != "written" && req.Way != "oral" || blank(req.Content) {
			return nil, lifeRefused(step, "行政处罚法 §45", "a statement records its way (written or oral) and content", "陈述申辩须记录方式（书面或口头）和内容",
				item("way", "陈述申辩方式", "行政处罚法 §45"), item("content", "陈述申辩内容", "行政处罚法 §45"))
		}
		return StatementFields{By: by, ReceivedAt: at, Way: req.Way, Content: t(req.Content), File: req.File}, nil

	case StepStatementReview:
		open := l.Unreviewed()
		if len(open) == 0 {
			return nil, lifeRefused(step, "行政处罚法 §45", "no statement is waiting for 复核", "没有待复核的陈述申辩")
		}
		if _, ok := ReviewOutcomes[req.Outcome]; !ok || blank(req.Reasons) {
			return nil, lifeRefused(step, "行政处罚法 §45", "a 复核 says whether the statement is adopted and why", "复核须写明是否采纳及理由",
				item("outcome", "复核结论（采纳、部分采纳、不予采纳）", "行政处罚法 §45"), item("reasons", "采纳或不予采纳的理由", "行政处罚法 §45"))
		}
		return StatementReviewFields{By: by, Statement: open[0].Seq, Outcome: req.Outcome, Reasons: t(req.Reasons)}, nil

	case StepWaiver:
		if l.Waiver != nil {
			return nil, &enforce.Error{Code: enforce.EConflict, Step: step, Message: "already waived", MessageZh: "当事人已书面放弃"}
		}
		if l.HearingRequest != nil {
			return nil, lifeRefused(step, "行政处罚法 §64(1)", "the party asked for a hearing", "当事人已要求听证")
		}
		if req.File == "" || blank(req.At) {
			return nil, lifeRefused(step, "行政处罚法 §44-45, §63", "a waiver is in writing: the signed statement and its date", "放弃权利须有当事人签署的书面声明",
				item("file", "当事人签署的书面放弃声明", "行政处罚法 §45"), item("at", "签署日期", "行政处罚法 §45"))
		}
		at, err := parseAt(req.At, now, "签署日期")
		if err != nil {
			return nil, err
		}
		return WaiverFields{By: by, SignedOn: at.Format(time.DateOnly), File: req.File, Note: t(req.Note)}, nil

	case StepHearingRequest:
		if !l.Notice.HearingRight {
			return nil, lifeRefused(step, "行政处罚法 §63", "the intended penalty carries no hearing right", "拟作出的行政处罚不属于当事人有权要求听证的情形")
		}
		if l.HearingRequest != nil {
			return nil, &enforce.Error{Code: enforce.EConflict, Step: step, Message: "a hearing was already requested", MessageZh: "当事人已要求听证"}
		}
		if l.Waiver != nil {
			return nil, lifeRefused(step, "行政处罚法 §64(1)", "the party waived the hearing in writing", "当事人已书面放弃听证权利")
		}
		at, err := parseAt(req.At, now, "提出听证要求的时间")
		if err != nil {
			return nil, err
		}
		if req.Way != "written" && req.Way != "oral" {
			return nil, lifeRefused(step, "行政处罚法 §64(1)", "the request's way (written or oral)", "须记录听证要求的提出方式", item("way", "提出方式（书面或口头）", "行政处罚法 §64(1)"))
		}
		if !at.Before(l.PeriodEnds) {
			return nil, lifeRefused(step, "行政处罚法 §64(1), §85",
				fmt.Sprintf("the hearing was requested after the 5 working days ended at %s", l.PeriodEnds.Format("2006-01-02 15:04")),
				fmt.Sprintf("当事人应当在告知书送达后五个工作日内要求听证，期限已于 %s 届满", l.PeriodEnds.Add(-time.Nanosecond).Format("2006-01-02")+" 24:00"))
		}
		return HearingRequestFields{By: by, ReceivedAt: at, Way: req.Way, PeriodEnds: l.PeriodEnds, File: req.File}, nil

	case StepHearingNotice:
		if l.HearingRequest == nil {
			return nil, lifeRefused(step, "行政处罚法 §64(1)", "no hearing was requested", "当事人未要求听证", item(StepHearingRequest, "听证要求", "行政处罚法 §64(1)"))
		}
		if l.Hearing != nil {
			return nil, &enforce.Error{Code: enforce.EConflict, Step: step, Message: "the hearing was held", MessageZh: "听证已举行"}
		}
		served, err := parseAt(req.At, now, "听证通知送达时间")
		if err != nil {
			return nil, err
		}
		hearingAt, ok := parseFuture(req.HearingAt)
		var miss []enforce.Item
		if !ok {
			miss = append(miss, item("hearing_at", "听证时间", "行政处罚法 §64(2)"))
		}
		if blank(req.Place) {
			miss = append(miss, item("place", "听证地点", "行政处罚法 §64(2)"))
		}
		if blank(req.Officer) {
			miss = append(miss, item("officer", "听证主持人", "行政处罚法 §64(4)"))
		}
		if _, ok := ServiceMethods[req.Method]; !ok {
			miss = append(miss, item("method", "听证通知送达方式", "行政处罚法 §64(2)"))
		}
		if req.Closed != "" {
			if _, ok := ClosedHearing[req.Closed]; !ok {
				miss = append(miss, item("closed_reason", "不公开举行的法定理由（国家秘密、商业秘密、个人隐私）", "行政处罚法 §64(3)"))
			}
		}
		if len(miss) > 0 {
			return nil, lifeRefused(step, "行政处罚法 §64", "the hearing notice is incomplete", "听证通知不完整", miss...)
		}
		var investigators []string
		for _, c := range st.Case.Officers {
			n := names[c]
			investigators = append(investigators, strings.TrimSpace(n+" "+c))
			if c == t(req.OfficerCert) || n != "" && n == t(req.Officer) {
				return nil, lifeRefused(step, "行政处罚法 §64(4)",
					fmt.Sprintf("%s investigated this case (credential %s); the hearing is presided over by someone who did not", t(req.Officer), c),
					fmt.Sprintf("听证主持人 %s 是本案调查人员（执法证 %s），应由非本案调查人员主持", t(req.Officer), c),
					item("officer", "非本案调查人员的听证主持人", "行政处罚法 §64(4)"))
			}
		}
		earliest, _ := deadline.EarliestHearing(cal, served)
		if hearingAt.Before(earliest) {
			return nil, lifeRefused(step, "行政处罚法 §64(2), §85",
				fmt.Sprintf("the party is told at least 7 working days before the hearing: told %s, the hearing can be held from %s", served.Format("2006-01-02"), earliest.Format("2006-01-02")),
				fmt.Sprintf("应当在举行听证的七个工作日前通知当事人：%s 通知的，听证最早于 %s 举行", served.Format("2006-01-02"), earliest.Format("2006-01-02")),
				item("hearing_at", "听证时间（通知送达后第七个工作日之后）", "行政处罚法 §64(2)"))
		}
		return HearingNoticeFields{By: by, HearingAt: hearingAt, Place: t(req.Place), Officer: t(req.Officer), OfficerCert: t(req.OfficerCert), Recorder: t(req.Recorder),
			Public: req.Closed == "", Closed: req.Closed, ServedAt: served, Method: req.Method, EarliestDay: earliest, Investigators: investigators, File: req.File}, nil

	case StepHearing:
		if l.HearingNotice == nil {
			return nil, lifeRefused(step, "行政处罚法 §64(2)", "the party was not told of the hearing", "尚未通知当事人听证的时间、地点", item(StepHearingNotice, "听证通知", "行政处罚法 §64(2)"))
		}
		if l.Hearing != nil {
			return nil, &enforce.Error{Code: enforce.EConflict, Step: step, Message: "the hearing record exists", MessageZh: "听证笔录已记录"}
		}
		held, err := parseAt(req.At, now, "听证时间")
		if err != nil {
			return nil, err
		}
		if held.Before(l.HearingNotice.EarliestDay) {
			return nil, lifeRefused(step, "行政处罚法 §64(2), §85", "held before the 7 working days after its notice", "听证不得早于通知送达后第七个工作日之后举行")
		}
		f := HearingFields{By: by, HeldAt: held, Attendance: req.Outcome, Record: req.File, PartySigned: req.PartySigned, Note: t(req.Note),
			AV: req.AV, NoAVReason: t(req.NoAVReason), Opinion: t(req.Opinion)}
		var miss []enforce.Item
		switch req.Outcome {
		case "attended":
			if f.Record == "" {
				miss = append(miss, item("file", "听证笔录", "行政处罚法 §64(8)"))
			}
			switch f.PartySigned {
			case "signed":
			case "refused":
				if f.Note == "" {
					miss = append(miss, item("note", "主持人对当事人拒绝签字的注明", "行政处罚法 §64(8)"))
				}
			default:
				miss = append(miss, item("party_signed", "当事人或其代理人核对后签字或盖章", "行政处罚法 §64(8)"))
			}
			if f.Opinion == "" {
				miss = append(miss, item("opinion", "听证主持人意见", "行政处罚法 §65"))
			}
		case "absent":
			if f.Note == "" {
				miss = append(miss, item("note", "当事人无正当理由未出席或中途退出的情况", "行政处罚法 §64(6)"))
			}
		default:
			return nil, enforce.Errorf(enforce.EInvalid, "outcome must be attended or absent")
		}
		if len(f.AV) == 0 && f.NoAVReason == "" {
			miss = append(miss, item("av", "听证的音像记录（或不适宜音像记录的理由）", "000-record §12"))
		}
		if len(miss) > 0 {
			return nil, lifeRefused(step, "行政处罚法 §64; 000-record §12", "the hearing record is incomplete", "听证记录不完整", miss...)
		}
		return f, nil
	}
	return nil, enforce.Errorf(enforce.ENotFound, "no case step %q", step)
}

// Reason is the extension's reason (the form's reasons or opinion).
func (r LifeRequest) Reason() string {
	if s := strings.TrimSpace(r.Reasons); s != "" {
		return s
	}
	return strings.TrimSpace(r.Opinion)
}

func service(by Actor, doc string, at time.Time, req LifeRequest, step string) (ServiceFields, error) {
	f := ServiceFields{By: by, Document: doc, ServedAt: at, Method: req.Method, Recipient: strings.TrimSpace(req.Recipient), Proof: req.File}
	var miss []enforce.Item
	if _, ok := ServiceMethods[f.Method]; !ok {
		miss = append(miss, item("method", "送达方式", "行政处罚法 §61"))
	}
	if f.Recipient == "" && f.Method != "announcement" {
		miss = append(miss, item("recipient", "受送达人", "行政处罚法 §61"))
	}
	if len(miss) > 0 {
		return f, lifeRefused(step, "行政处罚法 §61", "the service record is incomplete", "送达记录不完整", miss...)
	}
	return f, nil
}

// ---- the decision gate (SPEC C2-C4) ----

// penaltyGate refuses a general-procedure penalty decision the law forbids:
// without 立案 (§54), without a served prior notice (§62, §44), while the
// party's period runs and the party has not waived in writing (§62, §64(1),
// §85), with a statement not reviewed (§45), heavier than the notice
// (§45), with a hearing requested and no hearing record (§65), or not
// following the hearing (§65, 000-review §7(5)).
func penaltyGate(st *State, p review.Proposal, now time.Time) error {
	if st.Case.Procedure != "penalty" || !review.IsPenalty(p.Measures) {
		return nil // no penalty (不予处罚), or not the general procedure
	}
	l := &st.Life
	refuse := func(article, en, zh string, missing ...enforce.Item) error {
		return lifeRefused(StepDecision, article, en, zh, missing...)
	}
	if l.RegisteredAt.IsZero() {
		return refuse("行政处罚法 §54; 003 §12", "the case was never registered (立案) with the head's approval", "本案未经负责人批准立案，不得作出行政处罚决定",
			item(StepRegister, "立案审批", "行政处罚法 §54"))
	}
	if l.Notice == nil {
		return refuse("行政处罚法 §62, §44", "no prior notice of the facts, reasons, basis and intended penalty was given", "未向当事人告知拟作出的行政处罚内容及事实、理由、依据，不得作出行政处罚决定",
			item(StepNotice, "行政处罚事先告知书", "行政处罚法 §44"))
	}
	if l.Served == nil {
		return refuse("行政处罚法 §62", "the prior notice was not served on the party", "事先告知书尚未送达当事人，不得作出行政处罚决定",
			item(StepNoticeServed, "事先告知书送达记录", "行政处罚法 §62"))
	}
	if l.Waiver == nil && now.Before(l.PeriodEnds) && !(l.HearingRequest != nil && l.Hearing != nil) {
		last := l.PeriodEnds.Add(-time.Nanosecond).Format("2006-01-02")
		return refuse("行政处罚法 §62, §64(1), §85",
			fmt.Sprintf("the party's period for a statement and a hearing request runs until the end of %s and the party has not waived it in writing", last),
			fmt.Sprintf("当事人陈述、申辩和要求听证的期限（告知书送达后五个工作日）至 %s 24:00 届满，当事人未书面放弃，期限届满前不得作出决定", last),
			item("period", "陈述申辩、听证申请期限届满或当事人书面放弃", "行政处罚法 §64(1)"))
	}
	if open := l.Unreviewed(); len(open) > 0 {
		return refuse("行政处罚法 §45", "the party's statement has not been reviewed (复核)", "对当事人的陈述、申辩尚未复核",
			item(StepStatementReview, "陈述申辩复核意见", "行政处罚法 §45"))
	}
	if l.HearingOpen() {
		return refuse("行政处罚法 §65, §64", "the party asked for a hearing and there is no hearing record", "当事人要求听证，尚未举行听证并制作听证笔录，不得作出决定",
			item(StepHearing, "听证笔录", "行政处罚法 §65"))
	}
	if l.Hearing != nil && l.Hearing.Attendance == "attended" && !p.HearingHeld {
		return refuse("行政处罚法 §65; 000-review §7(5)", "a hearing was held: the decision follows its record (propose it as decided after the hearing)",
			"已经听证的，应当根据听证笔录作出决定（拟作出的决定应标明经听证并附听证笔录）", item("hearing_held", "经听证", "行政处罚法 §65"))
	}
	if heavier := heavierThan(p, l.Notice.Intended); heavier != "" {
		return refuse("行政处罚法 §45, §62", "the decision is heavier than the prior notice ("+heavier+"); notify the party again first",
			"拟作出的处罚重于事先告知的内容（"+heavier+"），应当重新告知当事人", item(StepNotice, "重新事先告知", "行政处罚法 §44"))
	}
	return nil
}

// heavierThan says how a proposal goes beyond the intended penalty of the
// notice ("" when it does not).
func heavierThan(p review.Proposal, in Intended) string {
	for _, m := range p.Measures {
		if slices.Contains(review.PenaltyMeasures, m) && !slices.Contains(in.Measures, m) {
			return "未告知的" + review.Measures[m]
		}
	}
	if p.Fine > in.Fine+0.005 {
		return fmt.Sprintf("罚款 %.2f 元高于告知的 %.2f 元", p.Fine, in.Fine)
	}
	return ""
}

// collectiveAfterReview refuses a collective discussion dated before the
// review opinion it decides on (行政处罚法 §57-58, 000-review §14; SPEC C4).
func collectiveAfterReview(st *State, c *CollectiveDiscussion) error {
	if c == nil || st.OpinionSeq == 0 {
		return nil
	}
	d, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(c.Date), cst)
	if err != nil {
		return nil // collectiveMissing names the date
	}
	var opinion time.Time
	for _, s := range st.Steps {
		if s.Seq == st.OpinionSeq {
			opinion = s.At.In(cst)
		}
	}
	day := time.Date(opinion.Year(), opinion.Month(), opinion.Day(), 0, 0, 0, 0, cst)
	if d.Before(day) {
		return lifeRefused(StepDecision, "行政处罚法 §57, §58; 000-review §14",
			fmt.Sprintf("the collective discussion is dated %s, before the review opinion of %s: the heads discuss the reviewed case", c.Date, day.Format(time.DateOnly)),
			fmt.Sprintf("集体讨论日期 %s 早于法制审核意见（%s），负责人集体讨论应在法制审核之后", c.Date, day.Format(time.DateOnly)),
			item("collective_discussion.date", "法制审核意见之后的集体讨论日期", "行政处罚法 §57"))
	}
	return nil
}

// approvalChain is the decision document's internal approval chain:
// 承办人 (the proposal or submission), 审核人 (the review opinion), 批准人
// (the head deciding) — SPEC R9, 000-record §34.
func approvalChain(st *State, u User, now time.Time) []ApprovalStep {
	var out []ApprovalStep
	for i := len(st.Steps) - 1; i >= 0; i-- {
		s := st.Steps[i]
		if s.Step == StepSubmit || s.Step == StepProposal {
			out = append(out, ApprovalStep{Role: "承办人", Name: s.By.Name, Step: s.Step, Seq: s.Seq, At: s.At.In(cst).Format("2006-01-02 15:04")})
			break
		}
	}
	if st.Opinion != nil {
		for _, s := range st.Steps {
			if s.Seq == st.OpinionSeq {
				out = append(out, ApprovalStep{Role: "审核人", Name: s.By.Name, Step: s.Step, Seq: s.Seq, At: s.At.In(cst).Format("2006-01-02 15:04")})
			}
		}
	}
	return append(out, ApprovalStep{Role: "批准人", Name: u.Name, Step: StepDecision, At: now.In(cst).Format("2006-01-02 15:04")})
}

// proceduralFacts is what the decision records of the general procedure.
func proceduralFacts(st *State) *ProcedureFacts {
	l := &st.Life
	if st.Case.Procedure != "penalty" || l.RegisteredAt.IsZero() {
		return nil
	}
	pf := &ProcedureFacts{Registered: l.RegisteredAt.Format("2006-01-02 15:04"), Waived: l.Waiver != nil, Statements: len(l.Statements),
		DecisionTermTo: l.TermDue.Add(-time.Nanosecond).Format(time.DateOnly)}
	if l.Notice != nil {
		pf.Notice = l.Notice.Number
	}
	if l.Served != nil {
		pf.NoticeServed = l.Served.ServedAt.In(cst).Format("2006-01-02 15:04")
		pf.PeriodEnds = l.PeriodEnds.Add(-time.Nanosecond).Format(time.DateOnly)
	}
	if l.Hearing != nil {
		pf.HearingHeld, pf.HearingRecord = l.Hearing.Attendance == "attended", l.HearingSeq
		pf.HearingWaived = l.Hearing.Attendance == "absent"
	}
	return pf
}
