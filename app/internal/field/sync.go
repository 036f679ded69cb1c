package field

import (
	"crypto/ed25519"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
	"lawtrace/shared/syncproto"
)

// Settings the sync loop keeps (Status reads some of them).
const (
	settingServerURL   = "server_url"
	settingServerID    = "server_id"
	settingServerKey   = "server_key"
	settingAgency      = "agency"
	settingLastSync    = "last_sync"
	settingClockOffset = "clock_offset_ms"
	settingRevoked     = "revoked"
	settingCatalogSeq  = "catalog_seq"
	settingWipedAt     = "wiped_at"
	settingLogEpoch    = "log_epoch"
	settingLogBreak    = "log_break." // + epoch: the break recorded at a re-pin
)

// ServerIdentity is the backend a terminal enrolled with: where it is and
// the key that signs its challenges and tree heads.
type ServerIdentity struct {
	URL    string            `json:"url"`
	ID     string            `json:"id"`
	Key    ed25519.PublicKey `json:"-"`
	Agency string            `json:"agency,omitempty"`
}

// SetServer stores the server identity learnt at enrolment (SPEC S6).
func (t *Terminal) SetServer(s ServerIdentity) error {
	if len(s.Key) != ed25519.PublicKeySize || s.ID != syncproto.ServerIDFor(s.Key) {
		return enforce.Errorf(enforce.EInvalid, "server identity %s does not match its key", s.ID)
	}
	return t.inTx(func(tx *sql.Tx) error {
		for k, v := range map[string]string{settingServerURL: s.URL, settingServerID: s.ID, settingServerKey: hex.EncodeToString(s.Key), settingAgency: s.Agency} {
			if err := setSetting(tx, k, v); err != nil {
				return err
			}
		}
		return nil
	})
}

// Server returns the enrolled server; ok is false before enrolment.
func (t *Terminal) Server() (s ServerIdentity, ok bool, err error) {
	if s.ID, err = t.Setting(settingServerID); err != nil || s.ID == "" {
		return s, false, err
	}
	if s.URL, err = t.Setting(settingServerURL); err != nil {
		return s, false, err
	}
	if s.Agency, err = t.Setting(settingAgency); err != nil {
		return s, false, err
	}
	keys, err := t.Keys()
	if err != nil {
		return s, false, err
	}
	s.Key = keys[s.ID]
	return s, true, nil
}

