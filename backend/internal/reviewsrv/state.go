package reviewsrv

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"lawtrace/backend/internal/store"
	"lawtrace/shared/ledger"
	"lawtrace/shared/review"
	"lawtrace/shared/workday"
)

// Steps of the office chain. Each is one server-signed entry whose payload
// is {"fields": …, "files": […]} like a terminal's step record.
const (
	StepProposal     = "decision_proposal"    // the handler proposes a decision (000-review §6)
	StepSubmit       = "review_submit"        // materials submitted for review (000-review §7-8)
	StepExtend       = "review_extend"        // the head extends the review (000-review §12)
	StepOpinion      = "review_opinion"       // the reviewer's written opinion (000-review §9, §11)
	StepObjection    = "review_objection"     // the handler disagrees (000-review §13, 002-review §10)
	StepHeadDecision = "review_head_decision" // the head decides the disagreement (002-review §10)
	StepDecision     = "decision"             // the decision, approved (000-review §14, 002-review §11)
	StepEmergency    = "emergency_approval"   // internal approval of an emergency start (003 §12)
	StepPublished    = "decision_published"   // the decision was made public (P2)
	StepCaseEnd      = "case_end"             // the case ended: the archive period starts (R5)
	StepArchived     = "case_archived"        // the case file was archived (R5)
	StepFiled        = "on_spot_filed"        // the on-the-spot decision was filed (备案, 行政处罚法 §52)
)

// Disagreement paths recorded on an objection.
const (
	PathLegalOfficePrevails = "legal_office_prevails" // 000-review §13
	PathEscalatedToHead     = "escalated_to_head"     // 002-review §10
)

// Actor is who did a step, as recorded in the entry.
type Actor struct {
	ID       string `json:"id"`
	Username string `json:"username,omitempty"`
	Name     string `json:"name"`
	Role     string `json:"role"`
}

func actorOf(u User) Actor {
	return Actor{ID: u.ID, Username: u.Username, Name: u.Name, Role: string(u.Role)}
}

// Anchor is the head of the terminal's chain of the case when the office
// step was taken: what the step saw of the record.
type Anchor struct {
	Seq  int64  `json:"seq"`
	Hash string `json:"hash"`
}

// MaterialRef is one submitted material: stored files by hash (uploaded
// here or synced from a terminal) and/or entries of the case's record.
type MaterialRef struct {
	ID      string   `json:"id"`
	Label   string   `json:"label,omitempty"`
	Files   []string `json:"files,omitempty"`
	Entries []string `json:"entries,omitempty"`
	Note    string   `json:"note,omitempty"`
}

// Explanation is the written explanation of the proposed decision
// (情况说明, 000-review §8).
type Explanation struct {
	BasicFacts              string `json:"basic_facts"`               // (一) 基本事实
	LawAndDiscretion        string `json:"law_and_discretion"`        // (二) 适用法律法规和行政裁量权基准的情况
	OfficerQualification    string `json:"officer_qualification"`     // (三) 行政执法人员资格情况
	InvestigationAndHearing string `json:"investigation_and_hearing"` // (四) 调查取证和听证情况
	Other                   string `json:"other,omitempty"`           // (五) 其他需要说明的情况
}

// ExplanationItem is one item of the written explanation.
type ExplanationItem struct {
	ID    string `json:"id"`
	Label string `json:"label"`
}

// ExplanationItems names the items of 000-review §8 in order.
var ExplanationItems = []ExplanationItem{
	{"basic_facts", "基本事实"},
	{"law_and_discretion", "适用法律法规和行政裁量权基准的情况"},
	{"officer_qualification", "行政执法人员资格情况"},
	{"investigation_and_hearing", "调查取证和听证情况"},
	{"other", "其他需要说明的情况（如有）"},
}

// ProposalFields is the payload of a decision_proposal entry.
type ProposalFields struct {
	By             Actor           `json:"by"`
	CaseHead       Anchor          `json:"case_head"`
	Proposal       review.Proposal `json:"proposal"`
	Summary        string          `json:"summary,omitempty"`
	CatalogVersion int             `json:"catalog_version"`
	Required       bool            `json:"review_required"`
	Matches        []review.Match  `json:"matches"`
}

