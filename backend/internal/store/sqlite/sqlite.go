// Package sqlite is the embedded default store: one SQLite file in WAL mode with full fsync, foreign keys and embedded, numbered migrations applied in transactions (SPEC X1); its SQL also runs on PostgreSQL (package postgres, SPEC X2).
package sqlite

import (
	"context"
	"crypto"
	"crypto/ed25519"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"sync"
	"time"

	_ "github.com/mattn/go-sqlite3" // registers the sqlite3 driver

	"lawtrace/backend/internal/store"
	"lawtrace/backend/internal/translog"
	"lawtrace/shared/deadline"
	"lawtrace/shared/ledger"
	"lawtrace/shared/migrate"
	"lawtrace/shared/syncproto"
	"lawtrace/shared/workday"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Options configure a DB.
type Options struct {
	// Signer signs tree heads and the server's own entries with the
	// server's Ed25519 key, which the store never holds: the server passes
	// its key file's key, a deployment may pass a hardware module or key
	// service behind crypto.Signer. Without it the store cannot ingest
	// (the operator commands open it this way).
	Signer crypto.Signer
	// Now is the clock; tests fix it.
	Now func() time.Time
	// Deadlines gives the upload deadline settings and the holiday
	// calendar in force (the server's configured ones); nil means the
	// defaults (24 hours for A/V, the shipped calendar). The store asks
	// shared/deadline.UploadRule with them, the one rule (issue 13).
	Deadlines func(context.Context) (deadline.Settings, *workday.Calendar)
}

// Dialect is what the SQL of this package needs to know of the database
// under it. The statements are written for both SQLite and PostgreSQL
// (ON CONFLICT DO NOTHING, RETURNING, CASE instead of scalar MAX, times as
// fixed-width UTC text); package postgres supplies the placeholders and a
// Dialect.
type Dialect struct {
	// WriteLock, when set, runs first in every write transaction of this
	// package: PostgreSQL takes a transaction advisory lock there, so
	// writers — the log's appends above all — are serialised across
	// connections and server instances as SQLite serialises them.
	WriteLock string
}

// DB is the SQLite store.
type DB struct {
	db      *sql.DB
	dialect Dialect
	signer  crypto.Signer
	now     func() time.Time

	// logMu serialises ingestion: one group of batches appends to the log
	// at a time; qmu guards the batches waiting for the next group.
	logMu sync.Mutex
	qmu   sync.Mutex
	queue []*ingestReq
	tree  *translog.Tree // cached right edge of the log, nil until first use
	nodes *nodeCache

	dlMu      sync.Mutex
	deadlines func(context.Context) (deadline.Settings, *workday.Calendar)
}

// SetDeadlines replaces Options.Deadlines (the server sets it once the
// review service that loads the configured calendar exists).
func (d *DB) SetDeadlines(fn func(context.Context) (deadline.Settings, *workday.Calendar)) {
	d.dlMu.Lock()
	d.deadlines = fn
	d.dlMu.Unlock()
}

// uploadDue returns the upload deadline function in force now.
func (d *DB) uploadDue(ctx context.Context) func(kind string, recorded time.Time) time.Time {
	d.dlMu.Lock()
	fn := d.deadlines
	d.dlMu.Unlock()
	var s deadline.Settings
	var cal *workday.Calendar
	if fn != nil {
		s, cal = fn(ctx)
	}
	return func(kind string, recorded time.Time) time.Time {
		due, _, _, _ := deadline.UploadRule(kind, recorded, s, cal)
		return due
	}
}

var _ store.Backend = (*DB)(nil)

// Open opens (creating if needed) the store at path and migrates it.
func Open(path string, opt Options) (*DB, error) {
	dsn := "file:" + path + "?_journal_mode=WAL&_synchronous=FULL&_foreign_keys=on&_busy_timeout=15000&_txlock=immediate"
	sdb, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, err
	}
	if err := sdb.Ping(); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := migrate.Apply(sdb, migrations, "migrations"); err != nil {
		sdb.Close()
		return nil, err
	}
	return OpenDB(sdb, Dialect{}, opt)
}

// OpenDB makes a store of a migrated database of any dialect; it closes
// sdb when it fails.
func OpenDB(sdb *sql.DB, dialect Dialect, opt Options) (*DB, error) {
	d := &DB{db: sdb, dialect: dialect, signer: opt.Signer, now: opt.Now, nodes: newNodeCache(), deadlines: opt.Deadlines}
	if d.now == nil {
		d.now = time.Now
	}
	if d.signer != nil {
		if err := d.ensureEmptyHead(context.Background()); err != nil {
			sdb.Close()
			return nil, err
		}
	}
	return d, nil
}

