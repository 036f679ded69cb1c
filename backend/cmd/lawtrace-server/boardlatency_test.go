package main

import (
	"slices"
	"sync"
	"testing"
	"time"

	"lawtrace/backend/internal/simdev"
)

// boardLatency measures, for each state a terminal had acknowledged, how
// long a live board took to show it: the terminals note each
// acknowledgement (case, entries, when it arrived), the boards each row
// they receive; afterwards every acknowledgement is matched, on every
// board, with the first row of its case showing at least that many
// entries. A row that came before the acknowledgement (the event is
// published before the ack is sent) counts as no delay.
type boardLatency struct {
	mu    sync.Mutex
	acks  []ackedState
	shown map[string]map[string][]shownState // by board, then case, in arrival order
}

type ackedState struct {
	caseID  string
	entries int64
	at      time.Time
}

type shownState struct {
	entries int64
	at      time.Time
}

func newBoardLatency() *boardLatency {
	return &boardLatency{shown: map[string]map[string][]shownState{}}
}

// follow records the rows b receives under name; call it before b runs.
func (l *boardLatency) follow(name string, b *simdev.Board) {
	l.mu.Lock()
	l.shown[name] = map[string][]shownState{}
	l.mu.Unlock()
	b.Seen = func(caseID string, entries int64, at time.Time) {
		l.mu.Lock()
		defer l.mu.Unlock()
		l.shown[name][caseID] = append(l.shown[name][caseID], shownState{entries, at})
	}
}

// acked notes that a terminal's case has entries acknowledged, now.
func (l *boardLatency) acked(caseID string, entries int64) {
	at := time.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.acks = append(l.acks, ackedState{caseID, entries, at})
}

// check fails the test when a board showed an acknowledged state later
// than limit after its acknowledgement, or never, and logs each board's
// spread of delays.
func (l *boardLatency) check(t *testing.T, limit time.Duration) {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	boards := make([]string, 0, len(l.shown))
	for name := range l.shown {
		boards = append(boards, name)
	}
	slices.Sort(boards)
	violations := 0
	for _, name := range boards {
		var delays []time.Duration
		var slowest ackedState
		late, never := 0, 0
		for _, a := range l.acks {
			i := slices.IndexFunc(l.shown[name][a.caseID], func(s shownState) bool { return s.entries >= a.entries })
			if i < 0 {
				never++
				t.Errorf("the board on %s never showed %d entries of %s (acknowledged at %s)", name, a.entries, a.caseID, a.at.Format("15:04:05.000"))
				continue
			}
			d := max(0, l.shown[name][a.caseID][i].at.Sub(a.at))
			if len(delays) == 0 || d > slices.Max(delays) {
				slowest = a
			}
			delays = append(delays, d)
			if d > limit {
				late++
				if late <= 5 {
					t.Errorf("the board on %s showed %d entries of %s %s after their acknowledgement (limit %s)", name, a.entries, a.caseID, d.Round(time.Millisecond), limit)
				}
			}
		}
		violations += late + never
		slices.Sort(delays)
		if len(delays) == 0 {
			continue
		}
		q := func(p float64) time.Duration { return delays[int(p*float64(len(delays)-1))].Round(time.Millisecond) }
		t.Logf("board on %s: %d acknowledged states, ack to row median %s, p90 %s, p99 %s, max %s (%d entries of %s acknowledged at %s); %d over %s, %d never shown",
			name, len(l.acks), q(0.5), q(0.9), q(0.99), q(1), slowest.entries, slowest.caseID, slowest.at.Format("15:04:05.000"), late, limit, never)
	}
	if violations > 0 {
		t.Fatalf("%d acknowledged states reached a board late or never", violations)
	}
}
