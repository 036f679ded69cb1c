package sqlite

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"lawtrace/backend/internal/store"
	"lawtrace/shared/ledger"
	"lawtrace/shared/syncproto"
)

// ---- media ----

// MediaRef says whether an accepted entry of the device references hash.
func (d *DB) MediaRef(ctx context.Context, deviceID, hash string) (bool, int64, error) {
	var n int
	var size int64
	err := d.db.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(declared_size), 0) FROM media_refs WHERE device_id = ? AND hash = ?`, deviceID, hash).Scan(&n, &size)
	return n > 0, size, err
}

// MediaPresent reports whether the file is stored and verified.
func (d *DB) MediaPresent(ctx context.Context, hash string) (bool, error) {
	var n int
	err := d.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM media WHERE hash = ?`, hash).Scan(&n)
	return n > 0, err
}

// Upload reads an upload in progress.
func (d *DB) Upload(ctx context.Context, hash string) (store.Upload, error) {
	u := store.Upload{Hash: hash}
	var started, updated string
	err := d.db.QueryRowContext(ctx, `SELECT device_id, size, confirmed, started_at, updated_at FROM uploads WHERE hash = ?`, hash).
		Scan(&u.DeviceID, &u.Size, &u.Offset, &started, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return u, store.ErrNotFound
	}
	u.StartedAt, u.UpdatedAt = parseTime(started), parseTime(updated)
	return u, err
}

// PutUpload writes an upload's confirmed offset.
func (d *DB) PutUpload(ctx context.Context, u store.Upload) error {
	_, err := d.db.ExecContext(ctx, `INSERT INTO uploads (hash, device_id, size, confirmed, started_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (hash) DO UPDATE SET device_id = excluded.device_id, size = excluded.size, confirmed = excluded.confirmed, updated_at = excluded.updated_at`,
		u.Hash, u.DeviceID, u.Size, u.Offset, fmtTime(u.StartedAt), fmtTime(u.UpdatedAt))
	return err
}

// DeleteUpload forgets an upload.
func (d *DB) DeleteUpload(ctx context.Context, hash string) error {
	_, err := d.db.ExecContext(ctx, `DELETE FROM uploads WHERE hash = ?`, hash)
	return err
}

// MediaStored records a verified file and ends its upload.
func (d *DB) MediaStored(ctx context.Context, f store.MediaFile) error {
	return d.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.Exec(`INSERT INTO media (hash, size, device_id, stored_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, f.Hash, f.Size, f.DeviceID, fmtTime(f.StoredAt)); err != nil {
			return err
		}
		_, err := tx.Exec(`DELETE FROM uploads WHERE hash = ?`, f.Hash)
		return err
	})
}

// MediaFiles lists every stored file.
func (d *DB) MediaFiles(ctx context.Context) ([]store.MediaFile, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT hash, size, device_id, stored_at FROM media ORDER BY hash`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.MediaFile
	for rows.Next() {
		var f store.MediaFile
		var at string
		if err := rows.Scan(&f.Hash, &f.Size, &f.DeviceID, &at); err != nil {
			return nil, err
		}
		f.StoredAt = parseTime(at)
		out = append(out, f)
	}
	return out, rows.Err()
}

// PendingMedia lists referenced files not yet stored, earliest deadline first.
func (d *DB) PendingMedia(ctx context.Context, now time.Time) ([]store.PendingMedia, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT r.hash, r.device_id, MIN(r.case_id), MIN(r.kind), MAX(r.declared_size), MIN(r.due_at)
		FROM media_refs r LEFT JOIN media m ON m.hash = r.hash WHERE m.hash IS NULL
		GROUP BY r.hash, r.device_id ORDER BY MIN(r.due_at), r.hash`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.PendingMedia
	for rows.Next() {
		var p store.PendingMedia
		var due string
		if err := rows.Scan(&p.Hash, &p.DeviceID, &p.CaseID, &p.Kind, &p.Size, &due); err != nil {
			return nil, err
		}
		p.DueAt = parseTime(due)
		p.Overdue = now.After(p.DueAt)
		out = append(out, p)
	}
	return out, rows.Err()
}

// ---- catalog ----

// PutCatalogItem appends a down-sync item; see store.Store.
func (d *DB) PutCatalogItem(ctx context.Context, it syncproto.CatalogItem, at time.Time) (syncproto.CatalogItem, bool, error) {
	if it.Kind == "" || it.Key == "" || !json.Valid(it.Body) {
		return it, false, fmt.Errorf("catalog item needs a kind, a key and a JSON body")
	}
	if err := store.CheckCatalogItem(it); err != nil {
		return it, false, err
	}
	added := false
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		var latestVersion int
		var latestBody []byte
		err := tx.QueryRow(`SELECT version, body FROM catalog WHERE kind = ? AND key = ? ORDER BY version DESC LIMIT 1`, it.Kind, it.Key).Scan(&latestVersion, &latestBody)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if it.Version == 0 {
			if latestBody != nil && bytes.Equal(latestBody, it.Body) {
				it.Version = latestVersion
				return tx.QueryRow(`SELECT seq FROM catalog WHERE kind = ? AND key = ? AND version = ?`, it.Kind, it.Key, it.Version).Scan(&it.Seq)
			}
			it.Version = latestVersion + 1
		}
		err = tx.QueryRow(`INSERT INTO catalog (kind, key, version, body, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING seq`,
			it.Kind, it.Key, it.Version, []byte(it.Body), fmtTime(at)).Scan(&it.Seq)
		if errors.Is(err, sql.ErrNoRows) { // that version exists
			return tx.QueryRow(`SELECT seq FROM catalog WHERE kind = ? AND key = ? AND version = ?`, it.Kind, it.Key, it.Version).Scan(&it.Seq)
		}
		if err != nil {
			return err
		}
		added = true
		return bumpChanges(tx)
	})
	return it, added, err
}

// CatalogSince returns items after since, in order, and the head.
func (d *DB) CatalogSince(ctx context.Context, since int64, limit int) ([]syncproto.CatalogItem, int64, error) {
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	var head int64
	if err := d.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(seq), 0) FROM catalog`).Scan(&head); err != nil {
		return nil, 0, err
	}
	rows, err := d.db.QueryContext(ctx, `SELECT seq, kind, key, version, body FROM catalog WHERE seq > ? ORDER BY seq LIMIT ?`, since, limit)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	items, err := scanItems(rows)
	return items, head, err
}

// CatalogLatest returns the newest version of every key of kind.
func (d *DB) CatalogLatest(ctx context.Context, kind string) ([]syncproto.CatalogItem, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT c.seq, c.kind, c.key, c.version, c.body FROM catalog c
		WHERE c.kind = ? AND c.version = (SELECT MAX(version) FROM catalog WHERE kind = c.kind AND key = c.key) ORDER BY c.key`, kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return scanItems(rows)
}

func scanItems(rows *sql.Rows) ([]syncproto.CatalogItem, error) {
	var out []syncproto.CatalogItem
	for rows.Next() {
		var it syncproto.CatalogItem
		var body []byte
		if err := rows.Scan(&it.Seq, &it.Kind, &it.Key, &it.Version, &body); err != nil {
			return nil, err
		}
		it.Body = json.RawMessage(body)
		out = append(out, it)
	}
	return out, rows.Err()
}

// ---- audit ----

// Stats counts what the store holds.
func (d *DB) Stats(ctx context.Context, now time.Time) (store.Stats, error) {
	var s store.Stats
	err := d.db.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM devices),
		(SELECT COUNT(*) FROM devices WHERE revoked_at != ''),
		(SELECT COUNT(*) FROM devices WHERE clock_skewed != 0),
		(SELECT COUNT(*) FROM cases WHERE id NOT IN (SELECT chain_id FROM office_chains)),
		(SELECT COUNT(*) FROM entries),
		(SELECT COUNT(*) FROM media),
		(SELECT COALESCE(SUM(size), 0) FROM media),
		(SELECT COUNT(*) FROM uploads),
		(SELECT COUNT(*) FROM security_events),
		(SELECT COALESCE(MAX(size), 0) FROM tree_heads),
		(SELECT COALESCE(MAX(seq), 0) FROM catalog)`).
		Scan(&s.Devices, &s.RevokedDevices, &s.SkewedDevices, &s.Cases, &s.Entries, &s.MediaFiles, &s.MediaBytes,
			&s.UploadsResumable, &s.SecurityEvents, &s.TreeSize, &s.CatalogHead)
	if err != nil {
		return s, err
	}
	pending, err := d.PendingMedia(ctx, now)
	if err != nil {
		return s, err
	}
	for _, p := range pending {
		s.PendingMedia++
		if p.Overdue {
			s.OverdueMedia++
		}
	}
	return s, nil
}

