package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"lawtrace/backend/internal/store"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
)

var _ store.WebStore = (*DB)(nil)

// ---- accounts ----

const accountColumns = `id, username, name, role, officer_cert, password_hash, must_change, disabled, created_at, updated_at, password_changed_at`

func scanAccount(r rowScanner) (store.Account, error) {
	var a store.Account
	var created, updated, changed string
	err := r.Scan(&a.ID, &a.Username, &a.Name, &a.Role, &a.OfficerCert, &a.PasswordHash, &a.MustChange, &a.Disabled, &created, &updated, &changed)
	if errors.Is(err, sql.ErrNoRows) {
		return a, store.ErrNotFound
	}
	a.CreatedAt, a.UpdatedAt, a.PasswordChangedAt = parseTime(created), parseTime(updated), parseTime(changed)
	return a, err
}

// CreateAccount adds an account; a taken username is store.ErrExists.
func (d *DB) CreateAccount(ctx context.Context, a store.Account) (store.Account, error) {
	if a.CreatedAt.IsZero() {
		a.CreatedAt = d.now()
	}
	a.UpdatedAt, a.PasswordChangedAt = a.CreatedAt, a.CreatedAt
	err := d.db.QueryRowContext(ctx, `INSERT INTO accounts (username, name, role, officer_cert, password_hash, must_change, disabled, created_at, updated_at, password_changed_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, a.Username, a.Name, a.Role, a.OfficerCert, a.PasswordHash, a.MustChange, a.Disabled,
		fmtTime(a.CreatedAt), fmtTime(a.UpdatedAt), fmtTime(a.PasswordChangedAt)).Scan(&a.ID)
	if isUnique(err) {
		return a, fmt.Errorf("username %q: %w", a.Username, store.ErrExists)
	}
	return a, err
}

// Account reads an account by id.
func (d *DB) Account(ctx context.Context, id int64) (store.Account, error) {
	return scanAccount(d.db.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = ?`, id))
}

// AccountByUsername reads an account by username (case-insensitive).
func (d *DB) AccountByUsername(ctx context.Context, username string) (store.Account, error) {
	return scanAccount(d.db.QueryRowContext(ctx, `SELECT `+accountColumns+` FROM accounts WHERE username = ?`, username))
}

// Accounts lists every account by username.
func (d *DB) Accounts(ctx context.Context) ([]store.Account, error) {
	return queryAll(ctx, d.db, scanAccount, `SELECT `+accountColumns+` FROM accounts ORDER BY username`)
}

// UpdateAccount writes an account's name, role, officer and flags.
func (d *DB) UpdateAccount(ctx context.Context, a store.Account) error {
	if a.UpdatedAt.IsZero() {
		a.UpdatedAt = d.now()
	}
	return d.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`UPDATE accounts SET name = ?, role = ?, officer_cert = ?, disabled = ?, must_change = ?, updated_at = ? WHERE id = ?`,
			a.Name, a.Role, a.OfficerCert, a.Disabled, a.MustChange, fmtTime(a.UpdatedAt), a.ID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.ErrNotFound
		}
		if a.Disabled {
			_, err = tx.Exec(`DELETE FROM web_sessions WHERE account_id = ?`, a.ID)
		}
		return err
	})
}

// SetPassword replaces the password hash and ends the account's sessions.
func (d *DB) SetPassword(ctx context.Context, id int64, hash string, mustChange bool, at time.Time) error {
	return d.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.Exec(`UPDATE accounts SET password_hash = ?, must_change = ?, password_changed_at = ?, updated_at = ? WHERE id = ?`,
			hash, mustChange, fmtTime(at), fmtTime(at), id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return store.ErrNotFound
		}
		_, err = tx.Exec(`DELETE FROM web_sessions WHERE account_id = ?`, id)
		return err
	})
}

// CountAccounts counts accounts.
func (d *DB) CountAccounts(ctx context.Context) (int, error) {
	var n int
	err := d.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM accounts`).Scan(&n)
	return n, err
}

// ---- sessions and login attempts ----

// CreateSession stores a session.
func (d *DB) CreateSession(ctx context.Context, s store.WebSession) error {
	_, err := d.db.ExecContext(ctx, `INSERT INTO web_sessions (id_hash, account_id, csrf, created_at, expires_at, last_seen, remote, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		s.IDHash, s.AccountID, s.CSRF, fmtTime(s.CreatedAt), fmtTime(s.ExpiresAt), fmtTime(s.LastSeen), s.Remote, s.UserAgent)
	return err
}

