package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"lawtrace/backend/internal/publicity"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/ledger"
)

var _ store.Publicity = (*DB)(nil)

func notFound(what string) error {
	return fmt.Errorf("%s: %w (%w)", what, store.ErrNotFound, publicity.ErrNotFound)
}

func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func pubColumns(d publicity.Decision) (pubNumber, pubParty string) {
	if d.Public != nil {
		return d.Public.Number, d.Public.Party
	}
	return "", ""
}

// PutPublication adds a decision to the publication queue.
func (d *DB) PutPublication(ctx context.Context, p publicity.Decision) (publicity.Decision, error) {
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		body, err := json.Marshal(p)
		if err != nil {
			return err
		}
		num, party := pubColumns(p)
		err = tx.QueryRowContext(ctx, `INSERT INTO publications (case_id, number, kind, party_kind, state, decided_at, queued_at, published_at, expires_at, pub_number, pub_party, body)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, nullable(p.CaseID), p.Number, p.Kind, p.PartyKind, p.State, p.DecidedAt,
			fmtTime(p.QueuedAt), fmtTime(p.PublishedAt), fmtTime(p.ExpiresAt), num, party, string(body)).Scan(&p.ID)
		if isUnique(err) {
			return fmt.Errorf("decision %s: %w", p.Number, publicity.ErrExists)
		}
		if err != nil {
			return err
		}
		return writePublication(ctx, tx, p)
	})
	return p, err
}

func writePublication(ctx context.Context, tx *sql.Tx, p publicity.Decision) error {
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	num, party := pubColumns(p)
	_, err = tx.ExecContext(ctx, `UPDATE publications SET state = ?, published_at = ?, expires_at = ?, pub_number = ?, pub_party = ?, body = ? WHERE id = ?`,
		p.State, fmtTime(p.PublishedAt), fmtTime(p.ExpiresAt), num, party, string(body), p.ID)
	return err
}

func scanPublication(r rowScanner) (publicity.Decision, error) {
	var id int64
	var body string
	var p publicity.Decision
	if err := r.Scan(&id, &body); err != nil {
		return p, err
	}
	if err := json.Unmarshal([]byte(body), &p); err != nil {
		return p, fmt.Errorf("publication %d: %w", id, err)
	}
	p.ID = id
	return p, nil
}

// Publication reads one publication.
func (d *DB) Publication(ctx context.Context, id int64) (publicity.Decision, error) {
	p, err := scanPublication(d.db.QueryRowContext(ctx, `SELECT id, body FROM publications WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return p, notFound(fmt.Sprintf("publication %d", id))
	}
	return p, err
}

// PublicationByCase reads the publication of a case.
func (d *DB) PublicationByCase(ctx context.Context, caseID string) (publicity.Decision, error) {
	p, err := scanPublication(d.db.QueryRowContext(ctx, `SELECT id, body FROM publications WHERE case_id = ?`, caseID))
	if errors.Is(err, sql.ErrNoRows) {
		return p, notFound("publication of case " + caseID)
	}
	return p, err
}