// SubmitFields is the payload of a review_submit entry.
type SubmitFields struct {
	By             Actor           `json:"by"`
	CaseHead       Anchor          `json:"case_head"`
	Proposal       review.Proposal `json:"proposal"`
	Summary        string          `json:"summary,omitempty"`
	CatalogVersion int             `json:"catalog_version"`
	Required       bool            `json:"review_required"`
	Matches        []review.Match  `json:"matches"`
	Materials      []MaterialRef   `json:"materials"`
	Explanation    Explanation     `json:"explanation"`
	Round          int             `json:"round"`
	Due            time.Time       `json:"due"`
	DueVerified    bool            `json:"due_verified"`
}

// ExtendFields is the payload of a review_extend entry.
type ExtendFields struct {
	By          Actor     `json:"by"`
	Reason      string    `json:"reason"`
	PreviousDue time.Time `json:"previous_due"`
	Due         time.Time `json:"due"`
	DueVerified bool      `json:"due_verified"`
	Workdays    int       `json:"workdays"`
}

// OpinionFields is the payload of a review_opinion entry.
type OpinionFields struct {
	By            Actor          `json:"by"`
	CaseHead      Anchor         `json:"case_head"`
	Opinion       review.Opinion `json:"opinion"`
	Qualification string         `json:"qualification"`
	Round         int            `json:"round"`
	Due           time.Time      `json:"due"`
	Late          bool           `json:"late"`
}

// ObjectionFields is the payload of a review_objection entry.
type ObjectionFields struct {
	By      Actor  `json:"by"`
	Reason  string `json:"reason"`
	Setting string `json:"setting"`
	Path    string `json:"path"`
	Article string `json:"article"`
}

// HeadDecisionFields is the payload of a review_head_decision entry.
type HeadDecisionFields struct {
	By      Actor  `json:"by"`
	Outcome string `json:"outcome"` // agree or return
	Reason  string `json:"reason"`
}

// DecisionDocument is the decision document (执法决定书).
type DecisionDocument struct {
	Number string `json:"number"` // 文书编号
	Title  string `json:"title,omitempty"`
	File   string `json:"file"` // SHA-256 of the stored document
}

// CollectiveDiscussion is the heads' collective discussion (集体讨论,
// 000-review §14, 002-review §11).
type CollectiveDiscussion struct {
	Date         string   `json:"date"`
	Participants []string `json:"participants"`
	Conclusion   string   `json:"conclusion"`
	Minutes      string   `json:"minutes"` // SHA-256 of the stored record
}

// ReviewSummary is the review as the decision saw it.
type ReviewSummary struct {
	State       string `json:"state"`
	Rounds      int    `json:"rounds"`
	Opinion     string `json:"opinion,omitempty"`
	Reviewer    string `json:"reviewer,omitempty"`
	HeadDecided bool   `json:"head_decided"`
	OpinionSeq  int64  `json:"opinion_seq,omitempty"` // the office entry holding the opinion
}

// DecisionFields is the payload of a decision entry.
type DecisionFields struct {
	By                 Actor                 `json:"by"`
	CaseHead           Anchor                `json:"case_head"`
	Proposal           review.Proposal       `json:"proposal"`
	Summary            string                `json:"summary,omitempty"`
	CatalogVersion     int                   `json:"catalog_version"`
	Required           bool                  `json:"review_required"`
	Matches            []review.Match        `json:"matches"`
	Review             ReviewSummary         `json:"review"`
	Document           DecisionDocument      `json:"document"`
	Approver           string                `json:"approver"`
	CollectiveRequired bool                  `json:"collective_required"`
	Collective         *CollectiveDiscussion `json:"collective_discussion,omitempty"`
	Note               string                `json:"note,omitempty"`
	// Chain is the internal approval chain of the decision document:
	// 承办人 → 审核 → 负责人 (SPEC R9, 000-record §34).
	Chain []ApprovalStep `json:"approval_chain,omitempty"`
	// Procedure is what the general procedure recorded before the decision
	// (立案, notice, statement, hearing; SPEC C1-C3), nil for other cases.
	Procedure *ProcedureFacts `json:"procedure,omitempty"`
}