// Session reads a session and its account.
func (d *DB) Session(ctx context.Context, idHash string) (store.WebSession, store.Account, error) {
	var s store.WebSession
	var created, expires, seen string
	err := d.db.QueryRowContext(ctx, `SELECT id_hash, account_id, csrf, created_at, expires_at, last_seen, remote, user_agent FROM web_sessions WHERE id_hash = ?`, idHash).
		Scan(&s.IDHash, &s.AccountID, &s.CSRF, &created, &expires, &seen, &s.Remote, &s.UserAgent)
	if errors.Is(err, sql.ErrNoRows) {
		return s, store.Account{}, store.ErrNotFound
	}
	if err != nil {
		return s, store.Account{}, err
	}
	s.CreatedAt, s.ExpiresAt, s.LastSeen = parseTime(created), parseTime(expires), parseTime(seen)
	a, err := d.Account(ctx, s.AccountID)
	return s, a, err
}

// TouchSession records activity on a session.
func (d *DB) TouchSession(ctx context.Context, idHash string, at time.Time) error {
	_, err := d.db.ExecContext(ctx, `UPDATE web_sessions SET last_seen = ? WHERE id_hash = ?`, fmtTime(at), idHash)
	return err
}

// DeleteSession ends a session.
func (d *DB) DeleteSession(ctx context.Context, idHash string) error {
	_, err := d.db.ExecContext(ctx, `DELETE FROM web_sessions WHERE id_hash = ?`, idHash)
	return err
}

// DeleteExpiredSessions removes sessions past their absolute expiry.
func (d *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) error {
	_, err := d.db.ExecContext(ctx, `DELETE FROM web_sessions WHERE expires_at < ?`, fmtTime(now))
	return err
}

// RecordLogin stores a sign-in attempt.
func (d *DB) RecordLogin(ctx context.Context, a store.LoginAttempt) error {
	_, err := d.db.ExecContext(ctx, `INSERT INTO login_attempts (at, username, remote, ok) VALUES (?, ?, ?, ?)`,
		fmtTime(a.At), a.Username, a.Remote, a.OK)
	return err
}

// FailedLogins counts recent failures by username and by remote address.
func (d *DB) FailedLogins(ctx context.Context, username, remote string, since time.Time) (int, int, error) {
	var byUser, byRemote int
	err := d.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM login_attempts WHERE username = ? AND ok = 0 AND at >= ?
		AND at > COALESCE((SELECT MAX(at) FROM login_attempts WHERE username = ? AND ok = 1), '')`,
		username, fmtTime(since), username).Scan(&byUser)
	if err != nil {
		return 0, 0, err
	}
	err = d.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM login_attempts WHERE remote = ? AND ok = 0 AND at >= ?`, remote, fmtTime(since)).Scan(&byRemote)
	return byUser, byRemote, err
}

// ---- the access register ----

