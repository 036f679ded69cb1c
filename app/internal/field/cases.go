package field

import (
	"database/sql"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
)

// Case sources per 003 §13 (R8).
var Sources = []string{"inspection", "complaint", "assigned", "transferred", "other"}

// Party kinds.
var PartyKinds = []string{"person", "org"}

// System steps the core writes besides procedure steps.
const (
	StepCaseOpen    = "case_open"
	StepOfficerJoin = "officer_join"
	StepCorrection  = "correction"
)

// NewCase is what an officer enters to open a case.
type NewCase struct {
	Type            string
	Party           string
	PartyKind       string
	Source          string
	Officers        []string
	EmergencyReason string
	Place           *ledger.Place
}

// CaseOpen is the payload of a case_open entry.
type CaseOpen struct {
	Procedure        string            `json:"procedure"`
	ProcedureVersion int               `json:"procedure_version"`
	Party            string            `json:"party"`
	PartyKind        string            `json:"party_kind"`
	Source           string            `json:"source"`
	Officers         []enforce.Officer `json:"officers"`
	EmergencyReason  string            `json:"emergency_reason,omitempty"`
	Recorder         *Recorder         `json:"recorder,omitempty"`
}

// Case is a case as the terminal knows it, replayed from its entries.
type Case struct {
	ID          string             `json:"id"`
	Open        CaseOpen           `json:"open"`
	Procedure   *enforce.Procedure `json:"-"`
	Officers    []enforce.Officer  `json:"officers"`
	Recorded    map[string]int     `json:"recorded"`
	SceneClosed bool               `json:"scene_closed"`
	Entries     []ledger.Entry     `json:"-"`
	Unconfirmed int                `json:"unconfirmed"`
}

// OpenCase starts the on-scene record of a case (not 立案, which needs the
// head's approval, 003 §12): the party, the source and the officers, each
// of whom must hold a credential valid today; the first officer named makes
// the record (SPEC D4, R8).
func (t *Terminal) OpenCase(nc NewCase) (*Case, error) {
	catalog, err := t.Catalog()
	if err != nil {
		return nil, err
	}
	proc, ok := catalog.Procedures[nc.Type]
	if !ok {
		return nil, enforce.Errorf(enforce.EInvalid, "unknown case type %q; the types are %s", nc.Type, strings.Join(catalog.ProcedureIDs(), ", "))
	}
	nc.Party = strings.TrimSpace(nc.Party)
	if nc.Party == "" {
		return nil, enforce.Errorf(enforce.EInvalid, "the party's name is required")
	}
	if !slices.Contains(PartyKinds, nc.PartyKind) {
		return nil, enforce.Errorf(enforce.EInvalid, "party kind must be one of %s, got %q", strings.Join(PartyKinds, ", "), nc.PartyKind)
	}
	if nc.Source == "" {
		nc.Source = "inspection"
	}
	if !slices.Contains(Sources, nc.Source) {
		return nil, enforce.Errorf(enforce.EInvalid, "case source must be one of %s, got %q (003 §13)", strings.Join(Sources, ", "), nc.Source)
	}
	officers, err := t.crew(nc.Officers, nil)
	if err != nil {
		return nil, err
	}
	// The first officer named opens the record (000-record §4).
	open := CaseOpen{Procedure: proc.ID, ProcedureVersion: proc.Version, Party: nc.Party, PartyKind: nc.PartyKind,
		Source: nc.Source, Officers: officers, EmergencyReason: strings.TrimSpace(nc.EmergencyReason),
		Recorder: &Recorder{Name: officers[0].Name, Cert: officers[0].Cert}}
	id := t.Now().Format("20060102") + "-" + newID()[:8]
	err = t.inTx(func(tx *sql.Tx) error {
		if _, err := tx.Exec(`INSERT INTO cases (id, procedure, proc_version, party, opened_at) VALUES (?, ?, ?, ?, ?)`,
			id, proc.ID, proc.Version, nc.Party, ledger.FormatTime(t.Now())); err != nil {
			return err
		}
		_, err := t.appendEntry(tx, draft{caseID: id, step: StepCaseOpen, payload: open, officers: certs(officers), place: nc.Place})
		return err
	})
	if err != nil {
		return nil, err
	}
	return t.Case(id)
}

