package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"lawtrace/backend/internal/store"
	"lawtrace/backend/internal/translog"
	"lawtrace/shared/ledger"
	"lawtrace/shared/syncproto"
)

func jsonMarshal(v any) ([]byte, error) { return json.Marshal(v) }

// caseOpen is what the server reads from a case_open payload.
type caseOpen struct {
	Procedure string `json:"procedure"`
	Party     string `json:"party"`
}

// ingestReq is one batch waiting for a group commit.
type ingestReq struct {
	b    store.Batch
	res  store.IngestResult
	err  error
	done chan struct{}
}

// Ingest stores a batch exactly once; see store.Store. Batches that arrive
// while another commit is under way are committed together (group commit):
// each batch is checked and written under its own savepoint, so a refused
// batch changes nothing and does not hold up the others, and one fsync
// makes the whole group durable under one signed tree head.
func (d *DB) Ingest(ctx context.Context, b store.Batch) (store.IngestResult, error) {
	if d.signer == nil {
		return store.IngestResult{}, errors.New("store opened without the server key cannot ingest")
	}
	if len(b.Entries) == 0 {
		return store.IngestResult{}, syncproto.Errorf(syncproto.CodeUnexpected, "empty batch")
	}
	req := &ingestReq{b: b, done: make(chan struct{})}
	d.qmu.Lock()
	d.queue = append(d.queue, req)
	d.qmu.Unlock()
	d.logMu.Lock()
	select {
	case <-req.done: // committed by the previous leader
	default:
		d.qmu.Lock()
		group := d.queue
		d.queue = nil
		d.qmu.Unlock()
		d.commitGroup(context.WithoutCancel(ctx), group)
	}
	d.logMu.Unlock()
	<-req.done
	return req.res, req.err
}

// commitGroup writes a group of batches in one transaction; the caller
// holds logMu. Every request is answered.
func (d *DB) commitGroup(ctx context.Context, group []*ingestReq) {
	var lg *logAppend
	accepted := 0
	due := d.uploadDue(ctx)
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		if lg, err = d.beginLog(ctx, tx); err != nil {
			return err
		}
		for _, r := range group {
			if _, err := tx.Exec(`SAVEPOINT batch`); err != nil {
				return err
			}
			before := lg.mark()
			r.res, r.err = d.ingestOne(tx, lg, r.b, due)
			if r.err != nil {
				if syncproto.AsError(r.err) == nil {
					return r.err // a fault, not a refusal: the whole group fails
				}
				if _, err := tx.Exec(`ROLLBACK TO batch`); err != nil {
					return err
				}
				lg.reset(before)
				r.res = store.IngestResult{}
			}
			if _, err := tx.Exec(`RELEASE batch`); err != nil {
				return err
			}
			accepted += r.res.Accepted
		}
		if accepted == 0 {
			return nil
		}
		th, err := lg.Sign()
		if err != nil {
			return err
		}
		for _, r := range group {
			r.res.TreeHead = th
		}
		return nil
	})
	if lg != nil {
		lg.close(err == nil && accepted > 0)
	}
	var head syncproto.TreeHead
	if err == nil && accepted == 0 {
		head, err = d.TreeHead(ctx)
	}
	for _, r := range group {
		switch {
		case err != nil:
			r.res, r.err = store.IngestResult{}, err
		case r.err != nil:
			r.res = store.IngestResult{}
		case accepted == 0:
			r.res.TreeHead = head
		}
		close(r.done)
	}
}