// Close closes the database.
func (d *DB) Close() error { return d.db.Close() }

// Ping checks the database answers.
func (d *DB) Ping(ctx context.Context) error {
	var one int
	return d.db.QueryRowContext(ctx, `SELECT 1`).Scan(&one)
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return ledger.FormatTime(t)
}

func parseTime(s string) time.Time {
	if s == "" {
		return time.Time{}
	}
	t, err := ledger.ParseTime(s)
	if err != nil {
		return time.Time{}
	}
	return t
}

func (d *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if d.dialect.WriteLock != "" {
		if _, err := tx.ExecContext(ctx, d.dialect.WriteLock); err != nil {
			return err
		}
	}
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

func bumpChanges(tx *sql.Tx) error {
	_, err := tx.Exec(`UPDATE settings SET value = CAST(value AS INTEGER) + 1 WHERE key = 'changes'`)
	return err
}

// Setting reads a server setting, "" when unset.
func (d *DB) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := d.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return v, err
}

// SetSetting writes a server setting.
func (d *DB) SetSetting(ctx context.Context, key, value string) error {
	if err := store.CheckLen("设置 "+syncproto.CleanText(key, 40), value, store.MaxSettingChars); err != nil {
		return err
	}
	_, err := d.db.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// Changes reads the change counter.
func (d *DB) Changes(ctx context.Context) (int64, error) {
	var n int64
	err := d.db.QueryRowContext(ctx, `SELECT CAST(value AS INTEGER) FROM settings WHERE key = 'changes'`).Scan(&n)
	return n, err
}

// ---- enrolment and devices ----

// CreateEnrolCode stores a one-time code by its hash.
func (d *DB) CreateEnrolCode(ctx context.Context, c store.EnrolCode) error {
	if err := store.CheckText("设备名称", c.DeviceName, store.MaxDeviceNameChars); err != nil {
		return err
	}
	_, err := d.db.ExecContext(ctx, `INSERT INTO enrol_codes (code_hash, device_name, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		c.Hash, c.DeviceName, fmtTime(c.CreatedAt), fmtTime(c.ExpiresAt))
	return err
}

// Enrol consumes a code and registers the device.
func (d *DB) Enrol(ctx context.Context, codeHash string, dev store.Device) (store.Device, error) {
	now := d.now()
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		var name, expires, used, usedBy string
		err := tx.QueryRow(`SELECT device_name, expires_at, COALESCE(used_at, ''), COALESCE(device_id, '') FROM enrol_codes WHERE code_hash = ?`, codeHash).
			Scan(&name, &expires, &used, &usedBy)
		if errors.Is(err, sql.ErrNoRows) {
			return store.Refuse(store.ErrEnrolCode, syncproto.Errorf(syncproto.CodeEnrolCode, "this enrolment code is not known; ask the administrator for a new one"))
		}
		if err != nil {
			return err
		}
		existing, err := getDevice(tx, dev.ID)
		switch {
		case errors.Is(err, store.ErrNotFound):
			existing = nil
		case err != nil:
			return err
		}
		if used != "" && usedBy != dev.ID {
			return store.Refuse(store.ErrEnrolCode, syncproto.Errorf(syncproto.CodeEnrolCode, "this enrolment code was already used at %s; ask the administrator for a new one", used))
		}
		if used == "" && parseTime(expires).Before(now) {
			return store.Refuse(store.ErrEnrolCode, syncproto.Errorf(syncproto.CodeEnrolCode, "this enrolment code expired at %s; ask the administrator for a new one", expires))
		}
		if existing != nil {
			if existing.Revoked() {
				return store.Refuse(store.ErrRevoked, syncproto.Errorf(syncproto.CodeRevoked, "device %s was revoked at %s and cannot enrol again", dev.ID, fmtTime(existing.RevokedAt)))
			}
			if !existing.PublicKey.Equal(dev.PublicKey) {
				return store.Refuse(store.ErrEnrolCode, syncproto.Errorf(syncproto.CodeEnrolCode, "device id %s is already enrolled with another key", dev.ID))
			}
		} else {
			if name == "" {
				name = dev.Name
			}
			if _, err := tx.Exec(`INSERT INTO devices (id, name, public_key, enrolled_at) VALUES (?, ?, ?, ?)`,
				dev.ID, name, []byte(dev.PublicKey), fmtTime(now)); err != nil {
				return err
			}
		}
		if used == "" {
			if _, err := tx.Exec(`UPDATE enrol_codes SET used_at = ?, device_id = ? WHERE code_hash = ?`, fmtTime(now), dev.ID, codeHash); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return store.Device{}, err
	}
	return d.Device(ctx, dev.ID)
}

const deviceColumns = `id, name, public_key, enrolled_at, last_seq, last_seen, app_version, outbox, pending_media_bytes,
	clock_offset_ms, clock_skewed, remote, revoked_at, revoke_reason, wipe_requested_at, wipe_reason, wiped_at, wipe_report`

type rowScanner interface{ Scan(dest ...any) error }

func scanDevice(r rowScanner) (*store.Device, error) {
	var dv store.Device
	var key []byte
	var enrolled, seen, revoked, wipeReq, wiped string
	err := r.Scan(&dv.ID, &dv.Name, &key, &enrolled, &dv.LastSeq, &seen, &dv.AppVersion, &dv.Outbox, &dv.PendingMediaBytes,
		&dv.ClockOffsetMs, &dv.ClockSkewed, &dv.Remote, &revoked, &dv.RevokeReason, &wipeReq, &dv.WipeReason, &wiped, &dv.WipeReport)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, store.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	dv.PublicKey = ed25519.PublicKey(key)
	dv.Fingerprint = ledger.KeyFingerprint(dv.PublicKey)
	dv.EnrolledAt, dv.LastSeen, dv.RevokedAt = parseTime(enrolled), parseTime(seen), parseTime(revoked)
	dv.WipeRequestedAt, dv.WipedAt = parseTime(wipeReq), parseTime(wiped)
	return &dv, nil
}

func getDevice(q interface {
	QueryRow(string, ...any) *sql.Row
}, id string) (*store.Device, error) {
	return scanDevice(q.QueryRow(`SELECT `+deviceColumns+` FROM devices WHERE id = ?`, id))
}

// Device reads one device.
func (d *DB) Device(ctx context.Context, id string) (store.Device, error) {
	dv, err := scanDevice(d.db.QueryRowContext(ctx, `SELECT `+deviceColumns+` FROM devices WHERE id = ?`, id))
	if err != nil {
		return store.Device{}, err
	}
	return *dv, nil
}

// Devices lists every device by enrolment time.
func (d *DB) Devices(ctx context.Context) ([]store.Device, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT `+deviceColumns+` FROM devices ORDER BY enrolled_at, id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Device
	for rows.Next() {
		dv, err := scanDevice(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *dv)
	}
	return out, rows.Err()
}

// TouchDevice records what a connection told about the device.
func (d *DB) TouchDevice(ctx context.Context, id string, s store.Seen) error {
	_, err := d.db.ExecContext(ctx, `UPDATE devices SET last_seen = ?, app_version = ?, outbox = ?, pending_media_bytes = ?,
		clock_offset_ms = ?, clock_skewed = ?, remote = ? WHERE id = ?`,
		fmtTime(s.At), s.AppVersion, s.Outbox, s.PendingBytes, s.ClockOffsetMs, s.Skewed, s.Remote, id)
	return err
}

// Revoke marks the device revoked and publishes the revocation.
func (d *DB) Revoke(ctx context.Context, id, reason string, at time.Time) error {
	if err := store.CheckLen("停用原因", reason, store.MaxReasonChars); err != nil {
		return err
	}
	return d.inTx(ctx, func(tx *sql.Tx) error {
		dv, err := getDevice(tx, id)
		if err != nil {
			return err
		}
		if dv.Revoked() {
			return nil
		}
		if _, err := tx.Exec(`UPDATE devices SET revoked_at = ?, revoke_reason = ? WHERE id = ?`, fmtTime(at), reason, id); err != nil {
			return err
		}
		body, err := jsonMarshal(syncproto.Revocation{DeviceID: id, RevokedAt: fmtTime(at), Reason: reason})
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO catalog (kind, key, version, body, created_at) VALUES (?, ?, 1, ?, ?) ON CONFLICT DO NOTHING`,
			syncproto.KindRevocation, id, body, fmtTime(at)); err != nil {
			return err
		}
		return bumpChanges(tx)
	})
}

