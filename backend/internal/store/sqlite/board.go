package sqlite

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"lawtrace/backend/internal/store"
)

var _ store.BoardStore = (*DB)(nil)

// BoardModel reads every case of the board's read model.
func (d *DB) BoardModel(ctx context.Context) ([]store.BoardCase, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT case_id, version, head_seq, head_hash, state FROM board_cases`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.BoardCase
	for rows.Next() {
		var c store.BoardCase
		if err := rows.Scan(&c.CaseID, &c.Version, &c.HeadSeq, &c.HeadHash, &c.State); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// SaveBoardModel inserts or replaces cases of the read model.
func (d *DB) SaveBoardModel(ctx context.Context, cases []store.BoardCase) error {
	if len(cases) == 0 {
		return nil
	}
	tx, err := d.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	st, err := tx.PrepareContext(ctx, `INSERT INTO board_cases (case_id, version, head_seq, head_hash, state) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (case_id) DO UPDATE SET version = excluded.version, head_seq = excluded.head_seq, head_hash = excluded.head_hash, state = excluded.state`)
	if err != nil {
		return err
	}
	defer st.Close()
	for _, c := range cases {
		if _, err := st.ExecContext(ctx, c.CaseID, c.Version, c.HeadSeq, c.HeadHash, c.State); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// BoardHeads is the last sequence number of every case but office chains.
func (d *DB) BoardHeads(ctx context.Context) (map[string]int64, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT id, last_seq FROM cases WHERE id NOT IN (SELECT chain_id FROM office_chains)`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var id string
		var seq int64
		if err := rows.Scan(&id, &seq); err != nil {
			return nil, err
		}
		out[id] = seq
	}
	return out, rows.Err()
}

// BoardEntriesAfter reads the entries of each case after its number, in
// one query over the (case_id, seq) index.
func (d *DB) BoardEntriesAfter(ctx context.Context, after map[string]int64) (map[string][]store.CaseRecord, error) {
	out := map[string][]store.CaseRecord{}
	if len(after) == 0 {
		return out, nil
	}
	args := make([]any, 0, 2*len(after))
	for id, seq := range after {
		args = append(args, id, seq)
	}
	rows, err := d.db.QueryContext(ctx, `WITH want (case_id, from_seq) AS (VALUES `+strings.TrimSuffix(strings.Repeat("(?, CAST(? AS BIGINT)), ", len(after)), ", ")+`)
		SELECT e.case_id, e.body, e.clock_skewed FROM want JOIN entries e ON e.case_id = want.case_id AND e.seq > want.from_seq ORDER BY e.case_id, e.seq`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var caseID string
		var r store.CaseRecord
		var body []byte
		if err := rows.Scan(&caseID, &body, &r.ClockSkewed); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(body, &r.Entry); err != nil {
			return nil, fmt.Errorf("case %s: stored entry does not decode: %w", caseID, err)
		}
		out[caseID] = append(out[caseID], r)
	}
	return out, rows.Err()
}

// BoardCaseRows reads the cases, their terminals and their files not yet
// uploaded, without reading the entries.
func (d *DB) BoardCaseRows(ctx context.Context, ids []string, now time.Time) ([]store.CaseRow, error) {
	if ids != nil && len(ids) == 0 {
		return nil, nil
	}
	cond, args := inClause("c.id", ids)
	rows, err := d.db.QueryContext(ctx, `SELECT c.id, c.device_id, COALESCE(dv.name, ''), COALESCE(dv.clock_skewed, 0), COALESCE(dv.revoked_at, ''),
		c.procedure, c.party, c.opened_at, c.last_seq, c.last_step, c.updated_at
		FROM cases c LEFT JOIN devices dv ON dv.id = c.device_id
		WHERE c.id NOT IN (SELECT chain_id FROM office_chains)`+cond+` ORDER BY c.updated_at DESC, c.id`, args...)
	if err != nil {
		return nil, err
	}
	var out []store.CaseRow
	index := map[string]int{}
	for rows.Next() {
		var r store.CaseRow
		var revoked, opened, updated string
		if err := rows.Scan(&r.ID, &r.DeviceID, &r.DeviceName, &r.DeviceSkewed, &revoked, &r.Procedure, &r.Party, &opened, &r.LastSeq, &r.LastStep, &updated); err != nil {
			rows.Close()
			return nil, err
		}
		r.DeviceRevoked = revoked != ""
		r.OpenedAt, r.UpdatedAt = parseTime(opened), parseTime(updated)
		index[r.ID] = len(out)
		out = append(out, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	cond, args = inClause("r.case_id", ids)
	rows, err = d.db.QueryContext(ctx, `SELECT r.case_id, MIN(r.due_at) FROM media_refs r LEFT JOIN media m ON m.hash = r.hash
		WHERE m.hash IS NULL`+cond+` GROUP BY r.case_id, r.hash`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var caseID, due string
		if err := rows.Scan(&caseID, &due); err != nil {
			return nil, err
		}
		i, ok := index[caseID]
		if !ok {
			continue
		}
		r := &out[i]
		r.PendingMedia++
		dueAt := parseTime(due)
		if now.After(dueAt) {
			r.OverdueMedia++
		}
		if r.NextDue.IsZero() || dueAt.Before(r.NextDue) {
			r.NextDue = dueAt
		}
	}
	return out, rows.Err()
}
