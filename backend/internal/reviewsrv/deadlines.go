package reviewsrv

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"time"

	"lawtrace/backend/internal/auth"
	"lawtrace/backend/internal/events"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/deadline"
)

// sceneEnded are the procedures whose case ends when the on-scene record
// closes: an on-the-spot penalty is decided and served on scene, an
// inspection ends with its record (a penalty found by it is a new case).
// The others continue in the office and end with a case_end entry.
var sceneEnded = map[string]bool{"penalty-simple": true, "inspection": true}

// caseEnd is when the case ended (the archive period starts), zero if not.
func caseEnd(st *State) time.Time {
	if !st.Ended.IsZero() {
		return st.Ended
	}
	if sceneEnded[st.Case.Procedure] && !st.Case.SceneClosed.IsZero() && !st.Office.Inspection.active() && !st.ExecutesOnSpot() {
		return st.Case.SceneClosed.In(cst)
	}
	return time.Time{}
}

// Item is one deadline as the monitor lists it (SPEC D5).
type Item struct {
	deadline.Deadline
	State string `json:"state"` // running, overdue, met, missed
	// Remaining is the time left until due (negative when overdue), for
	// deadlines not yet done.
	RemainingSeconds int64  `json:"remaining_seconds"`
	Remaining        string `json:"remaining"`
	// LastDay is the last day (China time) on which it is in time.
	LastDay    string `json:"last_day"`
	Unverified bool   `json:"unverified"`
	Party      string `json:"party"`
	Procedure  string `json:"procedure"`
	// Link is the page where an agency deadline is handled; a case's
	// deadlines are handled on its review page.
	Link string `json:"link,omitempty"`
}

// Filter narrows the deadline list.
type Filter struct {
	// Officer keeps the cases whose crew holds this credential (what an
	// officer may see).
	Officer string
	Case    string   // one case
	Cases   []string // these cases (the board's rows)
	Kind    string   // a deadline kind (deadline.Upload, …)
	State   string   // running, overdue, met, missed; "open" = running or overdue
}

func (f Filter) keep(it Item) bool {
	if f.Case != "" && it.CaseID != f.Case {
		return false
	}
	if f.Kind != "" && it.Kind != f.Kind {
		return false
	}
	switch f.State {
	case "":
		return true
	case "open":
		return it.State == deadline.StateRunning || it.State == deadline.StateOverdue
	}
	return it.State == f.State
}

// DeadlinesFor lists the deadlines a user may see: an officer those of the
// cases they are on.
func (s *Service) DeadlinesFor(ctx context.Context, u User, f Filter) ([]Item, error) {
	if err := allow(u, Readers, "the deadline list"); err != nil {
		return nil, err
	}
	if u.Role == auth.Officer {
		if u.OfficerCert == "" {
			return []Item{}, nil
		}
		f.Officer = u.OfficerCert
	}
	return s.Deadlines(ctx, f)
}

