package fieldsync_test

import (
	"database/sql"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"lawtrace/app/internal/field"
	"lawtrace/app/internal/fieldsync"
	"lawtrace/shared/ledger"
)

// fakeClocks is a terminal's wall clock (real time shifted by what the
// test sets) and its monotonic clock (boot id and time since a boot).
type fakeClocks struct {
	mu        sync.Mutex
	shift     time.Duration
	boot      string
	bootStart time.Time
}

func (c *fakeClocks) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().Add(c.shift)
}

func (c *fakeClocks) Mono() (string, int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.boot, time.Since(c.bootStart).Milliseconds() + 1000
}

func (c *fakeClocks) set(shift time.Duration) {
	c.mu.Lock()
	c.shift = shift
	c.mu.Unlock()
}

func (c *fakeClocks) reboot(id string) {
	c.mu.Lock()
	c.boot, c.bootStart = id, time.Now()
	c.mu.Unlock()
}

type calibrated struct {
	at     time.Time
	skewed bool
	basis  string
}

// Issue 13 finding 6, SPEC S4: each entry is calibrated with the clock
// offset in force when it was recorded, from the monotonic reading and the
// last clock measurement it carries — not with the offset of the
// connection that happened to deliver it.
//
//   - A: recorded with a correct clock, synced after the clock jumped back
//     48 h: its true time (was: 48 h in the future), not flagged.
//   - B: recorded with the clock 48 h slow, synced while still slow: true
//     time, flagged.
//   - D: recorded with the clock 48 h slow, synced after it was fixed:
//     true time and flagged (was: 48 h in the past, no flag).
//   - E: recorded after a reboot, before any measurement in that boot,
//     and synced after another reboot: cannot be calibrated, flagged
//     "reboot".
//   - F: recorded before any measurement in its boot but synced in the
//     same boot: calibrated by that sync's measurement, not flagged.
func TestEntriesCalibratedWithTheOffsetWhenRecorded(t *testing.T) {
	b := startBackend(t)
	term := enrolledTerminal(t, b)
	clk := &fakeClocks{boot: "boot-1", bootStart: time.Now()}
	term.Now, term.Mono = clk.Now, clk.Mono
	s := fieldsync.New(term, fieldsync.Options{})
	once := func() {
		t.Helper()
		if _, err := s.Once(ctxT(t)); err != nil {
			t.Fatal(err)
		}
	}
	open := func(party string) (string, time.Time) {
		t.Helper()
		cs, err := term.OpenCase(field.NewCase{Type: "inspection", Party: party, PartyKind: "org", Officers: []string{"15010001", "15010002"}})
		if err != nil {
			t.Fatal(err)
		}
		return cs.ID, time.Now()
	}
	once() // officers down, the first clock measurement (offset ≈ 0)
	a, aAt := open("甲商户")
	clk.set(-48 * time.Hour)
	bID, bAt := open("乙商户")
	once() // the connection measures −48 h
	d, dAt := open("丁商户")
	clk.set(0)
	once() // fixed
	clk.reboot("boot-2")
	e, eAt := open("戊商户")
	clk.reboot("boot-3")
	f, fAt := open("己商户")
	once()

	db, err := sql.Open("sqlite3", "file:"+filepath.Join(b.data, "lawtrace.db")+"?_busy_timeout=5000&mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT case_id, calibrated_time, clock_skewed, clock_basis FROM entries WHERE step = 'case_open'`)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]calibrated{}
	for rows.Next() {
		var id, at, basis string
		var skewed bool
		if err := rows.Scan(&id, &at, &skewed, &basis); err != nil {
			t.Fatal(err)
		}
		tm, _ := ledger.ParseTime(at)
		got[id] = calibrated{tm, skewed, basis}
	}
	rows.Close()
	for _, c := range []struct {
		name, id string
		at       time.Time
		skewed   bool
		basis    string
	}{
		{"A (correct clock, synced after it jumped back)", a, aAt, false, "last_sync"},
		{"B (slow clock, synced slow)", bID, bAt, true, "last_sync"},
		{"D (slow clock, synced after the fix)", d, dAt, true, "last_sync"},
		{"F (no measurement before, synced in the same boot)", f, fAt, false, "this_sync"},
	} {
		g := got[c.id]
		if off := g.at.Sub(c.at); off > 2*time.Second || off < -2*time.Second || g.skewed != c.skewed || g.basis != c.basis {
			t.Errorf("%s: calibrated %v off by %v from the true time, skewed %v, basis %q; want skewed %v, basis %q", c.name, g.at, off, g.skewed, g.basis, c.skewed, c.basis)
		}
	}
	if g := got[e]; !g.skewed || g.basis != "reboot" {
		t.Errorf("E (reboot before any measurement, synced after another reboot): %+v recorded at %v; want flagged, basis reboot", g, eAt)
	}
}
