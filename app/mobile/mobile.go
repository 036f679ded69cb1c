// Package mobile is a gomobile-bindable API over the terminal's field core, so a native Android or iOS app can embed the same offline core as the Fyne app and lawtrace-fieldctl (SPEC F1, F2).
//
// Only types gomobile can bind are exported: string, bool, int, int64,
// []byte, error, and pointers to structs of those. Structured data crosses
// as JSON. Build it with:
//
//	gomobile bind -target=android -androidapi 21 -o lawtrace.aar ./app/mobile
//	gomobile bind -target=ios -o Lawtrace.xcframework ./app/mobile
package mobile

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"lawtrace/app/internal/field"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
)

// Terminal is an opened device home.
type Terminal struct {
	t *field.Terminal
}

// Open opens the device home at dir, creating the device key and store on
// first use (deviceName names the device then).
func Open(dir, deviceName string) (*Terminal, error) {
	t, err := field.Open(dir)
	if err != nil {
		if t, err = field.Init(dir, deviceName); err != nil {
			return nil, err
		}
	}
	return &Terminal{t: t}, nil
}

// Close releases the store.
func (m *Terminal) Close() error { return m.t.Close() }

// DeviceID is the id the device signs entries under.
func (m *Terminal) DeviceID() string { return m.t.DeviceID() }

// IdentityJSON is the device's id, name, public key and key fingerprint.
func (m *Terminal) IdentityJSON() (string, error) { return jsonString(m.t.Identity()) }

// AddOfficer adds or updates an officer and credential (expires is
// YYYY-MM-DD), for setting a terminal up offline.
func (m *Terminal) AddOfficer(name, cert, expires, unit string) error {
	return m.t.PutOfficer(enforce.Officer{Name: name, Cert: cert, Expires: expires, Unit: unit})
}

// OfficersJSON lists the officers on the terminal.
func (m *Terminal) OfficersJSON() (string, error) {
	o, err := m.t.Officers()
	if err != nil {
		return "", err
	}
	if o == nil {
		o = []enforce.Officer{}
	}
	return jsonString(o)
}

// NewCaseRequest is what an officer enters to open a case. Officers is the
// credential numbers separated by commas.
type NewCaseRequest struct {
	Type            string
	Party           string
	PartyKind       string
	Source          string
	Officers        string
	EmergencyReason string
	Address         string
}

// NewCase opens a case and returns its id. An expired or suspended
// credential is refused (the error says which, and the article).
func (m *Terminal) NewCase(r *NewCaseRequest) (string, error) {
	if r == nil {
		return "", errors.New("no case given")
	}
	nc := field.NewCase{Type: r.Type, Party: r.Party, PartyKind: r.PartyKind, Source: r.Source, EmergencyReason: r.EmergencyReason}
	for _, c := range strings.Split(r.Officers, ",") {
		if c = strings.TrimSpace(c); c != "" {
			nc.Officers = append(nc.Officers, c)
		}
	}
	if r.Address != "" {
		nc.Place = &ledger.Place{Address: r.Address}
	}
	c, err := m.t.OpenCase(nc)
	if err != nil {
		return "", err
	}
	return c.ID, nil
}

// JoinOfficers adds officers (credential numbers separated by commas) to a
// case's crew.
func (m *Terminal) JoinOfficers(caseID, officers string) error {
	var certs []string
	for _, c := range strings.Split(officers, ",") {
		if c = strings.TrimSpace(c); c != "" {
			certs = append(certs, c)
		}
	}
	_, err := m.t.JoinOfficers(caseID, certs)
	return err
}

// stepJSON is the JSON form of a step, as RecordStep takes it.
type stepJSON struct {
	Kind     string                         `json:"kind"`
	Recorder string                         `json:"recorder"`
	Fields   map[string]string              `json:"fields"`
	Items    map[string][]map[string]string `json:"items"`
	Attach   []struct {
		Path    string `json:"path"`
		Kind    string `json:"kind"`
		Caption string `json:"caption"`
	} `json:"attach"`
	Sign []struct {
		Role    string          `json:"role"`
		Name    string          `json:"name"`
		Strokes json.RawMessage `json:"strokes"`
	} `json:"sign"`
	Place *ledger.Place `json:"place"`
}

// StepResult is the outcome of RecordStep: the entry recorded, or the
// guard's refusal with what is missing and the article (SPEC F11).
type StepResult struct {
	OK bool
	// EntryID, Seq and Hash identify the entry recorded.
	EntryID string
	Seq     int64
	Hash    string
	// Code, Reason, Message, Missing (one per line) and Article describe a
	// refusal; Chinese is the refusal as the officer reads it, with the
	// regulations named.
	Code    string
	Reason  string
	Message string
	Missing string
	Article string
	Chinese string
}

