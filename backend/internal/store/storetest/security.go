package storetest

import (
	"context"
	"lawtrace/backend/internal/simdev"
	"strconv"
	"strings"
	"testing"
	"time"

	"lawtrace/backend/internal/store"
)

// Issue 13, SPEC S6 X3: security events are bounded and count repeats per
// source (remote, kind, device) instead of adding rows; a new row starts
// after store.SecurityEventWindow, and past store.MaxNewSecurityEventsHour
// new rows an hour repeats go to the kind's newest row.
func testSecurityEventsCountRepeats(t *testing.T, open Opener) {
	now := time.Date(2026, 5, 7, 9, 0, 0, 0, time.UTC)
	db := openAt(t, open, now).Store
	ctx := context.Background()
	rec := func(at time.Time, remote, kind, device, detail string, repeats int) {
		t.Helper()
		if err := db.RecordSecurityEvent(ctx, store.SecurityEvent{At: at, Remote: remote, Kind: kind, DeviceID: device, Detail: detail, Repeats: repeats}); err != nil {
			t.Fatal(err)
		}
	}
	huge := strings.Repeat("\x1b", 4<<20)
	for i := 0; i < 500; i++ {
		rec(now.Add(time.Duration(i)*time.Second), "10.0.0.1", "unknown_device", "", huge, 1)
	}
	rec(now.Add(time.Minute), "10.0.0.1", "unknown_device", "", "x", 7)
	rec(now.Add(time.Minute), "10.0.0.2", "unknown_device", "", "other address", 1)
	rec(now.Add(time.Minute), "10.0.0.1", "bad_entry", "D0123456789abcdef", "enrolled device", 1)
	evs, err := db.SecurityEvents(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 3 {
		t.Fatalf("%d rows: %+v", len(evs), evs)
	}
	for _, e := range evs {
		if len(e.Detail) > store.MaxSecurityDetail+32 || strings.ContainsRune(e.Detail, 0x1b) {
			t.Fatalf("detail of %d bytes stored unbounded or unclean", len(e.Detail))
		}
		if e.Remote == "10.0.0.1" && e.Kind == "unknown_device" {
			if e.Repeats != 507 || !e.At.Equal(now) || !e.LastAt.Equal(now.Add(499*time.Second)) {
				t.Fatalf("repeats %d, %s..%s", e.Repeats, e.At, e.LastAt)
			}
		}
	}
	// After the window, the same source starts a new row.
	rec(now.Add(2*time.Hour), "10.0.0.1", "unknown_device", "", "later", 1)
	if evs, _ := db.SecurityEvents(ctx, 100); len(evs) != 4 || evs[0].Detail != "later" || evs[0].Repeats != 1 {
		t.Fatalf("after the window: %+v", evs[0])
	}
	// Many sources: past the hourly cap, new sources are counted on the
	// kind's newest row.
	later := now.Add(5 * time.Hour)
	for i := 0; i < store.MaxNewSecurityEventsHour+50; i++ {
		rec(later, "10.1."+strconv.Itoa(i/250)+"."+strconv.Itoa(i%250), "bad_hello", "", "spread", 1)
	}
	evs, _ = db.SecurityEvents(ctx, 100000)
	rows, total := 0, 0
	for _, e := range evs {
		if e.Kind == "bad_hello" {
			rows++
			total += e.Repeats
		}
	}
	if rows != store.MaxNewSecurityEventsHour || total != store.MaxNewSecurityEventsHour+50 {
		t.Fatalf("%d rows holding %d repeats", rows, total)
	}
	t.Run("Page", func(t *testing.T) { testSecurityEventPage(t, open) })
}

// Issue 15: the security log is read a filtered page at a time, newest
// first, with the number of events the filter selects.
func testSecurityEventPage(t *testing.T, open Opener) {
	now := time.Date(2026, 5, 7, 9, 0, 0, 0, time.UTC)
	db := openAt(t, open, now).Store
	ctx := context.Background()
	for i := range 30 {
		ev := store.SecurityEvent{At: now.Add(time.Duration(i) * time.Hour), Remote: "10.0.0." + strconv.Itoa(i%3), Kind: "bad_signature", Detail: strconv.Itoa(i)}
		if i%2 == 1 {
			ev.Kind, ev.DeviceID = "bad_entry", "D00ab"+strconv.Itoa(i)+"%_"
		}
		if err := db.RecordSecurityEvent(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	details := func(evs []store.SecurityEvent) string {
		var out []string
		for _, e := range evs {
			out = append(out, e.Detail)
		}
		return strings.Join(out, ",")
	}
	for _, c := range []struct {
		name  string
		f     store.SecurityFilter
		page  store.Page
		total int
		want  string
	}{
		{"first page", store.SecurityFilter{}, store.Page{Limit: 4}, 30, "29,28,27,26"},
		{"third page", store.SecurityFilter{}, store.Page{Offset: 8, Limit: 4}, 30, "21,20,19,18"},
		{"past the end", store.SecurityFilter{}, store.Page{Offset: 40, Limit: 4}, 30, ""},
		{"kind", store.SecurityFilter{Kind: "bad_signature"}, store.Page{Limit: 3}, 15, "28,26,24"},
		{"device part, any case, wildcards literal", store.SecurityFilter{Device: "d00AB1%_"}, store.Page{}, 1, "1"},
		{"device part", store.SecurityFilter{Device: "00ab2"}, store.Page{}, 5, "29,27,25,23,21"},
		{"address", store.SecurityFilter{Remote: "10.0.0.2"}, store.Page{Limit: 2}, 10, "29,26"},
		{"days", store.SecurityFilter{From: now.Add(10 * time.Hour), To: now.Add(13 * time.Hour)}, store.Page{}, 3, "12,11,10"},
		{"everything together", store.SecurityFilter{Kind: "bad_entry", Remote: "10.0.0.1", From: now.Add(5 * time.Hour), To: now.Add(20 * time.Hour)}, store.Page{}, 3, "19,13,7"},
		{"nothing", store.SecurityFilter{Kind: "no_such_kind"}, store.Page{Limit: 10}, 0, ""},
	} {
		evs, total, err := db.SecurityEventPage(ctx, c.f, c.page)
		if err != nil || total != c.total || details(evs) != c.want {
			t.Errorf("%s: %d events %q (%v); want %d %q", c.name, total, details(evs), err, c.total, c.want)
		}
	}
}

// Issue 13 finding 10: a device's refused syncs since its last accepted
// entry are counted from its security events; clock skew is not a refusal.
func testSyncFailures(t *testing.T, open Opener) {
	ctx := context.Background()
	db := openAt(t, open, t0).Store
	d := simdev.New(1)
	enrol(t, db, d, "c")
	if _, err := db.Ingest(ctx, store.Batch{DeviceID: d.ID, Entries: d.Case("C1", 1), ReceivedAt: t0}); err != nil {
		t.Fatal(err)
	}
	for _, ev := range []store.SecurityEvent{
		{At: t0.Add(-time.Minute), DeviceID: d.ID, Kind: "bad_signature", Detail: "before the last sync"},
		{At: t0.Add(time.Minute), DeviceID: d.ID, Kind: "clock_skew", Detail: "not a refusal"},
		{At: t0.Add(2 * time.Minute), DeviceID: d.ID, Kind: "bad_entry", Detail: "chain broken", Repeats: 3},
		{At: t0.Add(3 * time.Minute), Remote: "10.0.0.1", Kind: "unknown_device", Detail: "no device"},
	} {
		if err := db.RecordSecurityEvent(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	fs, err := db.SyncFailures(ctx)
	f := fs[d.ID]
	if err != nil || len(fs) != 1 || f.Count != 3 || f.Kind != "bad_entry" || !f.Since.Equal(t0) || !f.Last.Equal(t0.Add(2*time.Minute)) {
		t.Fatalf("failures %+v %v", fs, err)
	}
}
