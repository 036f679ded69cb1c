package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"lawtrace/backend/internal/simdev"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/ledger"
)

// SPEC S4: each entry is stored with the time calibrated by the clock
// measurement in force when it was recorded, its offset, whether the
// clock was off by more than the threshold and on what basis the time was
// found (the case page shows it).
func testClockCalibration(t *testing.T, open Opener) {
	ctx := context.Background()
	db := openAt(t, open, t0).Store
	d := simdev.New(5)
	devNow := t0.Add(10 * time.Minute)
	d.Now = func() time.Time { return devNow }
	enrol(t, db, d, "c")
	sync := &ledger.ClockSync{Boot: "b1", MonoMs: 1000, DeviceTime: ledger.FormatTime(t0.Add(2 * time.Minute)), OffsetMs: 120_000}
	tests := []struct {
		name     string
		clock    *ledger.Clock
		connMs   int64
		want     time.Time
		offsetMs int64
		skewed   bool
		basis    string
	}{
		// no reading: the connection's offset
		{"connection", nil, 2000, devNow.Add(-2 * time.Second), 2000, false, store.ClockConnection},
		// the last sync: server time then plus the monotonic time since
		{"last sync", &ledger.Clock{Boot: "b1", MonoMs: 5000, Sync: sync}, 0, t0.Add(4 * time.Second), (10*time.Minute - 4*time.Second).Milliseconds(), true, store.ClockLastSync},
		// a reboot since the last sync: no anchor, flagged
		{"reboot", &ledger.Clock{Boot: "b2", MonoMs: 5000, Sync: sync}, 0, devNow, 0, true, store.ClockReboot},
	}
	for i, tc := range tests {
		e := d.Entry(fmt.Sprintf("K%d", i), "case_open", map[string]any{"procedure": "inspection"})
		e.Clock = tc.clock
		if err := e.Seal(d.Key); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Ingest(ctx, store.Batch{DeviceID: d.ID, Entries: []ledger.Entry{e}, ClockOffsetMs: tc.connMs, ReceivedAt: t0.Add(time.Hour)}); err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		recs, err := db.CaseRecords(ctx, e.CaseID)
		if err != nil || len(recs) != 1 {
			t.Fatalf("%s: %d records %v", tc.name, len(recs), err)
		}
		r := recs[0]
		if !r.CalibratedTime.Equal(tc.want) || r.ClockOffsetMs != tc.offsetMs || r.ClockSkewed != tc.skewed || !r.ReceivedAt.Equal(t0.Add(time.Hour)) || r.LeafIndex != uint64(i) || r.ClockBasis != tc.basis {
			t.Errorf("%s: calibrated %s offset %d skewed %v basis %q leaf %d, want %s %d %v %q", tc.name, r.CalibratedTime, r.ClockOffsetMs, r.ClockSkewed, r.ClockBasis, r.LeafIndex, tc.want, tc.offsetMs, tc.skewed, tc.basis)
		}
	}
}
