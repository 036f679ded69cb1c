package reviewsrv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"time"

	"lawtrace/backend/internal/auth"
	"lawtrace/backend/internal/events"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
	"lawtrace/shared/review"
)

// Event kinds the service publishes on the bus (for the live board).
const (
	EventOffice   = "office_entry"   // a review or decision step was recorded; Cases, Detail = step
	EventDeadline = "deadline_state" // a deadline changed state; Cases, Detail = "kind state"
	EventCatalog  = "review_catalog" // a review catalog version was published
	EventCalendar = "holiday_calendar"
)

// ForbiddenError refuses an action to a user whose role may not take it.
type ForbiddenError struct {
	Action string
	Role   auth.Role
	Need   []auth.Role
}

func (e *ForbiddenError) Error() string {
	var need []string
	for _, r := range e.Need {
		need = append(need, string(r))
	}
	return fmt.Sprintf("%s is for %s; the %s role may not take it", e.Action, strings.Join(need, " or "), e.Role)
}

func allow(u User, roles []auth.Role, action string) error {
	if u.Can(roles) {
		return nil
	}
	return &ForbiddenError{Action: action, Role: u.Role, Need: roles}
}

// StateFor replays a case's office chain for a user who may read it.
func (s *Service) StateFor(ctx context.Context, u User, caseID string) (*State, error) {
	if err := allow(u, Readers, "reading a case's review"); err != nil {
		return nil, err
	}
	st, err := s.State(ctx, caseID)
	if err != nil {
		return nil, err
	}
	if !u.Sees(st.Case) {
		return nil, notOnCase(u, caseID)
	}
	return st, nil
}

func notOnCase(u User, caseID string) error {
	return &ForbiddenError{Action: "case " + caseID + " (not on its crew)", Role: u.Role, Need: []auth.Role{auth.Supervisor, auth.Reviewer}}
}

// State replays a case's office chain.
func (s *Service) State(ctx context.Context, caseID string) (*State, error) {
	oc, err := s.st.Office(ctx, caseID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, enforce.Errorf(enforce.ENotFound, "no case %s", caseID)
	}
	if err != nil {
		return nil, err
	}
	return s.stateOf(ctx, oc)
}

// stateOf folds a case's office chain.
func (s *Service) stateOf(ctx context.Context, oc store.OfficeCase) (*State, error) {
	cal, _, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	st, err := fold(oc, s.catalogFn(ctx), cal, s.now())
	if err != nil || st.Case.Procedure != "penalty-simple" {
		return st, err
	}
	scene, err := s.sceneFacts(ctx, oc.Case.ID)
	st.OnSpot = onSpotOf(scene)
	return st, err
}

// built is what an action's builder returns: the entry's fields and files.
type built struct {
	fields any
	files  []ledger.File
}