// AppendAccess appends a register row chained to the previous one.
func (d *DB) AppendAccess(ctx context.Context, r store.AccessRecord) (store.AccessRecord, error) {
	if r.At.IsZero() {
		r.At = d.now()
	}
	// The chain covers the time as stored (nanoseconds, UTC).
	r.At = parseTime(fmtTime(r.At))
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRow(`SELECT hash FROM access_log ORDER BY id DESC LIMIT 1`).Scan(&r.PrevHash)
		if errors.Is(err, sql.ErrNoRows) {
			r.PrevHash, err = ledger.GenesisHash, nil
		}
		if err != nil {
			return err
		}
		r.Hash = r.ChainHash()
		return tx.QueryRow(`INSERT INTO access_log (at, account_id, username, name, role, action, case_id, media_hash, purpose, reason, approver,
			request_id, grant_id, remote, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
			fmtTime(r.At), r.AccountID, r.Username, r.Name, r.Role, r.Action, r.CaseID, r.MediaHash, r.Purpose, r.Reason, r.Approver,
			r.RequestID, r.GrantID, r.Remote, r.PrevHash, r.Hash).Scan(&r.ID)
	})
	return r, err
}

// AccessRecords lists register rows.
func (d *DB) AccessRecords(ctx context.Context, f store.AccessFilter) ([]store.AccessRecord, error) {
	var where []string
	var args []any
	if f.CaseID != "" {
		where, args = append(where, "case_id = ?"), append(args, f.CaseID)
	}
	if f.AccountID != 0 {
		where, args = append(where, "account_id = ?"), append(args, f.AccountID)
	}
	if f.Action != "" {
		where, args = append(where, "action = ?"), append(args, f.Action)
	}
	if !f.From.IsZero() {
		where, args = append(where, "at >= ?"), append(args, fmtTime(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "at < ?"), append(args, fmtTime(f.To))
	}
	q := `SELECT id, at, account_id, username, name, role, action, case_id, media_hash, purpose, reason, approver, request_id, grant_id, remote, prev_hash, hash FROM access_log`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	if f.Ascending {
		q += " ORDER BY id"
	} else {
		q += " ORDER BY id DESC"
	}
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	rows, err := d.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.AccessRecord
	for rows.Next() {
		var r store.AccessRecord
		var at string
		if err := rows.Scan(&r.ID, &at, &r.AccountID, &r.Username, &r.Name, &r.Role, &r.Action, &r.CaseID, &r.MediaHash, &r.Purpose, &r.Reason,
			&r.Approver, &r.RequestID, &r.GrantID, &r.Remote, &r.PrevHash, &r.Hash); err != nil {
			return nil, err
		}
		r.At = parseTime(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// AccessLogged reports whether the grant already logged the action on the file.
func (d *DB) AccessLogged(ctx context.Context, grantID int64, action, mediaHash string) (bool, error) {
	var n int
	err := d.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM access_log WHERE grant_id = ? AND media_hash = ? AND action = ?`, grantID, mediaHash, action).Scan(&n)
	return n > 0, err
}

// CreateGrant stores a grant.
func (d *DB) CreateGrant(ctx context.Context, g store.AccessGrant) (store.AccessGrant, error) {
	err := d.db.QueryRowContext(ctx, `INSERT INTO access_grants (account_id, case_id, purpose, reason, approver, request_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		g.AccountID, g.CaseID, g.Purpose, g.Reason, g.Approver, g.RequestID, fmtTime(g.CreatedAt), fmtTime(g.ExpiresAt)).Scan(&g.ID)
	return g, err
}

// ActiveGrant returns the newest valid grant of the account for the case.
func (d *DB) ActiveGrant(ctx context.Context, accountID int64, caseID string, now time.Time) (store.AccessGrant, error) {
	var g store.AccessGrant
	var created, expires string
	err := d.db.QueryRowContext(ctx, `SELECT id, account_id, case_id, purpose, reason, approver, request_id, created_at, expires_at FROM access_grants
		WHERE account_id = ? AND case_id = ? AND created_at <= ? AND expires_at > ? ORDER BY id DESC LIMIT 1`, accountID, caseID, fmtTime(now), fmtTime(now)).
		Scan(&g.ID, &g.AccountID, &g.CaseID, &g.Purpose, &g.Reason, &g.Approver, &g.RequestID, &created, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return g, store.ErrNotFound
	}
	g.CreatedAt, g.ExpiresAt = parseTime(created), parseTime(expires)
	return g, err
}

const requestColumns = `id, at, account_id, requester, case_id, action, media_hash, purpose, reason, status, decided_by, decider, decided_at, decision_note, expires_at`

func scanRequest(r rowScanner) (store.AccessRequest, error) {
	var q store.AccessRequest
	var at, decided, expires string
	err := r.Scan(&q.ID, &at, &q.AccountID, &q.Requester, &q.CaseID, &q.Action, &q.MediaHash, &q.Purpose, &q.Reason, &q.Status,
		&q.DecidedBy, &q.Decider, &decided, &q.DecisionNote, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return q, store.ErrNotFound
	}
	q.At, q.DecidedAt, q.ExpiresAt = parseTime(at), parseTime(decided), parseTime(expires)
	return q, err
}

// CreateAccessRequest stores a pending request.
func (d *DB) CreateAccessRequest(ctx context.Context, r store.AccessRequest) (store.AccessRequest, error) {
	if r.At.IsZero() {
		r.At = d.now()
	}
	r.Status = store.RequestPending
	err := d.db.QueryRowContext(ctx, `INSERT INTO access_requests (at, account_id, requester, case_id, action, media_hash, purpose, reason, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		fmtTime(r.At), r.AccountID, r.Requester, r.CaseID, r.Action, r.MediaHash, r.Purpose, r.Reason, r.Status).Scan(&r.ID)
	return r, err
}

// AccessRequest reads a request.
func (d *DB) AccessRequest(ctx context.Context, id int64) (store.AccessRequest, error) {
	return scanRequest(d.db.QueryRowContext(ctx, `SELECT `+requestColumns+` FROM access_requests WHERE id = ?`, id))
}

// AccessRequests lists requests, newest first.
func (d *DB) AccessRequests(ctx context.Context, f store.RequestFilter) ([]store.AccessRequest, error) {
	var where []string
	var args []any
	if f.Status != "" {
		where, args = append(where, "status = ?"), append(args, f.Status)
	}
	if f.AccountID != 0 {
		where, args = append(where, "account_id = ?"), append(args, f.AccountID)
	}
	if f.CaseID != "" {
		where, args = append(where, "case_id = ?"), append(args, f.CaseID)
	}
	q := `SELECT ` + requestColumns + ` FROM access_requests`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY id DESC"
	if f.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d", f.Limit)
	}
	return queryAll(ctx, d.db, scanRequest, q, args...)
}

