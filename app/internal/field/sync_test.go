package field_test

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"

	"lawtrace/app/internal/demo"
	"lawtrace/app/internal/field"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
	"lawtrace/shared/syncproto"
)

// testLog is a minimal server-side log: what the backend does, in memory.
type testLog struct {
	key   ed25519.PrivateKey
	rng   *compact.Range
	nodes map[compact.NodeID][]byte
	index map[string]uint64 // entry id → leaf
}

var hasher = rfc6962.DefaultHasher

func newLog() *testLog {
	f := &compact.RangeFactory{Hash: hasher.HashChildren}
	return &testLog{key: ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32)), rng: f.NewEmptyRange(0), nodes: map[compact.NodeID][]byte{}, index: map[string]uint64{}}
}

func (l *testLog) server() field.ServerIdentity {
	pub := l.key.Public().(ed25519.PublicKey)
	return field.ServerIdentity{URL: "ws://test/sync", ID: syncproto.ServerIDFor(pub), Key: pub}
}

func (l *testLog) add(t *testing.T, es []ledger.Entry) {
	for _, e := range es {
		leaf, err := syncproto.LeafHash(e.Hash)
		if err != nil {
			t.Fatal(err)
		}
		l.index[e.ID] = l.rng.End()
		if err := l.rng.Append(leaf, func(id compact.NodeID, h []byte) { l.nodes[id] = h }); err != nil {
			t.Fatal(err)
		}
	}
}

func (l *testLog) head() syncproto.TreeHead {
	root, _ := l.rng.GetRootHash(nil)
	th := syncproto.TreeHead{Size: l.rng.End(), Root: root, Timestamp: 1}
	th.Sign(l.key)
	return th
}

func (l *testLog) fetch(t *testing.T, n proof.Nodes) [][]byte {
	hashes := make([][]byte, len(n.IDs))
	for i, id := range n.IDs {
		hashes[i] = l.nodes[id]
	}
	out, err := n.Rehash(hashes, hasher.HashChildren)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func (l *testLog) proofs(t *testing.T, es []ledger.Entry) []syncproto.InclusionProof {
	var out []syncproto.InclusionProof
	for _, e := range es {
		n, err := proof.Inclusion(l.index[e.ID], l.rng.End())
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, syncproto.InclusionProof{EntryID: e.ID, DeviceSeq: e.DeviceSeq, EntryHash: e.Hash, LeafIndex: l.index[e.ID], Hashes: l.fetch(t, n)})
	}
	return out
}

func (l *testLog) consistency(t *testing.T, from uint64) [][]byte {
	n, err := proof.Consistency(from, l.rng.End())
	if err != nil {
		t.Fatal(err)
	}
	return l.fetch(t, n)
}

func newTerm(t *testing.T) *field.Terminal {
	t.Helper()
	term, err := field.Init(filepath.Join(t.TempDir(), "home"), "sync test")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { term.Close() })
	return term
}