// ingestOne checks and writes one batch inside the group's transaction,
// appending its leaves to the log.
func (d *DB) ingestOne(tx *sql.Tx, lg *logAppend, b store.Batch, due func(string, time.Time) time.Time) (store.IngestResult, error) {
	var res store.IngestResult
	dv, err := getDevice(tx, b.DeviceID)
	if errors.Is(err, store.ErrNotFound) {
		return res, store.Refuse(store.ErrNotFound, syncproto.Errorf(syncproto.CodeUnknownDevice, "device %s is not enrolled", b.DeviceID))
	}
	if err != nil {
		return res, err
	}
	if dv.Revoked() {
		return res, store.Refuse(store.ErrRevoked, syncproto.Errorf(syncproto.CodeRevoked, "device %s was revoked at %s", dv.ID, fmtTime(dv.RevokedAt)))
	}
	last := dv.LastSeq
	// Entries the server already holds: identical ones are skipped,
	// different ones under a taken number are a conflict.
	rest := b.Entries
	for len(rest) > 0 && rest[0].DeviceSeq <= last {
		e := &rest[0]
		var id, hash string
		err := tx.QueryRow(`SELECT id, hash FROM entries WHERE device_id = ? AND device_seq = ?`, b.DeviceID, e.DeviceSeq).Scan(&id, &hash)
		if err != nil {
			return res, fmt.Errorf("device %s entry #%d is below the last accepted #%d but not stored: %w", b.DeviceID, e.DeviceSeq, last, err)
		}
		if id != e.ID || hash != e.Hash {
			return res, store.Refuse(store.ErrConflict, syncproto.Errorf(syncproto.CodeConflict, "device #%d is already taken by entry %s (hash %.12s); entry %s (hash %.12s) is a different entry under the same number",
				e.DeviceSeq, id, hash, e.ID, e.Hash))
		}
		res.Duplicates++
		rest = rest[1:]
	}
	res.UpTo = last
	if len(rest) == 0 {
		return res, nil
	}
	if rest[0].DeviceSeq != last+1 {
		e := syncproto.Errorf(syncproto.CodeGap, "the server has device entries up to #%d; this batch starts at #%d, so #%d to #%d are missing: send from #%d",
			last, rest[0].DeviceSeq, last+1, rest[0].DeviceSeq-1, last+1)
		e.Expect = last + 1
		return res, store.Refuse(store.ErrGap, e)
	}
	if err := storedElsewhere(tx, rest); err != nil {
		return res, err
	}
	heads := map[string]*store.CaseHead{}
	opened := map[string]caseOpen{}
	rows := make([]any, 0, entryColumns*len(rest))
	calibrated := make([]time.Time, len(rest))
	for i := range rest {
		e := &rest[i]
		head, ok := heads[e.CaseID]
		if !ok {
			if head, err = caseHead(tx, e.CaseID); err != nil {
				return res, err
			}
		}
		if err := store.CheckLink(e, head); err != nil {
			return res, err
		}
		if head == nil {
			if _, err := tx.Exec(`INSERT INTO cases (id, device_id, last_seq, last_hash, last_step, updated_at) VALUES (?, ?, 0, ?, '', ?)`,
				e.CaseID, e.DeviceID, ledger.GenesisHash, fmtTime(b.ReceivedAt)); err != nil {
				return res, err
			}
			head = &store.CaseHead{Owner: e.DeviceID}
		}
		heads[e.CaseID] = &store.CaseHead{Owner: head.Owner, LastSeq: e.Seq, LastHash: e.Hash}
		if e.Step == "case_open" {
			var co caseOpen
			_ = json.Unmarshal(e.Payload, &co)
			opened[e.CaseID] = co
		}
		body, err := json.Marshal(e)
		if err != nil {
			return res, err
		}
		cal := store.Calibrate(e, b) // the offset in force when the entry was recorded (SPEC S4)
		calibrated[i] = cal.Time
		rows = append(rows, e.ID, e.CaseID, e.Seq, e.DeviceID, e.DeviceSeq, e.Step, e.Hash, body, e.DeviceTime,
			fmtTime(cal.Time), cal.OffsetMs, cal.Skewed, cal.Basis, fmtTime(b.ReceivedAt), lg.Size())
		if err := lg.Append(e.Hash); err != nil {
			return res, err
		}
		res.Accepted++
	}
	if err := insertEntries(tx, rows); err != nil {
		if isUnique(err) {
			return res, store.Refuse(store.ErrConflict, syncproto.Errorf(syncproto.CodeConflict, "an entry of device #%d to #%d is already stored under another device or case",
				rest[0].DeviceSeq, rest[len(rest)-1].DeviceSeq))
		}
		return res, err
	}
	for i := range rest {
		if err := insertMediaRefs(tx, &rest[i], calibrated[i], due); err != nil {
			return res, err
		}
	}
	for id, h := range heads {
		if _, err := tx.Exec(`UPDATE cases SET last_seq = ?, last_hash = ?, last_step = (SELECT step FROM entries WHERE case_id = ? AND seq = ?), updated_at = ? WHERE id = ?`,
			h.LastSeq, h.LastHash, id, h.LastSeq, fmtTime(b.ReceivedAt), id); err != nil {
			return res, err
		}
		if co, ok := opened[id]; ok {
			var openedAt string
			if err := tx.QueryRow(`SELECT calibrated_time FROM entries WHERE case_id = ? AND seq = 1`, id).Scan(&openedAt); err != nil {
				return res, err
			}
			if _, err := tx.Exec(`UPDATE cases SET procedure = ?, party = ?, opened_at = ? WHERE id = ?`, co.Procedure, co.Party, openedAt, id); err != nil {
				return res, err
			}
		}
		res.Cases = append(res.Cases, id)
	}
	res.UpTo = rest[len(rest)-1].DeviceSeq
	if _, err := tx.Exec(`UPDATE devices SET last_seq = ? WHERE id = ?`, res.UpTo, b.DeviceID); err != nil {
		return res, err
	}
	return res, nil
}

