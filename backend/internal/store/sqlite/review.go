package sqlite

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"lawtrace/backend/internal/store"
	"lawtrace/shared/deadline"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
	"lawtrace/shared/syncproto"
)

var _ store.OfficeStore = (*DB)(nil)

// serverSignerName is the devices row that holds the server's own entries:
// entries and cases reference a device, and the exactly-once check counts
// the server's numbers like any terminal's.
const serverSignerName = "lawtrace-server (server-signed office entries)"

// reader is what both *sql.DB and *sql.Tx offer.
type officeReader interface {
	QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row
	QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error)
}

func (d *DB) officeSignerID() string {
	return syncproto.ServerIDFor(d.signer.Public().(ed25519.PublicKey))
}

// Office reads a terminal case and its office chain.
func (d *DB) Office(ctx context.Context, caseID string) (store.OfficeCase, error) {
	return readOfficeCase(ctx, d.db, caseID)
}

func readOfficeCase(ctx context.Context, q officeReader, caseID string) (store.OfficeCase, error) {
	oc := store.OfficeCase{ChainID: caseID + store.OfficeChainSuffix}
	ci, err := officeCaseInfo(ctx, q, caseID)
	if err != nil {
		return oc, err
	}
	oc.Case = ci
	rows, err := q.QueryContext(ctx, `SELECT body FROM entries WHERE case_id = ? ORDER BY seq`, oc.ChainID)
	if err != nil {
		return oc, err
	}
	defer rows.Close()
	for rows.Next() {
		var body []byte
		if err := rows.Scan(&body); err != nil {
			return oc, err
		}
		var e ledger.Entry
		if err := json.Unmarshal(body, &e); err != nil {
			return oc, fmt.Errorf("office chain of %s: stored entry does not decode: %w", caseID, err)
		}
		oc.Chain = append(oc.Chain, e)
	}
	return oc, rows.Err()
}

// officeOpenPayload is what the office reads from a case_open entry.
type officeOpenPayload struct {
	Procedure       string `json:"procedure"`
	Party           string `json:"party"`
	PartyKind       string `json:"party_kind"`
	Source          string `json:"source"`
	EmergencyReason string `json:"emergency_reason"`
	Officers        []struct {
		Cert string `json:"cert"`
	} `json:"officers"`
}

func (p officeOpenPayload) apply(ci *store.CaseInfo) {
	ci.PartyKind, ci.Source, ci.Emergency = p.PartyKind, p.Source, strings.TrimSpace(p.EmergencyReason)
	if ci.Procedure == "" {
		ci.Procedure = p.Procedure
	}
	if ci.Party == "" {
		ci.Party = p.Party
	}
	ci.Officers = ci.Officers[:0]
	for _, o := range p.Officers {
		ci.Officers = append(ci.Officers, o.Cert)
	}
}

// addJoined adds the officers an officer_join entry brought to the case.
func addJoined(ci *store.CaseInfo, body []byte) {
	var e ledger.Entry
	var p officeOpenPayload
	if json.Unmarshal(body, &e) != nil || json.Unmarshal(e.Payload, &p) != nil {
		return
	}
	for _, o := range p.Officers {
		if o.Cert != "" && !slices.Contains(ci.Officers, o.Cert) {
			ci.Officers = append(ci.Officers, o.Cert)
		}
	}
}

