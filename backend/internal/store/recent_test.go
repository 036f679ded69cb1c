package store_test

import (
	"fmt"
	"strings"
	"testing"

	"lawtrace/backend/internal/simdev"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/ledger"
)

// Issue 15: the live board takes a batch from memory only when every entry
// it needs was checked and committed in this process, in one piece.
func TestRecentHoldsOnlyWholeCommittedRuns(t *testing.T) {
	d := simdev.New(7)
	a := d.Case("A", 4)
	b := d.Case("B", 2)
	// holding commits the batches, in order, each wholly accepted.
	holding := func(capacity int, batches ...[]ledger.Entry) func() *store.Recent {
		return func() *store.Recent {
			r := store.NewRecent(capacity, 1<<20)
			for _, es := range batches {
				r.Committed(store.Batch{Entries: es}, store.IngestResult{Accepted: len(es)})
			}
			return r
		}
	}
	tests := []struct {
		name      string
		recent    func() *store.Recent
		caseID    string
		after, to int64
		want      int // entries returned; 0 means nil
	}{
		{"a committed run", holding(16, a), "A", 0, 4, 4},
		{"the tail of a run", holding(16, a), "A", 2, 4, 2},
		{"past what is held", holding(16, a[:3]), "A", 0, 4, 0},
		{"two batches join", holding(16, a[:2], b, a[2:]), "A", 0, 4, 4},
		{"a batch with duplicates is not held", func() *store.Recent {
			r := store.NewRecent(16, 1<<20)
			r.Committed(store.Batch{Entries: a}, store.IngestResult{Accepted: 2, Duplicates: 2})
			return r
		}, "A", 2, 4, 0},
		{"the oldest evicted: the run is incomplete", holding(4, a, b[:1]), "A", 0, 4, 0},
		{"after eviction the newer part is whole", holding(4, a, b[:1]), "A", 1, 4, 3},
		{"another case", holding(16, a), "B", 0, 2, 0},
		{"nothing asked", holding(16, a), "A", 4, 4, 0},
		{"capacity 0 holds nothing", holding(0, a), "A", 0, 4, 0},
		{"nil holds nothing", func() *store.Recent { return nil }, "A", 0, 4, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.recent().Run(tt.caseID, tt.after, tt.to)
			if len(got) != tt.want || (tt.want == 0 && got != nil) {
				t.Fatalf("Run(%s, %d, %d) = %d entries, want %d", tt.caseID, tt.after, tt.to, len(got), tt.want)
			}
			for i, rec := range got {
				if want := tt.after + 1 + int64(i); rec.Entry.CaseID != tt.caseID || rec.Entry.Seq != want {
					t.Fatalf("record %d is %s #%d, want %s #%d", i, rec.Entry.CaseID, rec.Entry.Seq, tt.caseID, want)
				}
			}
		})
	}
}

// Issue 15: what is held is bounded in bytes as well as in entries, so a
// terminal pushing large entries (a push body may be 4 MiB) cannot make
// the server hold more than the byte bound; an entry larger than the
// bound is not held at all.
func TestRecentIsBoundedInBytes(t *testing.T) {
	d := simdev.New(9)
	big := func(caseID string, n int) []ledger.Entry {
		out := []ledger.Entry{d.Entry(caseID, "case_open", map[string]any{"note": strings.Repeat("大", 40<<10)})}
		for i := 1; i < n; i++ {
			out = append(out, d.Entry(caseID, "inspection_notes", map[string]any{"note": strings.Repeat("检", 40<<10)}))
		}
		return out
	}
	r := store.NewRecent(1000, 512<<10) // room for four 120 KiB entries
	for i := 0; i < 10; i++ {
		es := big(fmt.Sprintf("B%d", i), 1)
		r.Committed(store.Batch{Entries: es}, store.IngestResult{Accepted: 1})
	}
	held := 0
	for i := 0; i < 10; i++ {
		if r.Run(fmt.Sprintf("B%d", i), 0, 1) != nil {
			held++
			if i < 6 {
				t.Errorf("B%d is held though newer entries filled the byte bound", i)
			}
		}
	}
	if held != 4 {
		t.Errorf("%d entries of 120 KiB held under a 512 KiB bound, want 4", held)
	}
	tiny := store.NewRecent(1000, 64<<10)
	es := big("T", 1)
	tiny.Committed(store.Batch{Entries: es}, store.IngestResult{Accepted: 1})
	if tiny.Run("T", 0, 1) != nil {
		t.Error("an entry larger than the whole bound is held")
	}
}

// SPEC S4: a held entry carries the clock verdict its batch gave it.
func TestRecentKeepsTheClockVerdict(t *testing.T) {
	d := simdev.New(8)
	es := d.Case("C", 2)
	r := store.NewRecent(8, 1<<20)
	r.Committed(store.Batch{Entries: es, Skewed: true}, store.IngestResult{Accepted: 2})
	for _, rec := range r.Run("C", 0, 2) {
		if !rec.ClockSkewed {
			t.Fatalf("entry #%d lost its skewed flag", rec.Entry.Seq)
		}
	}
	r.Committed(store.Batch{Entries: es}, store.IngestResult{Accepted: 2})
	for _, rec := range r.Run("C", 0, 2) {
		if rec.ClockSkewed {
			t.Fatalf("entry #%d flagged though its batch's clock was right", rec.Entry.Seq)
		}
	}
}
