package field

import (
	"database/sql"
	"os"
	"testing"
)

// walFrames is the number of page frames in the terminal's write-ahead log.
func walFrames(t *testing.T, term *Terminal) int64 {
	t.Helper()
	st, err := os.Stat(dbPath(term.home) + "-wal")
	if err != nil {
		t.Fatal(err)
	}
	var pageSize int64
	if err := term.db.QueryRow(`PRAGMA page_size`).Scan(&pageSize); err != nil {
		t.Fatal(err)
	}
	return (st.Size() - 32) / (pageSize + 24)
}

// An append writes few pages: the entry and its three index entries —
// nothing per case and no counter row (issue 15: 12 page writes per append
// against 2.2 for a plain commit; the case row is no longer rewritten and
// the device number is derived from the entries table).
func TestAppendPageWrites(t *testing.T) {
	term := newTerminal(t)
	c := openInspection(t, term, "A1", "A2")
	if _, err := term.db.Exec(`PRAGMA wal_autocheckpoint = 0`); err != nil {
		t.Fatal(err)
	}
	if _, err := term.db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	const n = 200
	before := walFrames(t, term)
	steps := []string{"photo", "inspection_notes", "sampling"} // consecutive steps differ, as on a case
	for i := 0; i < n; i++ {
		err := term.inTx(func(tx *sql.Tx) error {
			_, err := term.appendEntry(tx, draft{caseID: c.ID, step: steps[i%len(steps)], payload: map[string]any{"n": i}, officers: []string{"A1", "A2"}})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	perAppend := float64(walFrames(t, term)-before) / n
	t.Logf("%.2f page writes per append", perAppend)
	if perAppend > 4.5 {
		t.Errorf("%.2f page writes per append; want at most 4.5 (the entry and its three index entries)", perAppend)
	}
}
