package store

import (
	"time"

	"lawtrace/shared/ledger"
)

// How an entry's calibrated time was found (SPEC S4, issue 13 finding 6);
// kept beside the entry as its clock basis.
const (
	// ClockConnection: the entry has no clock readings (an older
	// terminal); device time minus the offset measured by the connection
	// that delivered it, as before.
	ClockConnection = "connection"
	// ClockLastSync: the terminal's last measurement before the entry, in
	// the same boot: the server time of that measurement plus the
	// monotonic time elapsed since. Wall-clock changes in between do not
	// matter.
	ClockLastSync = "last_sync"
	// ClockThisSync: no measurement before the entry in its boot, but the
	// connection that delivered it was made in the same boot: its
	// measurement minus the monotonic time elapsed since the entry.
	ClockThisSync = "this_sync"
	// ClockNoSync: never measured in the entry's boot and the terminal had
	// never synced before it; ClockReboot: the terminal restarted between
	// its last measurement and the entry, and again before this sync.
	// Neither can be calibrated: device time minus the connection's
	// offset is kept as a guess and the entry is flagged.
	ClockNoSync = "no_sync"
	ClockReboot = "reboot"
	// ClockInconsistent: the readings give a time after the entry
	// arrived; guessed and flagged like the two above.
	ClockInconsistent = "inconsistent"
)

// Calibration is the server's reading of an entry's time.
type Calibration struct {
	Time     time.Time // the calibrated (server) time of recording
	OffsetMs int64     // device time minus calibrated time: the offset in force when recorded
	Basis    string    // Clock… above
	// Skewed flags an entry whose device clock was off by more than the
	// threshold when it was recorded, or whose time cannot be calibrated.
	Skewed bool
}

// Calibrate finds when e was recorded in server time, with the offset in
// force at that moment (SPEC S4): an entry recorded with a correct clock
// and synced after the clock was set back 48 hours keeps its true time;
// one recorded while the clock was wrong and synced after it was fixed is
// flagged; one that cannot be calibrated (no measurement in its boot) is
// flagged and says why.
func Calibrate(e *ledger.Entry, b Batch) Calibration {
	devTime, _ := ledger.ParseTime(e.DeviceTime)
	connOffset := time.Duration(b.ClockOffsetMs) * time.Millisecond
	guess := Calibration{Time: devTime.Add(-connOffset), OffsetMs: b.ClockOffsetMs, Basis: ClockConnection, Skewed: b.Skewed}
	c := e.Clock
	if c == nil {
		return guess
	}
	var anchor *ledger.ClockSync
	basis := ""
	switch {
	case c.Sync != nil && c.Sync.Boot == c.Boot && c.Sync.MonoMs <= c.MonoMs:
		anchor, basis = c.Sync, ClockLastSync
	case b.Anchor != nil && b.Anchor.Boot == c.Boot && b.Anchor.MonoMs >= c.MonoMs:
		anchor, basis = b.Anchor, ClockThisSync
	}
	if anchor == nil {
		guess.Basis, guess.Skewed = ClockNoSync, true
		if c.Sync != nil {
			guess.Basis = ClockReboot
		}
		return guess
	}
	at, err := ledger.ParseTime(anchor.DeviceTime)
	if err != nil {
		guess.Basis, guess.Skewed = ClockInconsistent, true
		return guess
	}
	serverAt := at.Add(-time.Duration(anchor.OffsetMs) * time.Millisecond)
	cal := serverAt.Add(time.Duration(c.MonoMs-anchor.MonoMs) * time.Millisecond)
	// a time after the batch arrived cannot be true: the readings are
	// inconsistent, so the entry is only guessed and flagged
	if !b.ReceivedAt.IsZero() && cal.After(b.ReceivedAt.Add(time.Minute)) {
		guess.Basis, guess.Skewed = ClockInconsistent, true
		return guess
	}
	off := devTime.Sub(cal)
	threshold := b.SkewThreshold
	if threshold <= 0 {
		threshold = time.Minute
	}
	return Calibration{Time: cal, OffsetMs: off.Milliseconds(), Basis: basis, Skewed: off > threshold || -off > threshold}
}
