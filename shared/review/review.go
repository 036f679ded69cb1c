package review

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"lawtrace/shared/enforce"
	"lawtrace/shared/workday"
)

// Material is a document the handler submits for review (000-review §7-8).
type Material struct {
	ID      string `json:"id"`
	Label   string `json:"label"`
	Article string `json:"article"`
}

// Materials lists every material; hearing_record and assessment are needed
// only when a hearing was held or an assessment made.
var Materials = []Material{
	{"investigation_report", "调查终结报告", "000-review §7(1)"},
	{"proposal", "重大行政执法决定建议及情况说明（基本事实、适用法律和裁量基准、执法人员资格、调查取证和听证情况）", "000-review §7(2), §8"},
	{"draft_decision", "行政执法决定书代拟稿", "000-review §7(3)"},
	{"evidence", "相关证据资料", "000-review §7(4)"},
	{"hearing_record", "听证笔录", "000-review §7(5)"},
	{"assessment", "评估报告", "000-review §7(5)"},
}

// MissingMaterials lists what a submission lacks for this proposal (L2).
func MissingMaterials(p Proposal, have []string) []Material {
	var out []Material
	for _, m := range Materials {
		needed := true
		switch m.ID {
		case "hearing_record":
			needed = p.HearingHeld
		case "assessment":
			needed = p.Assessed
		}
		if needed && !slices.Contains(have, m.ID) {
			out = append(out, m)
		}
	}
	return out
}

// CheckItem is one point the reviewer must examine (000-review §9, 002-review §7).
type CheckItem struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// Checklist is the union of 000-review §9 and 002-review §7.
var Checklist = []CheckItem{
	{"subject", "行政执法主体是否合法、适格"},
	{"qualification", "行政执法人员是否具备执法资格"},
	{"facts", "主要事实是否清楚"},
	{"evidence", "证据是否确凿、充分、合法"},
	{"procedure", "执法程序是否合法"},
	{"law", "适用法律、法规、规章是否准确"},
	{"discretion", "裁量基准运用是否适当"},
	{"authority", "是否超越本机关法定权限"},
	{"documents", "执法文书是否完备、规范"},
	{"crime_transfer", "违法行为是否涉嫌犯罪、需要移送司法机关"},
}

// Opinions a reviewer may give (000-review §11; supplement per 002-review §9).
var Opinions = map[string]string{
	"agree":                  "同意",
	"change":                 "变更（定性、法律适用或裁量基准不当）",
	"correct":                "纠正（程序不合法）",
	"supplement":             "补充材料（送审材料不完整）",
	"continue_investigation": "继续调查（主要事实不清、证据不足）",
	"do_not_decide":          "不予作出行政执法决定",
	"transfer":               "移送（超出管辖范围或涉嫌犯罪）",
}

// Finding is the reviewer's answer on one checklist item.
type Finding struct {
	Item string `json:"item"`
	OK   bool   `json:"ok"`
	Note string `json:"note,omitempty"`
}

// Opinion is a reviewer's written opinion (L3).
type Opinion struct {
	Kind     string    `json:"kind"`
	Reasons  string    `json:"reasons"`
	Findings []Finding `json:"findings"`
	Reviewer string    `json:"reviewer"`
}

// Check refuses an opinion that skips a checklist item, agrees despite a
// problem found, or departs from the proposal without reasons.
func (o Opinion) Check() error {
	if _, ok := Opinions[o.Kind]; !ok {
		return enforce.Errorf(enforce.EInvalid, "opinion must be one of agree, change, correct, supplement, continue_investigation, do_not_decide, transfer; got %q", o.Kind)
	}
	if strings.TrimSpace(o.Reviewer) == "" {
		return enforce.Errorf(enforce.EInvalid, "the opinion must name its reviewer")
	}
	answered := map[string]Finding{}
	for _, f := range o.Findings {
		answered[f.Item] = f
	}
	var missing []enforce.Item
	var problems []string
	for _, c := range Checklist {
		f, ok := answered[c.ID]
		if !ok {
			missing = append(missing, enforce.Labelled(c.ID, c.Label))
			continue
		}
		if !f.OK {
			problems = append(problems, c.ID)
			if strings.TrimSpace(f.Note) == "" {
				return &enforce.Error{Code: enforce.EInvalid, Message: fmt.Sprintf("checklist item %s is marked as a problem without a note", c.ID), Article: "000-review §9"}
			}
		}
	}
	if len(missing) > 0 {
		return &enforce.Error{Code: enforce.ERefused, Message: "every checklist item must be examined", Missing: missing, Article: "000-review §9, 002-review §7"}
	}
	if o.Kind == "agree" && len(problems) > 0 {
		return &enforce.Error{Code: enforce.ERefused, Message: "an agree opinion cannot stand with problems found in " + strings.Join(problems, ", "), Article: "000-review §11(1)"}
	}
	if o.Kind != "agree" && strings.TrimSpace(o.Reasons) == "" {
		return &enforce.Error{Code: enforce.ERefused, Message: "an opinion other than agree must give its reasons", Article: "000-review §11"}
	}
	return nil
}

// States of a review.
const (
	StateNotSubmitted = "not_submitted"
	StateUnderReview  = "under_review"
	StateReturned     = "returned"  // opinion other than agree: back to the handler
	StateEscalated    = "escalated" // handler objected, the head decides (002-review §10)
	StateAgreed       = "agreed"
)

