// Package deadline computes every running legal deadline of a case on the official working-day calendar: A/V upload, emergency-start approval, legal review, publication and archiving (SPEC D5, R4, R5, R8, L4, P2).
package deadline

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"lawtrace/shared/review"
	"lawtrace/shared/workday"
)

// Kinds of deadline.
const (
	Upload          = "av_upload"
	EmergencyStart  = "emergency_approval"
	Review          = "legal_review"
	Publication     = "publication"
	Archive         = "archive"
	FineHandover    = "fine_handover"     // 行政处罚法 §71
	OnSpotFiling    = "on_spot_filing"    // 行政处罚法 §52
	SeizureApproval = "seizure_approval"  // 行政强制法 §19
	SeizureTerm     = "seizure_term"      // 行政强制法 §25
	Preservation    = "preserve_decision" // 行政处罚法 §56
	// The general-procedure penalty after the scene (issue 10, SPEC C2-C5).
	HearingRequest  = "hearing_request"  // 行政处罚法 §64(1), §85: 5 working days from the prior notice's service
	DecisionTerm    = "decision_term"    // 行政处罚法 §60: 90 days from 立案, extended by the head's approval
	DecisionService = "decision_service" // 行政处罚法 §61, §85: 7 working days from the decision when the party was absent
	UploadHours     = "24h"              // 000-record §28
	UploadWorkdays2 = "2wd"              // 002-record §28, 003 §26
)

// Settings choose between the regulations where they differ; the stricter
// rule is the default.
type Settings struct {
	Upload string // UploadHours (default) or UploadWorkdays2
	Review review.Settings
	// AnnualDue is the day of January by which last year's statistics are
	// published: AnnualJan20 (001, the default) or AnnualJan31 (002-publicity §9).
	AnnualDue string
}

// AV is one audio/video file the terminal recorded.
type AV struct {
	Hash     string
	Recorded time.Time
	Uploaded time.Time // zero while not on the server
}

// Facts are what the server knows of a case that deadlines run from; zero
// times mean "not yet".
type Facts struct {
	CaseID            string
	Procedure         string
	Opened            time.Time
	Emergency         bool
	EmergencyApproved time.Time
	AV                []AV
	Review            *review.Review
	Decided           time.Time
	Published         time.Time
	Ended             time.Time
	Archived          time.Time
	// Steps are the case's on-scene entries of the SceneSteps kinds, in
	// recorded order; Filed is when the back office confirmed the 备案 of
	// the on-the-spot decision.
	Steps []Step
	Filed time.Time

	// The general procedure after the scene (issue 10). Registered is the
	// head's 立案 approval; ExtendedDays the days §60 extensions added;
	// NoticeServed the service of the prior notice, PartyAnswered the
	// party's hearing request or written waiver, PeriodEnded set when the
	// period is over without either; DecisionServed the service of the
	// decision (office step or the terminal's serve of the decision).
	Registered   time.Time
	ExtendedDays int
	// Now is the moment the deadlines are computed for (time.Now if zero):
	// a waiting period that ran out shows as over, not as overdue.
	Now            time.Time
	NoticeServed   time.Time
	PartyAnswered  time.Time
	DecisionServed time.Time
	// Execution is the fine, its payment, the reminder, the court
	// application and a 责令改正 (SPEC C6, execution.go).
	Execution ExecutionFacts
	// Office is the back office of a coercion, permit or inspection case
	// (office.go).
	Office OfficeFacts
	// Suspended is an execution suspended on the party's inability
	// (suspension.go).
	Suspended Suspended
}

// Step is an on-scene entry a deadline runs from or is met by.
type Step struct {
	Kind   string
	Entry  string
	At     time.Time // the entry's calibrated time
	Fields map[string]string
}

// SceneSteps are the on-scene step kinds Compute reads.
var SceneSteps = []string{"on_spot_decision", "fine_handover", "seizure", "seizure_approval", "seizure_extension", "release", "preserve", "preserve_decision", "serve", "acceptance"}

// FieldsOf reads a step's recorded fields (a JSON object) as text; numbers
// and other values keep their JSON form.
func FieldsOf(raw json.RawMessage) map[string]string {
	var m map[string]json.RawMessage
	_ = json.Unmarshal(raw, &m)
	out := make(map[string]string, len(m))
	for k, v := range m {
		var s string
		if json.Unmarshal(v, &s) != nil {
			s = string(v)
		}
		out[k] = strings.TrimSpace(s)
	}
	return out
}

