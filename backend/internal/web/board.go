package web

import (
	"context"
	"html/template"
	"net/http"
	"net/url"
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
	// signatures (the board's read model checks each entry once).
	Findings []string
	// Deadlines are running deadlines other pages add (AddBoardHook).
	Deadlines     []Deadline
	Device        string
	DeviceID      string
	DeviceRevoked bool
	Online        bool
	Entries       int64
	OpenedAt      time.Time
	UpdatedAt     time.Time
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

// boardRows returns the rows of the given cases (all when ids is nil) from
// the board's read model, after taking in what the store has and the model
// not yet: a page shows what a sync acknowledged before it.
func (s *Server) boardRows(ctx context.Context, ids []string) ([]*BoardRow, error) {
	m := s.board.model
	if err := m.wait(ctx); err != nil {
		return nil, err
	}
	if ids != nil {
		given, err := m.runHooks(ctx, ids)
		if err != nil {
			return nil, err
		}
		changes, err := m.refresh(ctx, ids, given)
		if err != nil {
			return nil, err
		}
		out := make([]*BoardRow, len(changes))
		for i, c := range changes {
			out[i] = c.after
		}
		return out, nil
	}
	// Every entry is a leaf of the log: while its size is the one of the
	// last look, no case has entries the model has not seen.
	th, err := s.st.TreeHead(ctx)
	if err != nil {
		return nil, err
	}
	if th.Size != m.looked.Load() {
		stale, err := m.stale(ctx)
		if err != nil {
			return nil, err
		}
		if len(stale) > 0 {
			if _, err := m.refresh(ctx, stale, nil); err != nil {
				return nil, err
			}
		}
		m.looked.Store(th.Size)
	}
	return m.all(), nil
}

// boardRow builds a case's row from the case, its terminal, its files and
// the model's state of its entries.
func (s *Server) boardRow(cat *catalogView, c *store.CaseRow, cm *caseModel, now time.Time) *BoardRow {
	row := &BoardRow{ID: c.ID, Party: c.Party, TypeID: c.Procedure, Type: cat.procedureName(c.Procedure),
		Pending: c.PendingMedia, Overdue: c.OverdueMedia, NextDue: c.NextDue, Skewed: cm.Skewed, DeviceSkewed: c.DeviceSkewed,
		Device: c.DeviceName, DeviceID: c.DeviceID, DeviceRevoked: c.DeviceRevoked, Online: s.online.has(c.DeviceID),
		Entries: c.LastSeq, OpenedAt: c.OpenedAt, UpdatedAt: c.UpdatedAt, Findings: cm.Findings}
	if row.Party == "" {
		row.Party = "（未登记）"
	}
	units := map[string]bool{}
	for _, o := range cm.Officers {
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
	proc := cat.procedure(c.Procedure, cm.ProcedureVersion)
	row.Stage, row.LastStep = "开始记录", stepLabel(nil, c.LastStep) // not 立案, which needs the head's approval (003 §12)
	if proc != nil {
		row.LastStep = stepLabel(proc, c.LastStep)
		if def, ok := proc.Step(cm.LastProcStep); ok {
			row.Stage = stageName(proc, def.Stage)
		}
		state := enforce.CaseState{Procedure: proc, Recorded: cm.Steps}
		for _, m := range state.MissingMandatory() {
			row.Missing = append(row.Missing, m.Label)
		}
		row.SceneClosed = cm.Steps[enforce.StepCloseScene] > 0
	}
	if cm.Office != "" {
		row.Stage = cm.Office
	}
	row.Deadlines = cm.Deadlines
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

// BoardFilter selects rows by unit, officer (credential), type, stage, a
// part of the party's name or of the case number, and the China-time days
// the case was opened between (From, To as 2006-01-02, either may be empty).
type BoardFilter struct {
	Unit, Officer, Type, Stage, Party, Case, From, To string
}

func (f BoardFilter) Match(r *BoardRow) bool {
	if f.Unit != "" && !slices.Contains(r.Units, f.Unit) {
		return false
	}
	if f.Officer != "" && !slices.ContainsFunc(r.Officers, func(o OfficerRef) bool { return o.Cert == f.Officer }) {
		return false
	}
	if f.Type != "" && r.TypeID != f.Type || f.Stage != "" && r.Stage != f.Stage {
		return false
	}
	if f.Party != "" && !strings.Contains(r.Party, f.Party) {
		return false
	}
	if f.Case != "" && !strings.Contains(strings.ToLower(r.ID), strings.ToLower(f.Case)) {
		return false
	}
	if f.From == "" && f.To == "" {
		return true
	}
	day := r.OpenedAt.In(chinaTime).Format(time.DateOnly)
	return (f.From == "" || day >= f.From) && (f.To == "" || day <= f.To)
}

// boardQuery is a board page: the filter, the page (from 1) and its size.
type boardQuery struct {
	Filter     BoardFilter
	Page, Size int
}

const boardPageSize = 50

func parseBoardQuery(q url.Values) boardQuery {
	day := func(k string) string {
		if _, err := time.Parse(time.DateOnly, q.Get(k)); err != nil {
			return ""
		}
		return q.Get(k)
	}
	bq := boardQuery{Filter: BoardFilter{Unit: q.Get("unit"), Officer: q.Get("officer"), Type: q.Get("type"), Stage: q.Get("stage"),
		Party: strings.TrimSpace(q.Get("party")), Case: strings.TrimSpace(q.Get("case")), From: day("from"), To: day("to")}}
	bq.Page, bq.Size = pageAndSize(q, boardPageSize)
	return bq
}

// boardSummary counts the cases a board may see (the tiles) and those its
// filter shows.
type boardSummary struct {
	Cases    int `json:"cases"`
	Open     int `json:"open"`
	Pending  int `json:"pending"`
	Overdue  int `json:"overdue"`
	Warnings int `json:"warnings"`
	Shown    int `json:"shown"`
}

// count adds (sign 1) or takes away (sign -1) a row.
func (m *boardSummary) count(r *BoardRow, f BoardFilter, sign int) {
	m.Cases += sign
	if !r.SceneClosed {
		m.Open += sign
	}
	m.Pending += sign * r.Pending
	m.Overdue += sign * r.Overdue
	if r.State() != "ok" {
		m.Warnings += sign
	}
	if f.Match(r) {
		m.Shown += sign
	}
}

type option struct{ Value, Label string }

type boardData struct {
	Rows     []*BoardRow
	Query    boardQuery
	Units    []option
	Officers []option
	Types    []option
	Stages   []option
	Summary  boardSummary
	Pager    pager
	CSV      template.URL
	// Heartbeat is the live socket's heartbeat in milliseconds.
	Heartbeat int64
}

// boardView selects, counts and orders (newest sync first) the rows a
// session may see.
type boardView struct {
	matched  []*BoardRow
	summary  boardSummary
	units    map[string]string
	officers map[string]string
	types    map[string]string
	stages   map[string]string
}

func viewBoard(sess *auth.Session, all []*BoardRow, f BoardFilter) *boardView {
	v := &boardView{units: map[string]string{}, officers: map[string]string{}, types: map[string]string{}, stages: map[string]string{}}
	for _, row := range all {
		if !visible(sess, row) {
			continue
		}
		for _, u := range row.Units {
			v.units[u] = u
		}
		for _, o := range row.Officers {
			if _, ok := v.officers[o.Cert]; !ok {
				v.officers[o.Cert] = o.Name + "（" + o.Cert + "）"
			}
		}
		v.types[row.TypeID] = row.Type
		v.stages[row.Stage] = row.Stage
		v.summary.count(row, f, 1)
		if f.Match(row) {
			v.matched = append(v.matched, row)
		}
	}
	sortRows(v.matched)
	return v
}

func sortRows(rows []*BoardRow) {
	slices.SortFunc(rows, func(a, b *BoardRow) int {
		if c := b.UpdatedAt.Compare(a.UpdatedAt); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
}

// page returns the rows of the query's page (q.Page is set to the page
// there is, the last when it asked for one after it).
func (q *boardQuery) page(query url.Values, rows []*BoardRow) ([]*BoardRow, pager) {
	p := newPager(query, len(rows), boardPageSize)
	q.Page = p.Page
	from, to := p.bounds()
	return rows[from:to], p
}

func (s *Server) boardPage(w http.ResponseWriter, r *http.Request) error {
	sess := SessionOf(r)
	all, err := s.boardRows(r.Context(), nil)
	if err != nil {
		return err
	}
	q := parseBoardQuery(r.URL.Query())
	v := viewBoard(sess, all, q.Filter)
	if r.URL.Query().Get("format") == "csv" {
		return s.boardCSV(w, r, q.Filter, v.matched)
	}
	d := boardData{Summary: v.summary, Heartbeat: s.cfg.Options.Heartbeat.Milliseconds()}
	d.Rows, d.Pager = q.page(r.URL.Query(), v.matched)
	d.Query = q
	csv := url.Values{}
	for k, x := range r.URL.Query() {
		if k != "page" {
			csv[k] = x
		}
	}
	csv.Set("format", "csv")
	d.CSV = template.URL("/board?" + csv.Encode())
	d.Units, d.Officers, d.Types, d.Stages = options(v.units), options(v.officers), options(v.types), options(v.stages)
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
