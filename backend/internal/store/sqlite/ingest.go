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

// ingestReq is one batch waiting for a group commit, with what does not
// depend on its place in the log, worked out once it has queued (so that
// the group it joins is not taken without it): each entry's stored body,
// calibrated time and log leaf.
type ingestReq struct {
	b        store.Batch
	bodies   [][]byte
	cals     []store.Calibration
	calTimes []string // the calibrated times as stored
	leaves   [][]byte // nil where the entry hash is malformed
	received string   // b.ReceivedAt as stored
	prepErr  error
	prepared chan struct{}  // closed once bodies and cals are worked out
	fresh    []ledger.Entry // the entries the group accepted of this batch
	res      store.IngestResult
	err      error
	done     chan struct{}
}

// prepare works out the stored bodies, calibrated times and log leaves.
func (r *ingestReq) prepare() {
	defer close(r.prepared)
	n := len(r.b.Entries)
	r.bodies, r.cals, r.calTimes, r.leaves = make([][]byte, n), make([]store.Calibration, n), make([]string, n), make([][]byte, n)
	r.received = fmtTime(r.b.ReceivedAt)
	for i := range r.b.Entries {
		e := &r.b.Entries[i]
		if r.bodies[i], r.prepErr = json.Marshal(e); r.prepErr != nil {
			return
		}
		r.cals[i] = store.Calibrate(e, r.b) // the offset in force when the entry was recorded (SPEC S4)
		r.calTimes[i] = fmtTime(r.cals[i].Time)
		r.leaves[i], _ = syncproto.LeafHash(e.Hash) // a malformed hash is refused when the entry is appended
	}
}

// Ingest stores a batch exactly once; see store.Store. Batches that arrive
// while a group is being committed queue; the first of them leads the next
// group: once the log is free it takes the queue and commits it in one
// transaction with one fsync under one signed tree head. Every batch is
// checked against one read of the devices and cases the group involves
// before anything is written, so a refused batch writes nothing
// and does not hold up the others.
func (d *DB) Ingest(ctx context.Context, b store.Batch) (store.IngestResult, error) {
	if d.signer == nil {
		return store.IngestResult{}, errors.New("store opened without the server key cannot ingest")
	}
	if len(b.Entries) == 0 {
		return store.IngestResult{}, syncproto.Errorf(syncproto.CodeUnexpected, "empty batch")
	}
	req := &ingestReq{b: b, prepared: make(chan struct{}), done: make(chan struct{})}
	d.qmu.Lock()
	d.queue = append(d.queue, req)
	leads := len(d.queue) == 1
	d.qmu.Unlock()
	req.prepare()
	if leads {
		d.logMu.Lock()
		d.qmu.Lock()
		group := d.queue
		d.queue = nil
		d.qmu.Unlock()
		d.commitGroup(context.WithoutCancel(ctx), group)
		d.logMu.Unlock()
	}
	<-req.done
	return req.res, req.err
}

// leaf is the log leaf of entry k, or why its hash is none.
func (r *ingestReq) leaf(k int) ([]byte, error) {
	if r.leaves[k] != nil {
		return r.leaves[k], nil
	}
	return syncproto.LeafHash(r.b.Entries[k].Hash)
}

