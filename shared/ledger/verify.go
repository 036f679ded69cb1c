package ledger

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
)

// Finding is one thing wrong with a case file, located by case and entry.
type Finding struct {
	CaseID  string
	Seq     int64
	EntryID string
	Problem string
}

func (f Finding) String() string {
	if f.EntryID == "" {
		return fmt.Sprintf("case %s: %s", f.CaseID, f.Problem)
	}
	return fmt.Sprintf("case %s entry #%d (%s): %s", f.CaseID, f.Seq, f.EntryID, f.Problem)
}

// MediaSource opens stored media by hash; a missing file is fs.ErrNotExist.
type MediaSource interface {
	Open(hash string) (io.ReadCloser, error)
}

// Keys maps a signer id (device or server) to its public key.
type Keys map[string]ed25519.PublicKey

// VerifyCase checks a case's entries end to end without trusting where they
// came from: sequence numbers without gaps, each entry's hash recomputed, the
// chain links, each signature against the signer's key, each handwritten
// signature bound to its record, and, when media is given, every referenced
// file present with matching bytes. Entries must be in Seq order.
func VerifyCase(caseID string, entries []Entry, keys Keys, media MediaSource) []Finding {
	if len(entries) == 0 {
		return []Finding{{CaseID: caseID, Problem: "no entries"}}
	}
	return VerifyFrom(caseID, 0, GenesisHash, entries, keys, media)
}

// VerifyFrom is VerifyCase for the entries that follow a chain head already
// verified (seq and hash of the case's last checked entry): the live board
// checks only what a sync added.
func VerifyFrom(caseID string, headSeq int64, headHash string, entries []Entry, keys Keys, media MediaSource) []Finding {
	return verifyFrom(caseID, headSeq, headHash, entries, keys, media, false)
}

// FollowFrom checks only that entries continue a case's chain after the
// head: the case, numbers without gaps, each entry linking to the hash
// before it. It is for entries whose content hash, device signature and
// hand signatures were checked when they arrived in this process (the live
// board taking in a batch that ingest has just checked and committed).
func FollowFrom(caseID string, headSeq int64, headHash string, entries []Entry) []Finding {
	return verifyFrom(caseID, headSeq, headHash, entries, nil, nil, true)
}

func verifyFrom(caseID string, headSeq int64, headHash string, entries []Entry, keys Keys, media MediaSource, linksOnly bool) []Finding {
	var out []Finding
	add := func(e *Entry, format string, args ...any) {
		f := Finding{CaseID: caseID, Problem: fmt.Sprintf(format, args...)}
		if e != nil {
			f.Seq, f.EntryID = e.Seq, e.ID
		}
		out = append(out, f)
	}
	prev := headHash
	want := headSeq + 1
	checked := map[string]bool{}
	for i := range entries {
		e := &entries[i]
		if e.CaseID != caseID {
			add(e, "belongs to case %s", e.CaseID)
		}
		if e.Seq != want {
			add(e, "sequence gap: expected #%d, found #%d (an entry is missing or out of order)", want, e.Seq)
		}
		want = e.Seq + 1
		if e.PrevHash != prev {
			add(e, "chain broken: previous-entry hash %s, but entry #%d hashes to %s", short(e.PrevHash), e.Seq-1, short(prev))
		}
		prev = e.Hash
		if linksOnly {
			continue
		}
		h, err := e.ComputeHash()
		switch {
		case err != nil:
			add(e, "cannot hash: %v", err)
		case h != e.Hash:
			add(e, "content changed: stored hash %s, content hashes to %s", short(e.Hash), short(h))
		}
		key, ok := keys[e.DeviceID]
		switch {
		case !ok:
			add(e, "signer %s is unknown", e.DeviceID)
		case !e.CheckSignature(key):
			add(e, "signature does not verify with the key of %s", e.DeviceID)
		}
		for _, p := range checkHandSignatures(e) {
			add(e, "%s", p)
		}
		if media == nil {
			continue
		}
		for _, hash := range e.Media {
			if checked[hash] {
				continue
			}
			checked[hash] = true
			if p := checkMedia(media, hash); p != "" {
				add(e, "%s", p)
			}
		}
	}
	return out
}

func checkHandSignatures(e *Entry) []string {
	p, err := DecodePayload(e.Payload)
	if err != nil {
		return []string{err.Error()}
	}
	if len(p.Signatures) == 0 {
		return nil
	}
	want, err := ContentHash(e.CaseID, e.Step, p.Fields, p.EvidenceHashes())
	if err != nil {
		return []string{err.Error()}
	}
	var out []string
	for _, s := range p.Signatures {
		if s.Binds != want {
			out = append(out, fmt.Sprintf("%s signature is bound to another record (%s, this record is %s)", s.Role, short(s.Binds), short(want)))
		}
		for _, h := range []string{s.Strokes, s.Image} {
			if !slices.Contains(e.Media, h) {
				out = append(out, fmt.Sprintf("%s signature file %s is not among the entry's media", s.Role, short(h)))
			}
		}
	}
	return out
}

func checkMedia(media MediaSource, hash string) string {
	r, err := media.Open(hash)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Sprintf("media %s is missing", short(hash))
	}
	if err != nil {
		return fmt.Sprintf("media %s cannot be read: %v", short(hash), err)
	}
	defer r.Close()
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return fmt.Sprintf("media %s cannot be read: %v", short(hash), err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != hash {
		return fmt.Sprintf("media %s changed: its bytes now hash to %s", short(hash), short(got))
	}
	return ""
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
