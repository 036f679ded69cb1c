package field

import (
	"database/sql"
	"encoding/json"
	"errors"
	"strconv"

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

// appendEntry chains, numbers, seals and inserts an entry inside tx.
func (t *Terminal) appendEntry(tx *sql.Tx, d draft) (*ledger.Entry, error) {
	payload, err := json.Marshal(d.payload)
	if err != nil {
		return nil, err
	}
	prevHash, seq := ledger.GenesisHash, int64(1)
	var last sql.NullInt64
	var lastHash sql.NullString
	err = tx.QueryRow(`SELECT seq, hash FROM entries WHERE case_id = ? ORDER BY seq DESC LIMIT 1`, d.caseID).Scan(&last, &lastHash)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return nil, err
	default:
		prevHash, seq = lastHash.String, last.Int64+1
	}
	deviceSeq, err := nextDeviceSeq(tx)
	if err != nil {
		return nil, err
	}
	clock, err := t.clockReadings(tx) // SPEC S4: calibrated by the offset in force now
	if err != nil {
		return nil, err
	}
	e := &ledger.Entry{
		ID: newID(), CaseID: d.caseID, Seq: seq, DeviceID: t.deviceID, DeviceSeq: deviceSeq,
		Step: d.step, Payload: payload, Officers: d.officers, DeviceTime: ledger.FormatTime(t.Now()),
		Place: d.place, Media: d.media, Corrects: d.corrects, Clock: clock, PrevHash: prevHash,
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

// nextDeviceSeq numbers entries device-wide without reuse, even after a
// remote wipe removed the rows that held the highest numbers.
func nextDeviceSeq(tx *sql.Tx) (int64, error) {
	var v sql.NullString
	err := tx.QueryRow(`SELECT value FROM settings WHERE key = 'last_device_seq'`).Scan(&v)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, err
	}
	n := int64(0)
	if v.Valid {
		if n, err = strconv.ParseInt(v.String, 10, 64); err != nil {
			return 0, err
		}
	}
	n++
	_, err = tx.Exec(`INSERT INTO settings (key, value) VALUES ('last_device_seq', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, strconv.FormatInt(n, 10))
	return n, err
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