func officeCaseInfo(ctx context.Context, q officeReader, caseID string) (store.CaseInfo, error) {
	var ci store.CaseInfo
	var opened string
	var office int
	err := q.QueryRowContext(ctx, `SELECT id, device_id, procedure, party, opened_at, last_seq, last_hash, last_step,
		(SELECT COUNT(*) FROM office_chains WHERE chain_id = cases.id) FROM cases WHERE id = ?`, caseID).
		Scan(&ci.ID, &ci.DeviceID, &ci.Procedure, &ci.Party, &opened, &ci.LastSeq, &ci.LastHash, &ci.LastStep, &office)
	if errors.Is(err, sql.ErrNoRows) || office > 0 {
		return ci, store.ErrNotFound
	}
	if err != nil {
		return ci, err
	}
	ci.Opened = parseTime(opened)
	ci.Officers = []string{}
	var body []byte
	err = q.QueryRowContext(ctx, `SELECT body FROM entries WHERE case_id = ? AND seq = 1 AND step = 'case_open'`, caseID).Scan(&body)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return ci, err
	}
	if len(body) > 0 {
		var e ledger.Entry
		var p officeOpenPayload
		if json.Unmarshal(body, &e) == nil && json.Unmarshal(e.Payload, &p) == nil {
			p.apply(&ci)
		}
	}
	joins, err := q.QueryContext(ctx, `SELECT body FROM entries WHERE case_id = ? AND step = 'officer_join' ORDER BY seq`, caseID)
	if err != nil {
		return ci, err
	}
	for joins.Next() {
		var body []byte
		if err := joins.Scan(&body); err != nil {
			joins.Close()
			return ci, err
		}
		addJoined(&ci, body)
	}
	joins.Close()
	if err := joins.Err(); err != nil {
		return ci, err
	}
	rows, err := q.QueryContext(ctx, `SELECT step, MIN(calibrated_time) FROM entries WHERE case_id = ? AND step IN ('close_scene', 'on_spot_decision') GROUP BY step`, caseID)
	if err != nil {
		return ci, err
	}
	defer rows.Close()
	for rows.Next() {
		var step, at string
		if err := rows.Scan(&step, &at); err != nil {
			return ci, err
		}
		if step == "close_scene" {
			ci.SceneClosed = parseTime(at)
		} else {
			ci.OnSpotDecision = parseTime(at)
		}
	}
	return ci, rows.Err()
}

// AppendOffice appends a server-signed entry to the case's office chain,
// mirroring Ingest: under the log lock, in one transaction, the entry, its
// media references, the log leaf and nodes, the chain head, the server
// signer's number and a new signed tree head.
func (d *DB) AppendOffice(ctx context.Context, caseID string, build func(store.OfficeCase) (store.OfficeDraft, error)) (ledger.Entry, syncproto.TreeHead, error) {
	var e ledger.Entry
	var th syncproto.TreeHead
	if d.signer == nil {
		return e, th, errors.New("store opened without the server key cannot sign office entries")
	}
	serverID := d.officeSignerID()
	due := d.uploadDue(ctx)
	d.logMu.Lock()
	defer d.logMu.Unlock()
	var lg *logAppend
	ctx = context.WithoutCancel(ctx)
	err := d.inTx(ctx, func(tx *sql.Tx) error {
		oc, err := readOfficeCase(ctx, tx, caseID)
		if err != nil {
			return err
		}
		draft, err := build(oc)
		if err != nil {
			return err
		}
		if draft.Step == "" || draft.At.IsZero() {
			return errors.New("an office entry needs a step and a time")
		}
		at := fmtTime(draft.At)
		if _, err := tx.Exec(`INSERT INTO devices (id, name, public_key, enrolled_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`,
			serverID, serverSignerName, []byte(d.signer.Public().(ed25519.PublicKey)), at); err != nil {
			return err
		}
		head, err := caseHead(tx, oc.ChainID)
		if err != nil {
			return err
		}
		if head == nil {
			if _, err := tx.Exec(`INSERT INTO cases (id, device_id, last_seq, last_hash, last_step, updated_at, opened_at) VALUES (?, ?, 0, ?, '', ?, ?)`,
				oc.ChainID, serverID, ledger.GenesisHash, at, at); err != nil {
				return err
			}
			if _, err := tx.Exec(`INSERT INTO office_chains (case_id, chain_id, created_at) VALUES (?, ?, ?)`, caseID, oc.ChainID, at); err != nil {
				return err
			}
			head = &store.CaseHead{Owner: serverID, LastHash: ledger.GenesisHash}
		}
		if head.Owner != serverID {
			return enforce.Errorf(enforce.EConflict, "chain %s is held by device %s, not by this server; office entries cannot be added", oc.ChainID, head.Owner)
		}
		var devSeq int64
		if err := tx.QueryRow(`SELECT last_seq + 1 FROM devices WHERE id = ?`, serverID).Scan(&devSeq); err != nil {
			return err
		}
		e = ledger.Entry{ID: fmt.Sprintf("%s-%d", serverID, devSeq), CaseID: oc.ChainID, Seq: head.LastSeq + 1, DeviceID: serverID, DeviceSeq: devSeq,
			Step: draft.Step, Payload: draft.Payload, Officers: draft.Officers, DeviceTime: at, Media: draft.Media, Corrects: draft.Corrects, PrevHash: head.LastHash}
		if err := e.SealWith(d.signer); err != nil {
			return enforce.Errorf(enforce.EInvalid, "office entry: %v", err)
		}
		if err := store.CheckLink(&e, head); err != nil {
			return err
		}
		if lg, err = d.beginLog(ctx, tx); err != nil {
			return err
		}
		body, err := json.Marshal(&e)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT INTO entries (id, case_id, seq, device_id, device_seq, step, hash, body, device_time,
			calibrated_time, clock_offset_ms, clock_skewed, received_at, leaf_index) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?)`,
			e.ID, e.CaseID, e.Seq, e.DeviceID, e.DeviceSeq, e.Step, e.Hash, body, at, at, at, lg.Size()); err != nil {
			return err
		}
		if err := insertMediaRefs(tx, &e, draft.At, due); err != nil {
			return err
		}
		if err := lg.Append(e.Hash); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE cases SET last_seq = ?, last_hash = ?, last_step = ?, updated_at = ? WHERE id = ?`,
			e.Seq, e.Hash, e.Step, at, e.CaseID); err != nil {
			return err
		}
		if _, err := tx.Exec(`UPDATE devices SET last_seq = ? WHERE id = ?`, devSeq, serverID); err != nil {
			return err
		}
		th, err = lg.Sign()
		return err
	})
	if lg != nil {
		lg.close(err == nil)
	}
	if err != nil {
		return ledger.Entry{}, syncproto.TreeHead{}, err
	}
	return e, th, nil
}