// UpdatePublication changes a publication in one transaction.
func (d *DB) UpdatePublication(ctx context.Context, id int64, fn func(*publicity.Decision) error) (publicity.Decision, error) {
	var p publicity.Decision
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		p, err = scanPublication(tx.QueryRowContext(ctx, `SELECT id, body FROM publications WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound(fmt.Sprintf("publication %d", id))
		}
		if err != nil {
			return err
		}
		if err := fn(&p); err != nil {
			return err
		}
		p.ID = id
		return writePublication(ctx, tx, p)
	})
	return p, err
}

// Publications lists publications by the query.
func (d *DB) Publications(ctx context.Context, q publicity.Query) ([]publicity.Decision, int, error) {
	var where []string
	var args []any
	if q.Public {
		where = append(where, `state = 'published'`, `(expires_at = '' OR expires_at > ?)`)
		args = append(args, fmtTime(q.Now))
	} else if len(q.States) > 0 {
		where = append(where, `state IN (`+strings.TrimSuffix(strings.Repeat("?,", len(q.States)), ",")+`)`)
		for _, s := range q.States {
			args = append(args, s)
		}
	}
	if !q.ExpiredBy.IsZero() {
		where = append(where, `expires_at != '' AND expires_at <= ?`)
		args = append(args, fmtTime(q.ExpiredBy))
	}
	if n := strings.TrimSpace(q.Number); n != "" {
		where = append(where, `(pub_number = ? OR pub_number LIKE ? ESCAPE '\')`)
		args = append(args, n, likeEscape(n)+"%")
	}
	if o := strings.TrimSpace(q.Org); o != "" {
		where = append(where, `party_kind = 'org' AND pub_party LIKE ? ESCAPE '\'`)
		args = append(args, "%"+likeEscape(o)+"%")
	}
	if dt := strings.TrimSpace(q.Date); dt != "" {
		where = append(where, `decided_at = ?`)
		args = append(args, dt)
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := d.db.QueryRowContext(ctx, `SELECT count(*) FROM publications`+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	order := ` ORDER BY queued_at DESC, id DESC`
	if q.Public {
		order = ` ORDER BY state, published_at DESC, id DESC`
	}
	limit := q.Limit
	switch {
	case limit == 0:
		limit = 50
	case limit < 0:
		limit = math.MaxInt64 // every row (PostgreSQL refuses LIMIT -1)
	}
	rows, err := d.db.QueryContext(ctx, `SELECT id, body FROM publications`+cond+order+` LIMIT ? OFFSET ?`, append(args, limit, max(q.Offset, 0))...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []publicity.Decision
	for rows.Next() {
		p, err := scanPublication(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, p)
	}
	return out, total, rows.Err()
}

func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}

// PutCorrection stores a correction request.
func (d *DB) PutCorrection(ctx context.Context, c publicity.Correction) (publicity.Correction, error) {
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO publication_corrections (decision_id, state, at, body) VALUES (?, ?, ?, '{}') RETURNING id`,
			c.DecisionID, c.State, fmtTime(c.At)).Scan(&c.ID); err != nil {
			return err
		}
		return writeCorrection(ctx, tx, c)
	})
	return c, err
}

func writeCorrection(ctx context.Context, tx *sql.Tx, c publicity.Correction) error {
	body, err := json.Marshal(c)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE publication_corrections SET state = ?, body = ? WHERE id = ?`, c.State, string(body), c.ID)
	return err
}

func scanCorrection(r rowScanner) (publicity.Correction, error) {
	var id int64
	var body string
	var c publicity.Correction
	if err := r.Scan(&id, &body); err != nil {
		return c, err
	}
	err := json.Unmarshal([]byte(body), &c)
	c.ID = id
	return c, err
}

// UpdateCorrection changes a correction request in one transaction.
func (d *DB) UpdateCorrection(ctx context.Context, id int64, fn func(*publicity.Correction) error) (publicity.Correction, error) {
	var c publicity.Correction
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		c, err = scanCorrection(tx.QueryRowContext(ctx, `SELECT id, body FROM publication_corrections WHERE id = ?`, id))
		if errors.Is(err, sql.ErrNoRows) {
			return notFound(fmt.Sprintf("correction %d", id))
		}
		if err != nil {
			return err
		}
		if err := fn(&c); err != nil {
			return err
		}
		c.ID = id
		return writeCorrection(ctx, tx, c)
	})
	return c, err
}

// Corrections lists correction requests, oldest first.
func (d *DB) Corrections(ctx context.Context, decisionID int64, openOnly bool) ([]publicity.Correction, error) {
	q := `SELECT id, body FROM publication_corrections WHERE 1 = 1`
	var args []any
	if decisionID != 0 {
		q += ` AND decision_id = ?`
		args = append(args, decisionID)
	}
	if openOnly {
		q += ` AND state = 'open'`
	}
	rows, err := d.db.QueryContext(ctx, q+` ORDER BY id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []publicity.Correction
	for rows.Next() {
		c, err := scanCorrection(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// PublishedIndex lists what the public list holds at now, newest first.
func (d *DB) PublishedIndex(ctx context.Context, now time.Time) ([]store.PublishedRef, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT id, published_at FROM publications WHERE state = 'published' AND (expires_at = '' OR expires_at > ?)
		ORDER BY published_at DESC, id DESC`, fmtTime(now))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.PublishedRef
	for rows.Next() {
		var r store.PublishedRef
		var at string
		if err := rows.Scan(&r.ID, &at); err != nil {
			return nil, err
		}
		r.PublishedAt = parseTime(at)
		out = append(out, r)
	}
	return out, rows.Err()
}

// ---- the annual statistics (SPEC P6) ----

var _ publicity.AnnualRepo = (*DB)(nil)

// AnnualReport reads a year's report.
func (d *DB) AnnualReport(ctx context.Context, year int) (publicity.AnnualReport, error) {
	var body string
	var r publicity.AnnualReport
	err := d.db.QueryRowContext(ctx, `SELECT body FROM annual_reports WHERE year = ?`, year).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return r, notFound(fmt.Sprintf("annual report %d", year))
	}
	if err != nil {
		return r, err
	}
	return r, json.Unmarshal([]byte(body), &r)
}

