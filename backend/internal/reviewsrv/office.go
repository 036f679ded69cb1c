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
	"lawtrace/shared/workday"
)

// The back office of coercion, permit and inspection cases (issue 10,
// SPEC C1, C6, C7, D5; 003 §3): the seizure continued after the scene and
// the coercive execution (coercion.go), the permit after 受理 (permit.go),
// the inspection's 责令改正, 复查 and 转立案 (inspection.go), and the
// head's closing of any of them (here). Each step is a server-signed entry
// of the office chain checked inside the write transaction, as the
// penalty's are; a refusal is an enforce.Error citing its article.

// StepOfficeClosing is the head's closing (结案) of a coercion, permit or
// inspection case.
const StepOfficeClosing = "office_closing"

// OfficeSteps are the steps of the three back offices and their closing.
var OfficeSteps = slices.Concat(CoercionSteps, PermitSteps, InspectionSteps, []string{StepOfficeClosing})

// officeHeads are the office steps only a head takes: the decisions.
var officeHeads = []string{StepSeizureExtend, StepSeizureDisposal, StepSeizureRelease, StepObligation, StepCoerciveExecution,
	StepCoercionSuspend, StepCoercionResume, StepCoercionTerminate, StepCoercionAgreement, StepCoercionBreach, StepPermitExtension, StepPermitDecision, StepOfficeClosing}

// stepProcedure is the procedure each office step belongs to.
func stepProcedure(step string) string {
	switch {
	case slices.Contains(CoercionSteps, step):
		return "coercion"
	case slices.Contains(PermitSteps, step):
		return "permit"
	case slices.Contains(InspectionSteps, step):
		return "inspection"
	}
	return ""
}

// procedureArticle is the law each procedure's office steps rest on.
var procedureArticle = map[string]string{"coercion": "行政强制法 §2", "permit": "行政许可法 §2", "inspection": "003 §3"}

// procedureName names the procedures in refusals.
var procedureName = map[string]string{"coercion": "行政强制", "permit": "行政许可", "inspection": "行政检查", "penalty": "行政处罚（一般程序）", "penalty-simple": "行政处罚（简易程序）"}

// OfficeRequest carries the office forms' fields that LifeRequest lacks
// (part of LifeRequest).
type OfficeRequest struct {
	Objects     string `json:"objects,omitempty"`     // one item a line: goods returned, interested parties
	Institution string `json:"institution,omitempty"` // the appraisal's institution, the 代履行人
	SourceCase  string `json:"source_case,omitempty"` // register_request: the inspection the case comes from
	Received    string `json:"received,omitempty"`    // permit_acceptance: when the materials were received (YYYY-MM-DD or YYYY-MM-DDTHH:MM)
	Seizure     string `json:"seizure,omitempty"`     // seizure steps: the seizure decision acted on (its entry or number; may be empty when the case has one)
}

// OfficeFields is the payload of a coercion, permit or inspection step:
// what the step's document says, who recorded it and what the server
// computed (a due date, lateness).
type OfficeFields struct {
	By          Actor     `json:"by"`
	At          time.Time `json:"at"`
	Number      string    `json:"number,omitempty"`
	Outcome     string    `json:"outcome,omitempty"`
	Content     string    `json:"content,omitempty"`
	Reasons     string    `json:"reasons,omitempty"`
	Basis       string    `json:"basis,omitempty"`
	Objects     []string  `json:"objects,omitempty"`
	Days        int       `json:"days,omitempty"`
	LastDay     string    `json:"last_day,omitempty"`
	HearingAt   time.Time `json:"hearing_at,omitzero"`
	Officer     string    `json:"officer,omitempty"`
	Method      string    `json:"method,omitempty"`
	Recipient   string    `json:"recipient,omitempty"`
	Institution string    `json:"institution,omitempty"`
	ReconOrgan  string    `json:"reconsideration_organ,omitempty"`
	Court       string    `json:"court,omitempty"`
	AmountCents int64     `json:"amount_cents,omitempty"`
	File        string    `json:"file,omitempty"`
	Received    time.Time `json:"received,omitzero"` // permit_acceptance: the materials received (行政许可法 §32)
	// Seizure is the on-scene seizure entry a seizure step acts on, and
	// SeizureNumber its decision number (empty in entries recorded before a
	// case could hold several: they act on the first).
	Seizure       string    `json:"seizure,omitempty"`
	SeizureNumber string    `json:"seizure_number,omitempty"`
	Due           time.Time `json:"due,omitzero"`
	Late          bool      `json:"late,omitempty"`
	Article       string    `json:"article"`
}

