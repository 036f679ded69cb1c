// Package publicity is the after-the-fact publicity of enforcement decisions (事后公示, SPEC P2-P5, D5): the publication queue with its internal review, the "not published" route, withdrawal, correction requests, the publication deadlines, and the one redaction step every public text goes through. It holds the rules only; storage is the Repo port (store.Publicity implements it).
package publicity

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"lawtrace/shared/deadline"
	"lawtrace/shared/workday"
)

// Kinds of decision (the import's kind field).
const (
	KindPenalty    = "penalty"
	KindPermit     = "permit"
	KindCoercion   = "coercion"
	KindInspection = "inspection"
	KindOther      = "other"
)

// KindNames are the kinds as the public pages name them.
var KindNames = map[string]string{KindPenalty: "行政处罚", KindPermit: "行政许可", KindCoercion: "行政强制",
	KindInspection: "行政检查", KindOther: "其他行政执法决定"}

// Where a decision came from.
const (
	SourceTerminal = "terminal" // an on-the-spot penalty decision recorded on a terminal
	SourceReview   = "review"   // a decision recorded after legal review
	SourceImport   = "import"   // lawtrace-server publicity import
)

// States of a publication.
const (
	StateQueued       = "queued"        // awaiting the agency's internal review (000-publicity §23)
	StatePublished    = "published"     // on the public pages
	StateNotPublished = "not_published" // not to be published (000-publicity §18), with reason and approver
	StateWithdrawn    = "withdrawn"     // taken down (000-publicity §21); a notice stays
)

// StateNames are the states in Chinese.
var StateNames = map[string]string{StateQueued: "待审核", StatePublished: "已公示", StateNotPublished: "不予公开", StateWithdrawn: "已撤下"}

// Grounds for not publishing (000-publicity §18, 002-publicity §10).
var Grounds = []Option{
	{"minor", "行政相对人是未成年人（000-publicity §18(1)）"},
	{"state_secret", "涉及国家秘密（000-publicity §18(2)、002-publicity §10(1)）"},
	{"trade_secret", "涉及商业秘密（000-publicity §18(2)、002-publicity §10）"},
	{"privacy", "涉及个人隐私（000-publicity §18(2)、002-publicity §10）"},
	{"security", "公开后可能危及国家安全、公共安全、经济安全和社会稳定（000-publicity §18(3)）"},
	{"hinder", "可能妨害正常执法活动（000-publicity §18(4)）"},
	{"law", "法律、法规和规章规定不予公开（002-publicity §10(4)）"},
}

// Withdrawal reasons (000-publicity §21).
var WithdrawReasons = []Option{
	{"expired", "公开期限届满（000-publicity §21）"},
	{"revoked", "原决定被依法撤销（000-publicity §21 第三款）"},
	{"annulled", "原决定被确认违法（000-publicity §21 第三款）"},
	{"changed", "原决定被要求重新作出或变更（000-publicity §21 第三款）"},
}

// Option is a value with its Chinese label.
type Option struct{ Value, Label string }

// Label finds an option's label.
func Label(opts []Option, v string) string {
	for _, o := range opts {
		if o.Value == v {
			return o.Label
		}
	}
	return v
}

// Decision is one decision in the publication queue.
type Decision struct {
	ID        int64  `json:"id"`
	Source    string `json:"source"`
	CaseID    string `json:"case_id,omitempty"`
	Number    string `json:"decision_number"`
	Kind      string `json:"kind"`
	Party     string `json:"party"`
	PartyKind string `json:"party_kind"`
	// Minor is set when the party is under 18 on the decision date (from
	// the ID number's birth date or a flag); the ID number itself is not
	// kept.
	Minor     bool      `json:"minor,omitempty"`
	Facts     string    `json:"facts"`
	Basis     string    `json:"basis"`
	Result    string    `json:"result"`
	Agency    string    `json:"agency"`
	DecidedAt string    `json:"decided_at"` // YYYY-MM-DD
	QueuedAt  time.Time `json:"queued_at"`
	State     string    `json:"state"`

	// Public is what the public pages show, frozen when the publication was
	// approved (and replaced by a published correction).
	Public      *PublicFields `json:"public,omitempty"`
	PublishedAt time.Time     `json:"published_at,omitzero"`
	ExpiresAt   time.Time     `json:"expires_at,omitzero"`
	ReviewedBy  string        `json:"reviewed_by,omitempty"`

	Ground string `json:"ground,omitempty"` // not published: the reason (Grounds)
	Note   string `json:"note,omitempty"`   // not published: the explanation

	WithdrawnAt    time.Time `json:"withdrawn_at,omitzero"`
	WithdrawReason string    `json:"withdraw_reason,omitempty"`
	WithdrawNote   string    `json:"withdraw_note,omitempty"`

	Notices []Notice `json:"notices,omitempty"` // published corrections
	History []Action `json:"history"`
}

