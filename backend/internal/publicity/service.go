package publicity

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"lawtrace/shared/deadline"
	"lawtrace/shared/workday"
)

// Errors of the workflow.
var (
	ErrNotFound = errors.New("no such publication")
	ErrExists   = errors.New("already in the publication queue")
	// ErrRefused wraps a refusal by a rule; the message says which.
	ErrRefused = errors.New("refused")
	ErrRole    = errors.New("this role may not do that")
)

// Query selects publications.
type Query struct {
	States []string
	// Public keeps what the public list shows: published and not past its
	// expiry at Now.
	Public bool
	Now    time.Time
	Number string // document number, exact or prefix
	Org    string // part of an organisation's published name
	Date   string // decision date YYYY-MM-DD
	Limit  int
	Offset int
	// ExpiredBy keeps publications whose period ended by then (Sweep).
	ExpiredBy time.Time
}

// Correction is a request from the public to correct a published item
// (002-publicity §13), answered in writing by staff.
type Correction struct {
	ID          int64     `json:"id"`
	DecisionID  int64     `json:"decision_id"`
	Text        string    `json:"text"`
	Contact     string    `json:"contact,omitempty"` // never published
	Remote      string    `json:"remote,omitempty"`
	At          time.Time `json:"at"`
	Due         time.Time `json:"due"`
	State       string    `json:"state"` // open, answered
	Answer      string    `json:"answer,omitempty"`
	Corrected   bool      `json:"corrected"`
	AnsweredBy  string    `json:"answered_by,omitempty"`
	AnsweredAt  time.Time `json:"answered_at,omitzero"`
	ReceiptCode string    `json:"receipt_code,omitempty"`
}

// Repo is the storage the workflow needs; store.Publicity implements it.
// UpdatePublication and UpdateCorrection run fn on the current row inside
// a write transaction and store what it leaves; an error from fn is
// returned as is and nothing is written.
type Repo interface {
	PutPublication(ctx context.Context, d Decision) (Decision, error)
	Publication(ctx context.Context, id int64) (Decision, error)
	UpdatePublication(ctx context.Context, id int64, fn func(*Decision) error) (Decision, error)
	Publications(ctx context.Context, q Query) ([]Decision, int, error)
	PublicationByCase(ctx context.Context, caseID string) (Decision, error)
	PutCorrection(ctx context.Context, c Correction) (Correction, error)
	UpdateCorrection(ctx context.Context, id int64, fn func(*Correction) error) (Correction, error)
	Corrections(ctx context.Context, decisionID int64, openOnly bool) ([]Correction, error)
	Setting(ctx context.Context, key string) (string, error)
}

// Actor is who takes a step.
type Actor struct {
	Username string
	Name     string
	Role     string // supervisor, reviewer, … ; "system" for the server itself
}

func (a Actor) String() string {
	if a.Name != "" && a.Name != a.Username {
		return a.Name + "（" + a.Username + "）"
	}
	return a.Username
}

// Reviewers may approve, route to "not published", withdraw and answer
// corrections: the agency's internal review (000-publicity §23).
var Reviewers = []string{"supervisor", "reviewer", "system", "operator"}

// System is the server acting by itself (expiry, minors).
var System = Actor{Username: "system", Name: "系统", Role: "system"}

// Service is the publication workflow.
type Service struct {
	Repo Repo
	Now  func() time.Time
	Cal  func(ctx context.Context) *workday.Calendar
	// OnPublished runs after a decision left the queue (published or not
	// published): the case's office chain records it (SPEC P2, D5).
	OnPublished func(ctx context.Context, d Decision, by Actor) error
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

func (s *Service) cal(ctx context.Context) *workday.Calendar {
	if s.Cal == nil {
		return workday.Default()
	}
	return s.Cal(ctx)
}

func refusedf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrRefused, fmt.Sprintf(format, args...))
}

func allowed(a Actor) error {
	if !slices.Contains(Reviewers, a.Role) {
		return fmt.Errorf("%w: %s", ErrRole, a.Role)
	}
	return nil
}

