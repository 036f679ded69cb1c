package field

import (
	"database/sql"
	"encoding/json"
	"fmt"
	"sync"

	"lawtrace/shared/ledger"
)

// draft is an entry before it is chained, numbered and signed.
type draft struct {
	caseID   string
	step     string
	payload  any
	officers []string
	place    *ledger.Place
	media    []string
	corrects string
}

// chainState is what a new entry takes from the store: its case's chain
// head (seq 0, no hash and no device number before the first entry), the
// last device number issued and the clock anchor in force.
type chainState struct {
	caseID        string
	headSeq       int64
	headHash      string
	headDeviceSeq int64
	lastDeviceSeq int64
	anchor        string
}

// appendHint keeps the chainState the last append left, to save the next
// append on the same case its read. It is only a hint: every insert checks
// it against the store under the write lock (appendInsert), and a miss —
// another process appended or wiped, the clock anchor changed, a
// transaction rolled back — reads the state again.
type appendHint struct {
	mu    sync.Mutex
	state chainState
	valid bool
}

// The last device number issued is the entries table's highest, or the
// floor the entries_device_seq_floor trigger keeps once the highest rows
// were removed; the clock anchor is "" before the first measurement. The
// read and the insert's check share these expressions.
const (
	lastDeviceSeqSQL = `MAX(IFNULL((SELECT MAX(device_seq) FROM entries), 0), IFNULL((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'device_seq_floor'), 0))`
	clockAnchorSQL   = `IFNULL((SELECT value FROM settings WHERE key = '` + settingClockAnchor + `'), '')`
)

// appendStateQuery reads a case's chainState in one statement (SQLite takes
// the bare columns from the row holding the MAX).
const appendStateQuery = `SELECT IFNULL(MAX(seq), 0), IFNULL(hash, ''), IFNULL(device_seq, 0), ` + lastDeviceSeqSQL + `, ` + clockAnchorSQL + `
	FROM entries WHERE case_id = ?`

// appendInsert inserts entry ?1–?7 only if it continues the state it was
// built from: ?1 is the next device number — no entry was added or rolled
// back since the state was read, so the head is still the case's last
// entry — the head (device number ?8, seq ?9, hash ?10) is still there or
// the case still empty, and the clock anchor is still ?11. When the state
// is stale the id is NULL and OR IGNORE skips the row (as it does on a
// number or chain position already taken). VALUES rather than SELECT: an
// INSERT … SELECT reading its own table copies the row through a
// temporary table first.
const appendInsert = `INSERT OR IGNORE INTO entries (device_seq, id, case_id, seq, step, hash, body)
	VALUES (?1, CASE WHEN ?1 = 1 + ` + lastDeviceSeqSQL + `
		AND ?11 = ` + clockAnchorSQL + `
		AND CASE WHEN ?9 = 0 THEN NOT EXISTS (SELECT 1 FROM entries WHERE case_id = ?3)
			ELSE (SELECT hash FROM entries WHERE device_seq = ?8 AND case_id = ?3 AND seq = ?9) = ?10 END
		THEN ?2 END, ?3, ?4, ?5, ?6, ?7)`

// appendEntry chains, numbers, seals and inserts an entry inside tx: one
// checked insert when the hint holds, a read before it otherwise. Device
// numbers are never reused, even after a remote wipe removed the rows that
// held the highest numbers (the floor trigger).
func (t *Terminal) appendEntry(tx *sql.Tx, d draft) (*ledger.Entry, error) {
	payload, err := json.Marshal(d.payload)
	if err != nil {
		return nil, err
	}
	t.hint.mu.Lock()
	st, hinted := t.hint.state, t.hint.valid && t.hint.state.caseID == d.caseID
	t.hint.mu.Unlock()
	for {
		if !hinted {
			st = chainState{caseID: d.caseID}
			if err := tx.QueryRow(appendStateQuery, d.caseID).Scan(&st.headSeq, &st.headHash, &st.headDeviceSeq, &st.lastDeviceSeq, &st.anchor); err != nil {
				return nil, err
			}
		}
		e, inserted, err := t.insertEntry(tx, d, payload, st)
		if err != nil {
			return nil, err
		}
		if inserted {
			st.headSeq, st.headHash, st.headDeviceSeq, st.lastDeviceSeq = e.Seq, e.Hash, e.DeviceSeq, e.DeviceSeq
			t.hint.mu.Lock()
			t.hint.state, t.hint.valid = st, true
			t.hint.mu.Unlock()
			return e, nil
		}
		if !hinted {
			return nil, fmt.Errorf("append to case %s: not inserted though its chain state was read in this transaction", d.caseID)
		}
		hinted = false
	}
}

// insertEntry seals the entry that continues st and inserts it if st is
// still the store's state.
func (t *Terminal) insertEntry(tx *sql.Tx, d draft, payload []byte, st chainState) (*ledger.Entry, bool, error) {
	prevHash := st.headHash
	if st.headSeq == 0 {
		prevHash = ledger.GenesisHash
	}
	e := &ledger.Entry{
		ID: newID(), CaseID: d.caseID, Seq: st.headSeq + 1, DeviceID: t.deviceID, DeviceSeq: st.lastDeviceSeq + 1,
		Step: d.step, Payload: payload, Officers: d.officers, DeviceTime: ledger.FormatTime(t.Now()),
		Place: d.place, Media: d.media, Corrects: d.corrects, Clock: t.clockReadings(st.anchor), PrevHash: prevHash,
	}
	if err := e.Seal(t.key); err != nil {
		return nil, false, err
	}
	body, err := json.Marshal(e)
	if err != nil {
		return nil, false, err
	}
	res, err := tx.Exec(appendInsert, e.DeviceSeq, e.ID, e.CaseID, e.Seq, e.Step, e.Hash, body, st.headDeviceSeq, st.headSeq, st.headHash, st.anchor)
	if err != nil {
		return nil, false, err
	}
	n, err := res.RowsAffected()
	return e, n == 1, err
}

// caseEntries reads a case's entries in chain order.
func (t *Terminal) caseEntries(caseID string) ([]ledger.Entry, error) {
	return t.queryEntries(`SELECT body FROM entries WHERE case_id = ? ORDER BY seq`, caseID)
}

// queryEntries decodes the sealed entry bodies a query returns.
func (t *Terminal) queryEntries(query string, args ...any) ([]ledger.Entry, error) {
	rows, err := t.db.Query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ledger.Entry
	for rows.Next() {
		var body []byte
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		var e ledger.Entry
		if err := json.Unmarshal(body, &e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}
