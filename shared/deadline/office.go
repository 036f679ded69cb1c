package deadline

import (
	"fmt"
	"time"

	"lawtrace/shared/workday"
)

// The back office of coercion, permit and inspection cases (issue 10): the
// seizure term with the head's extension and the appraisal days it does
// not count, the permit's decision and service limits, the inspection's
// re-check, the coercive execution's reminder and the demolition notice —
// the one place these periods are computed.
//
// How the laws count: 行政强制法 §69 makes periods of "十日以内" working
// days, so the 30 days of §25 are calendar days; 行政许可法 §82 counts its
// periods in working days (法定节假日 not counted).
const (
	PermitDecision = "permit_decision" // 行政许可法 §42: 20 working days from 受理, +10 by the head
	PermitService  = "permit_service"  // 行政许可法 §44: 10 working days from the decision
	PermitHearing  = "permit_hearing"  // 行政许可法 §47: the party asks within 5 working days of being told
	// 行政许可法 §32(4): the one-time 补正 notice within 5 working days of receipt.
	PermitSupplement = "permit_supplement"
	CoercionNotice   = "coercion_reminder" // 行政强制法 §35, §37: the period the written reminder sets
	Demolition       = "demolition_notice" // 行政强制法 §44: the announced period to demolish

	// PermitWorkdays: a permit is decided within 20 working days of 受理
	// (行政许可法 §42 ¶1, §82).
	PermitWorkdays = 20
	// PermitExtensionWorkdays: the head may extend it once by 10 working days.
	PermitExtensionWorkdays = 10
	// PermitServiceWorkdays: the decision is served within 10 working days (§44).
	PermitServiceWorkdays = 10
	// PermitHearingWorkdays: the applicant or interested party asks for a
	// hearing within 5 working days of being told of the right (§47 ¶1).
	PermitHearingWorkdays = 5
	// PermitSupplementWorkdays: an incomplete application is told what to
	// add, all at once, on the spot or within 5 working days of receipt;
	// told later (or never), it counts as accepted from the day the
	// materials were received (行政许可法 §32 ¶1(四), §82).
	PermitSupplementWorkdays = 5
	// SubstituteReminderWorkdays: 代履行 is preceded by a reminder at least 3
	// days before (行政强制法 §51(二); working days by §69).
	SubstituteReminderWorkdays = 3
)

// SeizureOffice is what the back office recorded on a seizure begun on the
// scene: the head's extension (行政强制法 §25 ¶1), the days of 检测、检验、
// 检疫或者技术鉴定 not counted in the term (§25 ¶3), and the 处理决定 or
// 解除 that ends it (§27-28).
type SeizureOffice struct {
	ExtraDays     int
	AppraisalDays int
	Ended         time.Time
}

// Seizure is the term of a seizure as the terminal and the office
// recorded it.
type Seizure struct {
	Entry     string // the on-scene seizure entry: one case may hold several seizure decisions
	Number    string // the 查封（扣押）决定书文号 recorded on the scene
	Start     time.Time
	Due       time.Time // the instant the term runs out
	Days      int       // the term set on the scene
	Extra     int       // the extension, on the scene or by the office
	Appraisal int
	Extended  bool
	Label     string
	Article   string
	Done      time.Time // released on the scene, or decided or released in the office
	Found     bool
}

// SeizureOf computes the term of the seizure recorded by the entry
// (行政强制法 §25): the days set on the scene (at most 30), one extension of
// at most 30 days (on the scene or by the office), the appraisal days not
// counted; an emergency seizure the head did not approve is due at once
// (§19). Found is false when steps hold no such seizure.
func SeizureOf(steps []Step, entry string, o SeizureOffice) Seizure {
	f := Facts{Steps: steps}
	for _, st := range steps {
		if st.Kind == "seizure" && st.Entry == entry {
			return seizureTerm(f, st, o)
		}
	}
	return Seizure{}
}

func seizureTerm(f Facts, st Step, o SeizureOffice) Seizure {
	t := Seizure{Entry: st.Entry, Number: st.Fields["decision_number"], Start: st.At, Days: dayCount(st.Fields["term_days"]), Found: true, Article: "行政强制法 §25", Appraisal: o.AppraisalDays}
	if ext := f.after("seizure_extension", st.At); !ext.At.IsZero() {
		t.Extra, t.Extended = dayCount(ext.Fields["extra_days"]), true
	}
	if o.ExtraDays > 0 {
		t.Extra, t.Extended = o.ExtraDays, true
	}
	t.Due = workday.AddCalendarDays(st.At, t.Days+t.Extra+t.Appraisal+1)
	if t.Extended {
		t.Label = fmt.Sprintf("查封扣押期限 %d 日（经批准延长 %d 日），届满前解除", t.Days+t.Extra, t.Extra)
	} else {
		t.Label = fmt.Sprintf("查封扣押期限 %d 日，届满前解除或经批准延长", t.Days)
	}
	if t.Appraisal > 0 {
		t.Label += fmt.Sprintf("（检测、检验、检疫或技术鉴定 %d 日不计入）", t.Appraisal)
	}
	if approval := f.after("seizure_approval", st.At); approval.Fields["result"] == "not_approved" && approval.At.Before(t.Due) {
		t.Due, t.Label, t.Article = approval.At, "紧急实施的查封扣押未获批准，应当立即解除", "行政强制法 §19"
	}
	t.Done = f.after("release", st.At).At
	if !o.Ended.IsZero() && (t.Done.IsZero() || o.Ended.Before(t.Done)) {
		t.Done = o.Ended
	}
	return t
}