// entryColumns are the columns insertEntries writes, in the order of its
// rows' values; entryRows is how many rows one INSERT writes (well below
// the parameter limits of SQLite and PostgreSQL).
const (
	entryColumns = 15
	entryRows    = 400
)

// insertEntries writes entries many rows to a statement (a round trip each
// on PostgreSQL); rows holds entryColumns values per entry.
func insertEntries(tx *sql.Tx, rows []any) error {
	for len(rows) > 0 {
		n := min(len(rows)/entryColumns, entryRows)
		q := `INSERT INTO entries (id, case_id, seq, device_id, device_seq, step, hash, body, device_time,
			calibrated_time, clock_offset_ms, clock_skewed, clock_basis, received_at, leaf_index) VALUES ` +
			strings.TrimSuffix(strings.Repeat("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?), ", n), ", ")
		if _, err := tx.Exec(q, rows[:n*entryColumns]...); err != nil {
			return err
		}
		rows = rows[n*entryColumns:]
	}
	return nil
}

// storedElsewhere refuses a batch holding an entry the server stores
// under another device or case (same id or hash), naming it.
func storedElsewhere(tx *sql.Tx, es []ledger.Entry) error {
	byKey := make(map[string]*ledger.Entry, 2*len(es))
	args := make([]any, 0, 2*len(es))
	for i := range es {
		byKey[es[i].ID], byKey[es[i].Hash] = &es[i], &es[i]
		args = append(args, es[i].ID)
	}
	for i := range es {
		args = append(args, es[i].Hash)
	}
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(es)), ", ")
	var id, hash string
	err := tx.QueryRow(`SELECT id, hash FROM entries WHERE id IN (`+marks+`)
		UNION ALL SELECT id, hash FROM entries WHERE hash IN (`+marks+`) LIMIT 1`, args...).Scan(&id, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	e := byKey[id]
	if e == nil {
		e = byKey[hash]
	}
	return store.Refuse(store.ErrConflict, syncproto.Errorf(syncproto.CodeConflict, "entry %s (hash %.12s) is already stored under another device or case", e.ID, e.Hash))
}

func isUnique(err error) bool {
	return err != nil && (strings.Contains(err.Error(), "UNIQUE constraint failed") || // SQLite
		strings.Contains(err.Error(), "(SQLSTATE 23505)")) // PostgreSQL's unique_violation
}

func caseHead(tx *sql.Tx, caseID string) (*store.CaseHead, error) {
	var h store.CaseHead
	err := tx.QueryRow(`SELECT device_id, last_seq, last_hash FROM cases WHERE id = ?`, caseID).Scan(&h.Owner, &h.LastSeq, &h.LastHash)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &h, nil
}

