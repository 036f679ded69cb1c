package web

import (
	"context"
	"net/http"
	"slices"
	"sort"
	"strings"
	"time"

	"lawtrace/backend/internal/auth"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/enforce"
)

// BoardRow is one case on the live board (SPEC D1).
type BoardRow struct {
	ID       string
	Party    string
	Type     string // the procedure's name
	TypeID   string
	Stage    string // the stage of the newest procedure step
	LastStep string
	Officers []OfficerRef
	Units    []string
	// Missing are the mandatory steps not recorded yet.
	Missing     []string
	SceneClosed bool
	// Pending files referenced but not uploaded, Overdue past their
	// deadline (SPEC R4), NextDue the earliest deadline.
	Pending, Overdue int
	NextDue          time.Time
	// Skewed counts entries recorded with a skewed device clock.
	Skewed       int
	DeviceSkewed bool
	// Findings are integrity problems found by verifying the chain and
	// signatures; Checked says verification ran.
	Findings []string
	Checked  bool
	// Deadlines are running deadlines other pages add (AddBoardHook).
	Deadlines     []Deadline
	Device        string
	DeviceID      string
	DeviceRevoked bool
	Online        bool
	Entries       int64
	OpenedAt      time.Time
	UpdatedAt     time.Time
	// Hidden is set when the first render's filter leaves the row out.
	Hidden bool
}

// OfficerRef names an officer on a case.
type OfficerRef struct {
	Name, Cert, Unit string
	Problem          string // an expired or suspended credential today
}

// Deadline is a running deadline shown on a board row.
type Deadline struct {
	Label   string
	Due     time.Time
	Overdue bool
	Article string
}

// State is the row's overall state for colouring: "bad" (integrity
// problem or overdue), "warn" (skew, pending uploads), "ok".
func (r *BoardRow) State() string {
	switch {
	case len(r.Findings) > 0 || r.Overdue > 0:
		return "bad"
	case r.Skewed > 0 || r.DeviceSkewed || r.Pending > 0 || r.DeviceRevoked:
		return "warn"
	}
	for _, d := range r.Deadlines {
		if d.Overdue {
			return "bad"
		}
	}
	return "ok"
}

// Certs lists the credential numbers on the case, for the page's filter.
func (r *BoardRow) Certs() string {
	var out []string
	for _, o := range r.Officers {
		out = append(out, o.Cert)
	}
	return strings.Join(out, "|")
}

// UnitList joins the units for the page's filter.
func (r *BoardRow) UnitList() string { return strings.Join(r.Units, "|") }

// BoardHook adds to board rows (a deadline, a review state); AddBoardHook
// registers one.
type BoardHook func(ctx context.Context, rows []*BoardRow) error

// AddBoardHook registers a hook that runs on every computed set of rows.
func (s *Server) AddBoardHook(h BoardHook) {
	s.mu.Lock()
	s.boardHooks = append(s.boardHooks, h)
	s.mu.Unlock()
}