func recordDemo(t *testing.T, term *field.Terminal, dir string, vary byte) string {
	t.Helper()
	in, err := demo.WriteInputs(dir)
	if err != nil {
		t.Fatal(err)
	}
	if vary != 0 {
		for _, p := range []string{in.Photo, in.Video, in.Audio} {
			b, _ := os.ReadFile(p)
			_ = os.WriteFile(p, append(b, vary), 0o600)
		}
	}
	id, _, err := demo.RecordInspection(term, in, "测试商户")
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func status(t *testing.T, term *field.Terminal) field.Status {
	t.Helper()
	st, err := term.Status()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// SPEC S2 R2: an entry leaves the outbox only with a tree head signed by
// the enrolled server, extending the last verified head, and an inclusion
// proof of exactly that entry; the proof is kept per entry.
func TestConfirmEntriesNeedsVerifiedProofs(t *testing.T) {
	term := newTerm(t)
	recordDemo(t, term, filepath.Join(t.TempDir(), "in"), 0)
	all, err := term.Outbox(100)
	if err != nil || len(all) != 9 {
		t.Fatalf("outbox %d %v", len(all), err)
	}
	log := newLog()
	if _, err := term.ConfirmEntries(syncproto.TreeHead{}, nil, nil); err == nil {
		t.Fatal("confirmed without an enrolled server")
	}
	wrong := field.ServerIdentity{ID: "S0000", Key: log.server().Key}
	if err := term.SetServer(wrong); err == nil {
		t.Fatal("server id not matching its key accepted")
	}
	if err := term.SetServer(log.server()); err != nil {
		t.Fatal(err)
	}
	log.add(t, all[:5])
	th := log.head()

	forged := th
	forged.Signature = ed25519.Sign(ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, 32)), th.SignedMessage())
	if _, err := term.ConfirmEntries(forged, nil, log.proofs(t, all[:5])); err == nil {
		t.Fatal("tree head signed by another key accepted")
	}
	bad := log.proofs(t, all[:5])
	bad[2].LeafIndex = 3
	if _, err := term.ConfirmEntries(th, nil, bad); err == nil {
		t.Fatal("proof at the wrong position accepted")
	}
	swapped := log.proofs(t, all[:5])
	swapped[0].DeviceSeq = all[1].DeviceSeq // proves entry 1 as if it were #2
	if _, err := term.ConfirmEntries(th, nil, swapped); err == nil || !strings.Contains(err.Error(), "this terminal's #2") {
		t.Fatalf("proof of another entry accepted: %v", err)
	}
	if st := status(t, term); st.Outbox != 9 {
		t.Fatalf("refused confirmations changed the outbox: %d", st.Outbox)
	}

	n, err := term.ConfirmEntries(th, nil, log.proofs(t, all[:5]))
	if err != nil || n != 5 {
		t.Fatalf("confirm: %d %v", n, err)
	}
	if n, _ := term.ConfirmEntries(th, nil, log.proofs(t, all[:5])); n != 0 {
		t.Fatalf("confirming twice counted %d", n)
	}
	if st := status(t, term); st.Outbox != 4 {
		t.Fatalf("outbox %d", st.Outbox)
	}
	p, err := term.EntryProof(all[3].ID)
	if err != nil || !p.Verified || p.LeafIndex != 3 || p.TreeHead.Size != 5 {
		t.Fatalf("stored proof %+v %v", p, err)
	}

	// The next head must extend the last one.
	log.add(t, all[5:])
	th2 := log.head()
	if _, err := term.ConfirmEntries(th2, [][]byte{bytes.Repeat([]byte{1}, 32)}, log.proofs(t, all[5:])); err == nil {
		t.Fatal("head without a valid consistency proof accepted")
	}
	if n, err := term.ConfirmEntries(th2, log.consistency(t, 5), log.proofs(t, all[5:])); err != nil || n != 4 {
		t.Fatalf("second head: %d %v", n, err)
	}
	if st := status(t, term); st.Outbox != 0 {
		t.Fatalf("outbox %d", st.Outbox)
	}
	if seqs, _ := term.UnconfirmedUpTo(100); len(seqs) != 0 {
		t.Fatalf("unconfirmed %v", seqs)
	}
}

// SPEC S6: a remote wipe removes only what the server confirmed; a case
// with an unconfirmed entry stays whole and can still be completed and sent.
func TestWipeRemovesOnlyConfirmed(t *testing.T) {
	term := newTerm(t)
	dir := t.TempDir()
	first := recordDemo(t, term, filepath.Join(dir, "a"), 0)
	second := recordDemo(t, term, filepath.Join(dir, "b"), 1)
	all, _ := term.Outbox(100)
	log := newLog()
	_ = term.SetServer(log.server())
	// The first case and half of the second are confirmed.
	confirmed := all[:13]
	log.add(t, confirmed)
	if _, err := term.ConfirmEntries(log.head(), nil, log.proofs(t, confirmed)); err != nil {
		t.Fatal(err)
	}
	files, err := term.MediaToUpload()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if err := term.ConfirmMedia(f.Hash); err != nil {
			t.Fatal(err)
		}
	}
	firstCase, _ := term.Case(first)
	onlyFirst := map[string]bool{}
	for _, h := range firstCase.Entries[4].Media { // the photo step of the first case
		onlyFirst[h] = true
	}
	before := status(t, term)

	r, err := term.Wipe()
	if err != nil {
		t.Fatal(err)
	}
	if r.Cases != 1 || r.Entries != 9 || r.Kept != 9 || r.Media == 0 {
		t.Fatalf("wipe %+v", r)
	}
	if _, err := term.Case(first); err == nil {
		t.Fatal("fully confirmed case survived the wipe")
	}
	for h := range onlyFirst {
		if term.Media().Has(h) {
			t.Fatalf("confirmed file %.12s of the wiped case is still there", h)
		}
	}
	cs, err := term.Case(second)
	if err != nil || len(cs.Entries) != 9 {
		t.Fatalf("partly confirmed case was touched: %v", err)
	}
	after := status(t, term)
	if after.Outbox != before.Outbox || after.Outbox != 5 || after.PendingBytes != before.PendingBytes {
		t.Fatalf("unconfirmed records changed: before %+v after %+v", before, after)
	}
	if findings, err := term.Verify(""); err != nil || len(findings) != 0 {
		t.Fatalf("terminal does not verify after the wipe: %v %v", findings, err)
	}
	// The surviving case still grows and its entries are still queued.
	if _, err := term.Correct(second, cs.Entries[1].ID, "15010001", "笔误", map[string]string{"note": "更正"}); err != nil {
		t.Fatal(err)
	}
	if st := status(t, term); st.Outbox != 6 {
		t.Fatalf("outbox after a new entry: %d", st.Outbox)
	}
	next, _ := term.EntriesFrom(14, 10)
	if len(next) != 6 || next[0].DeviceSeq != 14 {
		t.Fatalf("entries from #14: %d", len(next))
	}
}