// PutAnnualReport stores a year's report.
func (d *DB) PutAnnualReport(ctx context.Context, r publicity.AnnualReport) error {
	body, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return d.inTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO annual_reports (year, state, published_at, body) VALUES (?, ?, ?, ?)
			ON CONFLICT (year) DO UPDATE SET state = excluded.state, published_at = excluded.published_at, body = excluded.body`,
			r.Year, r.State, fmtTime(r.PublishedAt), string(body))
		return err
	})
}

// AnnualReports lists the stored reports, newest year first.
func (d *DB) AnnualReports(ctx context.Context) ([]publicity.AnnualReport, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT body FROM annual_reports ORDER BY year DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []publicity.AnnualReport
	for rows.Next() {
		var body string
		var r publicity.AnnualReport
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(body), &r); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// YearSteps lists the entries of the given kinds recorded (calibrated
// time) in [from, to): those of terminal cases with the case's procedure,
// and those of office chains under the terminal case they belong to.
func (d *DB) YearSteps(ctx context.Context, from, to time.Time, steps []string) ([]publicity.StepRecord, error) {
	if len(steps) == 0 {
		return nil, nil
	}
	args := []any{}
	for _, s := range steps {
		args = append(args, s)
	}
	args = append(args, fmtTime(from), fmtTime(to))
	rows, err := d.db.QueryContext(ctx, `SELECT e.case_id, COALESCE(oc.case_id, ''), COALESCE(c.procedure, ''), e.step, e.calibrated_time, e.body
		FROM entries e
		LEFT JOIN office_chains oc ON oc.chain_id = e.case_id
		LEFT JOIN cases c ON c.id = COALESCE(oc.case_id, e.case_id)
		WHERE e.step IN (?`+strings.Repeat(", ?", len(steps)-1)+`) AND e.calibrated_time >= ? AND e.calibrated_time < ?
		ORDER BY e.calibrated_time, e.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []publicity.StepRecord
	for rows.Next() {
		var chain, owner, at string
		var body []byte
		var r publicity.StepRecord
		if err := rows.Scan(&chain, &owner, &r.Procedure, &r.Step, &at, &body); err != nil {
			return nil, err
		}
		r.CaseID, r.At = chain, parseTime(at)
		if owner != "" {
			r.CaseID, r.Office = owner, true
		}
		var e ledger.Entry
		var p ledger.Payload
		if json.Unmarshal(body, &e) == nil && json.Unmarshal(e.Payload, &p) == nil {
			r.Fields = p.Fields
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// FirstActivity is the earliest case opening or decision date.
func (d *DB) FirstActivity(ctx context.Context) (time.Time, error) {
	var opened, decided sql.NullString
	if err := d.db.QueryRowContext(ctx, `SELECT min(opened_at) FROM cases WHERE opened_at != '' AND id NOT IN (SELECT chain_id FROM office_chains)`).Scan(&opened); err != nil {
		return time.Time{}, err
	}
	if err := d.db.QueryRowContext(ctx, `SELECT min(decided_at) FROM publications`).Scan(&decided); err != nil {
		return time.Time{}, err
	}
	first := parseTime(opened.String)
	if t, err := time.ParseInLocation(time.DateOnly, decided.String, publicity.ChinaTime); err == nil && (first.IsZero() || t.Before(first)) {
		first = t
	}
	return first, nil
}