// act appends one office entry for caseID. build sees the state replayed
// inside the write transaction, so its checks hold when the entry commits.
func (s *Service) act(ctx context.Context, u User, caseID, step string, build func(st *State, cur *review.Catalog, now time.Time) (built, error)) (*State, error) {
	cal, _, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	cur, err := s.Catalog(ctx, 0)
	if err != nil {
		return nil, err
	}
	cat := s.catalogFn(ctx)
	now := s.now()
	_, _, err = s.st.AppendOffice(ctx, caseID, func(oc store.OfficeCase) (store.OfficeDraft, error) {
		if !u.Sees(oc.Case) {
			return store.OfficeDraft{}, notOnCase(u, caseID)
		}
		st, err := fold(oc, cat, cal, now)
		if err != nil {
			return store.OfficeDraft{}, err
		}
		b, err := build(st, cur.Catalog, now)
		if err != nil {
			return store.OfficeDraft{}, err
		}
		fields, err := json.Marshal(b.fields)
		if err != nil {
			return store.OfficeDraft{}, err
		}
		payload, err := json.Marshal(ledger.Payload{Fields: fields, Files: b.files})
		if err != nil {
			return store.OfficeDraft{}, err
		}
		var media []string
		for _, f := range b.files {
			if !slices.Contains(media, f.Hash) {
				media = append(media, f.Hash)
			}
		}
		officers := []string{}
		if u.OfficerCert != "" {
			officers = append(officers, u.OfficerCert)
		}
		return store.OfficeDraft{Step: step, Payload: payload, Officers: officers, Media: media, At: now}, nil
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, enforce.Errorf(enforce.ENotFound, "no case %s", caseID)
	}
	if err != nil {
		return nil, err
	}
	s.log.Info("office entry", "case", caseID, "step", step, "by", u.Username)
	s.publish(EventOffice, []string{caseID}, step)
	if s.cfg.Bus != nil { // a server-signed entry joined the log: the board refreshes the case's row
		s.cfg.Bus.Publish(events.Event{Kind: events.BatchIngested, At: now, DeviceID: s.cfg.ServerID, Cases: []string{caseID}, Entries: 1, Detail: "office entry " + step})
	}
	return s.State(ctx, caseID)
}

func refused(step, article, format string, args ...any) error {
	return &enforce.Error{Code: enforce.ERefused, Step: step, Message: fmt.Sprintf(format, args...), Article: article}
}

func anchor(ci store.CaseInfo) Anchor { return Anchor{Seq: ci.LastSeq, Hash: ci.LastHash} }

// afterInvestigation refuses office steps before the on-scene record is
// closed: review and decision follow the end of investigation (000-review §6).
func afterInvestigation(st *State, step string) error {
	if st.Case.SceneClosed.IsZero() {
		return refused(step, "000-review §6", "case %s: the investigation is not finished (the on-scene record is not closed on the terminal); a decision is proposed after investigation", st.Case.ID)
	}
	return nil
}

// normalise checks a proposal against the case and the known measures and
// flags: the procedure and party kind come from the case.
func normalise(ci store.CaseInfo, p review.Proposal) (review.Proposal, error) {
	p.Procedure = ci.Procedure
	if ci.PartyKind != "" {
		p.PartyKind = ci.PartyKind
	}
	if p.PartyKind != "person" && p.PartyKind != "org" {
		return p, enforce.Errorf(enforce.EInvalid, "party_kind must be person or org, got %q", p.PartyKind)
	}
	if p.Fine < 0 {
		return p, enforce.Errorf(enforce.EInvalid, "a fine cannot be negative")
	}
	var measures []string
	for _, m := range p.Measures {
		if _, ok := review.Measures[m]; !ok {
			return p, enforce.Errorf(enforce.EInvalid, "unknown measure %q", m)
		}
		if !slices.Contains(measures, m) {
			measures = append(measures, m)
		}
	}
	if p.Fine > 0 && !slices.Contains(measures, "fine") {
		measures = append(measures, "fine")
	}
	if slices.Contains(measures, "fine") && p.Fine <= 0 {
		return p, enforce.Errorf(enforce.EInvalid, "a fine needs its amount")
	}
	p.Measures = measures
	var flags []string
	for _, f := range p.Flags {
		if _, ok := review.Flags[f]; !ok {
			return p, enforce.Errorf(enforce.EInvalid, "unknown flag %q", f)
		}
		if !slices.Contains(flags, f) {
			flags = append(flags, f)
		}
	}
	p.Flags = flags
	if p.Measures == nil {
		p.Measures = []string{}
	}
	if p.Flags == nil {
		p.Flags = []string{}
	}
	return p, nil
}

// ProposalRequest is the handler's proposed decision.
type ProposalRequest struct {
	Proposal review.Proposal `json:"proposal"`
	Summary  string          `json:"summary,omitempty"`
}

// Propose records the handler's proposed decision and says, from the
// catalog in force, whether it needs legal review and which rules matched
// (SPEC L1).
func (s *Service) Propose(ctx context.Context, u User, caseID string, req ProposalRequest) (*State, error) {
	if err := allow(u, Handlers, "proposing a decision"); err != nil {
		return nil, err
	}
	return s.act(ctx, u, caseID, StepProposal, func(st *State, cur *review.Catalog, now time.Time) (built, error) {
		if err := afterInvestigation(st, StepProposal); err != nil {
			return built{}, err
		}
		if !st.open() {
			return built{}, refused(StepProposal, "000-review §5", "case %s: the review is %s; a new proposal is possible only before submission or after the case was returned", caseID, stateName(st))
		}
		p, err := normalise(st.Case, req.Proposal)
		if err != nil {
			return built{}, err
		}
		matches := cur.Requires(p)
		if matches == nil {
			matches = []review.Match{}
		}
		return built{fields: ProposalFields{By: actorOf(u), CaseHead: anchor(st.Case), Proposal: p, Summary: strings.TrimSpace(req.Summary),
			CatalogVersion: cur.Version, Required: len(matches) > 0, Matches: matches}}, nil
	})
}

func stateName(st *State) string {
	if st.Decision != nil {
		return "decided"
	}
	return st.Review.State
}

// SubmitRequest submits a proposed decision for review with its materials.
type SubmitRequest struct {
	// Proposal replaces the recorded proposal; nil submits the recorded one.
	Proposal    *review.Proposal `json:"proposal,omitempty"`
	Summary     string           `json:"summary,omitempty"`
	Materials   []MaterialRef    `json:"materials"`
	Explanation Explanation      `json:"explanation"`
}

// checkMaterials resolves the submitted materials: known kinds, files
// stored on the server, entries of this case.
func (s *Service) checkMaterials(ctx context.Context, caseID string, refs []MaterialRef) ([]MaterialRef, []ledger.File, []string, error) {
	entries, err := s.st.CaseEntries(ctx, caseID)
	if err != nil {
		return nil, nil, nil, err
	}
	var out []MaterialRef
	var files []ledger.File
	var present []string
	for _, m := range refs {
		i := slices.IndexFunc(review.Materials, func(x review.Material) bool { return x.ID == m.ID })
		if i < 0 {
			return nil, nil, nil, enforce.Errorf(enforce.EInvalid, "unknown material %q; the materials are investigation_report, proposal, draft_decision, evidence, hearing_record, assessment, other", m.ID)
		}
		m.Label = review.Materials[i].Label
		for _, h := range m.Files {
			f, err := s.storedFile(ctx, h, review.Materials[i].Label)
			if err != nil {
				return nil, nil, nil, err
			}
			files = append(files, f)
		}
		for _, id := range m.Entries {
			if !slices.ContainsFunc(entries, func(e ledger.Entry) bool { return e.ID == id }) {
				return nil, nil, nil, enforce.Errorf(enforce.EInvalid, "material %s: entry %s is not in case %s", m.ID, id, caseID)
			}
		}
		if len(m.Files) > 0 || len(m.Entries) > 0 {
			present = append(present, m.ID)
		}
		out = append(out, m)
	}
	return out, files, present, nil
}

func (s *Service) storedFile(ctx context.Context, hash, caption string) (ledger.File, error) {
	if !store.ValidHash(hash) {
		return ledger.File{}, enforce.Errorf(enforce.EInvalid, "%q is not a SHA-256 file hash", hash)
	}
	size, err := s.st.MediaSize(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return ledger.File{}, enforce.Errorf(enforce.EInvalid, "file %s is not stored on the server; upload it first", hash[:12])
	}
	if err != nil {
		return ledger.File{}, err
	}
	return ledger.File{Hash: hash, Kind: ledger.KindDocument, Size: size, Caption: caption}, nil
}

// missingSubmission lists what a submission lacks (000-review §7-8). The
// proposal material (建议及情况说明) is the structured proposal with the
// four items of the explanation; a missing item is listed by name.
func missingSubmission(p review.Proposal, present []string, ex Explanation) []enforce.Item {
	var explain []enforce.Item
	for _, it := range []struct{ id, label, v string }{
		{"basic_facts", "基本事实", ex.BasicFacts},
		{"law_and_discretion", "适用法律法规和行政裁量权基准的情况", ex.LawAndDiscretion},
		{"officer_qualification", "行政执法人员资格情况", ex.OfficerQualification},
		{"investigation_and_hearing", "调查取证和听证情况", ex.InvestigationAndHearing},
	} {
		if strings.TrimSpace(it.v) == "" {
			explain = append(explain, enforce.Labelled("explanation."+it.id, "情况说明："+it.label))
		}
	}
	if len(explain) == 0 {
		present = append(slices.Clone(present), "proposal")
	}
	var missing []enforce.Item
	for _, m := range review.MissingMaterials(p, present) {
		if m.ID == "proposal" {
			continue
		}
		missing = append(missing, enforce.Labelled(m.ID, m.Label))
	}
	return append(missing, explain...)
}

// Submit sends the proposed decision to the legal office with its
// materials; an incomplete submission is refused with the list of what is
// missing (SPEC L2). The review period of 3 working days starts now.
func (s *Service) Submit(ctx context.Context, u User, caseID string, req SubmitRequest) (*State, error) {
	if err := allow(u, Handlers, "submitting for review"); err != nil {
		return nil, err
	}
	materials, files, present, err := s.checkMaterials(ctx, caseID, req.Materials)
	if err != nil {
		return nil, err
	}
	cal, _, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	return s.act(ctx, u, caseID, StepSubmit, func(st *State, cur *review.Catalog, now time.Time) (built, error) {
		if err := afterInvestigation(st, StepSubmit); err != nil {
			return built{}, err
		}
		if !st.open() {
			return built{}, refused(StepSubmit, "000-review §6", "case %s: the review is %s; it can be submitted only before review or after being returned", caseID, stateName(st))
		}
		var p review.Proposal
		summary := strings.TrimSpace(req.Summary)
		switch {
		case req.Proposal != nil:
			var err error
			if p, err = normalise(st.Case, *req.Proposal); err != nil {
				return built{}, err
			}
		case st.Proposal != nil:
			p = *st.Proposal
			if summary == "" {
				summary = st.Summary
			}
		default:
			return built{}, refused(StepSubmit, "000-review §7(2)", "case %s: no proposed decision; propose it first or send it with the submission", caseID)
		}
		if missing := missingSubmission(p, present, req.Explanation); len(missing) > 0 {
			return built{}, &enforce.Error{Code: enforce.ERefused, Step: StepSubmit, Message: "the submission is incomplete", Missing: missing, Article: "000-review §7-8"}
		}
		r := st.Review
		ids := append(slices.Clone(present), "proposal")
		if err := r.Apply(cur.Settings, review.Event{Kind: "submit", At: now.In(cst), By: u.Name, Materials: ids, Proposal: &p}); err != nil {
			return built{}, err
		}
		due, verified := r.Due(cur.Settings, cal)
		matches := cur.Requires(p)
		if matches == nil {
			matches = []review.Match{}
		}
		return built{fields: SubmitFields{By: actorOf(u), CaseHead: anchor(st.Case), Proposal: p, Summary: summary, CatalogVersion: cur.Version,
			Required: len(matches) > 0, Matches: matches, Materials: materials, Explanation: req.Explanation, Round: r.Rounds, Due: due, DueVerified: verified},
			files: files}, nil
	})
}

// Extend records the head's approval to extend the review by the
// catalog's extension (2 working days), once, before the period runs out
// (SPEC L4, 000-review §12).
func (s *Service) Extend(ctx context.Context, u User, caseID, reason string) (*State, error) {
	if err := allow(u, Heads, "extending a review"); err != nil {
		return nil, err
	}
	cal, _, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	return s.act(ctx, u, caseID, StepExtend, func(st *State, _ *review.Catalog, now time.Time) (built, error) {
		if st.Review.State == review.StateUnderReview && !now.Before(st.Due) {
			return built{}, refused(StepExtend, "000-review §12", "the review period of case %s ran out at %s; an extension is approved before it runs out", caseID, st.Due.In(cst).Format("2006-01-02 15:04"))
		}
		if st.Settings.ExtensionWorkdays == 0 {
			return built{}, refused(StepExtend, "000-review §12", "this agency's review catalog allows no extension")
		}
		r := st.Review
		if err := r.Apply(st.Settings, review.Event{Kind: "extend", At: now.In(cst), By: u.Name, Approver: u.Name, Reason: strings.TrimSpace(reason)}); err != nil {
			return built{}, err
		}
		due, verified := r.Due(st.Settings, cal)
		return built{fields: ExtendFields{By: actorOf(u), Reason: strings.TrimSpace(reason), PreviousDue: st.Due, Due: due, DueVerified: verified,
			Workdays: st.Settings.ExtensionWorkdays}}, nil
	})
}

// OpinionRequest is the reviewer's written opinion.
type OpinionRequest struct {
	Kind     string           `json:"kind"`
	Reasons  string           `json:"reasons"`
	Findings []review.Finding `json:"findings"`
}

// GiveOpinion records the reviewer's opinion after every checklist item
// (SPEC L3). Anything but agree returns the case to the handler. The
// reviewer must hold a recorded qualification (L6, 002-review §3) and may
// not review a submission they made.
func (s *Service) GiveOpinion(ctx context.Context, u User, caseID string, req OpinionRequest) (*State, error) {
	if err := allow(u, Reviewers, "giving a review opinion"); err != nil {
		return nil, err
	}
	rv, ok, err := s.reviewer(ctx, u)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, refused(StepOpinion, "002-review §3", "%s has no recorded legal professional qualification as a reviewer; an admin records it first", u.Name)
	}
	return s.act(ctx, u, caseID, StepOpinion, func(st *State, _ *review.Catalog, now time.Time) (built, error) {
		if st.Review.State == review.StateUnderReview && st.Submitter.ID == u.ID {
			return built{}, refused(StepOpinion, "002-review §3", "%s submitted this case and cannot also review it", u.Name)
		}
		o := review.Opinion{Kind: req.Kind, Reasons: strings.TrimSpace(req.Reasons), Findings: req.Findings, Reviewer: u.Name}
		r := st.Review
		if err := r.Apply(st.Settings, review.Event{Kind: "opinion", At: now.In(cst), By: u.Name, Opinion: &o}); err != nil {
			return built{}, err
		}
		return built{fields: OpinionFields{By: actorOf(u), CaseHead: anchor(st.Case), Opinion: o, Qualification: rv.Qualification, Round: st.Review.Rounds,
			Due: st.Due, Late: !now.Before(st.Due)}}, nil
	})
}