// commitGroup commits a group of batches and answers every request; the
// caller holds logMu. A unique constraint that fires while the group is
// written (which the group's checks did not foresee) undoes the whole
// transaction; then each batch is committed alone, so that only the batch
// at fault is refused.
func (d *DB) commitGroup(ctx context.Context, group []*ingestReq) {
	for _, r := range group {
		<-r.prepared
	}
	accepted, err := d.writeGroup(ctx, group, d.uploadDue(ctx))
	if isUnique(err) {
		if len(group) > 1 {
			for _, r := range group {
				d.commitGroup(ctx, []*ingestReq{r})
			}
			return
		}
		if fresh := group[0].fresh; len(fresh) > 0 {
			err = store.Refuse(store.ErrConflict, syncproto.Errorf(syncproto.CodeConflict, "an entry of device #%d to #%d is already stored under another device or case",
				fresh[0].DeviceSeq, fresh[len(fresh)-1].DeviceSeq))
		}
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

// writeGroup checks every batch of the group, then writes the accepted
// ones in one transaction — cases, entries, media references, device
// numbers, log nodes and the signed tree head, many rows to a statement
// (entries and nodes with COPY on PostgreSQL) — and returns how many
// entries it accepted.
func (d *DB) writeGroup(ctx context.Context, group []*ingestReq, due func(string, time.Time) time.Time) (int, error) {
	conn, err := d.db.Conn(ctx)
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	if d.dialect.WriteLock != "" {
		if _, err := tx.ExecContext(ctx, d.dialect.WriteLock); err != nil {
			return 0, err
		}
	}
	lg, err := d.beginLog(ctx, tx)
	if err != nil {
		return 0, err
	}
	committed := false
	defer func() { lg.close(committed) }()
	lg.rows.conn = conn
	g, err := readGroup(ctx, tx, group)
	if err != nil {
		return 0, err
	}
	accepted := 0
	for _, r := range group {
		r.fresh = nil
		r.res, r.err = g.check(ctx, tx, lg, r, due)
		if r.err != nil {
			if syncproto.AsError(r.err) == nil {
				return 0, r.err // a fault, not a refusal: the whole group fails
			}
			r.res, r.fresh = store.IngestResult{}, nil
		}
		accepted += r.res.Accepted
	}
	if accepted == 0 {
		return 0, nil
	}
	if err := g.write(lg.rows); err != nil {
		return 0, err
	}
	th, err := lg.Sign()
	if err != nil {
		return 0, err
	}
	if err := tx.Commit(); err != nil {
		return 0, err
	}
	committed = true
	for _, r := range group {
		r.res.TreeHead = th
	}
	return accepted, nil
}

// group is what the checks of a group read and change, and the rows the
// accepted batches write.
type group struct {
	devices map[string]*groupDevice // absent: not enrolled
	cases   map[string]*groupCase   // absent: no such case yet
	held    map[string]bool         // ids and hashes of entries the store holds (read for a batch alone)
	taken   map[string]bool         // ids and hashes of entries accepted in this group
	bySeq   map[deviceSeq]heldEntry // entries accepted in this group by device number
	touched []string                // cases to write, in the order first changed

	entryRows, mediaRows [][]any
}

type groupDevice struct {
	lastSeq   int64
	revokedAt string
	changed   bool
}

// groupCase is a case head as the group leaves it.
type groupCase struct {
	head     store.CaseHead
	stored   bool // the row existed before the group
	changed  bool // by a batch of the group
	lastStep string
	updated  string
	open     *caseOpen
	openedAt string // the calibrated time of entry #1, when open
}

type deviceSeq struct {
	device string
	seq    int64
}

type heldEntry struct{ id, hash string }

// readGroup reads, in as few queries as the parameter limits allow, the
// devices and cases the group names and, for a batch alone, which of its
// entry ids and hashes the store already holds.
func readGroup(ctx context.Context, tx *sql.Tx, reqs []*ingestReq) (*group, error) {
	g := &group{devices: map[string]*groupDevice{}, cases: map[string]*groupCase{}, held: map[string]bool{},
		taken: map[string]bool{}, bySeq: map[deviceSeq]heldEntry{}}
	var devices, cases, ids, hashes []string
	seen := map[string]bool{}
	for _, r := range reqs {
		if !seen["d"+r.b.DeviceID] {
			seen["d"+r.b.DeviceID] = true
			devices = append(devices, r.b.DeviceID)
		}
		for i := range r.b.Entries {
			e := &r.b.Entries[i]
			if !seen["c"+e.CaseID] {
				seen["c"+e.CaseID] = true
				cases = append(cases, e.CaseID)
			}
			ids, hashes = append(ids, e.ID), append(hashes, e.Hash)
		}
	}
	type part struct {
		query string
		keys  []string
	}
	parts := []part{
		{`SELECT 'd', id, '', last_seq, revoked_at FROM devices WHERE id IN `, devices},
		{`SELECT 'c', id, device_id, last_seq, last_hash FROM cases WHERE id IN `, cases},
	}
	if len(reqs) == 1 {
		// A batch committed alone is refused naming an entry the store
		// holds under another device or case; in a bigger group the
		// unique constraints catch it without this read, and the group is
		// then committed batch by batch (commitGroup).
		parts = append(parts, part{`SELECT 'e', id, hash, 0, '' FROM entries WHERE id IN `, ids},
			part{`SELECT 'e', id, hash, 0, '' FROM entries WHERE hash IN `, hashes})
	}
	for {
		var selects []string
		var args []any
		budget := maxParams
		for i := range parts {
			n := min(len(parts[i].keys), budget)
			if n == 0 {
				continue
			}
			selects = append(selects, parts[i].query+"("+strings.TrimSuffix(strings.Repeat("?, ", n), ", ")+")")
			for _, k := range parts[i].keys[:n] {
				args = append(args, k)
			}
			parts[i].keys = parts[i].keys[n:]
			budget -= n
		}
		if len(selects) == 0 {
			return g, nil
		}
		if err := g.scan(ctx, tx, strings.Join(selects, " UNION ALL "), args); err != nil {
			return nil, err
		}
	}
}

func (g *group) scan(ctx context.Context, tx *sql.Tx, query string, args []any) error {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var kind, a, b, c string
		var n int64
		if err := rows.Scan(&kind, &a, &b, &n, &c); err != nil {
			return err
		}
		switch kind {
		case "d":
			g.devices[a] = &groupDevice{lastSeq: n, revokedAt: c}
		case "c":
			g.cases[a] = &groupCase{head: store.CaseHead{Owner: b, LastSeq: n, LastHash: c}, stored: true}
		default:
			g.held[a], g.held[b] = true, true
		}
	}
	return rows.Err()
}

// check checks one batch against the group as the batches before it left
// it and, if it is accepted, adds its entries to the group and the log.
func (g *group) check(ctx context.Context, tx *sql.Tx, lg *logAppend, r *ingestReq, due func(string, time.Time) time.Time) (store.IngestResult, error) {
	var res store.IngestResult
	if r.prepErr != nil {
		return res, r.prepErr
	}
	b := r.b
	dv := g.devices[b.DeviceID]
	if dv == nil {
		return res, store.Refuse(store.ErrNotFound, syncproto.Errorf(syncproto.CodeUnknownDevice, "device %s is not enrolled", b.DeviceID))
	}
	if revoked := parseTime(dv.revokedAt); !revoked.IsZero() {
		return res, store.Refuse(store.ErrRevoked, syncproto.Errorf(syncproto.CodeRevoked, "device %s was revoked at %s", b.DeviceID, fmtTime(revoked)))
	}
	last := dv.lastSeq
	// Entries the server already holds: identical ones are skipped,
	// different ones under a taken number are a conflict.
	rest := b.Entries
	if len(rest) > 0 && rest[0].DeviceSeq <= last {
		held, err := g.heldBySeq(ctx, tx, b.DeviceID, rest[0].DeviceSeq, last)
		if err != nil {
			return res, err
		}
		for len(rest) > 0 && rest[0].DeviceSeq <= last {
			e := &rest[0]
			h, ok := held[e.DeviceSeq]
			if !ok {
				return res, fmt.Errorf("device %s entry #%d is below the last accepted #%d but not stored", b.DeviceID, e.DeviceSeq, last)
			}
			if h.id != e.ID || h.hash != e.Hash {
				return res, store.Refuse(store.ErrConflict, syncproto.Errorf(syncproto.CodeConflict, "device #%d is already taken by entry %s (hash %.12s); entry %s (hash %.12s) is a different entry under the same number",
					e.DeviceSeq, h.id, h.hash, e.ID, e.Hash))
			}
			res.Duplicates++
			rest = rest[1:]
		}
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
	mine := map[string]bool{}
	for i := range rest {
		e := &rest[i]
		if g.held[e.ID] || g.held[e.Hash] || g.taken[e.ID] || g.taken[e.Hash] || mine[e.ID] || mine[e.Hash] {
			return res, store.Refuse(store.ErrConflict, syncproto.Errorf(syncproto.CodeConflict, "entry %s (hash %.12s) is already stored under another device or case", e.ID, e.Hash))
		}
		mine[e.ID], mine[e.Hash] = true, true
	}
	first := len(b.Entries) - len(rest) // index in b.Entries of rest[0]
	heads := map[string]*groupCase{}
	var order []string
	for i := range rest {
		e := &rest[i]
		c, ok := heads[e.CaseID]
		if !ok {
			if stored := g.cases[e.CaseID]; stored != nil {
				copied := *stored
				c = &copied
			}
			order = append(order, e.CaseID)
		}
		var head *store.CaseHead
		if c != nil {
			head = &c.head
		}
		if err := store.CheckLink(e, head); err != nil {
			return res, err
		}
		if c == nil {
			c = &groupCase{head: store.CaseHead{Owner: e.DeviceID}}
		}
		c.head.LastSeq, c.head.LastHash, c.lastStep, c.updated = e.Seq, e.Hash, e.Step, r.received
		if e.Seq == 1 {
			c.openedAt = r.calTimes[first+i]
		}
		if e.Step == "case_open" {
			var co caseOpen
			_ = json.Unmarshal(e.Payload, &co)
			c.open = &co
		}
		heads[e.CaseID] = c
	}
	for _, id := range order {
		c := heads[id]
		if c.open != nil && c.openedAt == "" { // case_open after #1, which an earlier group stored
			if err := tx.QueryRowContext(ctx, `SELECT calibrated_time FROM entries WHERE case_id = ? AND seq = 1`, id).Scan(&c.openedAt); err != nil {
				return res, err
			}
		}
		if !c.changed {
			c.changed = true
			g.touched = append(g.touched, id)
		}
		g.cases[id] = c
	}
	for i := range rest {
		e := &rest[i]
		k := first + i
		cal := r.cals[k]
		g.taken[e.ID], g.taken[e.Hash] = true, true
		g.bySeq[deviceSeq{b.DeviceID, e.DeviceSeq}] = heldEntry{e.ID, e.Hash}
		g.entryRows = append(g.entryRows, []any{e.ID, e.CaseID, e.Seq, e.DeviceID, e.DeviceSeq, e.Step, e.Hash, r.bodies[k], e.DeviceTime,
			r.calTimes[k], cal.OffsetMs, boolInt(cal.Skewed), cal.Basis, r.received, int64(lg.Size())})
		g.mediaRows = append(g.mediaRows, mediaRefRows(e, cal.Time, due)...)
		leaf, err := r.leaf(k)
		if err != nil {
			return res, err
		}
		if err := lg.appendLeaf(leaf); err != nil {
			return res, err
		}
	}
	dv.lastSeq, dv.changed = rest[len(rest)-1].DeviceSeq, true
	r.fresh = rest
	res.Accepted, res.UpTo, res.Cases = len(rest), dv.lastSeq, order
	return res, nil
}

// heldBySeq returns the entries of device numbered from..to that the
// store or the group holds.
func (g *group) heldBySeq(ctx context.Context, tx *sql.Tx, deviceID string, from, to int64) (map[int64]heldEntry, error) {
	out := map[int64]heldEntry{}
	rows, err := tx.QueryContext(ctx, `SELECT device_seq, id, hash FROM entries WHERE device_id = ? AND device_seq BETWEEN ? AND ?`, deviceID, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var seq int64
		var h heldEntry
		if err := rows.Scan(&seq, &h.id, &h.hash); err != nil {
			return nil, err
		}
		out[seq] = h
	}
	for seq := from; seq <= to; seq++ {
		if h, ok := g.bySeq[deviceSeq{deviceID, seq}]; ok {
			out[seq] = h
		}
	}
	return out, rows.Err()
}

// entryColumns are the columns of entries a group writes, in the order of
// its entry rows.
var entryColumns = []string{"id", "case_id", "seq", "device_id", "device_seq", "step", "hash", "body", "device_time",
	"calibrated_time", "clock_offset_ms", "clock_skewed", "clock_basis", "received_at", "leaf_index"}

// write stores what the accepted batches of the group brought: the cases
// first (entries refer to them), the entries, their media references and
// the devices' last numbers.
func (g *group) write(w rowWriter) error {
	var caseRows [][]any
	var opened []string
	for _, id := range g.touched {
		c := g.cases[id]
		var procedure, party, openedAt string
		if c.open != nil {
			procedure, party, openedAt = c.open.Procedure, c.open.Party, c.openedAt
			if c.stored {
				opened = append(opened, id)
			}
		}
		caseRows = append(caseRows, []any{id, c.head.Owner, procedure, party, openedAt, c.head.LastSeq, c.head.LastHash, c.lastStep, c.updated})
	}
	if err := w.exec(`INSERT INTO cases (id, device_id, procedure, party, opened_at, last_seq, last_hash, last_step, updated_at) VALUES `,
		` ON CONFLICT (id) DO UPDATE SET last_seq = excluded.last_seq, last_hash = excluded.last_hash, last_step = excluded.last_step, updated_at = excluded.updated_at`,
		caseRows); err != nil {
		return err
	}
	for _, id := range opened {
		c := g.cases[id]
		if _, err := w.tx.ExecContext(w.ctx, `UPDATE cases SET procedure = ?, party = ?, opened_at = ? WHERE id = ?`, c.open.Procedure, c.open.Party, c.openedAt, id); err != nil {
			return err
		}
	}
	if err := w.insert("entries", entryColumns, g.entryRows); err != nil {
		return err
	}
	if err := w.exec(`INSERT INTO media_refs (hash, entry_id, case_id, device_id, kind, declared_size, due_at) VALUES `, ` ON CONFLICT DO NOTHING`, g.mediaRows); err != nil {
		return err
	}
	var devices [][]any
	for id, dv := range g.devices {
		if dv.changed {
			devices = append(devices, []any{id, dv.lastSeq})
		}
	}
	for len(devices) > 0 {
		n := min(len(devices), maxParams/3)
		var q strings.Builder
		args := make([]any, 0, 3*n)
		q.WriteString(`UPDATE devices SET last_seq = CASE id`)
		for _, dv := range devices[:n] {
			q.WriteString(` WHEN ? THEN CAST(? AS BIGINT)`)
			args = append(args, dv...)
		}
		q.WriteString(` END WHERE id IN (` + strings.TrimSuffix(strings.Repeat("?, ", n), ", ") + `)`)
		for _, dv := range devices[:n] {
			args = append(args, dv[0])
		}
		if _, err := w.tx.ExecContext(w.ctx, q.String(), args...); err != nil {
			return err
		}
		devices = devices[n:]
	}
	return nil
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

// maxParams is the most parameters one statement of a group takes, well
// below the limits of SQLite (32,766) and PostgreSQL (65,535).
const maxParams = 6000

// rowWriter writes many rows at a time inside a transaction: with COPY
// when the transaction's driver connection can (package postgres), else
// many rows to an INSERT.
type rowWriter struct {
	ctx  context.Context
	tx   *sql.Tx
	conn *sql.Conn // the transaction's connection; nil: INSERTs only
}

// rowCopier is a driver connection that bulk-loads rows inside its open
// transaction, as PostgreSQL's COPY does.
type rowCopier interface {
	CopyRows(ctx context.Context, table string, columns []string, rows [][]any) error
}

// insert adds rows (values in the order of columns) to table.
func (w rowWriter) insert(table string, columns []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	if w.conn != nil {
		copied := false
		err := w.conn.Raw(func(dc any) error {
			c, ok := dc.(rowCopier)
			if !ok {
				return nil
			}
			copied = true
			return c.CopyRows(w.ctx, table, columns, rows)
		})
		if err != nil || copied {
			return err
		}
	}
	return w.exec(`INSERT INTO `+table+` (`+strings.Join(columns, ", ")+`) VALUES `, ``, rows)
}

// exec runs prefix, a list of rows of placeholders and suffix with the
// values of rows (all of one length), as many rows to a statement as
// maxParams allows.
func (w rowWriter) exec(prefix, suffix string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	columns := len(rows[0])
	mark := "(" + strings.TrimSuffix(strings.Repeat("?, ", columns), ", ") + "), "
	for len(rows) > 0 {
		n := min(len(rows), maxParams/columns)
		args := make([]any, 0, n*columns)
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		if _, err := w.tx.ExecContext(w.ctx, prefix+strings.TrimSuffix(strings.Repeat(mark, n), ", ")+suffix, args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
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

// insertMediaRefs stores the files an entry references with their upload
// deadlines.
func insertMediaRefs(tx *sql.Tx, e *ledger.Entry, recorded time.Time, uploadDue func(string, time.Time) time.Time) error {
	for _, row := range mediaRefRows(e, recorded, uploadDue) {
		if _, err := tx.Exec(`INSERT INTO media_refs (hash, entry_id, case_id, device_id, kind, declared_size, due_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`, row...); err != nil {
			return err
		}
	}
	return nil
}

// mediaRefRows are the media_refs rows of the files an entry references.
func mediaRefRows(e *ledger.Entry, recorded time.Time, uploadDue func(string, time.Time) time.Time) [][]any {
	if len(e.Media) == 0 {
		return nil
	}
	p, _ := ledger.DecodePayload(e.Payload)
	files := map[string]ledger.File{}
	for _, f := range p.Files {
		files[f.Hash] = f
	}
	var rows [][]any
	for _, h := range e.Media {
		f, ok := files[h]
		kind := f.Kind
		if !ok || kind == "" {
			kind = ledger.KindFile
		}
		rows = append(rows, []any{h, e.ID, e.CaseID, e.DeviceID, kind, f.Size, fmtTime(uploadDue(kind, recorded))})
	}
	return rows
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