// PublicFields are the fields of 002-publicity §8 as published: document
// number, party (organisations by name, natural persons masked), facts in
// summary, basis, result, agency, date — every one redacted.
type PublicFields struct {
	Number string `json:"number"`
	Kind   string `json:"kind"`
	Party  string `json:"party"`
	Facts  string `json:"facts"`
	Basis  string `json:"basis"`
	Result string `json:"result"`
	Agency string `json:"agency"`
	Date   string `json:"date"`
}

// Action is one step of the workflow: who, when, what.
type Action struct {
	At     time.Time `json:"at"`
	By     string    `json:"by"`
	Role   string    `json:"role,omitempty"`
	Action string    `json:"action"`
	Note   string    `json:"note,omitempty"`
}

// Notice is a published correction (更正, 002-publicity §13).
type Notice struct {
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

// Decided is the decision date at 00:00 China time.
func (d Decision) Decided() time.Time {
	t, _ := time.ParseInLocation(time.DateOnly, d.DecidedAt, ChinaTime)
	return t
}

// Subject is whose data the texts hold.
func (d Decision) Subject() Subject { return Subject{PartyKind: d.PartyKind, Party: d.Party} }

// ChinaTime is the agency's time zone: dates and working days are counted there.
var ChinaTime = time.FixedZone("CST", 8*3600)

// Preview is the redacted form of a decision's public fields with what was
// removed, for the reviewer.
type Preview struct {
	Number, Party, Facts, Basis, Result, Agency Redacted
}

// PreviewOf redacts every field that will be published.
func PreviewOf(d Decision) Preview {
	sub := d.Subject()
	p := Preview{
		Number: Redact(d.Number, sub), Facts: Redact(d.Facts, sub), Basis: Redact(d.Basis, sub),
		Result: Redact(d.Result, sub), Agency: Redact(d.Agency, Subject{PartyKind: "org"}),
	}
	if d.PartyKind == "org" {
		p.Party = Redact(d.Party, Subject{PartyKind: "org"})
	} else {
		masked := MaskName(normalize(d.Party))
		p.Party = Redacted{Text: masked, Segments: []Segment{{Text: masked, Kind: RemovedName, Original: d.Party}}}
	}
	return p
}

// PublicOf is what the public pages show of a decision.
func PublicOf(d Decision) PublicFields {
	p := PreviewOf(d)
	return PublicFields{Number: p.Number.Text, Kind: KindNames[d.Kind], Party: p.Party.Text, Facts: p.Facts.Text,
		Basis: p.Basis.Text, Result: p.Result.Text, Agency: p.Agency.Text, Date: d.DecidedAt}
}

// Limits on the texts of a decision.
const (
	MaxNumber = 100
	MaxParty  = 200
	MaxText   = 4000
)

// Validate checks a decision before it is queued; the message says what is
// wrong.
func Validate(d Decision) error {
	var bad []string
	need := func(name, v string, maxRunes int) {
		switch {
		case strings.TrimSpace(v) == "":
			bad = append(bad, name+" is missing")
		case utf8.RuneCountInString(v) > maxRunes:
			bad = append(bad, fmt.Sprintf("%s is longer than %d characters", name, maxRunes))
		case !utf8.ValidString(v):
			bad = append(bad, name+" is not valid UTF-8")
		}
	}
	need("decision_number", d.Number, MaxNumber)
	need("party", d.Party, MaxParty)
	need("facts", d.Facts, MaxText)
	need("basis", d.Basis, MaxText)
	need("result", d.Result, MaxText)
	need("agency", d.Agency, MaxParty)
	if _, ok := KindNames[d.Kind]; !ok {
		bad = append(bad, fmt.Sprintf("kind %q is not one of penalty, permit, coercion, inspection, other", d.Kind))
	}
	if d.PartyKind != "person" && d.PartyKind != "org" {
		bad = append(bad, fmt.Sprintf("party_kind %q is not person or org", d.PartyKind))
	}
	if t, err := time.Parse(time.DateOnly, d.DecidedAt); err != nil || t.Year() < 1990 {
		bad = append(bad, fmt.Sprintf("decided_at %q is not a date YYYY-MM-DD", d.DecidedAt))
	}
	if len(bad) > 0 {
		return errors.New(strings.Join(bad, "; "))
	}
	return nil
}

// ImportRecord is one decision of `publicity import`.
type ImportRecord struct {
	DecisionNumber string `json:"decision_number"`
	Kind           string `json:"kind"`
	Party          string `json:"party"`
	PartyKind      string `json:"party_kind"`
	PartyIDNumber  string `json:"party_id_number"`
	Minor          bool   `json:"minor"`
	Facts          string `json:"facts"`
	Basis          string `json:"basis"`
	Result         string `json:"result"`
	DecidedAt      string `json:"decided_at"`
	Agency         string `json:"agency"`
}

// Refusal is a record that was not imported, and why.
type Refusal struct {
	Index  int    `json:"index"` // 0-based position in the array
	Number string `json:"decision_number,omitempty"`
	Reason string `json:"reason"`
}

// ParseImport reads the import file: a JSON array of records. Each bad
// record is refused with its reason; the rest are returned as decisions to
// queue. The party's ID number decides whether the party is a minor at
// the decision date and is then dropped.
func ParseImport(data []byte, agency string) ([]Decision, []Refusal, error) {
	var raw []json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, nil, fmt.Errorf("the file is not a JSON array of decisions: %w", err)
	}
	var out []Decision
	var refused []Refusal
	seen := map[string]bool{}
	for i, r := range raw {
		var rec ImportRecord
		dec := json.NewDecoder(strings.NewReader(string(r)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&rec); err != nil {
			refused = append(refused, Refusal{Index: i, Reason: "not a decision record: " + err.Error()})
			continue
		}
		d, err := FromImport(rec, agency)
		if err == nil && seen[d.Number] {
			err = errors.New("decision_number appears twice in the file")
		}
		if err != nil {
			refused = append(refused, Refusal{Index: i, Number: rec.DecisionNumber, Reason: err.Error()})
			continue
		}
		seen[d.Number] = true
		out = append(out, d)
	}
	return out, refused, nil
}

// FromImport turns an import record into a decision.
func FromImport(rec ImportRecord, agency string) (Decision, error) {
	d := Decision{Source: SourceImport, Number: strings.TrimSpace(rec.DecisionNumber), Kind: strings.TrimSpace(rec.Kind),
		Party: strings.TrimSpace(rec.Party), PartyKind: strings.TrimSpace(rec.PartyKind), Facts: strings.TrimSpace(rec.Facts),
		Basis: strings.TrimSpace(rec.Basis), Result: strings.TrimSpace(rec.Result), DecidedAt: strings.TrimSpace(rec.DecidedAt),
		Agency: strings.TrimSpace(rec.Agency), Minor: rec.Minor}
	if d.Agency == "" {
		d.Agency = agency
	}
	if err := Validate(d); err != nil {
		return d, err
	}
	if id := strings.TrimSpace(rec.PartyIDNumber); id != "" {
		if d.PartyKind != "person" {
			return d, errors.New("party_id_number is given for an organisation")
		}
		birth, ok := BirthDate(id)
		if !ok || len(strings.ReplaceAll(normalize(id), " ", "")) == 18 && !ValidIDNumber(id) {
			return d, errors.New("party_id_number is not a valid resident ID number")
		}
		if MinorAt(birth, d.Decided()) {
			d.Minor = true
		}
	}
	return d, nil
}

// MarkMinor sets Minor when an ID number in the decision's texts belongs
// to someone under 18 at the decision date.
func MarkMinor(d *Decision) {
	if d.PartyKind != "org" && MinorIDIn(d.Decided(), d.Party, d.Facts, d.Result) {
		d.Minor = true
	}
}

// ProcedureOf maps a decision kind to the procedure names deadline.Compute
// knows (penalties and permits 7 working days, the rest 20).
func ProcedureOf(kind string) string {
	switch kind {
	case KindPenalty, KindPermit:
		return kind
	}
	return kind
}

// Deadline is the publication deadline of a decision, computed by
// shared/deadline like every other deadline (002-publicity §12, 001): one
// rule, one place. It is done when the decision was published or routed
// to "not published".
func Deadline(d Decision, cal *workday.Calendar) (deadline.Deadline, bool) {
	if cal == nil {
		cal = workday.Default()
	}
	done := d.PublishedAt
	if d.State == StateNotPublished {
		for _, a := range d.History {
			if a.Action == "not_published" {
				done = a.At
			}
		}
	}
	for _, dl := range deadline.Compute(deadline.Facts{CaseID: d.Label(), Procedure: ProcedureOf(d.Kind), Decided: d.Decided(), Published: done}, deadline.Settings{}, cal) {
		if dl.Kind == deadline.Publication {
			dl.Subject = d.Number
			return dl, true
		}
	}
	return deadline.Deadline{}, false
}

// Label names a queue item where no case id does: 公示-ID.
func (d Decision) Label() string {
	if d.CaseID != "" {
		return d.CaseID
	}
	return fmt.Sprintf("公示-%d", d.ID)
}

// Withdrawal periods (000-publicity §21): 5 years; 2 years for a natural
// person, which the agency may choose for penalties of natural persons
// (setting PersonYearsSetting, default 2).
const (
	Years              = 5
	PersonYearsDefault = 2
	PersonYearsSetting = "publicity_person_years"
)

// ExpiryOf is when a publication comes down by itself.
func ExpiryOf(d Decision, published time.Time, personYears int) time.Time {
	y := Years
	if d.PartyKind == "person" && d.Kind == KindPenalty && personYears > 0 {
		y = personYears
	}
	return published.AddDate(y, 0, 0)
}
