package field

import (
	"time"

	"lawtrace/shared/ledger"
)

// Status is the sync state an officer sees (SPEC S1).
type Status struct {
	DeviceID      string `json:"device_id"`
	Outbox        int    `json:"outbox"`
	PendingMedia  int    `json:"pending_media"`
	PendingBytes  int64  `json:"pending_media_bytes"`
	Cases         int    `json:"cases"`
	Entries       int    `json:"entries"`
	LastSync      string `json:"last_sync"`
	ClockOffsetMs int64  `json:"clock_offset_ms"`
	Server        string `json:"server"`
	Revoked       bool   `json:"revoked"`
}

// Status counts what is queued and reads the last sync facts.
func (t *Terminal) Status() (Status, error) {
	s := Status{DeviceID: t.deviceID}
	q := t.db.QueryRow(`SELECT
		(SELECT COUNT(*) FROM entries WHERE acked = 0),
		(SELECT COUNT(*) FROM media WHERE confirmed = 0),
		(SELECT COALESCE(SUM(size), 0) FROM media WHERE confirmed = 0),
		(SELECT COUNT(*) FROM cases),
		(SELECT COUNT(*) FROM entries)`)
	if err := q.Scan(&s.Outbox, &s.PendingMedia, &s.PendingBytes, &s.Cases, &s.Entries); err != nil {
		return s, err
	}
	var err error
	if s.LastSync, err = t.Setting("last_sync"); err != nil {
		return s, err
	}
	if s.Server, err = t.Setting("server_url"); err != nil {
		return s, err
	}
	revoked, err := t.Setting("revoked")
	if err != nil {
		return s, err
	}
	s.Revoked = revoked != ""
	offset, err := t.Setting("clock_offset_ms")
	if err != nil {
		return s, err
	}
	if offset != "" {
		if d, err := time.ParseDuration(offset + "ms"); err == nil {
			s.ClockOffsetMs = d.Milliseconds()
		}
	}
	return s, nil
}

// Outbox returns up to limit entries not yet confirmed by the server, in
// device order.
func (t *Terminal) Outbox(limit int) ([]ledger.Entry, error) {
	return t.queryEntries(`SELECT body FROM entries WHERE acked = 0 ORDER BY device_seq LIMIT ?`, limit)
}
