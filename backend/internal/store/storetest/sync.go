package storetest

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"lawtrace/backend/internal/simdev"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/deadline"
	"lawtrace/shared/ledger"
	"lawtrace/shared/syncproto"
	"lawtrace/shared/workday"
)

func enrol(t testing.TB, db store.Backend, d *simdev.Device, code string) {
	t.Helper()
	ctx := context.Background()
	if err := db.CreateEnrolCode(ctx, store.EnrolCode{Hash: code, DeviceName: d.Name, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Enrol(ctx, code, store.Device{ID: d.ID, Name: d.Name, PublicKey: d.Public()}); err != nil {
		t.Fatal(err)
	}
}

func code(err error) syncproto.Code {
	if e := syncproto.AsError(err); e != nil {
		return e.Code
	}
	return ""
}

// SPEC D3 S6: a code enrols one device once; the same device may repeat
// its enrolment (a lost answer); another device, an expired or unknown code
// is refused; a revoked device cannot enrol again.
func testEnrolmentCodes(t *testing.T, open Opener) {
	ctx := context.Background()
	db := openAt(t, open, t0).Store
	a, b := simdev.New(1), simdev.New(2)
	_ = db.CreateEnrolCode(ctx, store.EnrolCode{Hash: "c1", DeviceName: "front desk", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)})
	dev, err := db.Enrol(ctx, "c1", store.Device{ID: a.ID, Name: "ignored", PublicKey: a.Public()})
	if err != nil || dev.Name != "front desk" || !dev.PublicKey.Equal(a.Public()) {
		t.Fatalf("enrol: %+v %v", dev, err)
	}
	if _, err := db.Enrol(ctx, "c1", store.Device{ID: a.ID, PublicKey: a.Public()}); err != nil {
		t.Fatalf("repeat by the same device: %v", err)
	}
	if _, err := db.Enrol(ctx, "c1", store.Device{ID: b.ID, PublicKey: b.Public()}); code(err) != syncproto.CodeEnrolCode || !strings.Contains(err.Error(), "already used") {
		t.Fatalf("second device with a used code: %v", err)
	}
	if _, err := db.Enrol(ctx, "nope", store.Device{ID: b.ID, PublicKey: b.Public()}); code(err) != syncproto.CodeEnrolCode {
		t.Fatalf("unknown code: %v", err)
	}
	_ = db.CreateEnrolCode(ctx, store.EnrolCode{Hash: "old", CreatedAt: t0.Add(-2 * time.Hour), ExpiresAt: t0.Add(-time.Hour)})
	if _, err := db.Enrol(ctx, "old", store.Device{ID: b.ID, PublicKey: b.Public()}); code(err) != syncproto.CodeEnrolCode || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("expired code: %v", err)
	}
	_ = db.Revoke(ctx, a.ID, "lost", t0)
	_ = db.CreateEnrolCode(ctx, store.EnrolCode{Hash: "c2", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)})
	if _, err := db.Enrol(ctx, "c2", store.Device{ID: a.ID, PublicKey: a.Public()}); code(err) != syncproto.CodeRevoked {
		t.Fatalf("revoked device re-enrolling: %v", err)
	}
	items, _, _ := db.CatalogSince(ctx, 0, 100)
	if len(items) != 1 || items[0].Kind != syncproto.KindRevocation || items[0].Key != a.ID {
		t.Fatalf("revocation not published: %+v", items)
	}
}

func verifyAck(t *testing.T, res store.IngestResult, proofs []syncproto.InclusionProof) {
	t.Helper()
	if err := res.TreeHead.Verify(serverKey.Public().(ed25519.PublicKey)); err != nil {
		t.Fatal(err)
	}
	for _, p := range proofs {
		if err := syncproto.VerifyInclusion(res.TreeHead, p); err != nil {
			t.Fatal(err)
		}
	}
}

