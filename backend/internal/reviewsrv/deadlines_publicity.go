package reviewsrv

import (
	"context"
	"fmt"
	"time"

	"lawtrace/backend/internal/publicity"
	"lawtrace/shared/deadline"
	"lawtrace/shared/workday"
)

// The publicity deadlines on the monitor (SPEC P2, P5, P6, D5, issue 11):
// the publication deadlines of decisions no terminal case carries
// (imported ones; a case's own publication deadline is computed above from
// its decision), the periods for answering correction requests and the
// annual statistics' deadline. Package publicity lists them, each computed
// by shared/deadline on this service's calendar — the monitor only adds
// them to its list. They belong to the agency, not to a case: an officer's
// list (the cases they are on) and the board's rows leave them out.

// ProcedurePublicity marks a monitor item that is the agency's publicity,
// not a case's.
const ProcedurePublicity = "publicity"

func (s *Service) publicityItems(ctx context.Context, f Filter, cal *workday.Calendar, now time.Time) []Item {
	if f.Officer != "" || len(f.Cases) > 0 {
		return nil
	}
	repo, ok := s.st.(publicity.Repo)
	if !ok {
		return nil
	}
	svc := &publicity.Service{Repo: repo, Now: func() time.Time { return now }, Cal: func(context.Context) *workday.Calendar { return cal }}
	list, err := svc.Deadlines(ctx)
	if err != nil {
		s.log.Error("publicity deadlines", "err", err)
		return nil
	}
	var out []Item
	for _, pd := range list {
		it := monitorItem(pd.Deadline, now)
		it.Party, it.Procedure = pd.Party, ProcedurePublicity
		switch {
		case pd.Kind == deadline.AnnualReport:
			it.Link = "/publicity/annual/" + pd.Subject
		case pd.DecisionID > 0:
			it.Link = fmt.Sprintf("/publicity/%d", pd.DecisionID)
		default:
			it.Link = "/publicity"
		}
		if f.keep(it) {
			out = append(out, it)
		}
	}
	return out
}

// monitorItem is a deadline as the monitor lists it, in China time.
func monitorItem(d deadline.Deadline, now time.Time) Item {
	it := Item{Deadline: d, State: d.State(now), Unverified: !d.Verified}
	it.Due, it.Start = d.Due.In(cst), d.Start.In(cst)
	if !d.Done.IsZero() {
		it.Done = d.Done.In(cst)
	}
	it.LastDay = it.Due.Add(-time.Nanosecond).Format(time.DateOnly)
	if d.Done.IsZero() {
		rem := d.Remaining(now)
		it.RemainingSeconds = int64(rem / time.Second)
		it.Remaining = humanDuration(rem)
	}
	return it
}