// NoteFields is the payload of the simpler steps: emergency approval,
// publication, case end, archive, 备案.
type NoteFields struct {
	By     Actor     `json:"by"`
	Note   string    `json:"note,omitempty"`
	Reason string    `json:"reason,omitempty"`
	URL    string    `json:"url,omitempty"`
	Due    time.Time `json:"due,omitzero"`
	Late   bool      `json:"late,omitempty"`
}

// Step is one office entry as the pages list it.
type Step struct {
	Seq     int64     `json:"seq"`
	EntryID string    `json:"entry_id"`
	Hash    string    `json:"hash"`
	Step    string    `json:"step"`
	At      time.Time `json:"at"`
	By      Actor     `json:"by"`
	Summary string    `json:"summary"`
	Files   []string  `json:"files,omitempty"`
}

// State is a case's back office, replayed from its office chain.
type State struct {
	Case    store.CaseInfo `json:"case"`
	ChainID string         `json:"chain_id"`

	Proposal       *review.Proposal `json:"proposal,omitempty"`
	Summary        string           `json:"summary,omitempty"`
	Matches        []review.Match   `json:"matches"`
	Required       bool             `json:"review_required"`
	CatalogVersion int              `json:"catalog_version"`

	Review      review.Review   `json:"review"`
	Settings    review.Settings `json:"settings"`
	Submission  *SubmitFields   `json:"submission,omitempty"`
	Submitter   Actor           `json:"submitter"`
	Opinion     *OpinionFields  `json:"opinion,omitempty"`
	OpinionSeq  int64           `json:"opinion_seq,omitempty"`
	Due         time.Time       `json:"due,omitzero"`
	DueVerified bool            `json:"due_verified"`
	Overdue     bool            `json:"overdue"`
	Path        []string        `json:"disagreement_path"`

	Decision          *DecisionFields `json:"decision,omitempty"`
	Decided           time.Time       `json:"decided,omitzero"`
	EmergencyApproved time.Time       `json:"emergency_approved,omitzero"`
	Published         time.Time       `json:"published,omitzero"`
	Ended             time.Time       `json:"ended,omitzero"`
	Archived          time.Time       `json:"archived,omitzero"`
	Filed             time.Time       `json:"filed,omitzero"`

	// Life is the general procedure after the scene (issue 10, lifecycle.go).
	Life Lifecycle `json:"lifecycle"`
	// Exec is the execution and closing (execution.go, closing.go).
	Exec Execution `json:"execution"`
	// Office is the back office of coercion, permit and inspection cases (office.go).
	Office OfficeState `json:"office"`
	// OnSpot is the on-the-spot decision of a simple-procedure case, read
	// from the scene (onspot.go).
	OnSpot *OnSpotFine `json:"on_spot,omitempty"`

	Steps []Step `json:"steps"`
}

// decoded is an office entry's payload split into fields and files.
type decoded struct {
	fields json.RawMessage
	files  []ledger.File
	at     time.Time
}

func decodeEntry(e ledger.Entry) (decoded, error) {
	p, err := ledger.DecodePayload(e.Payload)
	if err != nil {
		return decoded{}, err
	}
	at, err := ledger.ParseTime(e.DeviceTime)
	if err != nil {
		return decoded{}, err
	}
	return decoded{fields: p.Fields, files: p.Files, at: at.In(cst)}, nil
}

// catalogs returns a catalog by version.
type catalogs func(version int) (*review.Catalog, error)

