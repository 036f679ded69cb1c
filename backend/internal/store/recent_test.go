package store_test

import (
	"testing"

	"lawtrace/backend/internal/simdev"
	"lawtrace/backend/internal/store"
)

// Issue 15: the live board takes a batch from memory only when every entry
// it needs was checked and committed in this process, in one piece.
func TestRecentHoldsOnlyWholeCommittedRuns(t *testing.T) {
	d := simdev.New(7)
	a := d.Case("A", 4)
	b := d.Case("B", 2)
	ok := func(n int) store.IngestResult { return store.IngestResult{Accepted: n} }
	tests := []struct {
		name      string
		recent    func() *store.Recent
		caseID    string
		after, to int64
		want      int // entries returned; 0 means nil
	}{
		{"a committed run", func() *store.Recent {
			r := store.NewRecent(16)
			r.Committed(store.Batch{Entries: a}, ok(4))
			return r
		}, "A", 0, 4, 4},
		{"the tail of a run", func() *store.Recent {
			r := store.NewRecent(16)
			r.Committed(store.Batch{Entries: a}, ok(4))
			return r
		}, "A", 2, 4, 2},
		{"past what is held", func() *store.Recent {
			r := store.NewRecent(16)
			r.Committed(store.Batch{Entries: a[:3]}, ok(3))
			return r
		}, "A", 0, 4, 0},
		{"two batches join", func() *store.Recent {
			r := store.NewRecent(16)
			r.Committed(store.Batch{Entries: a[:2]}, ok(2))
			r.Committed(store.Batch{Entries: b}, ok(2))
			r.Committed(store.Batch{Entries: a[2:]}, ok(2))
			return r
		}, "A", 0, 4, 4},
		{"a batch with duplicates is not held", func() *store.Recent {
			r := store.NewRecent(16)
			r.Committed(store.Batch{Entries: a}, store.IngestResult{Accepted: 2, Duplicates: 2})
			return r
		}, "A", 2, 4, 0},
		{"the oldest evicted: the run is incomplete", func() *store.Recent {
			r := store.NewRecent(4)
			r.Committed(store.Batch{Entries: a}, ok(4))
			r.Committed(store.Batch{Entries: b[:1]}, ok(1))
			return r
		}, "A", 0, 4, 0},
		{"after eviction the newer part is whole", func() *store.Recent {
			r := store.NewRecent(4)
			r.Committed(store.Batch{Entries: a}, ok(4))
			r.Committed(store.Batch{Entries: b[:1]}, ok(1))
			return r
		}, "A", 1, 4, 3},
		{"another case", func() *store.Recent {
			r := store.NewRecent(16)
			r.Committed(store.Batch{Entries: a}, ok(4))
			return r
		}, "B", 0, 2, 0},
		{"nothing asked", func() *store.Recent {
			r := store.NewRecent(16)
			r.Committed(store.Batch{Entries: a}, ok(4))
			return r
		}, "A", 4, 4, 0},
		{"capacity 0 holds nothing", func() *store.Recent {
			r := store.NewRecent(0)
			r.Committed(store.Batch{Entries: a}, ok(4))
			return r
		}, "A", 0, 4, 0},
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

// SPEC S4: a held entry carries the clock verdict its batch gave it.
func TestRecentKeepsTheClockVerdict(t *testing.T) {
	d := simdev.New(8)
	es := d.Case("C", 2)
	r := store.NewRecent(8)
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
