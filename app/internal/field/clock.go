package field

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"strconv"
	"time"

	"lawtrace/shared/ledger"
)

// The terminal's clocks (SPEC S4, issue 13 finding 6). Every entry carries
// the monotonic reading at recording (Terminal.Mono: time since boot,
// running while the device sleeps, never set by anyone) and the last
// measurement of the device clock against the server (SetClockAnchor), so
// the server calibrates the entry with the offset in force when it was
// recorded, however the wall clock was changed between recording and
// sync. docs/design.md explains the rule.

const settingClockAnchor = "clock_anchor"

// processBoot and processStart stand in for the boot id and the boot time
// where the system gives none: one run of the app is then one "boot".
var (
	processBoot  = randomBootID()
	processStart = time.Now()
)

func randomBootID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return "run-" + hex.EncodeToString(b)
}

// processMono is the fallback monotonic clock: the time since the app
// started, from Go's monotonic clock.
func processMono() (string, int64) { return processBoot, time.Since(processStart).Milliseconds() }

// SetClockAnchor stores a clock measurement against the server: the
// offset (as SetClockOffset) and the monotonic reading it was taken at,
// which later entries carry.
func (t *Terminal) SetClockAnchor(a ledger.ClockSync) error {
	b, err := json.Marshal(a)
	if err != nil {
		return err
	}
	return t.inTx(func(tx *sql.Tx) error {
		if err := setSetting(tx, settingClockOffset, strconv.FormatInt(a.OffsetMs, 10)); err != nil {
			return err
		}
		return setSetting(tx, settingClockAnchor, string(b))
	})
}

// clockReadings are what an entry recorded now carries, given the stored
// clock anchor ("" before the first measurement; SPEC S4: the entry is
// calibrated by the offset in force now).
func (t *Terminal) clockReadings(anchor string) *ledger.Clock {
	boot, ms := t.Mono()
	c := &ledger.Clock{Boot: boot, MonoMs: ms}
	if anchor != "" {
		var a ledger.ClockSync
		if json.Unmarshal([]byte(anchor), &a) == nil {
			c.Sync = &a
		}
	}
	return c
}