// fold replays a case's office chain into its State at now. Every entry
// was checked by the same rules when it was appended, so a refusal here
// means the chain is not what this server wrote.
func fold(oc store.OfficeCase, cat catalogs, cal *workday.Calendar, now time.Time) (*State, error) {
	st := &State{Case: oc.Case, ChainID: oc.ChainID, Matches: []review.Match{}, Path: []string{}, Steps: []Step{},
		Review: review.Review{State: review.StateNotSubmitted}}
	current, err := cat(0)
	if err != nil {
		return nil, err
	}
	st.Settings, st.CatalogVersion = current.Settings, current.Version
	for _, e := range oc.Chain {
		d, err := decodeEntry(e)
		if err != nil {
			return nil, fmt.Errorf("office entry #%d: %w", e.Seq, err)
		}
		step := Step{Seq: e.Seq, EntryID: e.ID, Hash: e.Hash, Step: e.Step, At: d.at}
		for _, f := range d.files {
			step.Files = append(step.Files, f.Hash)
		}
		var ev *review.Event
		switch e.Step {
		case StepProposal:
			var f ProposalFields
			if err := json.Unmarshal(d.fields, &f); err != nil {
				return nil, err
			}
			p := f.Proposal
			st.Proposal, st.Summary, st.Matches, st.CatalogVersion = &p, f.Summary, f.Matches, f.CatalogVersion
			step.By, step.Summary = f.By, proposalSummary(f.Proposal, f.Summary, f.Required, f.Matches)
		case StepSubmit:
			var f SubmitFields
			if err := json.Unmarshal(d.fields, &f); err != nil {
				return nil, err
			}
			c, err := cat(f.CatalogVersion)
			if err != nil {
				return nil, err
			}
			st.Settings, st.CatalogVersion = c.Settings, f.CatalogVersion
			p := f.Proposal
			st.Proposal, st.Summary, st.Matches, st.Submission, st.Submitter = &p, f.Summary, f.Matches, &f, f.By
			ids := []string{"proposal"} // the structured proposal and explanation
			for _, m := range f.Materials {
				if len(m.Files) > 0 || len(m.Entries) > 0 {
					ids = append(ids, m.ID)
				}
			}
			ev = &review.Event{Kind: "submit", At: d.at, By: f.By.Name, Materials: ids, Proposal: &p}
			step.By, step.Summary = f.By, fmt.Sprintf("第 %d 次送审：%s", f.Round, proposalSummary(f.Proposal, f.Summary, f.Required, f.Matches))
		case StepExtend:
			var f ExtendFields
			if err := json.Unmarshal(d.fields, &f); err != nil {
				return nil, err
			}
			ev = &review.Event{Kind: "extend", At: d.at, By: f.By.Name, Approver: f.By.Name, Reason: f.Reason}
			step.By, step.Summary = f.By, fmt.Sprintf("负责人批准延长 %d 个工作日：%s", f.Workdays, f.Reason)
		case StepOpinion:
			var f OpinionFields
			if err := json.Unmarshal(d.fields, &f); err != nil {
				return nil, err
			}
			o := f.Opinion
			ev = &review.Event{Kind: "opinion", At: d.at, By: f.By.Name, Opinion: &o}
			st.Opinion, st.OpinionSeq = &f, e.Seq
			step.By, step.Summary = f.By, "审核意见："+review.Opinions[o.Kind]+reasonsSuffix(o.Reasons)
		case StepObjection:
			var f ObjectionFields
			if err := json.Unmarshal(d.fields, &f); err != nil {
				return nil, err
			}
			st.Path = append(st.Path, f.Path)
			if f.Path == PathEscalatedToHead {
				ev = &review.Event{Kind: "object", At: d.at, By: f.By.Name, Reason: f.Reason}
				step.Summary = "承办机构有异议，报机关负责人决定：" + f.Reason
			} else {
				step.Summary = "承办机构有异议，经沟通未达成一致，以法制机构意见为准：" + f.Reason
			}
			step.By = f.By
		case StepHeadDecision:
			var f HeadDecisionFields
			if err := json.Unmarshal(d.fields, &f); err != nil {
				return nil, err
			}
			ev = &review.Event{Kind: "head_decision", At: d.at, By: f.By.Name, Approver: f.By.Name, Outcome: f.Outcome, Reason: f.Reason}
			st.Path = append(st.Path, "head_"+f.Outcome)
			step.By = f.By
			step.Summary = "机关负责人决定：" + map[string]string{"agree": "同意按承办机构意见作出决定", "return": "退回承办机构按审核意见处理"}[f.Outcome] + reasonsSuffix(f.Reason)
		case StepDecision:
			var f DecisionFields
			if err := json.Unmarshal(d.fields, &f); err != nil {
				return nil, err
			}
			st.Decision, st.Decided = &f, d.at
			step.By, step.Summary = f.By, fmt.Sprintf("作出决定 %s，批准人 %s", f.Document.Number, f.Approver)
		case StepEmergency, StepPublished, StepCaseEnd, StepArchived, StepFiled:
			var f NoteFields
			if err := json.Unmarshal(d.fields, &f); err != nil {
				return nil, err
			}
			step.By = f.By
			switch e.Step {
			case StepEmergency:
				st.EmergencyApproved, step.Summary = d.at, "紧急情况先行启动，内部审批已补办"+reasonsSuffix(f.Note)
			case StepPublished:
				st.Published, step.Summary = d.at, "执法决定已公示 "+f.URL
			case StepCaseEnd:
				st.Ended, step.Summary = d.at, "案件终结"+reasonsSuffix(f.Reason)
			case StepArchived:
				st.Archived, step.Summary = d.at, "已立卷归档"+reasonsSuffix(f.Note)
			case StepFiled:
				st.Filed, step.Summary = d.at, "当场处罚决定已报所属行政机关备案"+reasonsSuffix(f.Note)
			}
		default:
			ok, err := foldLife(st, e, d, &step)
			if err != nil {
				return nil, fmt.Errorf("office entry #%d (%s): %w", e.Seq, e.Step, err)
			}
			if !ok {
				step.Summary = e.Step
			}
		}
		if ev != nil {
			if err := st.Review.Apply(st.Settings, *ev); err != nil {
				return nil, fmt.Errorf("office entry #%d (%s) does not replay: %w", e.Seq, e.Step, err)
			}
		}
		st.Steps = append(st.Steps, step)
	}
	st.Life.finish(cal)
	st.Required = len(st.Matches) > 0 || st.Review.State != review.StateNotSubmitted
	if !st.Review.Submitted.IsZero() {
		st.Due, st.DueVerified = st.Review.Due(st.Settings, cal)
		st.Overdue = st.Review.Overdue(st.Settings, cal, now)
	}
	return st, nil
}