// Periods of days in 行政处罚法 (2 and 7 days here) are working days
// (行政处罚法 §85); the seizure term of 行政强制法 §25 (30 days) is in
// calendar days (§69 makes only periods up to 10 days working days).
const (
	FineHandoverWorkdays = 2 // 行政处罚法 §71
	PreservationWorkdays = 7 // 行政处罚法 §56
	// FilingWorkdays is the period given for the 备案 of an on-the-spot
	// decision: 行政处罚法 §52 sets none, so it is followed up like the fine.
	FilingWorkdays = 2
	SeizureMaxDays = 30 // 行政强制法 §25
	// HearingRequestWorkdays is the period in which the party asks for a
	// hearing after the prior notice was served (行政处罚法 §64(1), "五日",
	// working days by §85). 行政处罚法 sets no separate period for 陈述申辩;
	// the same 5 working days are used for it (as the market-regulation
	// procedure rules do), so one period runs from the service.
	HearingRequestWorkdays = 5
	// HearingNoticeWorkdays: the party is told of the hearing at least 7
	// days before it (行政处罚法 §64(2), working days by §85).
	HearingNoticeWorkdays = 7
	// DecisionDays: a penalty is decided within 90 days of 立案
	// (行政处罚法 §60) — calendar days, §85 makes only 2, 3, 5 and 7 days
	// working days.
	DecisionDays = 90
	// DecisionServiceWorkdays: a decision not handed over on its
	// announcement is served within 7 days (行政处罚法 §61, §85).
	DecisionServiceWorkdays = 7
)

// HearingRequestEnds is when the party's period for a statement and a
// hearing request runs out: the end of the 5th working day after the day
// the prior notice was served (行政处罚法 §64(1), §85).
func HearingRequestEnds(cal *workday.Calendar, served time.Time) (time.Time, bool) {
	return cal.Deadline(served, HearingRequestWorkdays)
}

// EarliestHearing is the first instant a hearing may be held when the
// party was told of it at noticed: after the 7th working day following the
// notice (行政处罚法 §64(2), §85; the stricter reading of "七日前").
func EarliestHearing(cal *workday.Calendar, noticed time.Time) (time.Time, bool) {
	return cal.Deadline(noticed, HearingNoticeWorkdays)
}

// DecisionDue is when a penalty must be decided: the end of the 90th
// calendar day after 立案 plus the days the head's extensions added
// (行政处罚法 §60).
func DecisionDue(registered time.Time, extraDays int) time.Time {
	return workday.AddCalendarDays(registered, DecisionDays+extraDays+1)
}

// Deadline is one running or finished deadline.
type Deadline struct {
	CaseID   string    `json:"case_id"`
	Kind     string    `json:"kind"`
	Subject  string    `json:"subject,omitempty"`
	Label    string    `json:"label"`
	Article  string    `json:"article"`
	Start    time.Time `json:"start"`
	Due      time.Time `json:"due"`
	Done     time.Time `json:"done"`
	Verified bool      `json:"verified"`
}

// States of a deadline at a moment.
const (
	StateRunning = "running"
	StateOverdue = "overdue"
	StateMet     = "met"
	StateMissed  = "missed"
)

// State says where the deadline stands at now.
func (d Deadline) State(now time.Time) string {
	switch {
	case !d.Done.IsZero() && d.Done.Before(d.Due):
		return StateMet
	case !d.Done.IsZero():
		return StateMissed
	case now.Before(d.Due):
		return StateRunning
	}
	return StateOverdue
}

// Remaining is the time left until due (negative when overdue).
func (d Deadline) Remaining(now time.Time) time.Duration { return d.Due.Sub(now) }