// Deadlines computes every deadline of every case from the stored facts —
// A/V uploads (R4), emergency approval (R8), legal review (L4), publication
// (P2), archive (R5), and those of on-scene steps: the on-the-spot fine's
// hand-over and the decision's 备案 (F14), an emergency seizure's approval
// and the seizure term (F15), the decision on preserved evidence — in one
// place, with shared/deadline on the working-day calendar. Overdue first,
// then by due time.
func (s *Service) Deadlines(ctx context.Context, f Filter) ([]Item, error) {
	var ids []string
	switch {
	case f.Case != "":
		ids = []string{f.Case}
	case len(f.Cases) > 0:
		ids = f.Cases
	}
	recs, err := s.st.DeadlineCases(ctx, ids)
	if err != nil {
		return nil, err
	}
	cal, _, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	cat := s.catalogFn(ctx)
	now := s.now()
	out := []Item{}
	for _, rec := range recs {
		if f.Case != "" && rec.Case.ID != f.Case || f.Officer != "" && !slices.Contains(rec.Case.Officers, f.Officer) {
			continue
		}
		st, err := fold(store.OfficeCase{Case: rec.Case, ChainID: rec.Case.ID + store.OfficeChainSuffix, Chain: rec.Office}, cat, cal, now)
		if err != nil {
			s.log.Error("office chain does not replay", "case", rec.Case.ID, "err", err)
			continue
		}
		var scene SceneFacts
		for _, step := range rec.Steps {
			step.At = step.At.In(cst)
			scene = append(scene, step)
		}
		if rec.Case.Procedure == "penalty-simple" {
			st.OnSpot = onSpotOf(scene)
		}
		facts := deadline.Facts{CaseID: rec.Case.ID, Procedure: rec.Case.Procedure, Opened: rec.Case.Opened.In(cst),
			Emergency: rec.Case.Emergency != "", EmergencyApproved: st.EmergencyApproved,
			Published: st.Published, Ended: caseEnd(st), Archived: st.Archived, Filed: st.Filed}
		for _, step := range rec.Steps { // days are counted in China
			step.At = step.At.In(cst)
			facts.Steps = append(facts.Steps, step)
		}
		for _, av := range rec.AV {
			facts.AV = append(facts.AV, deadline.AV{Hash: av.Hash, Recorded: av.Recorded.In(cst), Uploaded: av.Stored})
		}
		l := &st.Life
		if !l.RegisterDecided.IsZero() && (facts.EmergencyApproved.IsZero() || l.RegisterDecided.Before(facts.EmergencyApproved)) {
			facts.EmergencyApproved = l.RegisterDecided // the head's 立案 decision is the approval of the emergency start (003 §12)
		}
		facts.Registered, facts.ExtendedDays, facts.Now = l.RegisteredAt, l.Extended, now
		if l.Served != nil {
			facts.NoticeServed = l.Served.ServedAt.In(cst)
		}
		switch {
		case l.HearingRequest != nil:
			facts.PartyAnswered = l.HearingRequest.ReceivedAt.In(cst)
		case l.Waiver != nil:
			for _, s := range st.Steps {
				if s.Step == StepWaiver {
					facts.PartyAnswered = s.At
				}
			}
		}
		if l.DecisionServed != nil {
			facts.DecisionServed = l.DecisionServed.ServedAt.In(cst)
		}
		if st.ExecutesOnSpot() {
			facts.DecisionServed = st.OnSpot.At // delivered on the spot (行政处罚法 §52)
		}
		facts.Execution = execFacts(st)
		facts.Office = officeFacts(st, facts.Steps)
		facts.Suspended = st.Office.Coercion.Suspension.facts()
		if st.Case.Procedure != "coercion" {
			facts.Suspended = st.Exec.Suspension.facts()
		}
		if !st.Review.Submitted.IsZero() {
			r := st.Review
			facts.Review = &r
		}
		facts.Decided = st.Decided
		if facts.Decided.IsZero() && !rec.Case.OnSpotDecision.IsZero() {
			facts.Decided = rec.Case.OnSpotDecision.In(cst)
		}
		for _, d := range deadline.Compute(facts, deadline.Settings{Upload: s.cfg.Upload, Review: st.Settings}, cal) {
			it := Item{Deadline: d, State: d.State(now), Unverified: !d.Verified, Party: rec.Case.Party, Procedure: rec.Case.Procedure}
			it.Due = d.Due.In(cst)
			it.Start = d.Start.In(cst)
			if !d.Done.IsZero() {
				it.Done = d.Done.In(cst)
			}
			it.LastDay = it.Due.Add(-time.Nanosecond).Format(time.DateOnly)
			if d.Done.IsZero() {
				rem := d.Remaining(now)
				it.RemainingSeconds = int64(rem / time.Second)
				it.Remaining = humanDuration(rem)
			}
			if f.keep(it) {
				out = append(out, it)
			}
		}
	}
	out = append(out, s.publicityItems(ctx, f, cal, now)...) // the agency's publicity deadlines (deadlines_publicity.go)
	rank := map[string]int{deadline.StateOverdue: 0, deadline.StateRunning: 1, deadline.StateMissed: 2, deadline.StateMet: 3}
	sort.SliceStable(out, func(i, j int) bool {
		if rank[out[i].State] != rank[out[j].State] {
			return rank[out[i].State] < rank[out[j].State]
		}
		if !out[i].Due.Equal(out[j].Due) {
			return out[i].Due.Before(out[j].Due)
		}
		return out[i].CaseID < out[j].CaseID
	})
	return out, nil
}