// DecideAccessRequest records the decision on a pending request.
func (d *DB) DecideAccessRequest(ctx context.Context, r store.AccessRequest) error {
	if r.Status != store.RequestApproved && r.Status != store.RequestDenied {
		return fmt.Errorf("a decision is approved or denied, not %q", r.Status)
	}
	res, err := d.db.ExecContext(ctx, `UPDATE access_requests SET status = ?, decided_by = ?, decider = ?, decided_at = ?, decision_note = ?, expires_at = ?
		WHERE id = ? AND status = 'pending'`, r.Status, r.DecidedBy, r.Decider, fmtTime(r.DecidedAt), r.DecisionNote, fmtTime(r.ExpiresAt), r.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return store.ErrNotFound
	}
	return nil
}

// ---- audit ----

// AppendAudit records an administrative action.
func (d *DB) AppendAudit(ctx context.Context, r store.AuditRecord) error {
	if r.At.IsZero() {
		r.At = d.now()
	}
	_, err := d.db.ExecContext(ctx, `INSERT INTO audit_log (at, account_id, username, action, target, detail, remote) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		fmtTime(r.At), r.AccountID, r.Username, r.Action, r.Target, r.Detail, r.Remote)
	return err
}

// AuditRecords lists administrative actions, newest first.
func (d *DB) AuditRecords(ctx context.Context, limit int) ([]store.AuditRecord, error) {
	if limit <= 0 {
		limit = 200
	}
	rows, err := d.db.QueryContext(ctx, `SELECT id, at, account_id, username, action, target, detail, remote FROM audit_log ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.AuditRecord
	for rows.Next() {
		var r store.AuditRecord
		var at string
		if err := rows.Scan(&r.ID, &at, &r.AccountID, &r.Username, &r.Action, &r.Target, &r.Detail, &r.Remote); err != nil {
			return nil, err
		}
		r.At = parseTime(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// SecurityEventPage reads a page of the security events the filter
// selects, newest first by their latest repeat, and their number (issue
// 15): the page is read with LIMIT/OFFSET on the last_at index, never the
// whole table.
func (d *DB) SecurityEventPage(ctx context.Context, f store.SecurityFilter, page store.Page) ([]store.SecurityEvent, int, error) {
	var where []string
	var args []any
	if f.Kind != "" {
		where, args = append(where, "kind = ?"), append(args, f.Kind)
	}
	if f.Device != "" {
		where, args = append(where, `LOWER(device_id) LIKE ? ESCAPE '\'`), append(args, "%"+likeEscape(strings.ToLower(f.Device))+"%")
	}
	if f.Remote != "" {
		where, args = append(where, `remote LIKE ? ESCAPE '\'`), append(args, "%"+likeEscape(f.Remote)+"%")
	}
	if !f.From.IsZero() {
		where, args = append(where, "last_at >= ?"), append(args, fmtTime(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "at < ?"), append(args, fmtTime(f.To))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := d.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM security_events`+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	q := `SELECT id, at, last_at, repeats, device_id, remote, kind, detail, evidence FROM security_events` + cond + ` ORDER BY last_at DESC, id DESC`
	if page.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d OFFSET %d", page.Limit, max(page.Offset, 0))
	}
	evs, err := queryAll(ctx, d.db, scanSecurityEvent, q, args...)
	return evs, total, err
}

func scanSecurityEvent(r rowScanner) (store.SecurityEvent, error) {
	var ev store.SecurityEvent
	var at, last string
	if err := r.Scan(&ev.ID, &at, &last, &ev.Repeats, &ev.DeviceID, &ev.Remote, &ev.Kind, &ev.Detail, &ev.Evidence); err != nil {
		return ev, err
	}
	ev.At, ev.LastAt = parseTime(at), parseTime(last)
	if ev.LastAt.IsZero() {
		ev.LastAt = ev.At
	}
	return ev, nil
}

// ---- read models: board, timeline, statistics ----

// inClause returns " AND col IN (?, ?, …)" and its arguments, "" for nil ids.
func inClause(col string, ids []string) (string, []any) {
	if ids == nil {
		return "", nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return " AND " + col + " IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + ")", args
}

// systemSteps are entries that are not steps of the procedure.
var systemSteps = map[string]bool{"case_open": true, "officer_join": true, "correction": true}

// CaseRows reads board rows as BoardCaseRows does, with each case's steps,
// skewed entries and crew read from its entries. The review service's office chains
// (office_chains.chain_id, "CASE/office") are not cases of their own and
// are left out.
func (d *DB) CaseRows(ctx context.Context, ids []string, now time.Time) ([]store.CaseRow, error) {
	out, err := d.BoardCaseRows(ctx, ids, now)
	if err != nil || len(out) == 0 {
		return out, err
	}
	index := make(map[string]int, len(out))
	for i := range out {
		out[i].Steps = map[string]int{}
		index[out[i].ID] = i
	}
	cond, args := inClause("case_id", ids)
	rows, err := d.db.QueryContext(ctx, `SELECT case_id, seq, step, clock_skewed, body FROM entries WHERE 1 = 1`+cond+` ORDER BY case_id, seq`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var caseID, step string
		var seq int64
		var skewed bool
		var body []byte
		if err := rows.Scan(&caseID, &seq, &step, &skewed, &body); err != nil {
			return nil, err
		}
		i, ok := index[caseID]
		if !ok {
			continue
		}
		r := &out[i]
		r.Steps[step]++
		if skewed {
			r.Skewed++
		}
		if !systemSteps[step] {
			r.LastProcStep = step
		}
		if step == "case_open" || step == "officer_join" {
			applyCrew(r, body)
		}
	}
	return out, rows.Err()
}

// applyCrew reads the procedure, party and officers of a case_open entry,
// or the officers an officer_join entry adds.
func applyCrew(r *store.CaseRow, body []byte) {
	var e ledger.Entry
	if json.Unmarshal(body, &e) != nil {
		return
	}
	var p struct {
		Procedure        string            `json:"procedure"`
		ProcedureVersion int               `json:"procedure_version"`
		Source           string            `json:"source"`
		Officers         []enforce.Officer `json:"officers"`
	}
	_ = json.Unmarshal(e.Payload, &p)
	if e.Step == "case_open" {
		r.ProcedureVersion, r.Source = p.ProcedureVersion, p.Source
		if len(p.Officers) == 0 {
			// A terminal that did not copy the officers into the payload:
			// the credential numbers on the entry are all there is.
			for _, c := range e.Officers {
				p.Officers = append(p.Officers, enforce.Officer{Cert: c})
			}
		}
	}
	for _, o := range p.Officers {
		dup := false
		for _, have := range r.Officers {
			dup = dup || have.Cert == o.Cert
		}
		if !dup {
			r.Officers = append(r.Officers, o)
		}
	}
}

// CaseRecords reads a case's entries with the server's columns.
func (d *DB) CaseRecords(ctx context.Context, caseID string) ([]store.CaseRecord, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT body, calibrated_time, clock_offset_ms, clock_skewed, clock_basis, received_at, leaf_index FROM entries WHERE case_id = ? ORDER BY seq`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.CaseRecord
	for rows.Next() {
		var r store.CaseRecord
		var body []byte
		var calibrated, received string
		if err := rows.Scan(&body, &calibrated, &r.ClockOffsetMs, &r.ClockSkewed, &r.ClockBasis, &received, &r.LeafIndex); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(body, &r.Entry); err != nil {
			return nil, fmt.Errorf("case %s: stored entry does not decode: %w", caseID, err)
		}
		r.CalibratedTime, r.ReceivedAt = parseTime(calibrated), parseTime(received)
		out = append(out, r)
	}
	return out, rows.Err()
}

// CaseMedia lists the files a case references.
func (d *DB) CaseMedia(ctx context.Context, caseID string, now time.Time) ([]store.CaseMediaFile, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT r.hash, r.entry_id, r.kind, r.declared_size, r.due_at, m.hash IS NOT NULL, COALESCE(m.stored_at, '')
		FROM media_refs r LEFT JOIN media m ON m.hash = r.hash WHERE r.case_id = ? ORDER BY r.due_at, r.hash`, caseID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.CaseMediaFile
	for rows.Next() {
		var f store.CaseMediaFile
		var due, stored string
		if err := rows.Scan(&f.Hash, &f.EntryID, &f.Kind, &f.Size, &due, &f.Stored, &stored); err != nil {
			return nil, err
		}
		f.DueAt, f.StoredAt = parseTime(due), parseTime(stored)
		f.Overdue = !f.Stored && now.After(f.DueAt)
		out = append(out, f)
	}
	return out, rows.Err()
}

// CasesOfMedia lists the cases referencing a file.
func (d *DB) CasesOfMedia(ctx context.Context, hash string) ([]string, error) {
	return queryStrings(ctx, d.db, `SELECT DISTINCT case_id FROM media_refs WHERE hash = ? ORDER BY case_id`, hash)
}

// CatalogVersions lists every version of a kind's items.
func (d *DB) CatalogVersions(ctx context.Context, kind string) ([]store.CatalogVersion, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT seq, kind, key, version, body, created_at FROM catalog WHERE kind = ? ORDER BY key, version`, kind)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.CatalogVersion
	for rows.Next() {
		var v store.CatalogVersion
		var at string
		if err := rows.Scan(&v.Seq, &v.Kind, &v.Key, &v.Version, &v.Body, &at); err != nil {
			return nil, err
		}
		v.CreatedAt = parseTime(at)
		out = append(out, v)
	}
	return out, rows.Err()
}

// DailyActivity counts entries and stored files per China-time day.
func (d *DB) DailyActivity(ctx context.Context, since time.Time) ([]store.DayCount, error) {
	days := map[string]*store.DayCount{}
	get := func(day string) *store.DayCount {
		if dc, ok := days[day]; ok {
			return dc
		}
		dc := &store.DayCount{Day: day}
		days[day] = dc
		return dc
	}
	// Stored times are UTC in ledger.TimeLayout: counted per UTC hour
	// (its first 13 characters) here, per China day by chinaDay.
	rows, err := d.db.QueryContext(ctx, `SELECT substr(calibrated_time, 1, 13), COUNT(*) FROM entries
		WHERE calibrated_time >= ? GROUP BY substr(calibrated_time, 1, 13)`, fmtTime(since))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var hour string
		var n int
		if err := rows.Scan(&hour, &n); err != nil {
			rows.Close()
			return nil, err
		}
		get(chinaDay(hour)).Entries += n
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows, err = d.db.QueryContext(ctx, `SELECT substr(stored_at, 1, 13), COUNT(*), COALESCE(SUM(size), 0) FROM media
		WHERE stored_at >= ? GROUP BY substr(stored_at, 1, 13)`, fmtTime(since))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var hour string
		var n int
		var bytes int64
		if err := rows.Scan(&hour, &n, &bytes); err != nil {
			return nil, err
		}
		dc := get(chinaDay(hour))
		dc.MediaFiles += n
		dc.MediaBytes += bytes
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]store.DayCount, 0, len(days))
	for _, dc := range days {
		out = append(out, *dc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Day < out[j].Day })
	return out, nil
}

// chinaDay is the China-time day (UTC+8, no daylight saving) of a UTC hour
// written as the first 13 characters of ledger.TimeLayout.
func chinaDay(utcHour string) string {
	t, err := time.Parse("2006-01-02T15", utcHour)
	if err != nil {
		return utcHour
	}
	return t.Add(8 * time.Hour).Format(time.DateOnly)
}