// Compute lists the case's deadlines that have started.
func Compute(f Facts, s Settings, cal *workday.Calendar) []Deadline {
	var out []Deadline
	add := func(kind, subject, label, article string, start time.Time, due time.Time, verified bool, done time.Time) {
		out = append(out, Deadline{CaseID: f.CaseID, Kind: kind, Subject: subject, Label: label, Article: article, Start: start, Due: due, Done: done, Verified: verified})
	}
	for _, av := range f.AV {
		due, label, article, ok := UploadRule("video", av.Recorded, s, cal)
		add(Upload, av.Hash, label, article, av.Recorded, due.In(av.Recorded.Location()), ok, av.Uploaded)
	}
	if f.Emergency {
		due, ok := cal.Deadline(f.Opened, 2)
		add(EmergencyStart, "", "紧急情况先行启动，2 个工作日内补办内部审批", "003 §12", f.Opened, due, ok, f.EmergencyApproved)
	}
	if r := f.Review; r != nil && !r.Submitted.IsZero() {
		due, ok := r.Due(s.Review, cal)
		label := "法制审核 3 个工作日内出具意见"
		if r.Extended {
			label = "法制审核（经负责人批准延长 2 个工作日）"
		}
		add(Review, "", label, "000-review §12", r.Submitted, due, ok, r.Answered)
	}
	if !f.Decided.IsZero() {
		n, label := 20, "执法决定信息 20 个工作日内公开"
		if f.Procedure == "penalty" || f.Procedure == "penalty-simple" || f.Procedure == "permit" {
			n, label = 7, "行政许可、行政处罚决定 7 个工作日内公开"
		}
		due, ok := cal.Deadline(f.Decided, n)
		add(Publication, "", label, "002-publicity §12, 001", f.Decided, due, ok, f.Published)
	}
	for _, st := range f.Steps {
		switch st.Kind {
		case "on_spot_decision":
			due, ok := cal.Deadline(st.At, FilingWorkdays)
			add(OnSpotFiling, "", "当场处罚决定报所属行政机关备案（法律未定期限，按 2 个工作日督办）", "行政处罚法 §52", st.At, due, ok, f.Filed)
			if st.Fields["payment"] == "on_spot" {
				due, ok := cal.Deadline(st.At, FineHandoverWorkdays)
				add(FineHandover, "", "当场收缴的罚款 2 日内交至行政机关", "行政处罚法 §71, §85", st.At, due, ok, f.after("fine_handover", st.At).At)
			}
		case "seizure":
			approval := f.after("seizure_approval", st.At)
			if st.Fields["approval"] == "emergency" {
				add(SeizureApproval, "", "紧急实施查封扣押，24 小时内报告并补办批准", "行政强制法 §19", st.At, st.At.Add(24*time.Hour), true, approval.At)
			}
			t := seizureTerm(f, st, f.Office.Seizures[st.Entry])
			subject, label := "", t.Label
			if st.Entry != f.firstSeizure() { // each later seizure decision has a term of its own
				subject = orEntry(t.Number, st.Entry)
				label = "查封扣押决定 " + subject + "：" + label
			}
			add(SeizureTerm, subject, label, t.Article, st.At, t.Due, true, t.Done)
		case "preserve":
			due, ok := cal.Deadline(st.At, PreservationWorkdays)
			add(Preservation, st.Entry, "先行登记保存 7 日内作出处理决定", "行政处罚法 §56, §85", st.At, due, ok, f.after("preserve_decision", st.At).At)
		}
	}
	if f.Procedure == "penalty" && !f.Registered.IsZero() {
		label := "自立案之日起 90 日内作出行政处罚决定"
		if f.ExtendedDays > 0 {
			label = fmt.Sprintf("自立案之日起 90 日内作出行政处罚决定（经负责人批准延长 %d 日）", f.ExtendedDays)
		}
		add(DecisionTerm, "", label, "行政处罚法 §60", f.Registered, DecisionDue(f.Registered, f.ExtendedDays), true, f.Decided)
	}
	if !f.NoticeServed.IsZero() {
		due, ok := HearingRequestEnds(cal, f.NoticeServed)
		done := f.PartyAnswered
		if done.IsZero() && f.periodOver(due) {
			done = due.Add(-time.Nanosecond) // the period ran out: the party's time is over, nothing is late
		}
		add(HearingRequest, "", "当事人陈述申辩、要求听证期限（告知书送达后 5 个工作日）", "行政处罚法 §64(1), §85", f.NoticeServed, due, ok, done)
	}
	if f.Procedure == "penalty" && !f.Decided.IsZero() {
		served := f.DecisionServed
		if served.IsZero() {
			for _, st := range f.Steps { // the terminal served the decision document
				if st.Kind == "serve" && st.Fields["document_kind"] == "decision" && !st.At.Before(f.Decided) {
					served = st.At
					break
				}
			}
		}
		due, ok := cal.Deadline(f.Decided, DecisionServiceWorkdays)
		add(DecisionService, "", "当事人不在场的，行政处罚决定书 7 个工作日内送达", "行政处罚法 §61, §85", f.Decided, due, ok, served)
	}
	if (f.Procedure == "penalty" || f.Procedure == "penalty-simple") && !f.Decided.IsZero() {
		executionDeadlines(f, cal, add) // the simple procedure joins at execution
	}
	officeDeadlines(f, cal, add)
	suspensionDeadlines(f, add)
	if !f.Ended.IsZero() {
		add(Archive, "", "案件终结后 30 日内立卷归档", "000-record §28, 003 §26", f.Ended, workday.AddCalendarDays(f.Ended, 31), true, f.Archived)
	}
	return out
}

// periodOver reports whether the party's period has run out (at Now, or
// at the decision when one was made).
func (f Facts) periodOver(due time.Time) bool {
	now := f.Now
	if now.IsZero() {
		now = time.Now()
	}
	return !now.Before(due)
}

// after is the first step of kind recorded at or after t (zero if none).
func (f Facts) after(kind string, t time.Time) Step {
	for _, st := range f.Steps {
		if st.Kind == kind && !st.At.Before(t) {
			return st
		}
	}
	return Step{}
}

// orEntry is a seizure's decision number, or its entry when none was recorded.
func orEntry(number, entry string) string {
	if number != "" {
		return number
	}
	return entry
}

// firstSeizure is the entry of the case's first seizure ("" if none).
func (f Facts) firstSeizure() string {
	for _, st := range f.Steps {
		if st.Kind == "seizure" {
			return st.Entry
		}
	}
	return ""
}

// dayCount reads a number of days, the legal maximum of a seizure when it is
// missing or out of range.
func dayCount(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 || n > SeizureMaxDays {
		return SeizureMaxDays
	}
	return n
}
