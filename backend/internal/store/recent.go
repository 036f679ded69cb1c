package store

import "sync"

// Recent holds, up to a number of entries and of bytes, the entries this
// process's ingest checked in full (CheckEntries: content hash, device
// signature, hand signatures) and committed, by case and number, so that
// the live board takes in a batch it was told about without reading the
// entries back or checking them again (issue 15). Anything it does not
// hold — evicted, a duplicate re-sent, an entry another instance ingested
// — the board reads from the store and verifies. A nil *Recent holds
// nothing.
type Recent struct {
	mu         sync.Mutex
	held       map[recentKey]heldRecord
	order      []recentKey // oldest first from head: the oldest is forgotten first
	head       int
	bytes      int
	maxEntries int
	maxBytes   int
}

type recentKey struct {
	caseID string
	seq    int64
}

type heldRecord struct {
	rec  CaseRecord
	size int
}

// NewRecent holds up to maxEntries entries taking up to maxBytes (an
// entry's size is its payload and strings, see recordSize): a terminal
// pushing large entries cannot make it hold more than maxBytes.
func NewRecent(maxEntries, maxBytes int) *Recent {
	return &Recent{held: map[recentKey]heldRecord{}, maxEntries: maxEntries, maxBytes: maxBytes}
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
	for i := range b.Entries {
		e := &b.Entries[i]
		rec := CaseRecord{Entry: *e, ClockSkewed: Calibrate(e, b).Skewed}
		size := recordSize(&rec)
		if r.maxEntries < 1 || size > r.maxBytes {
			continue
		}
		k := recentKey{e.CaseID, e.Seq}
		if old, ok := r.held[k]; ok {
			r.bytes -= old.size
		} else {
			r.order = append(r.order, k)
		}
		r.held[k] = heldRecord{rec, size}
		r.bytes += size
		for len(r.held) > r.maxEntries || r.bytes > r.maxBytes {
			r.forgetOldest()
		}
	}
}

// forgetOldest drops the oldest entry held.
func (r *Recent) forgetOldest() {
	k := r.order[r.head]
	r.head++
	if old, ok := r.held[k]; ok {
		r.bytes -= old.size
		delete(r.held, k)
	}
	if r.head > len(r.order)/2 {
		r.order = append(r.order[:0], r.order[r.head:]...)
		r.head = 0
	}
}

// recordSize is about what a held record takes in memory: its payload, its
// strings and a fixed part.
func recordSize(rec *CaseRecord) int {
	e := &rec.Entry
	n := 256 + len(e.Payload) + len(e.ID) + len(e.CaseID) + len(e.DeviceID) + len(e.Step) + len(e.DeviceTime) +
		len(e.Corrects) + len(e.PrevHash) + len(e.Hash) + len(e.Signature)
	if e.Place != nil {
		n += 32 + len(e.Place.Address)
	}
	if e.Clock != nil {
		n += 64 + 2*len(e.Clock.Boot)
		if e.Clock.Sync != nil {
			n += len(e.Clock.Sync.DeviceTime)
		}
	}
	for _, s := range e.Officers {
		n += 16 + len(s)
	}
	for _, s := range e.Media {
		n += 16 + len(s)
	}
	return n
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
		h, ok := r.held[recentKey{caseID, seq}]
		if !ok {
			return nil
		}
		out = append(out, h.rec)
	}
	return out
}