// OfficeCases lists the cases that have an office chain.
func (d *DB) OfficeCases(ctx context.Context) ([]string, error) {
	return queryStrings(ctx, d.db, `SELECT case_id FROM office_chains ORDER BY case_id`)
}

// DeadlineCases reads what the deadlines of the given terminal cases (all
// when ids is empty) run from.
func (d *DB) DeadlineCases(ctx context.Context, ids []string) ([]store.DeadlineCase, error) {
	var out []store.DeadlineCase
	index := map[string]int{}
	in, args := "", []any{}
	if len(ids) > 0 {
		in = " AND %s IN (?" + strings.Repeat(", ?", len(ids)-1) + ")"
		for _, id := range ids {
			args = append(args, id)
		}
	}
	only := func(col string) string {
		if in == "" {
			return ""
		}
		return fmt.Sprintf(in, col)
	}
	rows, err := d.db.QueryContext(ctx, `SELECT id, device_id, procedure, party, opened_at, last_seq, last_hash, last_step FROM cases
		WHERE id NOT IN (SELECT chain_id FROM office_chains)`+only("id")+` ORDER BY opened_at, id`, args...)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var ci store.CaseInfo
		var opened string
		if err := rows.Scan(&ci.ID, &ci.DeviceID, &ci.Procedure, &ci.Party, &opened, &ci.LastSeq, &ci.LastHash, &ci.LastStep); err != nil {
			rows.Close()
			return nil, err
		}
		ci.Opened, ci.Officers = parseTime(opened), []string{}
		index[ci.ID] = len(out)
		out = append(out, store.DeadlineCase{Case: ci})
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	each := func(q string, fn func(r *sql.Rows) error) error {
		rows, err := d.db.QueryContext(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			if err := fn(rows); err != nil {
				return err
			}
		}
		return rows.Err()
	}
	err = each(`SELECT case_id, body FROM entries WHERE seq = 1 AND step = 'case_open'`+only("case_id"), func(r *sql.Rows) error {
		var id string
		var body []byte
		if err := r.Scan(&id, &body); err != nil {
			return err
		}
		i, ok := index[id]
		if !ok {
			return nil
		}
		var e ledger.Entry
		var p officeOpenPayload
		if json.Unmarshal(body, &e) == nil && json.Unmarshal(e.Payload, &p) == nil {
			p.apply(&out[i].Case)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = each(`SELECT case_id, body FROM entries WHERE step = 'officer_join'`+only("case_id")+` ORDER BY case_id, seq`, func(r *sql.Rows) error {
		var id string
		var body []byte
		if err := r.Scan(&id, &body); err != nil {
			return err
		}
		if i, ok := index[id]; ok {
			addJoined(&out[i].Case, body)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = each(`SELECT case_id, step, MIN(calibrated_time) FROM entries WHERE step IN ('close_scene', 'on_spot_decision')`+only("case_id")+` GROUP BY case_id, step`, func(r *sql.Rows) error {
		var id, step, at string
		if err := r.Scan(&id, &step, &at); err != nil {
			return err
		}
		if i, ok := index[id]; ok {
			if step == "close_scene" {
				out[i].Case.SceneClosed = parseTime(at)
			} else {
				out[i].Case.OnSpotDecision = parseTime(at)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = each(`SELECT r.case_id, r.hash, r.kind, r.entry_id, e.calibrated_time, COALESCE(m.stored_at, '') FROM media_refs r
		JOIN entries e ON e.id = r.entry_id LEFT JOIN media m ON m.hash = r.hash
		WHERE r.kind IN ('video', 'audio')`+only("r.case_id")+` ORDER BY e.calibrated_time, r.hash`, func(r *sql.Rows) error {
		var id, recorded, stored string
		var av store.AVRecord
		if err := r.Scan(&id, &av.Hash, &av.Kind, &av.EntryID, &recorded, &stored); err != nil {
			return err
		}
		if i, ok := index[id]; ok {
			av.Recorded, av.Stored = parseTime(recorded), parseTime(stored)
			out[i].AV = append(out[i].AV, av)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = each(`SELECT case_id, id, step, calibrated_time, body FROM entries WHERE step IN ('`+strings.Join(deadline.SceneSteps, "', '")+`')`+only("case_id")+` ORDER BY case_id, seq`, func(r *sql.Rows) error {
		var id, at string
		var st deadline.Step
		var body []byte
		if err := r.Scan(&id, &st.Entry, &st.Kind, &at, &body); err != nil {
			return err
		}
		i, ok := index[id]
		if !ok {
			return nil
		}
		var e ledger.Entry
		if err := json.Unmarshal(body, &e); err != nil {
			return fmt.Errorf("case %s: stored entry does not decode: %w", id, err)
		}
		p, _ := ledger.DecodePayload(e.Payload)
		st.At, st.Fields = parseTime(at), deadline.FieldsOf(p.Fields)
		out[i].Steps = append(out[i].Steps, st)
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = each(`SELECT o.case_id, e.body FROM office_chains o JOIN entries e ON e.case_id = o.chain_id WHERE 1 = 1`+only("o.case_id")+` ORDER BY o.case_id, e.seq`, func(r *sql.Rows) error {
		var id string
		var body []byte
		if err := r.Scan(&id, &body); err != nil {
			return err
		}
		var e ledger.Entry
		if err := json.Unmarshal(body, &e); err != nil {
			return fmt.Errorf("office chain of %s: stored entry does not decode: %w", id, err)
		}
		if i, ok := index[id]; ok {
			out[i].Office = append(out[i].Office, e)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ---- the review queue (issue 15) ----

// ReviewQueueStale lists the office cases whose queue row is missing, was
// made at older heads of the case or its office chain, or with an older
// catalog version or holiday load — among the cases with an entry at a
// log position from since on, every office case for 0 — and the log's size.
func (d *DB) ReviewQueueStale(ctx context.Context, since int64) ([]string, int64, error) {
	var size int64
	if err := d.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(leaf_index) + 1, 0) FROM entries`).Scan(&size); err != nil {
		return nil, 0, err
	}
	if since > 0 && since >= size {
		return nil, size, nil
	}
	changed, args := "", []any{}
	if since > 0 {
		changed = ` AND (o.case_id IN (SELECT case_id FROM entries WHERE leaf_index >= ?) OR o.chain_id IN (SELECT case_id FROM entries WHERE leaf_index >= ?))`
		args = []any{since, since}
	}
	ids, err := queryStrings(ctx, d.db, `SELECT o.case_id FROM office_chains o
		JOIN cases c ON c.id = o.case_id JOIN cases h ON h.id = o.chain_id
		LEFT JOIN review_queue q ON q.case_id = o.case_id
		WHERE (q.case_id IS NULL OR q.office_seq <> h.last_seq OR q.case_seq <> c.last_seq
			OR q.catalog_version <> (SELECT COALESCE(MAX(version), 0) FROM review_catalogs)
			OR q.calendar_load <> (SELECT COALESCE(MAX(id), 0) FROM calendar_years))`+changed+`
		ORDER BY o.case_id`, args...)
	return ids, size, err
}

// PutReviewQueue stores queue rows, each replacing its case's.
func (d *DB) PutReviewQueue(ctx context.Context, rows []store.ReviewQueueRow) error {
	return d.inTx(ctx, func(tx *sql.Tx) error {
		for _, r := range rows {
			if _, err := tx.Exec(`INSERT INTO review_queue (case_id, office_seq, case_seq, catalog_version, calendar_load, state, party, officers, opened_at, review_due, item)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (case_id) DO UPDATE SET office_seq = excluded.office_seq, case_seq = excluded.case_seq, catalog_version = excluded.catalog_version,
					calendar_load = excluded.calendar_load, state = excluded.state, party = excluded.party, officers = excluded.officers,
					opened_at = excluded.opened_at, review_due = excluded.review_due, item = excluded.item`,
				r.CaseID, r.OfficeSeq, r.CaseSeq, r.CatalogVersion, r.CalendarLoad, r.State, r.Party, crewColumn(r.Officers),
				fmtTime(r.Opened), fmtTime(r.ReviewDue), string(r.Item)); err != nil {
				return err
			}
		}
		return nil
	})
}

// crewColumn keeps credential numbers as ",a,b," so that one is matched
// with LIKE '%,a,%'.
func crewColumn(certs []string) string {
	if len(certs) == 0 {
		return ""
	}
	return "," + strings.Join(certs, ",") + ","
}

// ReviewQueue reads a page of the queue rows the filter selects, the
// newest case first, and their number.
func (d *DB) ReviewQueue(ctx context.Context, f store.ReviewQueueFilter, page store.Page) ([]store.ReviewQueueRow, int, error) {
	var where []string
	var args []any
	like := func(col, part string) {
		where, args = append(where, col+` LIKE ? ESCAPE '\'`), append(args, "%"+likeEscape(part)+"%")
	}
	if f.State != "" {
		where, args = append(where, "state = ?"), append(args, f.State)
	}
	if f.Party != "" {
		like("party", f.Party)
	}
	if f.Case != "" {
		like("LOWER(case_id)", strings.ToLower(f.Case))
	}
	for _, cert := range []string{f.Officer, f.Member} {
		if cert != "" {
			like("officers", ","+cert+",")
		}
	}
	if !f.From.IsZero() {
		where, args = append(where, "opened_at >= ?"), append(args, fmtTime(f.From))
	}
	if !f.To.IsZero() {
		where, args = append(where, "opened_at < ?"), append(args, fmtTime(f.To))
	}
	cond := ""
	if len(where) > 0 {
		cond = " WHERE " + strings.Join(where, " AND ")
	}
	var total int
	if err := d.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM review_queue`+cond, args...).Scan(&total); err != nil {
		return nil, 0, err
	}
	q := `SELECT case_id, office_seq, case_seq, catalog_version, calendar_load, state, party, officers, opened_at, review_due, item FROM review_queue` +
		cond + ` ORDER BY opened_at DESC, case_id DESC`
	if page.Limit > 0 {
		q += fmt.Sprintf(" LIMIT %d OFFSET %d", page.Limit, max(page.Offset, 0))
	}
	rows, err := queryAll(ctx, d.db, func(r rowScanner) (store.ReviewQueueRow, error) {
		var row store.ReviewQueueRow
		var officers, opened, due, item string
		err := r.Scan(&row.CaseID, &row.OfficeSeq, &row.CaseSeq, &row.CatalogVersion, &row.CalendarLoad, &row.State, &row.Party, &officers, &opened, &due, &item)
		row.Officers = strings.FieldsFunc(officers, func(r rune) bool { return r == ',' })
		row.Opened, row.ReviewDue, row.Item = parseTime(opened), parseTime(due), json.RawMessage(item)
		return row, err
	}, q, args...)
	return rows, total, err
}

// ReviewVersions are the newest catalog version and holiday load.
func (d *DB) ReviewVersions(ctx context.Context) (catalog int, calendarLoad int64, err error) {
	err = d.db.QueryRowContext(ctx, `SELECT (SELECT COALESCE(MAX(version), 0) FROM review_catalogs), (SELECT COALESCE(MAX(id), 0) FROM calendar_years)`).
		Scan(&catalog, &calendarLoad)
	return catalog, calendarLoad, err
}

// ---- review catalog ----

// PutReviewCatalog publishes a catalog version above the newest.
func (d *DB) PutReviewCatalog(ctx context.Context, c store.ReviewCatalog) error {
	return d.inTx(ctx, func(tx *sql.Tx) error {
		var newest int
		if err := tx.QueryRow(`SELECT COALESCE(MAX(version), 0) FROM review_catalogs`).Scan(&newest); err != nil {
			return err
		}
		if c.Version <= newest {
			return enforce.Errorf(enforce.EConflict, "review catalog version %d is already published or older than the newest (v%d); publish version %d or later", c.Version, newest, newest+1)
		}
		_, err := tx.Exec(`INSERT INTO review_catalogs (version, agency, body, sha256, published_at, published_by) VALUES (?, ?, ?, ?, ?, ?)`,
			c.Version, c.Agency, []byte(c.Body), c.SHA256, fmtTime(c.PublishedAt), c.PublishedBy)
		return err
	})
}

const reviewCatalogColumns = `version, agency, sha256, published_at, published_by`

func scanReviewCatalog(r rowScanner, body *[]byte) (store.ReviewCatalog, error) {
	var c store.ReviewCatalog
	var at string
	dest := []any{&c.Version, &c.Agency, &c.SHA256, &at, &c.PublishedBy}
	if body != nil {
		dest = append(dest, body)
	}
	err := r.Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return c, store.ErrNotFound
	}
	c.PublishedAt = parseTime(at)
	return c, err
}

// ReviewCatalog returns a version, the newest for 0.
func (d *DB) ReviewCatalog(ctx context.Context, version int) (store.ReviewCatalog, error) {
	q := `SELECT ` + reviewCatalogColumns + `, body FROM review_catalogs WHERE version = ?`
	args := []any{version}
	if version == 0 {
		q, args = `SELECT `+reviewCatalogColumns+`, body FROM review_catalogs ORDER BY version DESC LIMIT 1`, nil
	}
	var body []byte
	c, err := scanReviewCatalog(d.db.QueryRowContext(ctx, q, args...), &body)
	c.Body = body
	return c, err
}

// ReviewCatalogs lists every version, newest first.
func (d *DB) ReviewCatalogs(ctx context.Context) ([]store.ReviewCatalog, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT `+reviewCatalogColumns+` FROM review_catalogs ORDER BY version DESC`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.ReviewCatalog
	for rows.Next() {
		c, err := scanReviewCatalog(rows, nil)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ---- holiday calendar ----

// PutCalendarYear keeps a loaded year.
func (d *DB) PutCalendarYear(ctx context.Context, y store.CalendarYear) error {
	_, err := d.db.ExecContext(ctx, `INSERT INTO calendar_years (year, body, source, replaces, loaded_at, loaded_by) VALUES (?, ?, ?, ?, ?, ?)`,
		y.Year, []byte(y.Body), y.Source, y.Replaces, fmtTime(y.LoadedAt), y.LoadedBy)
	return err
}

// CalendarYears lists every load, oldest first.
func (d *DB) CalendarYears(ctx context.Context) ([]store.CalendarYear, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT id, year, body, source, replaces, loaded_at, loaded_by FROM calendar_years ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.CalendarYear
	for rows.Next() {
		var y store.CalendarYear
		var body []byte
		var at string
		if err := rows.Scan(&y.ID, &y.Year, &body, &y.Source, &y.Replaces, &at, &y.LoadedBy); err != nil {
			return nil, err
		}
		y.Body, y.LoadedAt = body, parseTime(at)
		out = append(out, y)
	}
	return out, rows.Err()
}

// MediaSize returns a stored file's size.
func (d *DB) MediaSize(ctx context.Context, hash string) (int64, error) {
	var n int64
	err := d.db.QueryRowContext(ctx, `SELECT size FROM media WHERE hash = ?`, hash).Scan(&n)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, store.ErrNotFound
	}
	return n, err
}

// ---- reviewers ----

// PutReviewer adds or updates a reviewer's qualification.
func (d *DB) PutReviewer(ctx context.Context, r store.Reviewer) error {
	_, err := d.db.ExecContext(ctx, `INSERT INTO reviewers (username, name, qualification, unit, since, active, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (username) DO UPDATE SET name = excluded.name, qualification = excluded.qualification, unit = excluded.unit,
		since = excluded.since, active = excluded.active, updated_at = excluded.updated_at`,
		r.Username, r.Name, r.Qualification, r.Unit, r.Since, r.Active, fmtTime(r.UpdatedAt))
	return err
}

// Reviewers lists every reviewer.
func (d *DB) Reviewers(ctx context.Context) ([]store.Reviewer, error) {
	rows, err := d.db.QueryContext(ctx, `SELECT username, name, qualification, unit, since, active, updated_at FROM reviewers ORDER BY username`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []store.Reviewer
	for rows.Next() {
		var r store.Reviewer
		var at string
		if err := rows.Scan(&r.Username, &r.Name, &r.Qualification, &r.Unit, &r.Since, &r.Active, &at); err != nil {
			return nil, err
		}
		r.UpdatedAt = parseTime(at)
		out = append(out, r)
	}
	return out, rows.Err()
}
