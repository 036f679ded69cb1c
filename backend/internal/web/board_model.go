package web

import (
	"context"
	"encoding/json"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"lawtrace/backend/internal/store"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
)

// boardModelVersion is the shape of caseModel: a case stored with another
// is derived again from its entries when the server starts (once, logged).
const boardModelVersion = 2

// caseModel is what the board derives from a case's entries, kept entry by
// entry (SPEC D1, issue 15): the chain head verified up to, the verdict so
// far (hash links, device signatures, the binding of hand signatures), the
// steps recorded and the crew. A sync costs the board its new entries only;
// the full re-verification stays on the case page and in `verify`.
type caseModel struct {
	HeadSeq  int64  `json:"-"`
	HeadHash string `json:"-"`

	ProcedureVersion int               `json:"procedure_version,omitempty"`
	Source           string            `json:"source,omitempty"`
	Officers         []enforce.Officer `json:"officers,omitempty"`
	Steps            map[string]int    `json:"steps,omitempty"`
	LastProcStep     string            `json:"last_proc_step,omitempty"`
	Skewed           int               `json:"skewed,omitempty"`
	Findings         []string          `json:"findings,omitempty"`
	Signers          signerState       `json:"signers"`
	// Office and Deadlines are what the board hooks gave the case last
	// (its office state, its running review deadlines).
	Office    string     `json:"office,omitempty"`
	Deadlines []Deadline `json:"deadlines,omitempty"`
}

func newCaseModel() *caseModel {
	return &caseModel{HeadHash: ledger.GenesisHash, Steps: map[string]int{}}
}

// clone copies m deeply enough for apply to change the copy.
func (m *caseModel) clone() *caseModel {
	c := *m
	c.Officers = slices.Clone(m.Officers)
	c.Findings = slices.Clone(m.Findings)
	c.Signers.Officers = slices.Clone(m.Signers.Officers)
	c.Deadlines = slices.Clone(m.Deadlines)
	c.Steps = make(map[string]int, len(m.Steps))
	for k, v := range m.Steps {
		c.Steps[k] = v
	}
	return &c
}

// apply verifies the entries that follow the head and takes them in;
// entries that ingest checked in this process (arrivedChecked, from
// store.Recent) are only followed along the chain, not checked again.
func (m *caseModel) apply(cat *catalogView, caseID string, recs []store.CaseRecord, keys ledger.Keys, arrivedChecked bool) {
	entries := make([]ledger.Entry, len(recs))
	for i := range recs {
		entries[i] = recs[i].Entry
	}
	var findings []ledger.Finding
	if arrivedChecked {
		findings = ledger.FollowFrom(caseID, m.HeadSeq, m.HeadHash, entries)
	} else {
		findings = ledger.VerifyFrom(caseID, m.HeadSeq, m.HeadHash, entries, keys, nil)
	}
	for _, f := range findings {
		m.Findings = append(m.Findings, f.String())
	}
	for i, r := range recs {
		e := &entries[i]
		m.Findings = append(m.Findings, m.Signers.next(cat, caseID, e)...)
		m.Steps[e.Step]++
		if r.ClockSkewed {
			m.Skewed++
		}
		if _, system := systemStepLabels[e.Step]; !system {
			m.LastProcStep = e.Step
		}
		if e.Step == "case_open" || e.Step == "officer_join" {
			m.crew(e)
		}
		m.HeadSeq, m.HeadHash = e.Seq, e.Hash
	}
}

// crew takes in the procedure version and officers of a case_open entry,
// or the officers an officer_join entry adds.
func (m *caseModel) crew(e *ledger.Entry) {
	var p struct {
		ProcedureVersion int               `json:"procedure_version"`
		Source           string            `json:"source"`
		Officers         []enforce.Officer `json:"officers"`
	}
	_ = json.Unmarshal(e.Payload, &p)
	if e.Step == "case_open" {
		m.ProcedureVersion, m.Source = p.ProcedureVersion, p.Source
		if len(p.Officers) == 0 {
			// A terminal that did not copy the officers into the payload:
			// the credential numbers on the entry are all there is.
			for _, c := range e.Officers {
				p.Officers = append(p.Officers, enforce.Officer{Cert: c})
			}
		}
	}
	for _, o := range p.Officers {
		if !slices.ContainsFunc(m.Officers, func(have enforce.Officer) bool { return have.Cert == o.Cert }) {
			m.Officers = append(m.Officers, o)
		}
	}
}

// boardModel is the board's read model in memory, mirrored in the store:
// the derived state of every case and its current row.
type boardModel struct {
	s     *Server
	hub   *hub
	st    store.BoardStore
	ready chan struct{} // closed once loaded
	// refreshing serialises refreshes (the hub and pages that read their
	// own writes).
	refreshing sync.Mutex
	mu         sync.Mutex // guards the maps
	cases      map[string]*caseModel
	rows       map[string]*BoardRow
	// unsaved are the cases changed since the last save: the store is
	// written behind the boards (a lost write is caught up from the
	// entries at the next start, see load).
	unsaved map[string]store.BoardCase
	// looked is the log's size when pages last looked for cases the
	// model had not caught up with.
	looked atomic.Uint64
}