func setSetting(tx *sql.Tx, key, value string) error {
	_, err := tx.Exec(`INSERT INTO settings (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return err
}

// LatestTreeHead is the newest signed tree head this terminal verified.
func (t *Terminal) LatestTreeHead() (syncproto.TreeHead, bool, error) {
	var th syncproto.TreeHead
	err := t.db.QueryRow(`SELECT size, root, timestamp, signature FROM tree_heads ORDER BY size DESC LIMIT 1`).Scan(&th.Size, &th.Root, &th.Timestamp, &th.Signature)
	if errors.Is(err, sql.ErrNoRows) {
		return th, false, nil
	}
	return th, err == nil, err
}

// TreeHeadAtMost is the largest verified tree head of at most size entries.
func (t *Terminal) TreeHeadAtMost(size uint64) (syncproto.TreeHead, bool, error) {
	var th syncproto.TreeHead
	err := t.db.QueryRow(`SELECT size, root, timestamp, signature FROM tree_heads WHERE size <= ? ORDER BY size DESC LIMIT 1`, size).Scan(&th.Size, &th.Root, &th.Timestamp, &th.Signature)
	if errors.Is(err, sql.ErrNoRows) {
		return th, false, nil
	}
	return th, err == nil, err
}

// LogEpoch is the server's restore epoch this terminal's tree heads and
// confirmations belong to ("" until the server is first restored).
func (t *Terminal) LogEpoch() (string, error) { return t.Setting(settingLogEpoch) }

// Repinned says what a re-pin to a restored server's log changed.
type Repinned struct {
	Entries int `json:"entries"` // confirmed entries back in the outbox
	Media   int `json:"media"`   // confirmed files to offer again
}

// Repin moves this terminal to a restored server's log (issue 14; SPEC
// R2, X3). The caller has verified that head extends the verified head of
// keep entries; heads beyond keep belong to the log the server lost and are
// dropped (brk, when set, keeps the longest of them as the recorded
// break). Entries the server no longer holds (numbered after lastSeq) or
// proven only under a dropped head go back to the outbox; every file goes
// back to be offered, so nothing is wiped before the restored server
// confirms it. All in one transaction.
func (t *Terminal) Repin(epoch string, head syncproto.TreeHead, keep uint64, lastSeq int64, brk *syncproto.LogBreak) (Repinned, error) {
	var r Repinned
	err := t.inTx(func(tx *sql.Tx) error {
		res, err := tx.Exec(`UPDATE entries SET acked = 0 WHERE acked = 1 AND (device_seq > ? OR id IN (SELECT entry_id FROM entry_proofs WHERE tree_size > ?))`, lastSeq, keep)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		r.Entries = int(n)
		if _, err := tx.Exec(`DELETE FROM entry_proofs WHERE tree_size > ? OR device_seq > ?`, keep, lastSeq); err != nil {
			return err
		}
		if _, err := tx.Exec(`DELETE FROM tree_heads WHERE size > ?`, keep); err != nil {
			return err
		}
		if _, err := tx.Exec(`INSERT OR IGNORE INTO tree_heads (size, root, timestamp, signature, received_at) VALUES (?, ?, ?, ?, ?)`,
			head.Size, head.Root, head.Timestamp, head.Signature, ledger.FormatTime(t.Now())); err != nil {
			return err
		}
		if res, err = tx.Exec(`UPDATE media SET confirmed = 0 WHERE confirmed = 1`); err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		r.Media = int(n)
		if brk != nil {
			body, err := json.Marshal(brk)
			if err != nil {
				return err
			}
			if err := setSetting(tx, settingLogBreak+epoch, string(body)); err != nil {
				return err
			}
		}
		return setSetting(tx, settingLogEpoch, epoch)
	})
	return r, err
}

// ConfirmEntries is the only way an entry leaves the outbox (SPEC S2, R2):
// the tree head must carry the server's signature and extend the last head
// this terminal verified (consistency proves it), and each inclusion proof
// must show one of this terminal's entries, byte for byte, in that log.
// The entries are marked confirmed and their proofs stored in one
// transaction. It returns how many entries were newly confirmed.
func (t *Terminal) ConfirmEntries(th syncproto.TreeHead, consistency [][]byte, proofs []syncproto.InclusionProof) (int, error) {
	srv, ok, err := t.Server()
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, enforce.Errorf(enforce.EConflict, "this terminal is not enrolled with a server")
	}
	if err := th.Verify(srv.Key); err != nil {
		return 0, err
	}
	prev, hasPrev, err := t.LatestTreeHead()
	if err != nil {
		return 0, err
	}
	if hasPrev {
		if th.Size < prev.Size {
			return 0, syncproto.Errorf(syncproto.CodeLogInconsistent, "the server's log shrank from %d to %d entries", prev.Size, th.Size)
		}
		if err := syncproto.VerifyConsistency(prev, th, consistency); err != nil {
			return 0, err
		}
	}
	for _, p := range proofs {
		if err := syncproto.VerifyInclusion(th, p); err != nil {
			return 0, err
		}
	}
	n := 0
	now := ledger.FormatTime(t.Now())
	err = t.inTx(func(tx *sql.Tx) error {
		if _, err := tx.Exec(`INSERT OR IGNORE INTO tree_heads (size, root, timestamp, signature, received_at) VALUES (?, ?, ?, ?, ?)`,
			th.Size, th.Root, th.Timestamp, th.Signature, now); err != nil {
			return err
		}
		for _, p := range proofs {
			var id, hash string
			var acked bool
			err := tx.QueryRow(`SELECT id, hash, acked FROM entries WHERE device_seq = ?`, p.DeviceSeq).Scan(&id, &hash, &acked)
			if errors.Is(err, sql.ErrNoRows) {
				continue // wiped after an earlier confirmation
			}
			if err != nil {
				return err
			}
			if id != p.EntryID || hash != p.EntryHash {
				return syncproto.Errorf(syncproto.CodeLogInconsistent, "the server proves entry %s (hash %.12s) as device #%d, but this terminal's #%d is %s (hash %.12s)",
					p.EntryID, p.EntryHash, p.DeviceSeq, p.DeviceSeq, id, hash)
			}
			hashes := make([]string, len(p.Hashes))
			for i, h := range p.Hashes {
				hashes[i] = hex.EncodeToString(h)
			}
			body, _ := json.Marshal(hashes)
			if _, err := tx.Exec(`INSERT INTO entry_proofs (entry_id, device_seq, leaf_index, tree_size, hashes, confirmed_at) VALUES (?, ?, ?, ?, ?, ?)
				ON CONFLICT (entry_id) DO NOTHING`, p.EntryID, p.DeviceSeq, p.LeafIndex, th.Size, string(body), now); err != nil {
				return err
			}
			if !acked {
				if _, err := tx.Exec(`UPDATE entries SET acked = 1 WHERE device_seq = ?`, p.DeviceSeq); err != nil {
					return err
				}
				n++
			}
		}
		return nil
	})
	return n, err
}

// EntryProof is the stored proof that an entry is in the server's log.
type EntryProof struct {
	EntryID   string             `json:"entry_id"`
	DeviceSeq int64              `json:"device_seq"`
	LeafIndex uint64             `json:"leaf_index"`
	Hashes    []string           `json:"hashes"`
	TreeHead  syncproto.TreeHead `json:"tree_head"`
	Confirmed string             `json:"confirmed_at"`
	Verified  bool               `json:"verified"`
}

// EntryProof reads and re-verifies the proof stored for an entry.
func (t *Terminal) EntryProof(entryID string) (EntryProof, error) {
	var p EntryProof
	var hashes, hash string
	err := t.db.QueryRow(`SELECT p.entry_id, p.device_seq, p.leaf_index, p.hashes, p.confirmed_at, h.size, h.root, h.timestamp, h.signature, e.hash
		FROM entry_proofs p JOIN tree_heads h ON h.size = p.tree_size JOIN entries e ON e.id = p.entry_id WHERE p.entry_id = ?`, entryID).
		Scan(&p.EntryID, &p.DeviceSeq, &p.LeafIndex, &hashes, &p.Confirmed, &p.TreeHead.Size, &p.TreeHead.Root, &p.TreeHead.Timestamp, &p.TreeHead.Signature, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return p, enforce.Errorf(enforce.ENotFound, "no log proof for entry %s on this terminal (not confirmed yet?)", entryID)
	}
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal([]byte(hashes), &p.Hashes); err != nil {
		return p, err
	}
	ip := syncproto.InclusionProof{EntryID: p.EntryID, DeviceSeq: p.DeviceSeq, EntryHash: hash, LeafIndex: p.LeafIndex}
	for _, h := range p.Hashes {
		b, err := hex.DecodeString(h)
		if err != nil {
			return p, err
		}
		ip.Hashes = append(ip.Hashes, b)
	}
	srv, ok, err := t.Server()
	if err != nil || !ok {
		return p, err
	}
	p.Verified = p.TreeHead.Verify(srv.Key) == nil && syncproto.VerifyInclusion(p.TreeHead, ip) == nil
	return p, nil
}

// UnconfirmedUpTo lists the device numbers of outbox entries at or below
// last: entries the server says it holds but this terminal has no proof for
// (the acknowledgement was lost).
func (t *Terminal) UnconfirmedUpTo(last int64) ([]int64, error) {
	rows, err := t.db.Query(`SELECT device_seq FROM entries WHERE acked = 0 AND device_seq <= ? ORDER BY device_seq`, last)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// OutboxMark identifies the outbox's state cheaply, to notice new entries
// written by another process (the CLI) while the sync loop waits.
func (t *Terminal) OutboxMark() (unconfirmed int, lastSeq int64, err error) {
	err = t.db.QueryRow(`SELECT (SELECT COUNT(*) FROM entries WHERE acked = 0), COALESCE((SELECT MAX(device_seq) FROM entries), 0)`).Scan(&unconfirmed, &lastSeq)
	return
}

// PendingFile is a media file to upload.
type PendingFile struct {
	Hash string `json:"hash"`
	Size int64  `json:"size"`
	Kind string `json:"kind"`
}

// MediaToUpload lists unconfirmed files referenced by confirmed entries,
// oldest first (the server accepts only files its entries reference).
func (t *Terminal) MediaToUpload() ([]PendingFile, error) {
	rows, err := t.db.Query(`SELECT m.hash, m.size, m.kind FROM media m WHERE m.confirmed = 0 AND EXISTS (
		SELECT 1 FROM media_refs r JOIN entries e ON e.device_seq = r.device_seq WHERE r.hash = m.hash AND e.acked = 1)
		ORDER BY m.stored_at, m.hash`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []PendingFile
	for rows.Next() {
		var f PendingFile
		if err := rows.Scan(&f.Hash, &f.Size, &f.Kind); err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// ConfirmMedia marks a file as durably stored and hash-verified by the server.
func (t *Terminal) ConfirmMedia(hash string) error {
	_, err := t.db.Exec(`UPDATE media SET confirmed = 1 WHERE hash = ?`, hash)
	return err
}

// RecordSync notes a completed sync and the measured clock offset (device
// minus server, SPEC S4).
func (t *Terminal) RecordSync(at time.Time, offset time.Duration) error {
	return t.inTx(func(tx *sql.Tx) error {
		if err := setSetting(tx, settingLastSync, at.UTC().Format(time.RFC3339)); err != nil {
			return err
		}
		return setSetting(tx, settingClockOffset, strconv.FormatInt(offset.Milliseconds(), 10))
	})
}

// SetClockOffset stores the offset measured by the last connection.
func (t *Terminal) SetClockOffset(offset time.Duration) error {
	return t.SetSetting(settingClockOffset, strconv.FormatInt(offset.Milliseconds(), 10))
}

// ClockOffset is the last measured offset (device minus server).
func (t *Terminal) ClockOffset() (time.Duration, error) {
	v, err := t.Setting(settingClockOffset)
	if err != nil || v == "" {
		return 0, err
	}
	ms, err := strconv.ParseInt(v, 10, 64)
	return time.Duration(ms) * time.Millisecond, err
}

// CalibratedNow is the device clock corrected by the last measured offset.
func (t *Terminal) CalibratedNow() (time.Time, error) {
	off, err := t.ClockOffset()
	return t.Now().Add(-off), err
}

// SetRevoked records that the server revoked this terminal, with its reason.
func (t *Terminal) SetRevoked(reason string) error {
	if reason == "" {
		reason = "revoked"
	}
	return t.SetSetting(settingRevoked, reason)
}

// CatalogSeq is the last down-sync item applied.
func (t *Terminal) CatalogSeq() (int64, error) {
	v, err := t.Setting(settingCatalogSeq)
	if err != nil || v == "" {
		return 0, err
	}
	return strconv.ParseInt(v, 10, 64)
}

// ApplyCatalog installs down-synced items in order and advances the
// catalog position (SPEC S5). Re-applying an item changes nothing.
func (t *Terminal) ApplyCatalog(items []syncproto.CatalogItem) error {
	for _, it := range items {
		if err := t.applyItem(it); err != nil {
			return fmt.Errorf("catalog item %d (%s %s v%d): %w", it.Seq, it.Kind, it.Key, it.Version, err)
		}
		if err := t.SetSetting(settingCatalogSeq, strconv.FormatInt(it.Seq, 10)); err != nil {
			return err
		}
	}
	return nil
}

func (t *Terminal) applyItem(it syncproto.CatalogItem) error {
	switch it.Kind {
	case syncproto.KindProcedure:
		_, err := t.InstallProcedure(it.Body)
		return err
	case syncproto.KindRights:
		_, err := t.InstallRights(it.Body)
		return err
	case syncproto.KindOfficer:
		var o struct {
			enforce.Officer
			// the server's signature over the credential (shared/credential),
			// shown in the credential QR code (SPEC F3, P7)
			CredentialSig string `json:"credential_sig"`
		}
		if err := json.Unmarshal(it.Body, &o); err != nil {
			return err
		}
		if err := t.PutOfficer(o.Officer); err != nil {
			return err
		}
		return t.SetSetting("credential_sig."+o.Cert, o.CredentialSig) // "" clears a signature of an older version
	case syncproto.KindRevocation:
		var r syncproto.Revocation
		if err := json.Unmarshal(it.Body, &r); err != nil {
			return err
		}
		_, err := t.db.Exec(`INSERT OR IGNORE INTO revoked_devices (device_id, revoked_at, reason) VALUES (?, ?, ?)`, r.DeviceID, r.RevokedAt, r.Reason)
		return err
	case syncproto.KindAgency:
		var a syncproto.Agency
		if err := json.Unmarshal(it.Body, &a); err != nil {
			return err
		}
		return t.SetSetting(settingAgency, a.Name)
	}
	return nil // kinds a newer server knows and this terminal does not are skipped
}

// RevokedDevices lists the device revocations received by down-sync.
func (t *Terminal) RevokedDevices() (map[string]string, error) {
	rows, err := t.db.Query(`SELECT device_id, reason FROM revoked_devices`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, reason string
		if err := rows.Scan(&id, &reason); err != nil {
			return nil, err
		}
		out[id] = reason
	}
	return out, rows.Err()
}

// WipeResult says what a remote wipe removed and kept.
type WipeResult struct {
	Entries    int   `json:"entries"`
	Cases      int   `json:"cases"`
	Media      int   `json:"media"`
	MediaBytes int64 `json:"media_bytes"`
	Kept       int   `json:"kept"`
}

// Wipe carries out a remote wipe (SPEC S6): every case whose entries the
// server has all confirmed is removed with its proofs, and every confirmed
// file no remaining entry references. Nothing unconfirmed is touched: a case
// with an unconfirmed entry stays whole, so its chain can still grow and
// be sent. The device key, officers and catalog stay so the terminal keeps
// working.
func (t *Terminal) Wipe() (WipeResult, error) {
	var r WipeResult
	var files []string
	err := t.inTx(func(tx *sql.Tx) error {
		rows, err := tx.Query(`SELECT id FROM cases c WHERE NOT EXISTS (SELECT 1 FROM entries e WHERE e.case_id = c.id AND e.acked = 0)`)
		if err != nil {
			return err
		}
		var caseIDs []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return err
			}
			caseIDs = append(caseIDs, id)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range caseIDs {
			if _, err := tx.Exec(`DELETE FROM entry_proofs WHERE entry_id IN (SELECT id FROM entries WHERE case_id = ?)`, id); err != nil {
				return err
			}
			res, err := tx.Exec(`DELETE FROM entries WHERE case_id = ? AND acked = 1`, id)
			if err != nil {
				return err
			}
			n, _ := res.RowsAffected()
			r.Entries += int(n)
			if _, err := tx.Exec(`DELETE FROM cases WHERE id = ?`, id); err != nil {
				return err
			}
			r.Cases++
		}
		mrows, err := tx.Query(`SELECT hash, size FROM media m WHERE confirmed = 1 AND NOT EXISTS (SELECT 1 FROM media_refs r WHERE r.hash = m.hash)`)
		if err != nil {
			return err
		}
		var sizes []int64
		for mrows.Next() {
			var h string
			var size int64
			if err := mrows.Scan(&h, &size); err != nil {
				mrows.Close()
				return err
			}
			files, sizes = append(files, h), append(sizes, size)
		}
		mrows.Close()
		if err := mrows.Err(); err != nil {
			return err
		}
		for i, h := range files {
			if _, err := tx.Exec(`DELETE FROM media WHERE hash = ?`, h); err != nil {
				return err
			}
			r.Media++
			r.MediaBytes += sizes[i]
		}
		if err := tx.QueryRow(`SELECT COUNT(*) FROM entries`).Scan(&r.Kept); err != nil {
			return err
		}
		return setSetting(tx, settingWipedAt, ledger.FormatTime(t.Now()))
	})
	if err != nil {
		return WipeResult{}, err
	}
	for _, h := range files {
		if err := t.media.Remove(h); err != nil {
			return r, fmt.Errorf("wipe: remove media %s: %w", h[:12], err)
		}
	}
	return r, nil
}

// EntriesFrom returns up to limit entries numbered from on, confirmed or
// not, in device order: the push cursor starts where the server's last
// accepted number ends, so a server that lost entries gets them again.
func (t *Terminal) EntriesFrom(from int64, limit int) ([]ledger.Entry, error) {
	return t.queryEntries(`SELECT body FROM entries WHERE device_seq >= ? ORDER BY device_seq LIMIT ?`, from, limit)
}