// RequestWipe orders a remote wipe of the device.
func (d *DB) RequestWipe(ctx context.Context, id, reason string, at time.Time) error {
	if err := store.CheckLen("清除原因", reason, store.MaxReasonChars); err != nil {
		return err
	}
	return d.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := getDevice(tx, id); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE devices SET wipe_requested_at = ?, wipe_reason = ? WHERE id = ?`, fmtTime(at), reason, id); err != nil {
			return err
		}
		return bumpChanges(tx)
	})
}

// WipeDone records the device's wipe report.
func (d *DB) WipeDone(ctx context.Context, id string, report syncproto.WipeDone, at time.Time) error {
	body, err := jsonMarshal(report)
	if err != nil {
		return err
	}
	_, err = d.db.ExecContext(ctx, `UPDATE devices SET wiped_at = ?, wipe_report = ? WHERE id = ?`, fmtTime(at), string(body), id)
	return err
}

// ---- security events ----

// RecordSecurityEvent stores a security event, bounded (SecurityEvent.Bounded).
// A repeat from the same source (remote, kind, device) within
// store.SecurityEventWindow of the source's newest row is added to that
// row's repeat count instead of inserting one; once
// store.MaxNewSecurityEventsHour rows were inserted in the last hour, a
// repeat of a kind goes to the kind's newest row whatever its source. So a
// flood grows a count, not the table (issue 13).
func (d *DB) RecordSecurityEvent(ctx context.Context, ev store.SecurityEvent) error {
	if ev.At.IsZero() {
		ev.At = d.now()
	}
	ev = ev.Bounded()
	at := fmtTime(ev.At)
	since := fmtTime(ev.At.Add(-store.SecurityEventWindow))
	return d.inTx(ctx, func(tx *sql.Tx) error {
		var id int64
		err := tx.QueryRow(`SELECT id FROM security_events WHERE remote = ? AND kind = ? AND device_id = ? AND last_at >= ? ORDER BY last_at DESC, id DESC LIMIT 1`,
			ev.Remote, ev.Kind, ev.DeviceID, since).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			var recent int
			if err := tx.QueryRow(`SELECT COUNT(*) FROM security_events WHERE at >= ?`, since).Scan(&recent); err != nil {
				return err
			}
			if recent >= store.MaxNewSecurityEventsHour {
				err = tx.QueryRow(`SELECT id FROM security_events WHERE kind = ? AND last_at >= ? ORDER BY last_at DESC, id DESC LIMIT 1`, ev.Kind, since).Scan(&id)
			}
		}
		switch {
		case err == nil && id != 0:
			_, err = tx.Exec(`UPDATE security_events SET repeats = repeats + ?, last_at = CASE WHEN last_at > ? THEN last_at ELSE ? END WHERE id = ?`, ev.Repeats, at, at, id)
			return err
		case err != nil && !errors.Is(err, sql.ErrNoRows):
			return err
		}
		_, err = tx.Exec(`INSERT INTO security_events (at, last_at, repeats, device_id, remote, kind, detail, evidence) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			at, at, ev.Repeats, ev.DeviceID, ev.Remote, ev.Kind, ev.Detail, ev.Evidence)
		return err
	})
}