// Queue adds a decision to the publication queue. A party who is a minor
// at the decision date goes straight down the "not published" route
// (000-publicity §18(1)): it is never published at all.
func (s *Service) Queue(ctx context.Context, d Decision, by Actor) (Decision, error) {
	if err := Validate(d); err != nil {
		return d, fmt.Errorf("%w: %v", ErrRefused, err)
	}
	now := s.now()
	MarkMinor(&d)
	d.QueuedAt, d.State = now, StateQueued
	d.History = []Action{{At: now, By: by.String(), Role: by.Role, Action: "queued", Note: "来源：" + sourceName(d.Source)}}
	if d.Minor {
		d.State, d.Ground, d.Note = StateNotPublished, "minor", "行政相对人在决定作出之日未满十八周岁，依法不予公开"
		d.History = append(d.History, Action{At: now, By: System.String(), Role: System.Role, Action: "not_published", Note: Label(Grounds, "minor")})
	}
	return s.Repo.PutPublication(ctx, d)
}

func sourceName(src string) string {
	switch src {
	case SourceTerminal:
		return "执法终端当场处罚决定"
	case SourceReview:
		return "法制审核后作出的决定"
	}
	return "导入"
}

// Approve records the internal review and publishes the redacted fields
// the reviewer saw (000-publicity §23, 002-publicity §8).
func (s *Service) Approve(ctx context.Context, id int64, by Actor, note string) (Decision, error) {
	if err := allowed(by); err != nil {
		return Decision{}, err
	}
	personYears := s.personYears(ctx)
	now := s.now()
	d, err := s.Repo.UpdatePublication(ctx, id, func(d *Decision) error {
		if d.State != StateQueued {
			return refusedf("publication %d is %s, not awaiting review", d.ID, StateNames[d.State])
		}
		if d.Minor {
			return refusedf("the party is a minor: never published (000-publicity §18(1))")
		}
		pub := PublicOf(*d)
		d.Public, d.State, d.PublishedAt, d.ReviewedBy = &pub, StatePublished, now, by.String()
		d.ExpiresAt = ExpiryOf(*d, now, personYears)
		d.History = append(d.History, Action{At: now, By: by.String(), Role: by.Role, Action: "approved", Note: strings.TrimSpace(note)})
		return nil
	})
	if err != nil {
		return d, err
	}
	return d, s.after(ctx, d, by)
}

func (s *Service) after(ctx context.Context, d Decision, by Actor) error {
	if s.OnPublished != nil && d.CaseID != "" {
		return s.OnPublished(ctx, d, by)
	}
	return nil
}

// NotPublish routes a queued decision to "not published" with its ground
// and explanation; supervisors see it, the public never does.
func (s *Service) NotPublish(ctx context.Context, id int64, ground, note string, by Actor) (Decision, error) {
	if err := allowed(by); err != nil {
		return Decision{}, err
	}
	note = strings.TrimSpace(note)
	if Label(Grounds, ground) == ground {
		return Decision{}, refusedf("choose a ground of 000-publicity §18")
	}
	if note == "" {
		return Decision{}, refusedf("say why it is not published")
	}
	now := s.now()
	d, err := s.Repo.UpdatePublication(ctx, id, func(d *Decision) error {
		if d.State != StateQueued {
			return refusedf("publication %d is %s, not awaiting review", d.ID, StateNames[d.State])
		}
		d.State, d.Ground, d.Note = StateNotPublished, ground, note
		d.History = append(d.History, Action{At: now, By: by.String(), Role: by.Role, Action: "not_published", Note: Label(Grounds, ground) + "：" + note})
		return nil
	})
	if err != nil {
		return d, err
	}
	return d, s.after(ctx, d, by)
}

// Edit changes the summary of a queued decision before review (facts,
// basis, result: a decision from legal review carries only its summary).
func (s *Service) Edit(ctx context.Context, id int64, facts, basis, result string, by Actor) (Decision, error) {
	if err := allowed(by); err != nil {
		return Decision{}, err
	}
	now := s.now()
	return s.Repo.UpdatePublication(ctx, id, func(d *Decision) error {
		if d.State != StateQueued {
			return refusedf("only a decision awaiting review can be edited")
		}
		e := *d
		e.Facts, e.Basis, e.Result = strings.TrimSpace(facts), strings.TrimSpace(basis), strings.TrimSpace(result)
		if err := Validate(e); err != nil {
			return fmt.Errorf("%w: %v", ErrRefused, err)
		}
		*d = e
		MarkMinor(d)
		d.History = append(d.History, Action{At: now, By: by.String(), Role: by.Role, Action: "edited"})
		return nil
	})
}