// OfficeState is the back office of a coercion, permit or inspection case,
// replayed from the office chain.
type OfficeState struct {
	Coercion   Coercion      `json:"coercion"`
	Permit     Permit        `json:"permit"`
	Inspection Inspection    `json:"inspection"`
	Closing    *OfficeFields `json:"closing,omitempty"`
}

// SceneFacts are the case's on-scene steps the office rules read (the
// seizure and its term, the permit's 受理), China time.
type SceneFacts []deadline.Step

// sceneFacts reads the on-scene steps of a case from the store.
func (s *Service) sceneFacts(ctx context.Context, caseID string) (SceneFacts, error) {
	recs, err := s.st.DeadlineCases(ctx, []string{caseID})
	if err != nil {
		return nil, err
	}
	var out SceneFacts
	for _, r := range recs {
		if r.Case.ID != caseID {
			continue
		}
		for _, st := range r.Steps {
			st.At = st.At.In(cst)
			out = append(out, st)
		}
	}
	return out, nil
}

// SceneFacts reads the on-scene steps of a case the office rules use (for
// the pages: the seizure term, the permit's 受理).
func (s *Service) SceneFacts(ctx context.Context, caseID string) (SceneFacts, error) {
	return s.sceneFacts(ctx, caseID)
}

// stepInputs reads what an execution or office step is checked against
// before its write transaction: the stored document named by the request
// (with the step's caption), the working-day calendar and the scene's facts.
func (s *Service) stepInputs(ctx context.Context, caseID, step string, req LifeRequest) ([]ledger.File, *workday.Calendar, SceneFacts, error) {
	var files []ledger.File
	if req.File != "" {
		f, err := s.storedFile(ctx, req.File, casedoc.OfficeSteps[step].Document)
		if err != nil {
			return nil, nil, SceneFacts{}, err
		}
		files = append(files, f)
	}
	cal, _, err := s.Calendar(ctx)
	if err != nil {
		return nil, nil, SceneFacts{}, err
	}
	scene, err := s.sceneFacts(ctx, caseID)
	return files, cal, scene, err
}

// office records one coercion, permit or inspection step (from Life).
func (s *Service) office(ctx context.Context, u User, caseID, step string, req LifeRequest) (*State, error) {
	roles := Handlers
	if slices.Contains(officeHeads, step) {
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
		proc := stepProcedure(step)
		if step == StepOfficeClosing {
			proc = st.Case.Procedure
		}
		if st.Case.Procedure != proc || procedureArticle[proc] == "" {
			return built{}, lifeRefused(step, procedureArticle[proc],
				fmt.Sprintf("case %s is a %s case; %s is a step of another procedure", caseID, st.Case.Procedure, step),
				"本案是"+procedureName[st.Case.Procedure]+"案件，不适用此环节")
		}
		if !st.Ended.IsZero() || !st.Archived.IsZero() {
			return built{}, &enforce.Error{Code: enforce.EConflict, Step: step, Message: "the case was closed", MessageZh: "本案已结案"}
		}
		by := OfficeFields{By: actorOf(u)}
		var f OfficeFields
		var err error
		switch {
		case step == StepOfficeClosing:
			f, err = closingBuildOffice(st, by, req, now, scene)
		case proc == "coercion":
			f, err = coercionBuild(st, by, step, req, now, cal, scene)
		case proc == "permit":
			f, err = permitBuild(st, by, step, req, now, cal, scene)
		case proc == "inspection":
			f, err = inspectionBuild(st, by, step, req, now)
		}
		if err != nil {
			return built{}, err
		}
		return built{fields: f, files: files}, nil
	})
}

// foldOffice replays one coercion, permit or inspection entry.
func foldOffice(st *State, e ledger.Entry, d decoded, step *Step) (bool, error) {
	if !slices.Contains(OfficeSteps, e.Step) {
		return false, nil
	}
	var f OfficeFields
	if err := json.Unmarshal(d.fields, &f); err != nil {
		return true, err
	}
	step.By = f.By
	sq := Seqd[OfficeFields]{e.Seq, f}
	switch {
	case e.Step == StepOfficeClosing:
		st.Office.Closing, st.Ended = &f, d.at
		step.Summary = "负责人批准结案" + reasonsSuffix(f.Content)
	case slices.Contains(CoercionSteps, e.Step):
		step.Summary = st.Office.Coercion.apply(e.Step, sq)
	case slices.Contains(PermitSteps, e.Step):
		step.Summary = st.Office.Permit.apply(e.Step, sq, d.at)
	default:
		step.Summary = st.Office.Inspection.apply(e.Step, sq)
		if e.Step == StepInspectionTransfer {
			st.Ended = d.at // 转立案: the inspection ends, the penalty case goes on
		}
	}
	return true, nil
}