// Object records the handler's disagreement with a returned opinion. Under
// the legal_office setting the objection is recorded and the legal office's
// opinion prevails (000-review §13); under head it goes to the head
// (002-review §10). Either way the path is in the chain (SPEC L5).
func (s *Service) Object(ctx context.Context, u User, caseID, reason string) (*State, error) {
	if err := allow(u, Handlers, "objecting to a review opinion"); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	return s.act(ctx, u, caseID, StepObjection, func(st *State, _ *review.Catalog, now time.Time) (built, error) {
		if st.Review.State != review.StateReturned || st.Decision != nil {
			return built{}, refused(StepObjection, "000-review §13", "case %s is %s; only a case returned with an opinion can be objected to", caseID, stateName(st))
		}
		if st.Review.HeadDecided {
			return built{}, refused(StepObjection, "002-review §10", "the head already decided this disagreement; address the opinion and resubmit")
		}
		if reason == "" {
			return built{}, refused(StepObjection, "000-review §13", "an objection states the handler's reasons")
		}
		f := ObjectionFields{By: actorOf(u), Reason: reason, Setting: st.Settings.Disagreement}
		if st.Settings.Disagreement == review.LegalOfficePrevails {
			f.Path, f.Article = PathLegalOfficePrevails, "000-review §13"
			return built{fields: f}, nil
		}
		r := st.Review
		if err := r.Apply(st.Settings, review.Event{Kind: "object", At: now.In(cst), By: u.Name, Reason: reason}); err != nil {
			return built{}, err
		}
		f.Path, f.Article = PathEscalatedToHead, "002-review §10"
		return built{fields: f}, nil
	})
}