// RecordStep records a step given as JSON:
//
//	{"kind": "sample", "recorder": "15010001", "fields": {"location": "…"},
//	 "items": {"items": [{"item": "…", "quantity": "…", "seal_number": "…", "sample_id": "…"}]},
//	 "attach": [{"path": "/…/clip.mp4", "caption": "…"}],
//	 "sign": [{"role": "party", "name": "…", "strokes": {"width": 600, "height": 240, "strokes": [[{"x": 1, "y": 2, "t": 0}]]}}],
//	 "place": {"address": "…", "lat": 40.8, "lon": 111.7}}
//
// A refusal by the procedure guard is a StepResult with OK false, not an
// error; errors are malformed JSON or a failing store.
func (m *Terminal) RecordStep(caseID, step string) (*StepResult, error) {
	var s stepJSON
	if err := json.Unmarshal([]byte(step), &s); err != nil {
		return nil, fmt.Errorf("step JSON: %w", err)
	}
	req := field.StepRequest{Kind: s.Kind, Recorder: s.Recorder, Fields: s.Fields, Items: s.Items, Place: s.Place}
	for _, a := range s.Attach {
		req.Attach = append(req.Attach, field.Attachment{Path: a.Path, Kind: a.Kind, Caption: a.Caption})
	}
	for _, g := range s.Sign {
		req.Sign = append(req.Sign, field.Signing{Role: g.Role, Name: g.Name, Strokes: g.Strokes})
	}
	e, err := m.t.RecordStep(caseID, req)
	var refusal *enforce.Error
	if errors.As(err, &refusal) {
		return &StepResult{Code: refusal.Code, Reason: refusal.Reason, Message: refusal.Message, Missing: strings.Join(refusal.MissingText(false), "\n"),
			Article: refusal.Article, Chinese: refusal.Zh()}, nil
	}
	if err != nil {
		return nil, err
	}
	return &StepResult{OK: true, EntryID: e.ID, Seq: e.Seq, Hash: e.Hash}, nil
}

// planJSON is a case with its guided procedure.
type planJSON struct {
	ID          string                `json:"id"`
	Procedure   string                `json:"procedure"`
	Party       string                `json:"party"`
	Officers    []enforce.Officer     `json:"officers"`
	SceneClosed bool                  `json:"scene_closed"`
	Unconfirmed int                   `json:"unconfirmed"`
	Steps       []enforce.PlannedStep `json:"steps"`
}

// CaseJSON is a case and its guided procedure: each step recorded, next,
// open or blocked with the reason and article.
func (m *Terminal) CaseJSON(caseID string) (string, error) {
	c, err := m.t.Case(caseID)
	if err != nil {
		return "", err
	}
	return jsonString(planJSON{ID: c.ID, Procedure: c.Procedure.ID, Party: c.Open.Party, Officers: c.Officers,
		SceneClosed: c.SceneClosed, Unconfirmed: c.Unconfirmed, Steps: m.t.State(c).Plan()})
}

// CasesJSON lists the cases opened in the last days days (0: all).
func (m *Terminal) CasesJSON(days int) (string, error) {
	var since time.Time
	if days > 0 {
		since = m.t.Now().AddDate(0, 0, -days)
	}
	cs, err := m.t.Cases(since)
	if err != nil {
		return "", err
	}
	if cs == nil {
		cs = []field.CaseSummary{}
	}
	return jsonString(cs)
}

// StatusJSON is the sync state: outbox, pending media, last sync, clock
// offset, revoked.
func (m *Terminal) StatusJSON() (string, error) {
	st, err := m.t.Status()
	if err != nil {
		return "", err
	}
	return jsonString(st)
}

// Verify checks a case (or every case, with "") end to end and returns the
// findings, one per line; "" means intact.
func (m *Terminal) Verify(caseID string) (string, error) {
	f, err := m.t.Verify(caseID)
	if err != nil {
		return "", err
	}
	lines := make([]string, len(f))
	for i, x := range f {
		lines[i] = x.String()
	}
	return strings.Join(lines, "\n"), nil
}

// Setting reads a device setting ("" when unset).
func (m *Terminal) Setting(key string) (string, error) { return m.t.Setting(key) }

// SetSetting writes a device setting.
func (m *Terminal) SetSetting(key, value string) error { return m.t.SetSetting(key, value) }

func jsonString(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}