func insertMediaRefs(tx *sql.Tx, e *ledger.Entry, recorded time.Time, uploadDue func(string, time.Time) time.Time) error {
	if len(e.Media) == 0 {
		return nil
	}
	p, _ := ledger.DecodePayload(e.Payload)
	files := map[string]ledger.File{}
	for _, f := range p.Files {
		files[f.Hash] = f
	}
	for _, h := range e.Media {
		f, ok := files[h]
		kind := f.Kind
		if !ok || kind == "" {
			kind = ledger.KindFile
		}
		due := uploadDue(kind, recorded)
		if _, err := tx.Exec(`INSERT INTO media_refs (hash, entry_id, case_id, device_id, kind, declared_size, due_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			h, e.ID, e.CaseID, e.DeviceID, kind, f.Size, fmtTime(due)); err != nil {
			return err
		}
	}
	return nil
}

// treeAt returns a copy of the log's right edge at size, from the cache if
// it is current, otherwise rebuilt from stored nodes (another writer, or a
// restart).
func (d *DB) treeAt(ctx context.Context, tx *sql.Tx, size uint64) (*translog.Tree, error) {
	if d.tree != nil && d.tree.Size() == size {
		return d.tree.Clone(), nil
	}
	if size == 0 {
		return translog.New(), nil
	}
	return translog.Restore(size, d.nodeReader(ctx, tx))
}

type queryer interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
}

// nodeReader reads log nodes through the cache. Only committed nodes are
// cached, so reading inside a transaction is safe too.
func (d *DB) nodeReader(ctx context.Context, q queryer) translog.NodeReader {
	return func(ids []translog.NodeID) ([][]byte, error) {
		out := make([][]byte, len(ids))
		for i, id := range ids {
			if h, ok := d.nodes.get(id); ok {
				out[i] = h
				continue
			}
			var h []byte
			if err := q.QueryRowContext(ctx, `SELECT hash FROM log_nodes WHERE level = ? AND idx = ?`, id.Level, id.Index).Scan(&h); err != nil {
				return nil, fmt.Errorf("log node (%d, %d): %w", id.Level, id.Index, err)
			}
			if _, isTx := q.(*sql.Tx); !isTx {
				d.nodes.put(id, h)
			}
			out[i] = h
		}
		return out, nil
	}
}

func (d *DB) ensureEmptyHead(ctx context.Context) error {
	return d.inTx(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRow(`SELECT COUNT(*) FROM tree_heads`).Scan(&n); err != nil || n > 0 {
			return err
		}
		lg, err := d.beginLog(ctx, tx)
		if err != nil {
			return err
		}
		defer lg.close(false) // nothing appended to cache
		_, err = lg.Sign()
		return err
	})
}

// TreeHead returns the newest signed tree head.
func (d *DB) TreeHead(ctx context.Context) (syncproto.TreeHead, error) {
	var th syncproto.TreeHead
	err := d.db.QueryRowContext(ctx, `SELECT size, root, timestamp, signature FROM tree_heads ORDER BY size DESC LIMIT 1`).
		Scan(&th.Size, &th.Root, &th.Timestamp, &th.Signature)
	if errors.Is(err, sql.ErrNoRows) {
		return syncproto.TreeHead{Root: syncproto.EmptyRoot()}, nil
	}
	return th, err
}

// TreeHeads lists every signed tree head, smallest first.
func (d *DB) TreeHeads(ctx context.Context) ([]syncproto.TreeHead, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT size, root, timestamp, signature FROM tree_heads ORDER BY size`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []syncproto.TreeHead
	for rows.Next() {
		var th syncproto.TreeHead
		if err := rows.Scan(&th.Size, &th.Root, &th.Timestamp, &th.Signature); err != nil {
			return nil, err
		}
		out = append(out, th)
	}
	return out, rows.Err()
}

// TreeHeadAt returns the signed tree head of exactly size.
func (d *DB) TreeHeadAt(ctx context.Context, size uint64) (syncproto.TreeHead, error) {
	var th syncproto.TreeHead
	err := d.db.QueryRowContext(ctx, `SELECT size, root, timestamp, signature FROM tree_heads WHERE size = ?`, size).
		Scan(&th.Size, &th.Root, &th.Timestamp, &th.Signature)
	if errors.Is(err, sql.ErrNoRows) {
		return th, store.ErrNotFound
	}
	return th, err
}

// ProofsBySeq proves the device's entries by number.
func (d *DB) ProofsBySeq(ctx context.Context, deviceID string, seqs []int64, size uint64) ([]syncproto.InclusionProof, error) {
	read := d.nodeReader(ctx, d.db)
	var out []syncproto.InclusionProof
	if len(seqs) == 0 {
		return out, nil
	}
	lo, hi := seqs[0], seqs[0]
	for _, s := range seqs {
		lo, hi = min(lo, s), max(hi, s)
	}
	rows, err := d.db.QueryContext(ctx, `SELECT device_seq, id, hash, leaf_index FROM entries WHERE device_id = ? AND device_seq BETWEEN ? AND ?`, deviceID, lo, hi)
	if err != nil {
		return nil, err
	}
	found := map[int64]syncproto.InclusionProof{}
	for rows.Next() {
		var p syncproto.InclusionProof
		if err := rows.Scan(&p.DeviceSeq, &p.EntryID, &p.EntryHash, &p.LeafIndex); err != nil {
			rows.Close()
			return nil, err
		}
		found[p.DeviceSeq] = p
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, seq := range seqs {
		p, ok := found[seq]
		if !ok || p.LeafIndex >= size {
			continue
		}
		if p.Hashes, err = translog.InclusionProof(p.LeafIndex, size, read); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

// ProofByEntry proves one entry by id in the log of size.
func (d *DB) ProofByEntry(ctx context.Context, entryID string, size uint64) (syncproto.InclusionProof, error) {
	p := syncproto.InclusionProof{EntryID: entryID}
	err := d.db.QueryRowContext(ctx, `SELECT device_seq, hash, leaf_index FROM entries WHERE id = ?`, entryID).Scan(&p.DeviceSeq, &p.EntryHash, &p.LeafIndex)
	if errors.Is(err, sql.ErrNoRows) {
		return p, store.ErrNotFound
	}
	if err != nil {
		return p, err
	}
	if p.LeafIndex >= size {
		return p, fmt.Errorf("entry %s is leaf %d, not in a log of size %d", entryID, p.LeafIndex, size)
	}
	p.Hashes, err = translog.InclusionProof(p.LeafIndex, size, d.nodeReader(ctx, d.db))
	return p, err
}

// Consistency proves the log of size2 extends the log of size1.
func (d *DB) Consistency(ctx context.Context, size1, size2 uint64) ([][]byte, error) {
	return translog.ConsistencyProof(size1, size2, d.nodeReader(ctx, d.db))
}