// officeClosingGate refuses the closing of a case whose office work is
// open, naming each open item.
func officeClosingGate(st *State, scene SceneFacts, now time.Time) error {
	var open []enforce.Item
	switch st.Case.Procedure {
	case "coercion":
		open = st.Office.Coercion.open(scene)
	case "permit":
		open = st.Office.Permit.open()
	case "inspection":
		open = st.Office.Inspection.open()
	}
	if len(open) > 0 {
		return lifeRefused(StepOfficeClosing, open[0].Article, "the case has open steps", "尚有未完成的环节，不得结案", open...)
	}
	return nil
}

// closingBuildOffice is the head's closing of a coercion, permit or
// inspection case (000-record §28, §34).
func closingBuildOffice(st *State, f OfficeFields, req LifeRequest, now time.Time, scene SceneFacts) (OfficeFields, error) {
	if err := officeClosingGate(st, scene, now); err != nil {
		return f, err
	}
	f.At, f.Content, f.Article = now, strings.TrimSpace(req.Opinion), "000-record §28, §34"
	if f.Content == "" {
		f.Content = "同意结案"
	}
	f.LastDay = workday.AddCalendarDays(now.In(cst), 30).Format(time.DateOnly) // the case file's last day (R5)
	return f, nil
}

// officeFacts are what the deadline monitor runs the office's periods from.
func officeFacts(st *State, scene SceneFacts) deadline.OfficeFacts {
	var o deadline.OfficeFacts
	c, p, in := &st.Office.Coercion, &st.Office.Permit, &st.Office.Inspection
	o.Seizures = map[string]deadline.SeizureOffice{}
	for i, t := range c.SeizureTerms(scene) {
		o.Seizures[t.Entry] = c.Record(t.Entry, i == 0).office()
	}
	if r := c.Reminder; r != nil {
		o.ReminderServed, o.ReminderEnds = r.At, r.Due
	}
	if a := c.Announcement; a != nil {
		o.DemolitionAnnounced, o.DemolitionEnds = a.At, a.Due
	}
	if c.Performed != nil {
		o.Performed = c.Performed.At
	}
	o.Accepted = p.AcceptedAt(scene)
	if a := p.Acceptance; a != nil && a.Outcome == "supplement" {
		o.Received, o.SupplementNoticed = a.Received, a.At
	}
	o.PermitExtended, o.ExcludedWorkdays = p.Extension != nil, p.Excluded
	if p.Decision != nil {
		o.PermitDecided = p.Decision.At
	}
	if p.Service != nil {
		o.PermitServed = p.Service.At
	}
	if p.Interested != nil && p.Interested.Outcome == "hearing_right" {
		o.HearingTold = p.Interested.At
		if p.HearingNotice != nil {
			o.HearingAnswered = p.HearingNotice.At
		}
	}
	if r := in.Rectify; r != nil {
		o.RectifyLastDay, _ = time.ParseInLocation(time.DateOnly, r.LastDay, cst)
		if n := len(in.Rechecks); n > 0 {
			o.Rechecked = in.Rechecks[n-1].Fields.At
		}
	}
	return o
}

// required lists the missing items of a form.
type required []enforce.Item

func (r *required) need(ok bool, name, zh, article string) {
	if !ok {
		*r = append(*r, item(name, zh, article))
	}
}

// dayOf parses a YYYY-MM-DD day, China time.
func dayOf(s string) (time.Time, bool) {
	d, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(s), cst)
	return d, err == nil
}

// lines splits a text area into its non-blank lines.
func lines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// startOfDay is 00:00 of t's day, China time.
func startOfDay(t time.Time) time.Time {
	t = t.In(cst)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, cst)
}

// stage is where a coercion, permit or inspection case stands in the
// office, for the board ("" before the office took it over).
func (o *OfficeState) stage() string {
	c, p, in := &o.Coercion, &o.Permit, &o.Inspection
	switch {
	case in.Transfer != nil:
		return "已转立案"
	case c.Execution != nil:
		return "强制执行"
	case c.Reminder != nil:
		return "催告"
	case p.Service != nil:
		return "许可决定已送达"
	case p.Decision != nil:
		return "许可决定"
	case p.NotAccepted:
		return "不予受理"
	case p.Acceptance != nil || p.Interested != nil:
		return "许可审查"
	case in.Rectify != nil:
		return "责令改正"
	case c.Disposal != nil || c.Release != nil:
		return "查封扣押已处理"
	case c.Extension != nil || len(c.Appraisals) > 0 || c.Obligation != nil:
		return "行政强制"
	}
	return ""
}