// Withdraw takes a published decision down at once, with an explanation
// (000-publicity §21 第三款: revoked, annulled, to be made again). A notice
// of withdrawal stays at its address.
func (s *Service) Withdraw(ctx context.Context, id int64, reason, note string, by Actor) (Decision, error) {
	if err := allowed(by); err != nil {
		return Decision{}, err
	}
	note = strings.TrimSpace(note)
	if Label(WithdrawReasons, reason) == reason {
		return Decision{}, refusedf("choose a reason of 000-publicity §21")
	}
	if note == "" && reason != "expired" {
		return Decision{}, refusedf("a withdrawal needs an explanation (000-publicity §21: 作出必要的说明)")
	}
	now := s.now()
	return s.Repo.UpdatePublication(ctx, id, func(d *Decision) error {
		if d.State != StatePublished {
			return refusedf("publication %d is %s, not published", d.ID, StateNames[d.State])
		}
		d.State, d.WithdrawnAt, d.WithdrawReason, d.WithdrawNote = StateWithdrawn, now, reason, note
		d.History = append(d.History, Action{At: now, By: by.String(), Role: by.Role, Action: "withdrawn", Note: Label(WithdrawReasons, reason) + " " + note})
		return nil
	})
}

// Sweep withdraws every publication past its period (000-publicity §21).
func (s *Service) Sweep(ctx context.Context) (int, error) {
	now := s.now()
	list, _, err := s.Repo.Publications(ctx, Query{States: []string{StatePublished}, ExpiredBy: now, Limit: -1})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, d := range list {
		if d.ExpiresAt.IsZero() || now.Before(d.ExpiresAt) {
			continue
		}
		if _, err := s.Withdraw(ctx, d.ID, "expired", "公开满"+strconv.Itoa(int(d.ExpiresAt.Sub(d.PublishedAt).Hours()/24/365))+"年，自动撤下", System); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func (s *Service) personYears(ctx context.Context) int {
	v, _ := s.Repo.Setting(ctx, PersonYearsSetting)
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 1 && n <= Years {
		return n
	}
	return PersonYearsDefault
}

// Limits of a correction request.
const (
	MaxCorrection = 1000
	MinCorrection = 5
	MaxContact    = 100
	// CorrectionWorkdays is the period for the written answer: the seeds
	// say 及时 (002-publicity §13); the 20 working days of 002-publicity §12
	// for information that changed are used.
	CorrectionWorkdays = 20
)

// RequestCorrection records a request from the public to correct a
// published item (002-publicity §13).
func (s *Service) RequestCorrection(ctx context.Context, id int64, text, contact, remote string) (Correction, error) {
	text, contact = strings.TrimSpace(text), strings.TrimSpace(contact)
	switch n := utf8.RuneCountInString(text); {
	case !utf8.ValidString(text) || !utf8.ValidString(contact):
		return Correction{}, refusedf("invalid text")
	case n < MinCorrection:
		return Correction{}, refusedf("请说明哪项信息不准确（至少 %d 个字）", MinCorrection)
	case n > MaxCorrection:
		return Correction{}, refusedf("更正申请不超过 %d 个字", MaxCorrection)
	case utf8.RuneCountInString(contact) > MaxContact:
		return Correction{}, refusedf("联系方式不超过 %d 个字", MaxContact)
	}
	d, err := s.Repo.Publication(ctx, id)
	if err != nil {
		return Correction{}, err
	}
	if d.State != StatePublished {
		return Correction{}, ErrNotFound
	}
	now := s.now()
	due, _ := s.cal(ctx).Deadline(now.In(ChinaTime), CorrectionWorkdays)
	return s.Repo.PutCorrection(ctx, Correction{DecisionID: id, Text: text, Contact: contact, Remote: remote, At: now, Due: due, State: "open"})
}

// AnswerCorrection records the written answer (002-publicity §13). When
// the item is corrected, the new facts, basis and result replace the
// published ones through the same redaction, and a correction notice is
// published with them.
func (s *Service) AnswerCorrection(ctx context.Context, cid int64, answer string, corrected bool, facts, basis, result, notice string, by Actor) (Correction, error) {
	if err := allowed(by); err != nil {
		return Correction{}, err
	}
	answer = strings.TrimSpace(answer)
	if answer == "" {
		return Correction{}, refusedf("the answer to the applicant is written (002-publicity §13: 文字答复)")
	}
	now := s.now()
	var decisionID int64
	c, err := s.Repo.UpdateCorrection(ctx, cid, func(c *Correction) error {
		if c.State != "open" {
			return refusedf("the request was already answered")
		}
		c.State, c.Answer, c.Corrected, c.AnsweredBy, c.AnsweredAt = "answered", answer, corrected, by.String(), now
		decisionID = c.DecisionID
		return nil
	})
	if err != nil || !corrected {
		return c, err
	}
	notice = strings.TrimSpace(notice)
	if notice == "" {
		notice = "经核实，本条信息已更正。"
	}
	_, err = s.Repo.UpdatePublication(ctx, decisionID, func(d *Decision) error {
		if d.State != StatePublished {
			return refusedf("publication %d is %s", d.ID, StateNames[d.State])
		}
		e := *d
		if strings.TrimSpace(facts) != "" {
			e.Facts = strings.TrimSpace(facts)
		}
		if strings.TrimSpace(basis) != "" {
			e.Basis = strings.TrimSpace(basis)
		}
		if strings.TrimSpace(result) != "" {
			e.Result = strings.TrimSpace(result)
		}
		if err := Validate(e); err != nil {
			return fmt.Errorf("%w: %v", ErrRefused, err)
		}
		*d = e
		pub := PublicOf(*d)
		d.Public = &pub
		d.Notices = append(d.Notices, Notice{At: now, Text: RedactPlain(notice, d.Subject())})
		d.History = append(d.History, Action{At: now, By: by.String(), Role: by.Role, Action: "corrected", Note: fmt.Sprintf("更正申请 %d", cid)})
		return nil
	})
	return c, err
}

// Item is a publicity deadline as the monitor lists it.
type Item struct {
	deadline.Deadline
	DecisionID int64  `json:"decision_id"`
	Party      string `json:"party"`
}

// Deadlines are the publication deadlines of the queue's decisions that
// no case carries (imported ones: a case's publication deadline is the
// case's own, computed by the review service from its decision), the
// periods for answering correction requests and the annual reports'
// deadlines (SPEC P2, P5, P6, D5) — each computed by shared/deadline.
func (s *Service) Deadlines(ctx context.Context) ([]Item, error) {
	cal := s.cal(ctx)
	list, _, err := s.Repo.Publications(ctx, Query{Limit: -1})
	if err != nil {
		return nil, err
	}
	var out []Item
	for _, d := range list {
		if d.CaseID != "" {
			continue
		}
		if dl, ok := Deadline(d, cal); ok {
			out = append(out, Item{Deadline: dl, DecisionID: d.ID, Party: PreviewOf(d).Party.Text})
		}
	}
	cs, err := s.Repo.Corrections(ctx, 0, false)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		out = append(out, Item{DecisionID: c.DecisionID, Deadline: deadline.Deadline{CaseID: fmt.Sprintf("公示-%d", c.DecisionID), Kind: CorrectionKind,
			Subject: fmt.Sprintf("更正申请 %d", c.ID), Label: "公示信息更正申请，核实后文字答复", Article: "002-publicity §13",
			Start: c.At, Due: c.Due, Done: c.AnsweredAt, Verified: true}})
	}
	annual, err := s.AnnualDeadlines(ctx)
	if err != nil {
		return nil, err
	}
	for _, d := range annual {
		out = append(out, Item{Deadline: d})
	}
	return out, nil
}

// CorrectionKind is the deadline kind of a correction request.
const CorrectionKind = "publicity_correction"