// boardRows computes the rows of the given cases (all when ids is nil).
func (s *Server) boardRows(ctx context.Context, ids []string) ([]*BoardRow, error) {
	now := s.cfg.Now()
	cat, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	raw, err := s.st.CaseRows(ctx, ids, now)
	if err != nil {
		return nil, err
	}
	out := make([]*BoardRow, 0, len(raw))
	for i := range raw {
		row := s.boardRow(ctx, cat, &raw[i], now)
		out = append(out, row)
	}
	s.mu.Lock()
	hooks := slices.Clone(s.boardHooks)
	s.mu.Unlock()
	for _, h := range hooks {
		if err := h(ctx, out); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Server) boardRow(ctx context.Context, cat *catalogView, c *store.CaseRow, now time.Time) *BoardRow {
	row := &BoardRow{ID: c.ID, Party: c.Party, TypeID: c.Procedure, Type: cat.procedureName(c.Procedure),
		Pending: c.PendingMedia, Overdue: c.OverdueMedia, NextDue: c.NextDue, Skewed: c.Skewed, DeviceSkewed: c.DeviceSkewed,
		Device: c.DeviceName, DeviceID: c.DeviceID, DeviceRevoked: c.DeviceRevoked, Online: s.online.has(c.DeviceID),
		Entries: c.LastSeq, OpenedAt: c.OpenedAt, UpdatedAt: c.UpdatedAt}
	if row.Party == "" {
		row.Party = "（未登记）"
	}
	units := map[string]bool{}
	for _, o := range c.Officers {
		if cur, ok := cat.officers[o.Cert]; ok {
			o = cur // the current record: name, unit and credential state today
		}
		ref := OfficerRef{Name: o.Name, Cert: o.Cert, Unit: o.Unit}
		if ref.Name == "" {
			ref.Name = o.Cert
		}
		if o.Expires != "" {
			ref.Problem = credentialProblem(o, now.In(chinaTime))
		}
		row.Officers = append(row.Officers, ref)
		if o.Unit != "" && !units[o.Unit] {
			units[o.Unit] = true
			row.Units = append(row.Units, o.Unit)
		}
	}
	proc := cat.procedure(c.Procedure, c.ProcedureVersion)
	row.Stage, row.LastStep = "开始记录", stepLabel(nil, c.LastStep) // not 立案, which needs the head's approval (003 §12)
	if proc != nil {
		row.LastStep = stepLabel(proc, c.LastStep)
		if def, ok := proc.Step(c.LastProcStep); ok {
			row.Stage = stageName(proc, def.Stage)
		}
		state := enforce.CaseState{Procedure: proc, Recorded: c.Steps}
		for _, m := range state.MissingMandatory() {
			row.Missing = append(row.Missing, m.Label)
		}
		row.SceneClosed = c.Steps[enforce.StepCloseScene] > 0
	}
	if findings, ok := s.verify.caseFindings(ctx, c.ID, c.LastSeq); ok {
		row.Findings, row.Checked = findings, true
	}
	return row
}

func stageName(p *enforce.Procedure, id string) string {
	for _, st := range p.Stages {
		if st.ID == id {
			return st.Name
		}
	}
	return id
}

// system step labels; procedure steps take theirs from the definition.
var systemStepLabels = map[string]string{
	"case_open":    "开始现场执法记录",
	"officer_join": "增加执法人员",
	"correction":   "更正",
}

func stepLabel(p *enforce.Procedure, kind string) string {
	if l, ok := systemStepLabels[kind]; ok {
		return l
	}
	if p != nil {
		if def, ok := p.Step(kind); ok {
			return def.Label
		}
	}
	return kind
}

// visible reports whether the session may see the case: officers see the
// cases they are on, the other case readers every case.
func visible(sess *auth.Session, row *BoardRow) bool {
	if sess.Role() != auth.Officer {
		return slices.Contains(caseReaders, sess.Role())
	}
	if sess.Account.OfficerCert == "" {
		return false
	}
	for _, o := range row.Officers {
		if o.Cert == sess.Account.OfficerCert {
			return true
		}
	}
	return false
}

// BoardFilter selects rows by unit, officer (credential), type and stage.
type BoardFilter struct {
	Unit, Officer, Type, Stage string
}

func (f BoardFilter) Match(r *BoardRow) bool {
	if f.Unit != "" && !slices.Contains(r.Units, f.Unit) {
		return false
	}
	if f.Officer != "" && !slices.ContainsFunc(r.Officers, func(o OfficerRef) bool { return o.Cert == f.Officer }) {
		return false
	}
	if f.Type != "" && r.TypeID != f.Type {
		return false
	}
	if f.Stage != "" && r.Stage != f.Stage {
		return false
	}
	return true
}

type option struct{ Value, Label string }

type boardData struct {
	Rows     []*BoardRow
	Shown    int
	Filter   BoardFilter
	Units    []option
	Officers []option
	Types    []option
	Stages   []option
	Summary  boardSummary
	// Heartbeat is the live socket's heartbeat in milliseconds.
	Heartbeat int64
}

type boardSummary struct {
	Cases, Open, Pending, Overdue, Warnings int
}

func (s *Server) boardPage(w http.ResponseWriter, r *http.Request) error {
	sess := SessionOf(r)
	all, err := s.boardRows(r.Context(), nil)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	d := boardData{Filter: BoardFilter{Unit: q.Get("unit"), Officer: q.Get("officer"), Type: q.Get("type"), Stage: q.Get("stage")},
		Heartbeat: s.cfg.Options.Heartbeat.Milliseconds()}
	units, officers, types, stages := map[string]string{}, map[string]string{}, map[string]string{}, map[string]string{}
	for _, row := range all {
		if !visible(sess, row) {
			continue
		}
		d.Rows = append(d.Rows, row)
		for _, u := range row.Units {
			units[u] = u
		}
		for _, o := range row.Officers {
			officers[o.Cert] = o.Name + "（" + o.Cert + "）"
		}
		types[row.TypeID] = row.Type
		stages[row.Stage] = row.Stage
		d.Summary.Cases++
		if !row.SceneClosed {
			d.Summary.Open++
		}
		d.Summary.Pending += row.Pending
		d.Summary.Overdue += row.Overdue
		if row.State() != "ok" {
			d.Summary.Warnings++
		}
	}
	for _, row := range d.Rows {
		if d.Filter.Match(row) {
			d.Shown++
		} else {
			row.Hidden = true
		}
	}
	d.Units, d.Officers, d.Types, d.Stages = options(units), options(officers), options(types), options(stages)
	return s.Render(w, r, "board", "案件看板", d)
}

func options(m map[string]string) []option {
	out := make([]option, 0, len(m))
	for v, l := range m {
		out = append(out, option{v, l})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Label < out[j].Label })
	return out
}
