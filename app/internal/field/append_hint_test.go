package field

import (
	"database/sql"
	"errors"
	"testing"

	"lawtrace/shared/ledger"
)

// appendPhoto appends one photo entry to caseID in its own transaction.
func appendPhoto(t *testing.T, term *Terminal, caseID string) *ledger.Entry {
	t.Helper()
	var e *ledger.Entry
	err := term.inTx(func(tx *sql.Tx) error {
		var err error
		e, err = term.appendEntry(tx, draft{caseID: caseID, step: "photo", payload: map[string]any{"n": 1}, officers: []string{"A1"}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// mustVerify fails the test on any finding of the terminal's verification.
func mustVerify(t *testing.T, term *Terminal) {
	t.Helper()
	findings, err := term.Verify("")
	if err != nil || len(findings) != 0 {
		t.Fatalf("terminal does not verify: %v %v", findings, err)
	}
}

// Issue 15: the chain state an append keeps in memory is only a hint. An
// append by another process on the same store (the CLI next to the app), an
// append rolled back with its transaction and a clock anchor set elsewhere
// are all noticed by the next append, which chains, numbers and anchors its
// entry from the store.
func TestAppendHintIsCheckedAgainstTheStore(t *testing.T) {
	app := newTerminal(t)
	c := openInspection(t, app, "A1", "A2")
	appendPhoto(t, app, c.ID)

	cli, err := Open(app.home)
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	byCLI := appendPhoto(t, cli, c.ID)
	next := appendPhoto(t, app, c.ID)
	if next.Seq != byCLI.Seq+1 || next.PrevHash != byCLI.Hash || next.DeviceSeq != byCLI.DeviceSeq+1 {
		t.Fatalf("after an append by another process: #%d (device #%d) chained to %.12s; want #%d (device #%d) chained to %.12s",
			next.Seq, next.DeviceSeq, next.PrevHash, byCLI.Seq+1, byCLI.DeviceSeq+1, byCLI.Hash)
	}

	rolledBack := errors.New("step refused after its entry")
	err = app.inTx(func(tx *sql.Tx) error {
		if _, err := app.appendEntry(tx, draft{caseID: c.ID, step: "photo", payload: map[string]any{"n": 2}, officers: []string{"A1"}}); err != nil {
			return err
		}
		return rolledBack
	})
	if !errors.Is(err, rolledBack) {
		t.Fatal(err)
	}
	afterRollback := appendPhoto(t, app, c.ID)
	if afterRollback.Seq != next.Seq+1 || afterRollback.PrevHash != next.Hash || afterRollback.DeviceSeq != next.DeviceSeq+1 {
		t.Fatalf("after a rolled-back append: #%d (device #%d) chained to %.12s; want #%d (device #%d) chained to %.12s",
			afterRollback.Seq, afterRollback.DeviceSeq, afterRollback.PrevHash, next.Seq+1, next.DeviceSeq+1, next.Hash)
	}

	anchor := ledger.ClockSync{Boot: "b", MonoMs: 42, DeviceTime: "2026-05-06T08:00:00Z", OffsetMs: -1500}
	if err := cli.SetClockAnchor(anchor); err != nil {
		t.Fatal(err)
	}
	anchored := appendPhoto(t, app, c.ID)
	if anchored.Clock == nil || anchored.Clock.Sync == nil || *anchored.Clock.Sync != anchor {
		t.Fatalf("entry after a clock anchor set by another process carries %+v, want %+v", anchored.Clock, anchor)
	}
	mustVerify(t, app)
}