// rowChange is a row before and after a refresh (before is nil for a new case).
type rowChange struct{ before, after *BoardRow }

func newBoardModel(s *Server, h *hub) *boardModel {
	return &boardModel{s: s, hub: h, st: boardStoreOf(s.st), ready: make(chan struct{}), cases: map[string]*caseModel{}, rows: map[string]*BoardRow{},
		unsaved: map[string]store.BoardCase{}}
}

// load reads the stored model and catches up with the entries: every case
// after a start whose stored state is missing or of an older version is
// derived again from its entries (logged), the others only read.
func (m *boardModel) load(ctx context.Context) error {
	began := time.Now()
	stored, err := m.st.BoardModel(ctx)
	if err != nil {
		return err
	}
	m.mu.Lock()
	for _, bc := range stored {
		if bc.Version != boardModelVersion {
			continue
		}
		cm := newCaseModel()
		if json.Unmarshal(bc.State, cm) != nil {
			continue
		}
		cm.HeadSeq, cm.HeadHash = bc.HeadSeq, bc.HeadHash
		if cm.Steps == nil {
			cm.Steps = map[string]int{}
		}
		m.cases[bc.CaseID] = cm
	}
	kept := len(m.cases)
	m.mu.Unlock()
	// The hooks run only for the cases the model does not have.
	heads, err := m.st.BoardHeads(ctx)
	if err != nil {
		return err
	}
	var missing []string
	for id := range heads {
		if m.cases[id] == nil {
			missing = append(missing, id)
		}
	}
	given, err := m.runHooks(ctx, missing)
	if err != nil {
		return err
	}
	if _, err := m.refreshCases(ctx, nil, given); err != nil {
		return err
	}
	m.mu.Lock()
	n := len(m.rows)
	m.mu.Unlock()
	if err := m.save(ctx); err != nil {
		return err
	}
	if n > kept {
		m.s.log.Info("live board: read model derived from the entries", "cases", n-kept, "kept", kept, "took", time.Since(began).Round(time.Millisecond))
	}
	close(m.ready)
	return nil
}

// save writes the cases changed since the last save.
func (m *boardModel) save(ctx context.Context) error {
	m.mu.Lock()
	cases := make([]store.BoardCase, 0, len(m.unsaved))
	for _, bc := range m.unsaved {
		cases = append(cases, bc)
	}
	clear(m.unsaved)
	m.mu.Unlock()
	if err := m.st.SaveBoardModel(ctx, cases); err != nil {
		m.mu.Lock()
		for _, bc := range cases {
			if _, newer := m.unsaved[bc.CaseID]; !newer {
				m.unsaved[bc.CaseID] = bc
			}
		}
		m.mu.Unlock()
		return err
	}
	return nil
}

