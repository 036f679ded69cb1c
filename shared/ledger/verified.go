package ledger

import "sync"

// VerifiedSignatures remembers, up to a capacity, the entries whose device
// signature this process has already checked — device, hash and signature
// exactly — so that a second reader in the same process (the live board,
// right after ingest checked the batch) does not verify the same signature
// again (issue 15). A nil *VerifiedSignatures remembers nothing.
type VerifiedSignatures struct {
	mu    sync.Mutex
	seen  map[verifiedKey]struct{}
	order []verifiedKey // a ring: the oldest is forgotten first
	next  int
}

type verifiedKey struct{ device, hash, signature string }

// NewVerifiedSignatures remembers up to capacity entries.
func NewVerifiedSignatures(capacity int) *VerifiedSignatures {
	return &VerifiedSignatures{seen: make(map[verifiedKey]struct{}, capacity), order: make([]verifiedKey, 0, capacity)}
}

func keyOf(e *Entry) verifiedKey { return verifiedKey{e.DeviceID, e.Hash, e.Signature} }

// Add records that the signatures of entries were checked with their
// devices' keys and verified.
func (v *VerifiedSignatures) Add(entries []Entry) {
	if v == nil {
		return
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if cap(v.order) == 0 {
		return
	}
	for i := range entries {
		k := keyOf(&entries[i])
		if _, ok := v.seen[k]; ok {
			continue
		}
		if len(v.order) < cap(v.order) {
			v.order = append(v.order, k)
		} else {
			delete(v.seen, v.order[v.next])
			v.order[v.next] = k
			v.next = (v.next + 1) % len(v.order)
		}
		v.seen[k] = struct{}{}
	}
}

// has reports whether e's signature, as it stands, was verified before.
func (v *VerifiedSignatures) has(e *Entry) bool {
	if v == nil {
		return false
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	_, ok := v.seen[keyOf(e)]
	return ok
}

// VerifyFrom is the package's VerifyFrom without the media check, taking
// the signatures remembered here as verified.
func (v *VerifiedSignatures) VerifyFrom(caseID string, headSeq int64, headHash string, entries []Entry, keys Keys) []Finding {
	return verifyFrom(caseID, headSeq, headHash, entries, keys, nil, v)
}