// HeadDecide records the head's decision of an escalated disagreement:
// agree (the handler's proposal stands) or return (002-review §10).
func (s *Service) HeadDecide(ctx context.Context, u User, caseID, outcome, reason string) (*State, error) {
	if err := allow(u, Heads, "deciding a disagreement"); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	return s.act(ctx, u, caseID, StepHeadDecision, func(st *State, _ *review.Catalog, now time.Time) (built, error) {
		if reason == "" {
			return built{}, refused(StepHeadDecision, "002-review §10", "the head's decision gives its reasons")
		}
		r := st.Review
		if err := r.Apply(st.Settings, review.Event{Kind: "head_decision", At: now.In(cst), By: u.Name, Approver: u.Name, Outcome: outcome, Reason: reason}); err != nil {
			return built{}, err
		}
		return built{fields: HeadDecisionFields{By: actorOf(u), Outcome: outcome, Reason: reason}}, nil
	})
}

// DecisionRequest records the decision.
type DecisionRequest struct {
	Document   DecisionDocument      `json:"document"`
	Collective *CollectiveDiscussion `json:"collective_discussion,omitempty"`
	Note       string                `json:"note,omitempty"`
}

// Decide records the decision approved by the head signed in: the decision
// document, the approver and, for a case that needed review, the heads'
// collective discussion (000-review §14, 002-review §11). A case that
// needs review — by the catalog of the proposal or the one in force now,
// or because it was submitted — is refused without an agree opinion (SPEC
// L5), naming each rule and its article.
func (s *Service) Decide(ctx context.Context, u User, caseID string, req DecisionRequest) (*State, error) {
	if err := allow(u, Heads, "recording a decision"); err != nil {
		return nil, err
	}
	var files []ledger.File
	var missing []enforce.Item
	req.Document.Number = strings.TrimSpace(req.Document.Number)
	if req.Document.Number == "" {
		missing = append(missing, enforce.Labelled("document.number", "决定书文号"))
	}
	if req.Document.File == "" {
		missing = append(missing, enforce.Labelled("document.file", "决定书"))
	} else {
		f, err := s.storedFile(ctx, req.Document.File, "行政执法决定书 "+req.Document.Number)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	if c := req.Collective; c != nil && c.Minutes != "" {
		f, err := s.storedFile(ctx, c.Minutes, "集体讨论记录")
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	return s.act(ctx, u, caseID, StepDecision, func(st *State, cur *review.Catalog, now time.Time) (built, error) {
		if st.Decision != nil {
			return built{}, &enforce.Error{Code: enforce.EConflict, Step: StepDecision, Message: fmt.Sprintf("case %s was decided at %s (%s)", caseID, st.Decided.Format("2006-01-02 15:04"), st.Decision.Document.Number)}
		}
		if err := afterInvestigation(st, StepDecision); err != nil {
			return built{}, err
		}
		if st.Proposal == nil {
			return built{}, refused(StepDecision, "000-review §6", "case %s has no proposed decision; the handler proposes it first", caseID)
		}
		matches := mergeMatches(st.Matches, cur.Requires(*st.Proposal))
		needs := len(matches) > 0 || st.Review.State != review.StateNotSubmitted
		if needs && st.Review.State != review.StateAgreed {
			return built{}, decisionRefusal(caseID, matches, st.Review)
		}
		if err := penaltyGate(st, *st.Proposal, now); err != nil {
			return built{}, err
		}
		miss := slices.Clone(missing)
		c := req.Collective
		if err := collectiveAfterReview(st, c); err != nil {
			return built{}, err
		}
		if needs {
			if c == nil {
				miss = append(miss, enforce.Labelled("collective_discussion", "负责人集体讨论记录"))
			} else {
				miss = append(miss, collectiveMissing(*c, now)...)
			}
		}
		if len(miss) > 0 {
			return built{}, &enforce.Error{Code: enforce.ERefused, Step: StepDecision, Message: "the decision record is incomplete", Missing: miss, Article: "000-review §14, 002-review §11"}
		}
		if c != nil {
			c.Participants = trimAll(c.Participants)
		}
		sum := ReviewSummary{State: st.Review.State, Rounds: st.Review.Rounds, HeadDecided: st.Review.HeadDecided}
		if st.Opinion != nil {
			sum.Opinion, sum.Reviewer, sum.OpinionSeq = st.Opinion.Opinion.Kind, st.Opinion.By.Name, st.OpinionSeq
		}
		if matches == nil {
			matches = []review.Match{}
		}
		return built{fields: DecisionFields{By: actorOf(u), CaseHead: anchor(st.Case), Proposal: *st.Proposal, Summary: st.Summary,
			CatalogVersion: cur.Version, Required: needs, Matches: matches, Review: sum, Document: req.Document, Approver: u.Name,
			CollectiveRequired: needs, Collective: c, Note: strings.TrimSpace(req.Note), Chain: approvalChain(st, u, now),
			Procedure: proceduralFacts(st)}, files: files}, nil
	})
}

// decisionRefusal names every rule that requires review, with its article.
func decisionRefusal(caseID string, matches []review.Match, r review.Review) error {
	base := review.CheckDecision(matches, r)
	article := "000-review §5, §14; 002-review §2"
	var be *enforce.Error
	if errors.As(base, &be) && be.Article != "" {
		article = be.Article
	}
	var rules []string
	for _, m := range matches {
		rules = append(rules, fmt.Sprintf("rule %s「%s」(%s): %s", m.RuleID, m.Title, m.Article, m.Why))
	}
	if len(rules) == 0 {
		rules = append(rules, "the case was submitted for review")
	}
	return &enforce.Error{Code: enforce.ERefused, Step: StepDecision,
		Message: fmt.Sprintf("case %s needs legal review — %s — and the review is %s: no decision without an agree opinion", caseID, strings.Join(rules, "; "), r.State),
		Article: article}
}

func collectiveMissing(c CollectiveDiscussion, now time.Time) []enforce.Item {
	var miss []enforce.Item
	if d, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(c.Date), cst); err != nil || d.After(now) {
		miss = append(miss, enforce.Labelled("collective_discussion.date", "讨论日期（YYYY-MM-DD，不晚于今天）"))
	}
	if len(trimAll(c.Participants)) < 2 {
		miss = append(miss, enforce.Labelled("collective_discussion.participants", "参加讨论的负责人（至少 2 人）"))
	}
	if strings.TrimSpace(c.Conclusion) == "" {
		miss = append(miss, enforce.Labelled("collective_discussion.conclusion", "讨论决定"))
	}
	if c.Minutes == "" {
		miss = append(miss, enforce.Labelled("collective_discussion.minutes", "集体讨论记录文件"))
	}
	return miss
}

func trimAll(list []string) []string {
	var out []string
	for _, s := range list {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}

// ApproveEmergency records the head's internal approval of a case started
// as an emergency (SPEC R8, 003 §12: within 2 working days).
func (s *Service) ApproveEmergency(ctx context.Context, u User, caseID, note string) (*State, error) {
	if err := allow(u, Heads, "approving an emergency start"); err != nil {
		return nil, err
	}
	cal, _, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	return s.act(ctx, u, caseID, StepEmergency, func(st *State, _ *review.Catalog, now time.Time) (built, error) {
		if st.Case.Emergency == "" {
			return built{}, refused(StepEmergency, "003 §12", "case %s was not started as an emergency", caseID)
		}
		if !st.EmergencyApproved.IsZero() {
			return built{}, &enforce.Error{Code: enforce.EConflict, Step: StepEmergency, Message: "the emergency start was already approved at " + st.EmergencyApproved.Format("2006-01-02 15:04")}
		}
		due, _ := cal.Deadline(st.Case.Opened.In(cst), 2)
		return built{fields: NoteFields{By: actorOf(u), Note: strings.TrimSpace(note), Reason: st.Case.Emergency, Due: due, Late: !now.Before(due)}}, nil
	})
}

// MarkPublished records that the decision was made public (SPEC P2); the
// publicity pages call it, and so can the handler.
func (s *Service) MarkPublished(ctx context.Context, u User, caseID, url, note string) (*State, error) {
	if err := allow(u, Handlers, "recording a publication"); err != nil {
		return nil, err
	}
	return s.act(ctx, u, caseID, StepPublished, func(st *State, _ *review.Catalog, now time.Time) (built, error) {
		if st.Decision == nil && st.Case.OnSpotDecision.IsZero() {
			return built{}, refused(StepPublished, "002-publicity §12", "case %s has no decision to publish", caseID)
		}
		if !st.Published.IsZero() {
			return built{}, &enforce.Error{Code: enforce.EConflict, Step: StepPublished, Message: "the decision was already published at " + st.Published.Format("2006-01-02 15:04")}
		}
		return built{fields: NoteFields{By: actorOf(u), URL: strings.TrimSpace(url), Note: strings.TrimSpace(note)}}, nil
	})
}

// EndCase records the end of the case (结案): the 30-day archive period
// starts (SPEC R5). A case ended without a decision states why.
func (s *Service) EndCase(ctx context.Context, u User, caseID, reason string) (*State, error) {
	if err := allow(u, Handlers, "ending a case"); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	return s.act(ctx, u, caseID, StepCaseEnd, func(st *State, _ *review.Catalog, now time.Time) (built, error) {
		if !st.Ended.IsZero() {
			return built{}, &enforce.Error{Code: enforce.EConflict, Step: StepCaseEnd, Message: "the case already ended at " + st.Ended.Format("2006-01-02 15:04")}
		}
		if st.Review.State == review.StateUnderReview || st.Review.State == review.StateEscalated {
			return built{}, refused(StepCaseEnd, "000-review §5", "case %s is %s; it cannot end while the review is open", caseID, st.Review.State)
		}
		if err := endCaseGate(st); err != nil {
			return built{}, err
		}
		if st.Decision == nil && st.Case.OnSpotDecision.IsZero() && reason == "" {
			return built{}, refused(StepCaseEnd, "000-record §28", "case %s has no decision; say why it ends (e.g. 不予处罚、撤销立案)", caseID)
		}
		return built{fields: NoteFields{By: actorOf(u), Reason: reason}}, nil
	})
}

// MarkArchived records that the case file was archived (SPEC R5); the
// archive service calls it.
func (s *Service) MarkArchived(ctx context.Context, u User, caseID, note string) (*State, error) {
	if err := allow(u, Handlers, "recording the archive"); err != nil {
		return nil, err
	}
	return s.act(ctx, u, caseID, StepArchived, func(st *State, _ *review.Catalog, now time.Time) (built, error) {
		if caseEnd(st).IsZero() {
			return built{}, refused(StepArchived, "000-record §28", "case %s has not ended", caseID)
		}
		if !st.Archived.IsZero() {
			return built{}, &enforce.Error{Code: enforce.EConflict, Step: StepArchived, Message: "the case was already archived at " + st.Archived.Format("2006-01-02 15:04")}
		}
		return built{fields: NoteFields{By: actorOf(u), Note: strings.TrimSpace(note)}}, nil
	})
}

// ConfirmFiling records that a head confirmed the on-the-spot decision was
// reported to the agency and filed (备案, 行政处罚法 §52; SPEC F14). A case
// without an on-the-spot decision is refused.
func (s *Service) ConfirmFiling(ctx context.Context, u User, caseID, note string) (*State, error) {
	if err := allow(u, Heads, "confirming the 备案 of an on-the-spot decision"); err != nil {
		return nil, err
	}
	return s.act(ctx, u, caseID, StepFiled, func(st *State, _ *review.Catalog, now time.Time) (built, error) {
		if st.Case.OnSpotDecision.IsZero() {
			return built{}, &enforce.Error{Code: enforce.ERefused, Step: StepFiled, Article: "行政处罚法 §52",
				Message: fmt.Sprintf("case %s has no on-the-spot decision to file", caseID), MessageZh: "本案没有当场处罚决定，无须备案",
				Missing: []enforce.Item{{Name: "on_spot_decision", Zh: "当场处罚决定", En: "the on-the-spot decision", Article: "行政处罚法 §52"}}}
		}
		if !st.Filed.IsZero() {
			return built{}, &enforce.Error{Code: enforce.EConflict, Step: StepFiled, Message: "the on-the-spot decision was already filed at " + st.Filed.Format("2006-01-02 15:04")}
		}
		return built{fields: NoteFields{By: actorOf(u), Note: strings.TrimSpace(note)}}, nil
	})
}

// Upload stores a file for the case's review or decision (a material, the
// decision document, the collective discussion record) and returns it by
// hash; a submission or decision then references it.
func (s *Service) Upload(ctx context.Context, u User, caseID, name string, r io.Reader) (ledger.File, error) {
	if err := allow(u, Handlers, "uploading a material"); err != nil {
		return ledger.File{}, err
	}
	if s.cfg.Blobs == nil {
		return ledger.File{}, errors.New("no media store configured")
	}
	oc, err := s.st.Office(ctx, caseID)
	if errors.Is(err, store.ErrNotFound) {
		return ledger.File{}, enforce.Errorf(enforce.ENotFound, "no case %s", caseID)
	} else if err != nil {
		return ledger.File{}, err
	}
	if !u.Sees(oc.Case) {
		return ledger.File{}, notOnCase(u, caseID)
	}
	hash, size, err := s.cfg.Blobs.Put(&limited{r: r, n: s.cfg.MaxUpload})
	if errors.Is(err, errTooLarge) {
		return ledger.File{}, enforce.Errorf(enforce.EInvalid, "the file is larger than %d MiB", s.cfg.MaxUpload>>20)
	}
	if err != nil {
		return ledger.File{}, err
	}
	if size == 0 {
		return ledger.File{}, enforce.Errorf(enforce.EInvalid, "the file is empty")
	}
	if err := s.st.MediaStored(ctx, store.MediaFile{Hash: hash, Size: size, DeviceID: s.cfg.ServerID, StoredAt: s.now()}); err != nil {
		return ledger.File{}, err
	}
	s.log.Info("review material stored", "case", caseID, "hash", hash, "size", size, "by", u.Username)
	return ledger.File{Hash: hash, Kind: ledger.KindDocument, Name: path.Base(strings.ReplaceAll(name, `\`, "/")), Size: size}, nil
}

var errTooLarge = errors.New("file too large")

type limited struct {
	r io.Reader
	n int64
}

func (l *limited) Read(p []byte) (int, error) {
	if l.n < 0 {
		return 0, errTooLarge
	}
	if int64(len(p)) > l.n+1 {
		p = p[:l.n+1]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	if l.n < 0 {
		return n, errTooLarge
	}
	return n, err
}
