package web

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"strings"
	"sync"
	"time"

	"lawtrace/backend/internal/store"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
	"lawtrace/shared/syncproto"
)

// verifier checks what the pages show without trusting the database: each
// case's chain and signatures (ledger.VerifyCase on the stored bodies, the
// result kept until the case grows), each entry's inclusion in the signed
// transparency log, and each file's bytes against its hash (kept for a
// while: files never change, but a changed one must show).
type verifier struct {
	s     *Server
	mu    sync.Mutex
	cases map[string]caseCheck
	files map[string]fileCheck
	keys  map[string]ed25519.PublicKey
}

type caseCheck struct {
	lastSeq  int64
	findings []string
}

type fileCheck struct {
	at     time.Time
	stored bool
	ok     bool
	size   int64
}

func newVerifier(s *Server) *verifier {
	return &verifier{s: s, cases: map[string]caseCheck{}, files: map[string]fileCheck{}, keys: map[string]ed25519.PublicKey{}}
}

// deviceKey returns an enrolled device's key.
func (v *verifier) deviceKey(ctx context.Context, id string) (ed25519.PublicKey, error) {
	v.mu.Lock()
	k, ok := v.keys[id]
	v.mu.Unlock()
	if ok {
		return k, nil
	}
	d, err := v.s.st.Device(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	v.mu.Lock()
	v.keys[id] = d.PublicKey
	v.mu.Unlock()
	return d.PublicKey, nil
}

// caseFindings verifies a case (or returns the kept result for lastSeq).
func (v *verifier) caseFindings(ctx context.Context, caseID string, lastSeq int64) ([]string, bool) {
	v.mu.Lock()
	c, ok := v.cases[caseID]
	v.mu.Unlock()
	if ok && c.lastSeq == lastSeq {
		return c.findings, true
	}
	recs, err := v.s.st.CaseRecords(ctx, caseID)
	if err != nil {
		v.s.log.Error("verify case", "case", caseID, "err", err)
		return nil, false
	}
	entries := make([]ledger.Entry, len(recs))
	keys := ledger.Keys{}
	for i, r := range recs {
		entries[i] = r.Entry
		if _, ok := keys[r.Entry.DeviceID]; !ok {
			k, err := v.deviceKey(ctx, r.Entry.DeviceID)
			if err != nil {
				return nil, false
			}
			if k != nil {
				keys[r.Entry.DeviceID] = k
			}
		}
	}
	var findings []string
	for _, f := range ledger.VerifyCase(caseID, entries, keys, nil) {
		findings = append(findings, f.String())
	}
	signers, err := v.signerFindings(ctx, caseID, entries)
	if err != nil {
		v.s.log.Error("verify signers", "case", caseID, "err", err)
		return nil, false
	}
	findings = append(findings, signers...)
	seq := int64(0)
	if len(recs) > 0 {
		seq = recs[len(recs)-1].Entry.Seq
	}
	v.mu.Lock()
	v.cases[caseID] = caseCheck{lastSeq: seq, findings: findings}
	v.mu.Unlock()
	return findings, true
}

// signerFindings reports stored signatures bound to the wrong person — a
// witness other than witness_name, a party signature by neither the party
// nor party_agent, an officer not on the case (SPEC F10, 000-record §4) —
// with the case's party and officers from case_open and officer_join and
// the procedure version it was opened under.
func (v *verifier) signerFindings(ctx context.Context, caseID string, entries []ledger.Entry) ([]string, error) {
	cat, err := v.s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	var st signerState
	var out []string
	for i := range entries {
		out = append(out, st.next(cat, caseID, &entries[i])...)
	}
	return out, nil
}

// signerState is what checking a signature's binding needs of the entries
// before it: the procedure version the case was opened under, its party and
// its officers. The board keeps it per case to check only new entries.
type signerState struct {
	Active           bool              `json:"active,omitempty"`
	Procedure        string            `json:"procedure,omitempty"`
	ProcedureVersion int               `json:"procedure_version,omitempty"`
	Party            string            `json:"party,omitempty"`
	PartyKind        string            `json:"party_kind,omitempty"`
	Officers         []enforce.Officer `json:"officers,omitempty"`
}

// next checks the signatures of the case's next entry and takes in what it
// says of the party and the crew.
func (st *signerState) next(cat *catalogView, caseID string, e *ledger.Entry) []string {
	if e.Seq == 1 {
		*st = signerState{}
		if e.Step != "case_open" || json.Unmarshal(e.Payload, st) != nil {
			return nil // the chain check reports an unreadable record
		}
		st.Active = true
		return nil
	}
	if !st.Active {
		return nil
	}
	proc := cat.procedure(st.Procedure, st.ProcedureVersion)
	if proc == nil {
		return nil
	}
	if e.Step == "officer_join" {
		var j struct {
			Officers []enforce.Officer `json:"officers"`
		}
		if json.Unmarshal(e.Payload, &j) == nil {
			st.Officers = append(st.Officers, j.Officers...)
		}
		return nil
	}
	p, err := ledger.DecodePayload(e.Payload)
	if err != nil || len(p.Signatures) == 0 {
		return nil
	}
	var signers []enforce.Signer
	for _, sg := range p.Signatures {
		signers = append(signers, enforce.Signer{Role: sg.Role, Name: sg.Name})
	}
	cs := enforce.CaseState{Procedure: proc, Party: st.Party, PartyKind: st.PartyKind, Officers: st.Officers}
	var out []string
	for _, it := range cs.RecordedSignerIssues(e.Step, p.Fields, signers) {
		role := strings.TrimPrefix(it.Name, "signer:")
		f := ledger.Finding{CaseID: caseID, Seq: e.Seq, EntryID: e.ID,
			Problem: role + " signature bound to the wrong person: " + it.Zh + "（依据" + enforce.Cite(it.Article) + "）"}
		out = append(out, f.String())
	}
	return out
}

// EntryCheck is the verification of one entry, each part on its own.
type EntryCheck struct {
	Hash      bool // the content hashes to the entry's hash
	Signature bool // the device key signed the hash
	Chain     bool // numbered in order and linked to the entry before
	Log       bool // included in the transparency log under a signed tree head
	LeafIndex uint64
	Problems  []string
}

// OK reports whether every check passed.
func (c EntryCheck) OK() bool { return c.Hash && c.Signature && c.Chain && c.Log }

// checkEntries verifies each entry of a case against the newest signed
// tree head.
func (v *verifier) checkEntries(ctx context.Context, recs []store.CaseRecord) ([]EntryCheck, syncproto.TreeHead, bool, error) {
	th, err := v.s.st.TreeHead(ctx)
	if err != nil {
		return nil, th, false, err
	}
	headOK := th.Verify(v.s.cfg.ServerKey) == nil
	out := make([]EntryCheck, len(recs))
	prev := ledger.GenesisHash
	for i, r := range recs {
		e := &recs[i].Entry
		c := &out[i]
		if h, err := e.ComputeHash(); err == nil && h == e.Hash {
			c.Hash = true
		} else {
			c.Problems = append(c.Problems, "内容与哈希不符")
		}
		key, err := v.deviceKey(ctx, e.DeviceID)
		if err != nil {
			return nil, th, headOK, err
		}
		if key != nil && e.CheckSignature(key) {
			c.Signature = true
		} else {
			c.Problems = append(c.Problems, "设备签名无法验证")
		}
		if e.Seq == int64(i+1) && e.PrevHash == prev {
			c.Chain = true
		} else {
			c.Problems = append(c.Problems, "哈希链断裂或序号不连续")
		}
		prev = e.Hash
		c.LeafIndex = r.LeafIndex
		if headOK && r.LeafIndex < th.Size {
			p, err := v.s.st.ProofByEntry(ctx, e.ID, th.Size)
			if err == nil && p.EntryHash == e.Hash && p.LeafIndex == r.LeafIndex && syncproto.VerifyInclusion(th, p) == nil {
				c.Log = true
			}
		}
		if !c.Log {
			c.Problems = append(c.Problems, "未能证明已写入透明日志")
		}
	}
	return out, th, headOK, nil
}

// file re-hashes a stored file (kept for five minutes).
func (v *verifier) file(hash string) fileCheck {
	now := v.s.cfg.Now()
	v.mu.Lock()
	c, ok := v.files[hash]
	v.mu.Unlock()
	if ok && now.Sub(c.at) < 5*time.Minute && now.Sub(c.at) >= 0 {
		return c
	}
	c = fileCheck{at: now}
	rc, err := v.s.cfg.Blobs.Open(hash)
	if err == nil {
		h := sha256.New()
		n, err := io.Copy(h, rc)
		rc.Close()
		c.stored, c.size = true, n
		c.ok = err == nil && hex.EncodeToString(h.Sum(nil)) == hash
	} else if !errors.Is(err, fs.ErrNotExist) {
		v.s.log.Error("read media", "hash", hash, "err", err)
	}
	v.mu.Lock()
	v.files[hash] = c
	v.mu.Unlock()
	return c
}