// SPEC S5: down-synced officers, procedure versions, rights texts and
// revocations are installed, and re-applying them changes nothing.
func TestApplyCatalog(t *testing.T) {
	term := newTerm(t)
	officer, _ := json.Marshal(enforce.Officer{Name: "钱红", Cert: "15019999", Expires: "2030-01-01"})
	cat, err := term.Catalog()
	if err != nil {
		t.Fatal(err)
	}
	p := *cat.Procedures["inspection"]
	p.Version++
	proc, _ := json.Marshal(p)
	rev, _ := json.Marshal(syncproto.Revocation{DeviceID: "Dlost", RevokedAt: "2026-05-07T00:00:00Z", Reason: "lost"})
	agency, _ := json.Marshal(syncproto.Agency{Name: "测试局"})
	items := []syncproto.CatalogItem{
		{Seq: 1, Kind: syncproto.KindOfficer, Key: "15019999", Version: 1, Body: officer},
		{Seq: 2, Kind: syncproto.KindProcedure, Key: "inspection", Version: p.Version, Body: proc},
		{Seq: 3, Kind: syncproto.KindRevocation, Key: "Dlost", Version: 1, Body: rev},
		{Seq: 4, Kind: syncproto.KindAgency, Key: "agency", Version: 1, Body: agency},
		{Seq: 5, Kind: "a-kind-from-the-future", Key: "x", Version: 1, Body: []byte(`{}`)},
	}
	for i := 0; i < 2; i++ {
		if err := term.ApplyCatalog(items); err != nil {
			t.Fatal(err)
		}
	}
	if o, err := term.Officer("15019999"); err != nil || o.Name != "钱红" {
		t.Fatalf("officer %+v %v", o, err)
	}
	cat, _ = term.Catalog()
	if cat.Procedures["inspection"].Version != p.Version {
		t.Fatalf("procedure version %d", cat.Procedures["inspection"].Version)
	}
	if rv, _ := term.RevokedDevices(); rv["Dlost"] != "lost" {
		t.Fatalf("revocations %v", rv)
	}
	if seq, _ := term.CatalogSeq(); seq != 5 {
		t.Fatalf("catalog seq %d", seq)
	}
	bad := []syncproto.CatalogItem{{Seq: 6, Kind: syncproto.KindProcedure, Key: "x", Version: 1, Body: []byte(`{"id":""}`)}}
	if err := term.ApplyCatalog(bad); err == nil {
		t.Fatal("invalid procedure installed")
	}
	if seq, _ := term.CatalogSeq(); seq != 5 {
		t.Fatalf("catalog position moved past a refused item: %d", seq)
	}
}

// SPEC S4: the recorded clock offset shows in status and corrects the clock.
func TestRecordSync(t *testing.T) {
	term := newTerm(t)
	now := time.Date(2026, 5, 7, 9, 0, 0, 0, time.UTC)
	term.Now = func() time.Time { return now }
	if err := term.RecordSync(now, 90*time.Second); err != nil {
		t.Fatal(err)
	}
	st := status(t, term)
	if st.ClockOffsetMs != 90000 || st.LastSync != "2026-05-07T09:00:00Z" {
		t.Fatalf("status %+v", st)
	}
	if cal, _ := term.CalibratedNow(); !cal.Equal(now.Add(-90 * time.Second)) {
		t.Fatalf("calibrated %v", cal)
	}
	_ = term.SetRevoked("lost")
	if !status(t, term).Revoked {
		t.Fatal("revocation not shown")
	}
}