// SecurityEvents lists the newest events first (by their latest repeat).
func (d *DB) SecurityEvents(ctx context.Context, limit int) ([]store.SecurityEvent, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := d.db.QueryContext(ctx, `SELECT id, at, last_at, repeats, device_id, remote, kind, detail, evidence FROM security_events ORDER BY last_at DESC, id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.SecurityEvent
	for rows.Next() {
		var ev store.SecurityEvent
		var at, last string
		if err := rows.Scan(&ev.ID, &at, &last, &ev.Repeats, &ev.DeviceID, &ev.Remote, &ev.Kind, &ev.Detail, &ev.Evidence); err != nil {
			return nil, err
		}
		ev.At, ev.LastAt = parseTime(at), parseTime(last)
		if ev.LastAt.IsZero() {
			ev.LastAt = ev.At
		}
		out = append(out, ev)
	}
	return out, rows.Err()
}

// queryStrings runs a query whose rows are one text column.
func queryStrings(ctx context.Context, db *sql.DB, query string, args ...any) ([]string, error) {
	return queryAll(ctx, db, func(r rowScanner) (string, error) {
		var s string
		err := r.Scan(&s)
		return s, err
	}, query, args...)
}

// queryAll runs a query and scans every row with scan.
func queryAll[T any](ctx context.Context, db *sql.DB, scan func(rowScanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
