package field

import (
	"database/sql"
	"encoding/json"

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

// appendStateQuery reads, in one statement under the transaction's write
// lock, what a new entry takes from the store: its case's chain head (NULL
// for the first entry; SQLite takes a bare column from the row holding the
// MAX), the last device number issued — the entries table's highest, or the
// floor the entries_device_seq_floor trigger keeps when the highest rows
// were removed — and the clock anchor in force.
const appendStateQuery = `SELECT MAX(seq), hash,
	MAX(IFNULL((SELECT MAX(device_seq) FROM entries), 0), IFNULL((SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'device_seq_floor'), 0)),
	IFNULL((SELECT value FROM settings WHERE key = '` + settingClockAnchor + `'), '')
	FROM entries WHERE case_id = ?`

// appendEntry chains, numbers, seals and inserts an entry inside tx: one
// read and one insert. Device numbers are never reused, even after a remote
// wipe removed the rows that held the highest numbers (the floor trigger).
func (t *Terminal) appendEntry(tx *sql.Tx, d draft) (*ledger.Entry, error) {
	payload, err := json.Marshal(d.payload)
	if err != nil {
		return nil, err
	}
	var headSeq sql.NullInt64
	var headHash sql.NullString
	var lastDeviceSeq int64
	var anchor string
	if err := tx.QueryRow(appendStateQuery, d.caseID).Scan(&headSeq, &headHash, &lastDeviceSeq, &anchor); err != nil {
		return nil, err
	}
	prevHash, seq := ledger.GenesisHash, int64(1)
	if headSeq.Valid {
		prevHash, seq = headHash.String, headSeq.Int64+1
	}
	e := &ledger.Entry{
		ID: newID(), CaseID: d.caseID, Seq: seq, DeviceID: t.deviceID, DeviceSeq: lastDeviceSeq + 1,
		Step: d.step, Payload: payload, Officers: d.officers, DeviceTime: ledger.FormatTime(t.Now()),
		Place: d.place, Media: d.media, Corrects: d.corrects, Clock: t.clockReadings(anchor), PrevHash: prevHash,
	}
	if err := e.Seal(t.key); err != nil {
		return nil, err
	}
	body, err := json.Marshal(e)
	if err != nil {
		return nil, err
	}
	if _, err := tx.Exec(`INSERT INTO entries (device_seq, id, case_id, seq, step, hash, body) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		e.DeviceSeq, e.ID, e.CaseID, e.Seq, e.Step, e.Hash, body); err != nil {
		return nil, err
	}
	return e, nil
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
