package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"lawtrace/backend/internal/simdev"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/ledger"
	"lawtrace/shared/syncproto"
)

// SPEC X1: settings are kept by key; the change counter starts at 0.
func testSettings(t *testing.T, open Opener) {
	ctx := context.Background()
	db := openAt(t, open, t0).Store
	if err := db.Ping(ctx); err != nil {
		t.Fatal(err)
	}
	if v, err := db.Setting(ctx, "agency"); err != nil || v != "" {
		t.Fatalf("unset: %q %v", v, err)
	}
	for _, v := range []string{"某市市场监督管理局", "某区市场监督管理局"} {
		if err := db.SetSetting(ctx, "agency", v); err != nil {
			t.Fatal(err)
		}
		if got, err := db.Setting(ctx, "agency"); err != nil || got != v {
			t.Fatalf("agency %q, want %q (%v)", got, v, err)
		}
	}
	if n, err := db.Changes(ctx); err != nil || n != 0 {
		t.Fatalf("changes %d %v", n, err)
	}
}

// SPEC D3 S6: what a connection tells is kept; revocation and a wipe
// order bump the change counter live connections poll; the wipe report
// ends the order.
func testDevicesRevokeWipe(t *testing.T, open Opener) {
	ctx := context.Background()
	db := openAt(t, open, t0).Store
	a, b := simdev.New(1), simdev.New(2)
	enrol(t, db, a, "a")
	enrol(t, db, b, "b")
	seen := store.Seen{At: t0.Add(time.Minute), AppVersion: "1.2.3", Outbox: 4, PendingBytes: 5 << 20, ClockOffsetMs: -1500, Skewed: true, Remote: "10.0.0.9"}
	if err := db.TouchDevice(ctx, a.ID, seen); err != nil {
		t.Fatal(err)
	}
	dv, err := db.Device(ctx, a.ID)
	if err != nil || !dv.LastSeen.Equal(seen.At) || dv.AppVersion != "1.2.3" || dv.Outbox != 4 || dv.PendingMediaBytes != 5<<20 ||
		dv.ClockOffsetMs != -1500 || !dv.ClockSkewed || dv.Remote != "10.0.0.9" || dv.Fingerprint != ledger.KeyFingerprint(a.Public()) {
		t.Fatalf("device %+v %v", dv, err)
	}
	if _, err := db.Device(ctx, "Dnope"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown device: %v", err)
	}
	if devs, err := db.Devices(ctx); err != nil || len(devs) != 2 {
		t.Fatalf("devices %d %v", len(devs), err)
	}
	if err := db.RequestWipe(ctx, b.ID, "遗失", t0); err != nil {
		t.Fatal(err)
	}
	if dv, _ := db.Device(ctx, b.ID); !dv.WipePending() || dv.WipeReason != "遗失" {
		t.Fatalf("wipe ordered: %+v", dv)
	}
	if err := db.WipeDone(ctx, b.ID, syncproto.WipeDone{}, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if dv, _ := db.Device(ctx, b.ID); dv.WipePending() || dv.WipeReport == "" {
		t.Fatalf("wipe done: %+v", dv)
	}
	for range 2 { // a second revocation changes nothing
		if err := db.Revoke(ctx, a.ID, "遗失", t0); err != nil {
			t.Fatal(err)
		}
	}
	if dv, _ := db.Device(ctx, a.ID); !dv.Revoked() || dv.RevokeReason != "遗失" {
		t.Fatalf("revoked: %+v", dv)
	}
	if n, _ := db.Changes(ctx); n != 2 {
		t.Fatalf("changes %d, want 2 (wipe order, revocation)", n)
	}
	if err := db.Revoke(ctx, "Dnope", "x", t0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("revoking an unknown device: %v", err)
	}
}

// SPEC S2 S6: refusals are the store's sentinel errors and, for the
// terminal, the wire codes they always were.
func testIngestRefusals(t *testing.T, open Opener) {
	ctx := context.Background()
	db := openAt(t, open, t0).Store
	d, other, stranger := simdev.New(1), simdev.New(2), simdev.New(9)
	enrol(t, db, d, "c")
	enrol(t, db, other, "o")
	es := d.Case("C1", 3)
	if _, err := db.Ingest(ctx, store.Batch{DeviceID: d.ID, Entries: es[:1], ReceivedAt: t0}); err != nil {
		t.Fatal(err)
	}
	changed := es[0]
	changed.Step = "inspection_notes"
	_ = changed.Seal(d.Key)
	copied := other.Entry("X2", "case_open", map[string]any{})
	copied.ID = es[0].ID // another device's entry under a stored entry's id
	_ = copied.Seal(other.Key)
	tests := []struct {
		name  string
		batch store.Batch
		kind  error
		code  syncproto.Code
	}{
		{"unknown device", store.Batch{DeviceID: stranger.ID, Entries: stranger.Case("X1", 1)}, store.ErrNotFound, syncproto.CodeUnknownDevice},
		{"gap", store.Batch{DeviceID: d.ID, Entries: es[2:]}, store.ErrGap, syncproto.CodeGap},
		{"conflict", store.Batch{DeviceID: d.ID, Entries: []ledger.Entry{changed}}, store.ErrConflict, syncproto.CodeConflict},
		{"stored under another device", store.Batch{DeviceID: other.ID, Entries: []ledger.Entry{copied}}, store.ErrConflict, syncproto.CodeConflict},
	}
	for _, tc := range tests {
		tc.batch.ReceivedAt = t0
		_, err := db.Ingest(ctx, tc.batch)
		if !errors.Is(err, tc.kind) || code(err) != tc.code {
			t.Errorf("%s: %v (wire code %q), want %v and %q", tc.name, err, code(err), tc.kind, tc.code)
		}
	}
	if err := db.Revoke(ctx, d.ID, "遗失", t0); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Ingest(ctx, store.Batch{DeviceID: d.ID, Entries: es[1:], ReceivedAt: t0}); !errors.Is(err, store.ErrRevoked) || code(err) != syncproto.CodeRevoked {
		t.Fatalf("revoked device: %v", err)
	}
	if st, _ := db.Stats(ctx, t0); st.Entries != 1 || st.TreeSize != 1 || st.RevokedDevices != 1 {
		t.Fatalf("refusals stored something: %+v", st)
	}
}

// SPEC R2 R7 L1: the database itself refuses to change or delete stored
// entries, register and audit rows and published review catalogs —
// whatever program talks to it.
func testAppendOnly(t *testing.T, open Opener) {
	ctx := context.Background()
	sub := openAt(t, open, t0)
	db := sub.Store
	d := simdev.New(1)
	enrol(t, db, d, "c")
	if _, err := db.Ingest(ctx, store.Batch{DeviceID: d.ID, Entries: d.Case("C1", 2), ReceivedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AppendAccess(ctx, store.AccessRecord{At: t0, Username: "zhang", Action: store.AccessView, CaseID: "C1"}); err != nil {
		t.Fatal(err)
	}
	if err := db.AppendAudit(ctx, store.AuditRecord{At: t0, Username: "admin", Action: "x"}); err != nil {
		t.Fatal(err)
	}
	if err := db.PutReviewCatalog(ctx, store.ReviewCatalog{Version: 1, Agency: "A", Body: []byte(`{"version":1}`), SHA256: "x", PublishedAt: t0, PublishedBy: "admin"}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`UPDATE entries SET step = 'x' WHERE device_seq = 1`,
		`DELETE FROM entries`,
		`UPDATE access_log SET reason = 'x'`,
		`DELETE FROM access_log`,
		`UPDATE audit_log SET detail = 'x'`,
		`DELETE FROM audit_log`,
		`UPDATE review_catalogs SET body = '{}' WHERE version = 1`,
	} {
		if err := sub.Exec(ctx, q); err == nil {
			t.Errorf("%s succeeded", q)
		}
	}
	entries, _ := db.CaseEntries(ctx, "C1")
	rows, _ := db.AccessRecords(ctx, store.AccessFilter{})
	audit, _ := db.AuditRecords(ctx, 10)
	cat, _ := db.ReviewCatalog(ctx, 1)
	if len(entries) != 2 || entries[0].Step != "case_open" || len(rows) != 1 || len(audit) != 1 || string(cat.Body) != `{"version":1}` {
		t.Fatalf("rows changed: %d entries, %d register rows, %d audit rows, catalog %s", len(entries), len(rows), len(audit), cat.Body)
	}
}