// wait blocks until the model is loaded.
func (m *boardModel) wait(ctx context.Context) error {
	select {
	case <-m.ready:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// refresh brings the given cases up to date (none when ids is empty); see
// refreshCases.
func (m *boardModel) refresh(ctx context.Context, ids []string, given map[string]hooked) ([]rowChange, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return m.refreshCases(ctx, ids, given)
}

// refreshCases brings the given cases (all when ids is nil) up to date: their
// new entries are verified and taken in, their rows rebuilt from the case,
// its terminal and its files, and published to the open boards. A case in
// given gets what the board hooks gave it there (runHooks), kept in the
// model; any other keeps what they gave it last — a terminal's sync
// changes neither its office stage nor its review deadlines, and the
// review service names the cases whose deadlines it changed
// (reviewsrv.EventDeadline). It returns the rows before and after.
func (m *boardModel) refreshCases(ctx context.Context, ids []string, given map[string]hooked) ([]rowChange, error) {
	m.refreshing.Lock()
	defer m.refreshing.Unlock()
	now := m.s.cfg.Now()
	cat, err := m.s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	infos, err := m.st.BoardCaseRows(ctx, ids, now)
	if err != nil {
		return nil, err
	}
	models := make([]*caseModel, len(infos))
	behind := map[string]int{} // index in infos of cases with new entries
	m.mu.Lock()
	for i := range infos {
		models[i] = m.cases[infos[i].ID]
		if models[i] == nil {
			models[i] = newCaseModel()
		}
		if infos[i].LastSeq > models[i].HeadSeq {
			behind[infos[i].ID] = i
		}
	}
	m.mu.Unlock()
	if err := m.catchUp(ctx, cat, behind, infos, models); err != nil {
		return nil, err
	}
	var save []store.BoardCase
	for i := range infos {
		c, cm := &infos[i], models[i]
		_, changed := behind[c.ID]
		if hk, ok := given[c.ID]; ok {
			if !changed {
				cm = cm.clone()
			}
			cm.Office, cm.Deadlines, changed = hk.office, hk.deadlines, true
		}
		if changed {
			state, err := json.Marshal(cm)
			if err != nil {
				return nil, err
			}
			save = append(save, store.BoardCase{CaseID: c.ID, Version: boardModelVersion, HeadSeq: cm.HeadSeq, HeadHash: cm.HeadHash, State: state})
		}
		models[i] = cm
	}
	rows := make([]*BoardRow, len(infos))
	for i := range infos {
		rows[i] = m.s.boardRow(cat, &infos[i], models[i], now)
	}
	// The boards see the new rows and get them under one lock (see
	// boardSocket).
	out := make([]rowChange, len(rows))
	m.hub.mu.Lock()
	defer m.hub.mu.Unlock()
	m.mu.Lock()
	for _, bc := range save {
		m.unsaved[bc.CaseID] = bc
	}
	for i, r := range rows {
		m.cases[r.ID] = models[i]
		out[i] = rowChange{before: m.rows[r.ID], after: r}
		m.rows[r.ID] = r
	}
	m.mu.Unlock()
	m.hub.publish(out)
	return out, nil
}

// hooked is what the board hooks gave a case: its office stage (empty when
// the office has none) and its running deadlines.
type hooked struct {
	office    string
	deadlines []Deadline
}

// runHooks runs the board hooks for the cases on rows that carry only the
// case's id (the hooks read the id and add the office stage and the
// deadlines). Their queries go over the office's records, so they run
// before refresh and outside its locks.
func (m *boardModel) runHooks(ctx context.Context, ids []string) (map[string]hooked, error) {
	rows := make([]*BoardRow, len(ids))
	for i, id := range ids {
		rows[i] = &BoardRow{ID: id}
	}
	m.s.mu.Lock()
	hooks := slices.Clone(m.s.boardHooks)
	m.s.mu.Unlock()
	for _, h := range hooks {
		if err := h(ctx, rows); err != nil {
			return nil, err
		}
	}
	out := make(map[string]hooked, len(rows))
	for _, r := range rows {
		out[r.ID] = hooked{office: r.Stage, deadlines: r.Deadlines}
	}
	return out, nil
}

// catchUpBatch is how many cases catchUp reads at once.
const catchUpBatch = 500

// catchUp verifies and takes in the new entries of the cases behind (by
// their index in models), replacing each model with a copy that has them.
func (m *boardModel) catchUp(ctx context.Context, cat *catalogView, behind map[string]int, infos []store.CaseRow, models []*caseModel) error {
	after := make(map[string]int64, min(len(behind), catchUpBatch))
	flush := func() error {
		if len(after) == 0 {
			return nil
		}
		recs, err := m.st.BoardEntriesAfter(ctx, after)
		if err != nil {
			return err
		}
		for id := range after {
			keys := ledger.Keys{}
			for _, r := range recs[id] {
				dev := r.Entry.DeviceID
				if _, ok := keys[dev]; ok {
					continue
				}
				k, err := m.s.verify.deviceKey(ctx, dev)
				if err != nil {
					return err
				}
				if k != nil {
					keys[dev] = k
				}
			}
			i := behind[id]
			models[i] = models[i].clone()
			models[i].apply(cat, id, recs[id], keys, false)
			m.s.boardReadBack.Add(uint64(len(recs[id])))
		}
		clear(after)
		return nil
	}
	for id, i := range behind {
		// A batch this process has just checked and committed is taken
		// from memory; anything else is read back and verified.
		if recs := m.s.cfg.Recent.Run(id, models[i].HeadSeq, infos[i].LastSeq); recs != nil {
			models[i] = models[i].clone()
			models[i].apply(cat, id, recs, nil, true)
			m.s.boardFromIngest.Add(uint64(len(recs)))
			continue
		}
		after[id] = models[i].HeadSeq
		if len(after) == catchUpBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// stale lists the cases whose entries the model has not taken in yet (the
// event bus drops events for a subscriber that falls behind).
func (m *boardModel) stale(ctx context.Context) ([]string, error) {
	heads, err := m.st.BoardHeads(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, seq := range heads {
		if cm, ok := m.cases[id]; !ok || cm.HeadSeq < seq {
			out = append(out, id)
		}
	}
	return out, nil
}

// due lists the cases whose row changes with the time alone: a file or a
// deadline that has become overdue since the row was built.
func (m *boardModel) due(now time.Time) []string {
	var out []string
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, r := range m.rows {
		late := r.Pending > r.Overdue && !r.NextDue.IsZero() && now.After(r.NextDue)
		for _, d := range r.Deadlines {
			late = late || !d.Overdue && now.After(d.Due)
		}
		if late {
			out = append(out, id)
		}
	}
	return out
}

// ofDevices lists the cases recorded by the given terminals.
func (m *boardModel) ofDevices(devices map[string]bool) []string {
	var out []string
	m.mu.Lock()
	defer m.mu.Unlock()
	for id, r := range m.rows {
		if devices[r.DeviceID] {
			out = append(out, id)
		}
	}
	return out
}

// all returns every row (shared: callers must not change them).
func (m *boardModel) all() []*BoardRow {
	m.mu.Lock()
	defer m.mu.Unlock()
	out := make([]*BoardRow, 0, len(m.rows))
	for _, r := range m.rows {
		out = append(out, r)
	}
	return out
}
