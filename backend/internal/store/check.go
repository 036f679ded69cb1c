package store

import (
	"crypto/ed25519"
	"slices"
	"strings"

	"lawtrace/shared/ledger"
	"lawtrace/shared/syncproto"
)

// MaxBatch is the most entries one Push may carry.
const MaxBatch = 1000

// CheckEntries does every check of a pushed batch that needs no stored
// state, before any transaction: each entry claims this device, numbers are
// consecutive, the content hashes to its hash, the device signature
// verifies with the enrolled key, and handwritten signatures are bound to
// their record (SPEC R2, F10). Every implementation calls it.
func CheckEntries(deviceID string, key ed25519.PublicKey, entries []ledger.Entry) error {
	if len(entries) == 0 {
		return syncproto.Errorf(syncproto.CodeUnexpected, "a push needs at least one entry")
	}
	if len(entries) > MaxBatch {
		return syncproto.Errorf(syncproto.CodeTooLarge, "a push may carry at most %d entries, got %d", MaxBatch, len(entries))
	}
	for i := range entries {
		e := &entries[i]
		if e.DeviceID != deviceID {
			return syncproto.Errorf(syncproto.CodeForgedDevice, "entry %s claims device %q, but this connection is authenticated as %s", e.ID, e.DeviceID, deviceID)
		}
		if e.DeviceSeq < 1 {
			return syncproto.Errorf(syncproto.CodeBadEntry, "entry %s has device number %d; numbers start at 1", e.ID, e.DeviceSeq)
		}
		if i > 0 && e.DeviceSeq != entries[i-1].DeviceSeq+1 {
			return syncproto.Errorf(syncproto.CodeBadEntry, "entry %s has device number %d after %d; a batch must be consecutive", e.ID, e.DeviceSeq, entries[i-1].DeviceSeq)
		}
		if !validID(e.ID) || !validID(e.CaseID) {
			return syncproto.Errorf(syncproto.CodeBadEntry, "entry #%d has an invalid id %q or case id %q", e.DeviceSeq, e.ID, e.CaseID)
		}
		if e.Seq < 1 {
			return syncproto.Errorf(syncproto.CodeBadEntry, "entry %s has case sequence %d; sequences start at 1", e.ID, e.Seq)
		}
		if _, err := ledger.ParseTime(e.DeviceTime); err != nil {
			return syncproto.Errorf(syncproto.CodeBadEntry, "entry %s has an unreadable device time %q", e.ID, e.DeviceTime)
		}
		h, err := e.ComputeHash()
		if err != nil {
			return syncproto.Errorf(syncproto.CodeBadEntry, "entry %s cannot be hashed: %v", e.ID, err)
		}
		if h != e.Hash {
			return syncproto.Errorf(syncproto.CodeBadEntry, "entry %s (device #%d): content hashes to %s but the entry says %s", e.ID, e.DeviceSeq, short(h), short(e.Hash))
		}
		if !e.CheckSignature(key) {
			return syncproto.Errorf(syncproto.CodeBadEntry, "entry %s (device #%d): signature does not verify with the enrolled key of %s", e.ID, e.DeviceSeq, deviceID)
		}
		for _, m := range e.Media {
			if !ValidHash(m) {
				return syncproto.Errorf(syncproto.CodeBadEntry, "entry %s references media %q, which is not a SHA-256 hex hash", e.ID, m)
			}
		}
		if p := handSignatureProblem(e); p != "" {
			return syncproto.Errorf(syncproto.CodeBadEntry, "entry %s (device #%d): %s", e.ID, e.DeviceSeq, p)
		}
	}
	return nil
}

// CaseHead is the last stored entry of a case and the device that owns it.
type CaseHead struct {
	Owner    string
	LastSeq  int64
	LastHash string
}

// CheckLink checks that e continues its case chain; head is nil for a case
// the server has not seen.
func CheckLink(e *ledger.Entry, head *CaseHead) error {
	if head == nil {
		if e.Seq != 1 || e.PrevHash != ledger.GenesisHash {
			return syncproto.Errorf(syncproto.CodeBadEntry, "entry %s is #%d of case %s, but the server holds no earlier entry of that case", e.ID, e.Seq, e.CaseID)
		}
		return nil
	}
	if head.Owner != e.DeviceID {
		return syncproto.Errorf(syncproto.CodeBadEntry, "entry %s: case %s is recorded by device %s, not %s", e.ID, e.CaseID, head.Owner, e.DeviceID)
	}
	if e.Seq != head.LastSeq+1 {
		return syncproto.Errorf(syncproto.CodeBadEntry, "entry %s is #%d of case %s, but the next entry of that case is #%d", e.ID, e.Seq, e.CaseID, head.LastSeq+1)
	}
	if e.PrevHash != head.LastHash {
		return syncproto.Errorf(syncproto.CodeBadEntry, "entry %s (#%d of case %s): chain broken, previous-entry hash %s but #%d hashes to %s", e.ID, e.Seq, e.CaseID, short(e.PrevHash), head.LastSeq, short(head.LastHash))
	}
	return nil
}

func handSignatureProblem(e *ledger.Entry) string {
	p, err := ledger.DecodePayload(e.Payload)
	if err != nil {
		return err.Error()
	}
	if len(p.Signatures) == 0 {
		return ""
	}
	want, err := ledger.ContentHash(e.CaseID, e.Step, p.Fields, p.EvidenceHashes())
	if err != nil {
		return err.Error()
	}
	for _, s := range p.Signatures {
		if s.Binds != want {
			return s.Role + " signature is bound to another record"
		}
		if !slices.Contains(e.Media, s.Strokes) || !slices.Contains(e.Media, s.Image) {
			return s.Role + " signature files are not among the entry's media"
		}
	}
	return ""
}

// ValidHash reports whether h is a lower-case hex SHA-256.
func ValidHash(h string) bool {
	return len(h) == 64 && strings.Trim(h, "0123456789abcdef") == ""
}

func validID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, r := range id {
		if r <= ' ' || r == 0x7f {
			return false
		}
	}
	return true
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
