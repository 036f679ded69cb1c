package sqlite

import (
	"context"

	"lawtrace/backend/internal/store"
)

// SyncFailures lists, per device with any, the refusals recorded as
// security events after its newest accepted entry arrived; times are
// stored fixed-width (ledger.TimeLayout), so they compare as text.
func (d *DB) SyncFailures(ctx context.Context) (map[string]store.SyncFailures, error) {
	rows, err := d.db.QueryContext(ctx, `
		WITH ok AS (SELECT device_id, MAX(received_at) AS since FROM entries GROUP BY device_id)
		SELECT se.device_id, COALESCE(ok.since, ''), se.last_at, se.repeats, se.kind, se.detail
		FROM security_events se LEFT JOIN ok ON ok.device_id = se.device_id
		WHERE se.device_id != '' AND se.kind != ? AND se.last_at > COALESCE(ok.since, '')
		ORDER BY se.last_at, se.id`, store.NotSyncFailures[0])
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]store.SyncFailures{}
	for rows.Next() {
		var dev, since, last, kind, detail string
		var n int
		if err := rows.Scan(&dev, &since, &last, &n, &kind, &detail); err != nil {
			return nil, err
		}
		f := out[dev]
		f.DeviceID, f.Since = dev, parseTime(since)
		f.Count += n
		f.Last, f.Kind, f.Detail = parseTime(last), kind, detail
		out[dev] = f
	}
	return out, rows.Err()
}