// SPEC S2 R2: entries are stored exactly once — replays are skipped, gaps
// and conflicts refused — and each batch is all or nothing; the log proves
// every entry and every tree head extends the one before.
func testIngestExactlyOnce(t *testing.T, open Opener) {
	ctx := context.Background()
	sub := openAt(t, open, t0)
	db := sub.Store
	d := simdev.New(1)
	enrol(t, db, d, "c")
	var all []ledger.Entry
	all = append(all, d.Case("C1", 4)...)
	all = append(all, d.Case("C2", 3)...)
	all = append(all, d.Entry("C1", "photo", map[string]any{}), d.Entry("C2", "close_scene", map[string]any{}))
	// #1..#9
	ingest := func(es []ledger.Entry) (store.IngestResult, error) {
		if err := store.CheckEntries(d.ID, d.Public(), es); err != nil {
			return store.IngestResult{}, err
		}
		return db.Ingest(ctx, store.Batch{DeviceID: d.ID, Entries: es, ReceivedAt: t0})
	}
	res, err := ingest(all[:5])
	if err != nil || res.UpTo != 5 || res.Accepted != 5 {
		t.Fatalf("first batch: %+v %v", res, err)
	}
	first := res.TreeHead
	if res, err = ingest(all[:5]); err != nil || res.Accepted != 0 || res.Duplicates != 5 || res.UpTo != 5 || res.TreeHead.Size != 5 {
		t.Fatalf("replay: %+v %v", res, err)
	}
	if _, err = ingest(all[6:8]); code(err) != syncproto.CodeGap || syncproto.AsError(err).Expect != 6 || !syncproto.AsError(err).Retryable() {
		t.Fatalf("gap: %v", err)
	}
	if res, err = ingest(all[3:7]); err != nil || res.Duplicates != 2 || res.Accepted != 2 || res.UpTo != 7 {
		t.Fatalf("overlapping batch: %+v %v", res, err)
	}

	// A different entry under a number already taken is a conflict.
	evil := all[2]
	evil.Step = "tampered"
	_ = evil.Seal(d.Key)
	if _, err = ingest([]ledger.Entry{evil}); code(err) != syncproto.CodeConflict {
		t.Fatalf("conflict: %v", err)
	}

	// A batch whose second entry breaks its chain stores nothing.
	broken := all[8]
	broken.PrevHash = all[0].Hash
	_ = broken.Seal(d.Key)
	if _, err = ingest([]ledger.Entry{all[7], broken}); code(err) != syncproto.CodeBadEntry || !strings.Contains(err.Error(), "chain broken") {
		t.Fatalf("broken chain: %v", err)
	}
	if dv, _ := db.Device(ctx, d.ID); dv.LastSeq != 7 {
		t.Fatalf("refused batch moved last_seq to %d", dv.LastSeq)
	}

	// Restart: the log is rebuilt from stored nodes and goes on.
	db = sub.Reopen(t)
	res, err = ingest(all[7:])
	if err != nil || res.UpTo != 9 || res.TreeHead.Size != 9 {
		t.Fatalf("after restart: %+v %v", res, err)
	}
	seqs := []int64{1, 2, 3, 4, 5, 6, 7, 8, 9}
	proofs, err := db.ProofsBySeq(ctx, d.ID, seqs, res.TreeHead.Size)
	if err != nil || len(proofs) != 9 {
		t.Fatalf("proofs: %d %v", len(proofs), err)
	}
	verifyAck(t, res, proofs)
	cons, err := db.Consistency(ctx, first.Size, res.TreeHead.Size)
	if err != nil {
		t.Fatal(err)
	}
	if err := syncproto.VerifyConsistency(first, res.TreeHead, cons); err != nil {
		t.Fatal(err)
	}
	if gaps, err := db.DeviceSeqGaps(ctx); err != nil || len(gaps) != 0 {
		t.Fatalf("exactly-once check: %v %v", gaps, err)
	}
	st, _ := db.Stats(ctx, t0)
	if st.Cases != 2 || st.Entries != 9 || st.TreeSize != 9 {
		t.Fatalf("stats %+v", st)
	}
	entries, _ := db.CaseEntries(ctx, "C1")
	if fs := ledger.VerifyCase("C1", entries, ledger.Keys{d.ID: d.Public()}, nil); len(fs) != 0 || len(entries) != 5 {
		t.Fatalf("stored case does not verify: %v", fs)
	}
}