// humanDuration is "剩余 2 天 3 小时" or "逾期 5 小时 10 分".
func humanDuration(d time.Duration) string {
	prefix := "剩余 "
	if d <= 0 {
		prefix, d = "逾期 ", -d
	}
	days := int(d / (24 * time.Hour))
	hours := int(d % (24 * time.Hour) / time.Hour)
	mins := int(d % time.Hour / time.Minute)
	switch {
	case days > 0:
		return fmt.Sprintf("%s%d 天 %d 小时", prefix, days, hours)
	case hours > 0:
		return fmt.Sprintf("%s%d 小时 %d 分", prefix, hours, mins)
	}
	return fmt.Sprintf("%s%d 分", prefix, mins)
}

// Change is a deadline that changed state since the previous scan.
type Change struct {
	CaseID  string `json:"case_id"`
	Kind    string `json:"kind"`
	Subject string `json:"subject,omitempty"`
	From    string `json:"from"`
	To      string `json:"to"`
}

func itemKey(it Item) string { return it.CaseID + "\x00" + it.Kind + "\x00" + it.Subject }

// Scan recomputes the deadlines and publishes an EventDeadline for every
// deadline that appeared or changed state since the last scan (a deadline
// running out, one met). The first scan publishes the deadlines already
// overdue.
func (s *Service) Scan(ctx context.Context) ([]Change, error) {
	items, err := s.Deadlines(ctx, Filter{})
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	first := s.states == nil
	prev := s.states
	next := make(map[string]string, len(items))
	var changes []Change
	for _, it := range items {
		k := itemKey(it)
		next[k] = it.State
		old, seen := prev[k]
		if seen && old == it.State || !seen && first && it.State != deadline.StateOverdue {
			continue
		}
		changes = append(changes, Change{CaseID: it.CaseID, Kind: it.Kind, Subject: it.Subject, From: old, To: it.State})
	}
	s.states = next
	s.mu.Unlock()
	for _, c := range changes {
		s.publish(EventDeadline, []string{c.CaseID}, c.Kind+" "+c.To)
	}
	return changes, nil
}

// Watch scans the deadlines every ScanInterval and soon after anything a
// deadline depends on changes (an ingested batch, a stored file, an office
// entry), until ctx ends.
func (s *Service) Watch(ctx context.Context) {
	var ch <-chan events.Event
	if s.cfg.Bus != nil {
		sub := s.cfg.Bus.Subscribe(64)
		defer sub.Close()
		ch = sub.Events
	}
	tick := time.NewTicker(s.cfg.ScanInterval)
	defer tick.Stop()
	scan := func() {
		if _, err := s.Scan(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("deadline scan", "err", err)
		}
	}
	scan()
	var soon <-chan time.Time // events are gathered for a moment, then one scan
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
			scan()
		case <-soon:
			soon = nil
			scan()
		case e, ok := <-ch:
			if !ok {
				return
			}
			switch e.Kind {
			case events.BatchIngested, events.MediaStored, EventOffice, EventCalendar, EventCatalog:
				if soon == nil { // at most one scan a second while terminals sync
					soon = time.After(time.Second)
				}
			}
		}
	}
}