// crew looks up officers by credential number and refuses unknown,
// repeated, suspended or expired credentials.
func (t *Terminal) crew(certNumbers []string, already []enforce.Officer) ([]enforce.Officer, error) {
	if len(certNumbers) == 0 {
		return nil, enforce.Errorf(enforce.EInvalid, "name at least one officer by credential number")
	}
	var out []enforce.Officer
	seen := map[string]bool{}
	for _, o := range already {
		seen[o.Cert] = true
	}
	for _, c := range certNumbers {
		if seen[c] {
			return nil, enforce.Errorf(enforce.EInvalid, "officer %s is named twice", c)
		}
		seen[c] = true
		o, err := t.Officer(c)
		if err != nil {
			return nil, err
		}
		if issue, bad := o.CredentialIssue(t.Now()); bad {
			return nil, &enforce.Error{Code: enforce.ERefused, Reason: enforce.ReasonCrew, Message: issue.En + "; an invalid credential cannot be used on a case",
				MessageZh: issue.Zh + "，无效的执法证件不能用于办案", Missing: []enforce.Item{issue}, Article: "003 §14"}
		}
		out = append(out, o)
	}
	return out, nil
}

func certs(officers []enforce.Officer) []string {
	out := make([]string, len(officers))
	for i, o := range officers {
		out[i] = o.Cert
	}
	return out
}

// JoinOfficers adds officers to a case's crew.
func (t *Terminal) JoinOfficers(caseID string, certNumbers []string) (*Case, error) {
	c, err := t.Case(caseID)
	if err != nil {
		return nil, err
	}
	if c.SceneClosed {
		return nil, &enforce.Error{Code: enforce.ERefused, Step: StepOfficerJoin, Message: "the on-scene record is closed", Article: "003 §29"}
	}
	added, err := t.crew(certNumbers, c.Officers)
	if err != nil {
		return nil, err
	}
	err = t.inTx(func(tx *sql.Tx) error {
		_, err := t.appendEntry(tx, draft{caseID: caseID, step: StepOfficerJoin,
			payload: map[string]any{"officers": added}, officers: certs(append(c.Officers, added...))})
		return err
	})
	if err != nil {
		return nil, err
	}
	return t.Case(caseID)
}

// Case replays a case from its entries.
func (t *Terminal) Case(id string) (*Case, error) {
	entries, err := t.caseEntries(id)
	if err != nil {
		return nil, err
	}
	if len(entries) == 0 || entries[0].Step != StepCaseOpen {
		return nil, enforce.Errorf(enforce.ENotFound, "no case %s on this terminal", id)
	}
	c := &Case{ID: id, Recorded: map[string]int{}, Entries: entries}
	if err := json.Unmarshal(entries[0].Payload, &c.Open); err != nil {
		return nil, err
	}
	if c.Procedure, err = t.procedure(c.Open.Procedure, c.Open.ProcedureVersion); err != nil {
		return nil, err
	}
	c.Officers = slices.Clone(c.Open.Officers)
	for _, e := range entries[1:] {
		switch e.Step {
		case StepOfficerJoin:
			var p struct {
				Officers []enforce.Officer `json:"officers"`
			}
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return nil, err
			}
			c.Officers = append(c.Officers, p.Officers...)
		case StepCorrection:
		default:
			c.Recorded[e.Step]++
			if e.Step == enforce.StepCloseScene {
				c.SceneClosed = true
			}
		}
	}
	err = t.db.QueryRow(`SELECT COUNT(*) FROM entries WHERE case_id = ? AND acked = 0`, id).Scan(&c.Unconfirmed)
	return c, err
}

// State is what the guard needs, with the officers' credentials as held on
// this terminal today (a credential suspended since the case opened counts).
func (t *Terminal) State(c *Case) enforce.CaseState {
	officers := make([]enforce.Officer, len(c.Officers))
	for i, o := range c.Officers {
		if cur, err := t.Officer(o.Cert); err == nil {
			o = cur
		}
		officers[i] = o
	}
	return enforce.CaseState{Procedure: c.Procedure, Party: c.Open.Party, PartyKind: c.Open.PartyKind, Officers: officers,
		Recorded: c.Recorded, SceneClosed: c.SceneClosed, Today: t.Now()}
}

// CaseSummary is a row of the case list.
type CaseSummary struct {
	ID          string `json:"id"`
	Procedure   string `json:"procedure"`
	Party       string `json:"party"`
	OpenedAt    string `json:"opened_at"`
	LastStep    string `json:"last_step"`
	Unconfirmed int    `json:"unconfirmed"`
}

// Cases lists the cases on this terminal, newest first, opened since since.
func (t *Terminal) Cases(since time.Time) ([]CaseSummary, error) {
	rows, err := t.db.Query(`SELECT c.id, c.procedure, c.party, c.opened_at,
		COALESCE((SELECT e.step FROM entries e WHERE e.case_id = c.id ORDER BY e.seq DESC LIMIT 1), ''),
		(SELECT COUNT(*) FROM entries e WHERE e.case_id = c.id AND e.acked = 0)
		FROM cases c WHERE c.opened_at >= ? ORDER BY c.opened_at DESC`, ledger.FormatTime(since))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CaseSummary
	for rows.Next() {
		var s CaseSummary
		if err := rows.Scan(&s.ID, &s.Procedure, &s.Party, &s.OpenedAt, &s.LastStep, &s.Unconfirmed); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