// SPEC S2: a case belongs to the device that opened it; another device
// cannot append to it.
func testCaseOwnership(t *testing.T, open Opener) {
	ctx := context.Background()
	db := openAt(t, open, t0).Store
	a, b := simdev.New(1), simdev.New(2)
	enrol(t, db, a, "a")
	enrol(t, db, b, "b")
	if _, err := db.Ingest(ctx, store.Batch{DeviceID: a.ID, Entries: a.Case("C1", 2), ReceivedAt: t0}); err != nil {
		t.Fatal(err)
	}
	e := b.Entry("C1", "case_open", map[string]any{})
	if _, err := db.Ingest(ctx, store.Batch{DeviceID: b.ID, Entries: []ledger.Entry{e}, ReceivedAt: t0}); code(err) != syncproto.CodeBadEntry {
		t.Fatalf("foreign case: %v", err)
	}
}

// SPEC S5: catalog items are versioned; an unchanged body adds nothing.
func testCatalogVersions(t *testing.T, open Opener) {
	ctx := context.Background()
	db := openAt(t, open, t0).Store
	put := func(body string, version int) (syncproto.CatalogItem, bool) {
		it, added, err := db.PutCatalogItem(ctx, syncproto.CatalogItem{Kind: syncproto.KindOfficer, Key: "15010001", Version: version, Body: []byte(body)}, t0)
		if err != nil {
			t.Fatal(err)
		}
		return it, added
	}
	if it, added := put(`{"name":"王强"}`, 0); !added || it.Version != 1 || it.Seq != 1 {
		t.Fatalf("first: %+v %v", it, added)
	}
	if it, added := put(`{"name":"王强"}`, 0); added || it.Version != 1 {
		t.Fatalf("unchanged: %+v %v", it, added)
	}
	if it, added := put(`{"name":"王强","suspended":true}`, 0); !added || it.Version != 2 || it.Seq != 2 {
		t.Fatalf("changed: %+v %v", it, added)
	}
	if _, added := put(`{"x":1}`, 2); added {
		t.Fatal("explicit version already held was added")
	}
	items, head, err := db.CatalogSince(ctx, 1, 10)
	if err != nil || head != 2 || len(items) != 1 || items[0].Version != 2 {
		t.Fatalf("since: %+v %d %v", items, head, err)
	}
	latest, _ := db.CatalogLatest(ctx, syncproto.KindOfficer)
	if len(latest) != 1 || latest[0].Version != 2 {
		t.Fatalf("latest: %+v", latest)
	}
	if n, _ := db.Changes(ctx); n != 2 {
		t.Fatalf("changes %d", n)
	}
}