// PermitDue is the instant a permit accepted at accepted must be decided:
// the end of the 20th working day after 受理, plus 10 with the head's
// extension, plus the working days of hearing, 检验、检测、检疫、鉴定 and
// expert review that §45 does not count (行政许可法 §42, §45, §82).
func PermitDue(cal *workday.Calendar, accepted time.Time, extended bool, excludedWorkdays int) (time.Time, bool) {
	n := PermitWorkdays + excludedWorkdays
	if extended {
		n += PermitExtensionWorkdays
	}
	return cal.Deadline(accepted, n)
}

// PermitSupplementDue is the instant the 5 working days to tell the
// applicant what to add run out, from the receipt of the materials
// (行政许可法 §32 ¶1(四), §82).
func PermitSupplementDue(cal *workday.Calendar, received time.Time) (time.Time, bool) {
	return cal.Deadline(received, PermitSupplementWorkdays)
}

// PermitServiceDue is when a permit decision must be served: 10 working
// days after the decision (行政许可法 §44).
func PermitServiceDue(cal *workday.Calendar, decided time.Time) (time.Time, bool) {
	return cal.Deadline(decided, PermitServiceWorkdays)
}

// PermitHearingEnds is when the party's 5 working days to ask for a
// hearing run out, from being told of the right (行政许可法 §47 ¶1).
func PermitHearingEnds(cal *workday.Calendar, told time.Time) (time.Time, bool) {
	return cal.Deadline(told, PermitHearingWorkdays)
}

// OfficeFacts are what the back office of a coercion, permit or inspection
// case recorded that deadlines run from (zero: not yet).
type OfficeFacts struct {
	// Seizures are the office's records on each seizure, by its on-scene
	// entry (行政强制法 §25-§28).
	Seizures map[string]SeizureOffice
	// 行政强制法 §35-§37: the reminder's own period, met by performance or
	// the execution decision.
	ReminderServed, ReminderEnds, Performed time.Time
	// 行政强制法 §44: the announcement's period to demolish.
	DemolitionAnnounced, DemolitionEnds time.Time
	// 行政许可法 §42-§47.
	Accepted         time.Time
	PermitExtended   bool
	ExcludedWorkdays int
	PermitDecided    time.Time
	PermitServed     time.Time
	// 行政许可法 §32(4): the receipt of incomplete materials and the 补正 notice.
	Received, SupplementNoticed time.Time
	HearingTold                 time.Time
	HearingAnswered             time.Time
	// 003 §3 ¶3: the inspection's 责令改正 and 复查.
	RectifyLastDay, Rechecked time.Time
}

// officeDeadlines adds the deadlines of a coercion, permit or inspection
// case's back office.
func officeDeadlines(f Facts, cal *workday.Calendar, add func(kind, subject, label, article string, start, due time.Time, verified bool, done time.Time)) {
	o := f.Office
	partyPeriod := func(due time.Time, done time.Time) time.Time {
		if (done.IsZero() || !done.Before(due)) && f.periodOver(due) {
			return due.Add(-time.Nanosecond) // the party's period is over: nothing is late
		}
		return done
	}
	if !o.ReminderServed.IsZero() {
		add(CoercionNotice, "", "催告书载明的履行期限（逾期仍不履行的，方可作出强制执行决定）", "行政强制法 §35, §37", o.ReminderServed, o.ReminderEnds, true,
			partyPeriod(o.ReminderEnds, o.Performed))
	}
	if !o.DemolitionAnnounced.IsZero() {
		add(Demolition, "", "公告限期当事人自行拆除", "行政强制法 §44", o.DemolitionAnnounced, o.DemolitionEnds, true, partyPeriod(o.DemolitionEnds, o.Performed))
	}
	if !o.Received.IsZero() {
		due, ok := PermitSupplementDue(cal, o.Received)
		add(PermitSupplement, "", "申请材料不齐全的，当场或者 5 个工作日内一次告知需要补正的全部内容；逾期不告知的，自收到申请材料之日起即为受理",
			"行政许可法 §32(4), §82", o.Received, due, ok, o.SupplementNoticed)
	}
	if !o.Accepted.IsZero() {
		due, ok := PermitDue(cal, o.Accepted, o.PermitExtended, o.ExcludedWorkdays)
		label := "受理之日起 20 个工作日内作出行政许可决定"
		if o.PermitExtended {
			label = "受理之日起 20 个工作日内作出行政许可决定（经负责人批准延长 10 个工作日）"
		}
		if o.ExcludedWorkdays > 0 {
			label += fmt.Sprintf("；听证、检验检测鉴定、专家评审 %d 个工作日不计入", o.ExcludedWorkdays)
		}
		add(PermitDecision, "", label, "行政许可法 §42, §45, §82", o.Accepted, due, ok, o.PermitDecided)
	}
	if !o.HearingTold.IsZero() {
		due, ok := PermitHearingEnds(cal, o.HearingTold)
		add(PermitHearing, "", "申请人、利害关系人被告知听证权利后 5 个工作日内提出听证申请", "行政许可法 §47, §82", o.HearingTold, due, ok, partyPeriod(due, o.HearingAnswered))
	}
	if !o.PermitDecided.IsZero() {
		due, ok := PermitServiceDue(cal, o.PermitDecided)
		add(PermitService, "", "作出行政许可决定之日起 10 个工作日内送达", "行政许可法 §44, §82", o.PermitDecided, due, ok, o.PermitServed)
	}
	if !o.RectifyLastDay.IsZero() {
		due, ok := RectifyCheckDue(cal, o.RectifyLastDay)
		add(RectifyCheck, "", fmt.Sprintf("责令改正期限 %s 届满后复查（法律未定复查期限，按 2 个工作日督办）", o.RectifyLastDay.Format(time.DateOnly)),
			"003 §3, §23; 000-record §24", o.RectifyLastDay, due, ok, o.Rechecked)
	}
}
