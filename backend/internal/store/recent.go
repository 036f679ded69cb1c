package store

import "sync"

// Recent holds, up to a capacity, the entries this process's ingest checked
// in full (CheckEntries: content hash, device signature, hand signatures)
// and committed, by case and number, so that the live board takes in a
// batch it was told about without reading the entries back or checking
// them again (issue 15). Anything it does not hold — evicted, a duplicate
// re-sent, an entry another instance ingested — the board reads from the
// store and verifies. A nil *Recent holds nothing.
type Recent struct {
	mu    sync.Mutex
	held  map[recentKey]CaseRecord
	order []recentKey // a ring: the oldest is forgotten first
	next  int
}

type recentKey struct {
	caseID string
	seq    int64
}

// NewRecent holds up to capacity entries.
func NewRecent(capacity int) *Recent {
	return &Recent{held: make(map[recentKey]CaseRecord, capacity), order: make([]recentKey, 0, capacity)}
}

// Committed records a batch that passed CheckEntries and that Ingest
// committed with res. A batch with duplicates is not held: a re-sent entry
// was stored with the calibration of its first batch, not this one's.
func (r *Recent) Committed(b Batch, res IngestResult) {
	if r == nil || res.Duplicates > 0 || res.Accepted != len(b.Entries) {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if cap(r.order) == 0 {
		return
	}
	for i := range b.Entries {
		e := &b.Entries[i]
		k := recentKey{e.CaseID, e.Seq}
		if _, ok := r.held[k]; !ok {
			if len(r.order) < cap(r.order) {
				r.order = append(r.order, k)
			} else {
				delete(r.held, r.order[r.next])
				r.order[r.next] = k
				r.next = (r.next + 1) % len(r.order)
			}
		}
		r.held[k] = CaseRecord{Entry: *e, ClockSkewed: Calibrate(e, b).Skewed}
	}
}

// Run returns the entries of caseID numbered after+1 to upTo, in order, if
// every one of them is held, and nil otherwise. Only Entry and ClockSkewed
// are set in the records.
func (r *Recent) Run(caseID string, after, upTo int64) []CaseRecord {
	if r == nil || upTo <= after {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if upTo-after > int64(len(r.held)) {
		return nil
	}
	out := make([]CaseRecord, 0, upTo-after)
	for seq := after + 1; seq <= upTo; seq++ {
		rec, ok := r.held[recentKey{caseID, seq}]
		if !ok {
			return nil
		}
		out = append(out, rec)
	}
	return out
}
