package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"lawtrace/backend/internal/store"
)

var _ store.SignInStore = (*DB)(nil)

// RecordSignIn stores the attempt and updates its pair in one transaction.
func (d *DB) RecordSignIn(ctx context.Context, a store.LoginAttempt, p store.SignInPair, forgetBefore time.Time) error {
	return d.inTx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO login_attempts (at, username, remote, ok) VALUES (?, ?, ?, ?)`,
			fmtTime(a.At), a.Username, a.Remote, a.OK); err != nil {
			return err
		}
		if a.OK {
			_, err := tx.ExecContext(ctx, `DELETE FROM signin_failures WHERE username = ? AND addr = ?`, p.Username, p.Addr)
			return err
		}
		forget := fmtTime(forgetBefore)
		if _, err := tx.ExecContext(ctx, `DELETE FROM signin_failures WHERE last_at < ?`, forget); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO signin_failures (username, addr, failures, last_at) VALUES (?, ?, 1, ?)
			ON CONFLICT (username, addr) DO UPDATE SET failures = signin_failures.failures + 1,
			last_at = CASE WHEN excluded.last_at > signin_failures.last_at THEN excluded.last_at ELSE signin_failures.last_at END`,
			p.Username, p.Addr, fmtTime(a.At))
		return err
	})
}

// SignInFailures is a pair's count since a time.
func (d *DB) SignInFailures(ctx context.Context, p store.SignInPair, since time.Time) (store.SignInFailures, error) {
	f := store.SignInFailures{SignInPair: p}
	var last string
	err := d.db.QueryRowContext(ctx, `SELECT failures, last_at FROM signin_failures WHERE username = ? AND addr = ? AND last_at >= ?`,
		p.Username, p.Addr, fmtTime(since)).Scan(&f.Failures, &last)
	if errors.Is(err, sql.ErrNoRows) {
		return f, nil
	}
	f.Last = parseTime(last)
	return f, err
}

// AccountSignInFailures lists a username's pairs since a time, the latest first.
func (d *DB) AccountSignInFailures(ctx context.Context, username string, since time.Time) ([]store.SignInFailures, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT addr, failures, last_at FROM signin_failures WHERE username = ? AND last_at >= ?
		ORDER BY last_at DESC, addr`, username, fmtTime(since))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.SignInFailures
	for rows.Next() {
		f := store.SignInFailures{SignInPair: store.SignInPair{Username: username}}
		var last string
		if err := rows.Scan(&f.Addr, &f.Failures, &last); err != nil {
			return nil, err
		}
		f.Last = parseTime(last)
		out = append(out, f)
	}
	return out, rows.Err()
}

// ClearSignInFailures forgets every pair of a username.
func (d *DB) ClearSignInFailures(ctx context.Context, username string) (int, error) {
	res, err := d.db.ExecContext(ctx, `DELETE FROM signin_failures WHERE username = ?`, username)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