// Open reports whether the review can take a new proposal or submission.
func (st *State) open() bool {
	return st.Decision == nil && (st.Review.State == review.StateNotSubmitted || st.Review.State == review.StateReturned)
}

func reasonsSuffix(s string) string {
	if s == "" {
		return ""
	}
	return "（" + s + "）"
}

func proposalSummary(p review.Proposal, summary string, required bool, matches []review.Match) string {
	out := summary
	if out == "" {
		var parts []string
		for _, m := range p.Measures {
			if m == "fine" {
				parts = append(parts, fmt.Sprintf("罚款 %.2f 元", p.Fine))
				continue
			}
			parts = append(parts, review.Measures[m])
		}
		if len(parts) == 0 && p.Fine > 0 {
			parts = append(parts, fmt.Sprintf("罚款 %.2f 元", p.Fine))
		}
		out = "拟作出：" + joinOr(parts, "（无处罚措施）")
	}
	if required {
		var ids []string
		for _, m := range matches {
			ids = append(ids, m.RuleID)
		}
		return out + "；需法制审核（" + joinOr(ids, "自愿送审") + "）"
	}
	return out + "；无需法制审核"
}

func joinOr(parts []string, empty string) string {
	if len(parts) == 0 {
		return empty
	}
	out := parts[0]
	for _, p := range parts[1:] {
		out += "、" + p
	}
	return out
}

// mergeMatches adds the matches of b that a lacks (by rule id).
func mergeMatches(a, b []review.Match) []review.Match {
	out := slices.Clone(a)
	for _, m := range b {
		if !slices.ContainsFunc(out, func(x review.Match) bool { return x.RuleID == m.RuleID }) {
			out = append(out, m)
		}
	}
	return out
}