// SPEC R4: files referenced and not uploaded are pending, with A/V due in
// 24 hours and other evidence in 2 working days.
func testPendingMediaDeadlines(t *testing.T, open Opener) {
	ctx := context.Background()
	db := openAt(t, open, t0).Store
	d := simdev.New(3)
	d.Now = func() time.Time { return t0 }
	enrol(t, db, d, "c")
	es := d.Case("C1", 1)
	video, photo := []byte("video"), []byte("photo")
	es = append(es, d.MediaEntry("C1", ledger.KindVideo, video), d.MediaEntry("C1", ledger.KindPhoto, photo))
	if _, err := db.Ingest(ctx, store.Batch{DeviceID: d.ID, Entries: es, ReceivedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if ok, size, _ := db.MediaRef(ctx, d.ID, ledger.HashBytes(video)); !ok || size != 5 {
		t.Fatalf("media ref %v %d", ok, size)
	}
	pending, _ := db.PendingMedia(ctx, t0.Add(30*time.Hour))
	if len(pending) != 2 {
		t.Fatalf("pending %+v", pending)
	}
	byKind := map[string]store.PendingMedia{}
	for _, p := range pending {
		byKind[p.Kind] = p
	}
	if v := byKind[ledger.KindVideo]; !v.DueAt.Equal(t0.Add(24*time.Hour)) || !v.Overdue {
		t.Fatalf("video %+v", v)
	}
	// 2026-05-07 is a Thursday; Saturday 9 May is an adjusted working day
	// (调休), so two working days run out at the end of 9 May, China time.
	if p := byKind[ledger.KindPhoto]; p.Overdue || p.DueAt.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04") != "2026-05-10 00:00" {
		t.Fatalf("photo %+v", p)
	}
	_ = db.MediaStored(ctx, store.MediaFile{Hash: ledger.HashBytes(video), Size: 5, DeviceID: d.ID, StoredAt: t0})
	st, _ := db.Stats(ctx, t0.Add(30*time.Hour))
	if st.MediaFiles != 1 || st.MediaBytes != 5 || st.PendingMedia != 1 || st.OverdueMedia != 0 {
		t.Fatalf("stats %+v", st)
	}
	if _, err := db.Upload(ctx, "x"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("upload: %v", err)
	}
}

// SPEC S2 R2: batches of many devices arriving together are committed in
// groups; a refused batch in a group changes nothing and does not hold up
// the others; every tree head signed along the way verifies.
func testGroupCommit(t *testing.T, open Opener) {
	ctx := context.Background()
	db := openAt(t, open, t0).Store
	const devices, batches = 16, 6
	devs := make([]*simdev.Device, devices)
	for i := range devs {
		devs[i] = simdev.New(uint64(100 + i))
		enrol(t, db, devs[i], devs[i].ID)
	}
	errs := make(chan error, devices*batches)
	done := make(chan struct{})
	for i, d := range devs {
		go func() {
			defer func() { done <- struct{}{} }()
			for k := 0; k < batches; k++ {
				es := d.Case(fmt.Sprintf("%s-%d", d.ID, k), 3)
				if i == 0 && k == 2 {
					bad := es[1]
					bad.PrevHash = ledger.GenesisHash
					_ = bad.Seal(d.Key)
					_, err := db.Ingest(ctx, store.Batch{DeviceID: d.ID, Entries: []ledger.Entry{es[0], bad}, ReceivedAt: t0})
					if code(err) != syncproto.CodeBadEntry {
						errs <- fmt.Errorf("broken batch: %v", err)
					}
					return // this device stops: its numbering has a hole now
				}
				res, err := db.Ingest(ctx, store.Batch{DeviceID: d.ID, Entries: es, ReceivedAt: t0})
				if err != nil || res.Accepted != 3 || res.TreeHead.Size < uint64(3) {
					errs <- fmt.Errorf("device %d batch %d: %+v %v", i, k, res, err)
				}
			}
		}()
	}
	for range devs {
		<-done
	}
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	st, _ := db.Stats(ctx, t0)
	want := (devices-1)*batches*3 + 2*3
	if st.Entries != want || st.TreeSize != uint64(want) {
		t.Fatalf("stats %+v, want %d entries", st, want)
	}
	if gaps, _ := db.DeviceSeqGaps(ctx); len(gaps) != 0 {
		t.Fatalf("gaps %v", gaps)
	}
	heads, _ := db.TreeHeads(ctx)
	for i, th := range heads {
		if err := th.Verify(serverKey.Public().(ed25519.PublicKey)); err != nil {
			t.Fatal(err)
		}
		if i > 0 {
			cons, err := db.Consistency(ctx, heads[i-1].Size, th.Size)
			if err != nil {
				t.Fatal(err)
			}
			if err := syncproto.VerifyConsistency(heads[i-1], th, cons); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Logf("%d batches committed under %d tree heads", (devices-1)*batches+2, len(heads)-1)
}

// Issue 13, SPEC R4 D5: the store's media deadlines come from the one rule
// (shared/deadline.UploadRule) with the configured A/V setting and
// calendar, not from a second rule with a global calendar and a fixed 24
// hours: with "2 working days" configured, the video recorded on Thursday
// 7 May 2026 is due at the end of Saturday 9 May (调休), as the deadline
// monitor says.
func testMediaDeadlinesFollowTheConfiguredRule(t *testing.T, open Opener) {
	ctx := context.Background()
	db := openAt(t, open, t0).Store
	db.SetDeadlines(func(context.Context) (deadline.Settings, *workday.Calendar) {
		return deadline.Settings{Upload: deadline.UploadWorkdays2}, workday.Default()
	})
	d := simdev.New(4)
	d.Now = func() time.Time { return t0 }
	enrol(t, db, d, "c")
	video := []byte("video2")
	es := append(d.Case("C2", 1), d.MediaEntry("C2", ledger.KindVideo, video))
	if _, err := db.Ingest(ctx, store.Batch{DeviceID: d.ID, Entries: es, ReceivedAt: t0}); err != nil {
		t.Fatal(err)
	}
	pending, _ := db.PendingMedia(ctx, t0.Add(30*time.Hour))
	if len(pending) != 1 {
		t.Fatalf("pending %+v", pending)
	}
	want, _, _, _ := deadline.UploadRule(ledger.KindVideo, t0, deadline.Settings{Upload: deadline.UploadWorkdays2}, workday.Default())
	if !pending[0].DueAt.Equal(want) || pending[0].Overdue || want.In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04") != "2026-05-10 00:00" {
		t.Fatalf("video due %v, the rule says %v", pending[0].DueAt, want)
	}
	// the monitor's computation of the same file gives the same instant
	for _, dl := range deadline.Compute(deadline.Facts{CaseID: "C2", AV: []deadline.AV{{Hash: "h", Recorded: t0}}}, deadline.Settings{Upload: deadline.UploadWorkdays2}, workday.Default()) {
		if dl.Kind == deadline.Upload && !dl.Due.Equal(pending[0].DueAt) {
			t.Fatalf("monitor %v, store %v", dl.Due, pending[0].DueAt)
		}
	}
}

// Issue 14: the store signs through the signer it was given and never
// holds the key. When the key service refuses, a batch is not acknowledged
// and nothing of it is kept (no entry, no leaf, no tree head); once the
// service is back the same batch goes in whole.
func testSignerUnavailable(t *testing.T, open Opener) {
	ctx := context.Background()
	signer := &keyService{key: serverKey}
	db := open(t, Config{Signer: signer, Now: func() time.Time { return t0 }}).Store
	d := simdev.New(1)
	enrol(t, db, d, "c")
	es := d.Case("C1", 3)
	signer.fails = true
	if res, err := db.Ingest(ctx, store.Batch{DeviceID: d.ID, Entries: es, ReceivedAt: t0}); err == nil || !strings.Contains(err.Error(), "key service unavailable") {
		t.Fatalf("ingest while the key service is down: %+v %v", res, err)
	}
	if st, _ := db.Stats(ctx, t0); st.Entries != 0 || st.TreeSize != 0 {
		t.Fatalf("after the refused signature the store kept %+v", st)
	}
	signer.fails = false
	res, err := db.Ingest(ctx, store.Batch{DeviceID: d.ID, Entries: es, ReceivedAt: t0})
	if err != nil || res.Accepted != 3 || res.TreeHead.Size != 3 {
		t.Fatalf("the same batch once the key service is back: %+v %v", res, err)
	}
	if err := res.TreeHead.Verify(serverKey.Public().(ed25519.PublicKey)); err != nil {
		t.Fatal(err)
	}
}