// CaseIDs lists every case.
func (d *DB) CaseIDs(ctx context.Context) ([]string, error) {
	return queryStrings(ctx, d.db, `SELECT id FROM cases ORDER BY id`)
}

// CaseEntries returns a case's entries in chain order, decoded from the
// stored bodies (not from the indexed columns).
func (d *DB) CaseEntries(ctx context.Context, caseID string) ([]ledger.Entry, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT body FROM entries WHERE case_id = ? ORDER BY seq`, caseID)
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
			return nil, fmt.Errorf("case %s: stored entry does not decode: %w", caseID, err)
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// Leaves calls fn for every leaf in log order.
func (d *DB) Leaves(ctx context.Context, fn func(index uint64, entryHash string) error) error {
	rows, err := d.db.QueryContext(ctx, `SELECT leaf_index, body FROM entries ORDER BY leaf_index`)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var idx uint64
		var body []byte
		if err := rows.Scan(&idx, &body); err != nil {
			return err
		}
		var e struct {
			Hash string `json:"hash"`
		}
		if err := json.Unmarshal(body, &e); err != nil {
			return err
		}
		if err := fn(idx, e.Hash); err != nil {
			return err
		}
	}
	return rows.Err()
}

// Nodes returns stored node hashes, nil where a node is missing.
func (d *DB) Nodes(ctx context.Context, ids []store.NodeID) ([][]byte, error) {
	out := make([][]byte, len(ids))
	for i, id := range ids {
		var h []byte
		err := d.db.QueryRowContext(ctx, `SELECT hash FROM log_nodes WHERE level = ? AND idx = ?`, id.Level, id.Index).Scan(&h)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		out[i] = h
	}
	return out, nil
}

// DeviceSeqGaps checks exactly-once: each device holds 1..last_seq, no more, no less.
func (d *DB) DeviceSeqGaps(ctx context.Context) ([]string, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT d.id, d.last_seq, COUNT(e.id), COALESCE(MIN(e.device_seq), 0), COALESCE(MAX(e.device_seq), 0)
		FROM devices d LEFT JOIN entries e ON e.device_id = d.id GROUP BY d.id ORDER BY d.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		var last, n, lo, hi int64
		if err := rows.Scan(&id, &last, &n, &lo, &hi); err != nil {
			return nil, err
		}
		if n != last || (n > 0 && (lo != 1 || hi != last)) {
			out = append(out, fmt.Sprintf("device %s: last accepted #%d but holds %d entries numbered #%d to #%d", id, last, n, lo, hi))
		}
	}
	return out, rows.Err()
}