// Event is one step of a review, each recorded as a ledger entry.
type Event struct {
	Kind      string    `json:"kind"` // submit, extend, opinion, object, head_decision
	At        time.Time `json:"at"`
	By        string    `json:"by"`
	Materials []string  `json:"materials,omitempty"`
	Proposal  *Proposal `json:"proposal,omitempty"`
	Opinion   *Opinion  `json:"opinion,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	Approver  string    `json:"approver,omitempty"`
	Outcome   string    `json:"outcome,omitempty"` // head_decision: agree or return
}

// Review is the state of one case's review, replayed from its events.
type Review struct {
	State       string    `json:"state"`
	Submitted   time.Time `json:"submitted"`
	Answered    time.Time `json:"answered"` // when the latest opinion was given
	Extended    bool      `json:"extended"`
	Opinion     *Opinion  `json:"opinion,omitempty"`
	Rounds      int       `json:"rounds"`
	HeadDecided bool      `json:"head_decided"`
}

// Replay folds events into a Review, refusing any event the state does not
// allow; Apply uses the same rules for the next event.
func Replay(s Settings, events []Event) (Review, error) {
	r := Review{State: StateNotSubmitted}
	for i, e := range events {
		if err := r.Apply(s, e); err != nil {
			return r, fmt.Errorf("review event %d (%s): %w", i+1, e.Kind, err)
		}
	}
	return r, nil
}

// Apply advances the review by one event or refuses it with the article.
func (r *Review) Apply(s Settings, e Event) error {
	refuse := func(article, format string, args ...any) error {
		return &enforce.Error{Code: enforce.ERefused, Step: "review_" + e.Kind, Message: fmt.Sprintf(format, args...), Article: article}
	}
	if r.State == "" {
		r.State = StateNotSubmitted
	}
	switch e.Kind {
	case "submit":
		if r.State != StateNotSubmitted && r.State != StateReturned {
			return refuse("000-review §6", "the case is %s; it can be submitted only before review or after being returned", r.State)
		}
		if e.Proposal == nil {
			return refuse("000-review §7", "a submission carries the proposed decision")
		}
		if m := MissingMaterials(*e.Proposal, e.Materials); len(m) > 0 {
			var names []enforce.Item
			for _, x := range m {
				names = append(names, enforce.Labelled(x.ID, x.Label))
			}
			return &enforce.Error{Code: enforce.ERefused, Step: "review_submit", Message: "the submission is incomplete", Missing: names, Article: "000-review §7-8"}
		}
		r.State, r.Submitted, r.Answered, r.Extended, r.Opinion, r.HeadDecided = StateUnderReview, e.At, time.Time{}, false, nil, false
		r.Rounds++
	case "extend":
		if r.State != StateUnderReview {
			return refuse("000-review §12", "only a review under way can be extended")
		}
		if r.Extended {
			return refuse("000-review §12", "the review was already extended once by %d working days", s.ExtensionWorkdays)
		}
		if strings.TrimSpace(e.Approver) == "" || strings.TrimSpace(e.Reason) == "" {
			return refuse("000-review §12", "an extension needs the approving head and the reason (a complex case)")
		}
		r.Extended = true
	case "opinion":
		if r.State != StateUnderReview {
			return refuse("000-review §11", "the case is %s, not under review", r.State)
		}
		if e.Opinion == nil {
			return refuse("000-review §11", "an opinion event carries the opinion")
		}
		if err := e.Opinion.Check(); err != nil {
			return err
		}
		r.Opinion, r.Answered = e.Opinion, e.At
		r.State = StateReturned
		if e.Opinion.Kind == "agree" {
			r.State = StateAgreed
		}
	case "object":
		if r.State != StateReturned {
			return refuse("000-review §13", "only a returned case can be objected to")
		}
		if strings.TrimSpace(e.Reason) == "" {
			return refuse("000-review §13", "an objection states the handler's reasons")
		}
		if s.Disagreement == LegalOfficePrevails {
			return refuse("000-review §13", "this agency's setting is that the legal office's opinion prevails; address it and resubmit")
		}
		r.State = StateEscalated
	case "head_decision":
		if r.State != StateEscalated {
			return refuse("002-review §10", "the head decides only an escalated disagreement")
		}
		if strings.TrimSpace(e.Approver) == "" || (e.Outcome != "agree" && e.Outcome != "return") {
			return refuse("002-review §10", "the head's decision names the head and is agree or return")
		}
		r.HeadDecided = true
		r.State = StateReturned
		if e.Outcome == "agree" {
			r.State = StateAgreed
		}
	default:
		return enforce.Errorf(enforce.EInvalid, "unknown review event %q", e.Kind)
	}
	return nil
}

// Due is when the opinion is due: DeadlineWorkdays working days after the
// complete materials arrived, plus the extension if granted (L4). verified is
// false when the calendar does not know a year crossed.
func (r Review) Due(s Settings, cal *workday.Calendar) (due time.Time, verified bool) {
	n := s.DeadlineWorkdays
	if r.Extended {
		n += s.ExtensionWorkdays
	}
	return cal.Deadline(r.Submitted, n)
}

// Overdue reports whether a review under way has passed its due time.
func (r Review) Overdue(s Settings, cal *workday.Calendar, now time.Time) bool {
	if r.State != StateUnderReview {
		return false
	}
	due, _ := r.Due(s, cal)
	return !now.Before(due)
}

// CheckDecision refuses recording a decision for a case that needs review
// until the review agreed (L5, 000-review §5, §14; 002-review §2).
func CheckDecision(matches []Match, r Review) error {
	if len(matches) == 0 || r.State == StateAgreed {
		return nil
	}
	return &enforce.Error{Code: enforce.ERefused, Step: "decision",
		Message: fmt.Sprintf("this decision needs legal review (%s) and the review is %s; no decision without an agree opinion", matches[0].RuleID, r.State),
		Article: "000-review §5, §14; 002-review §2"}
}
