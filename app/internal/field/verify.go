package field

import (
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"strconv"

	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
)

// Keys are the signers this terminal trusts: itself and, once enrolled, the server.
func (t *Terminal) Keys() (ledger.Keys, error) {
	keys := ledger.Keys{t.deviceID: t.PublicKey()}
	id, err := t.Setting("server_id")
	if err != nil || id == "" {
		return keys, err
	}
	hexKey, err := t.Setting("server_key")
	if err != nil {
		return nil, err
	}
	pub, err := hex.DecodeString(hexKey)
	if err != nil || len(pub) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("stored server key is not an Ed25519 public key")
	}
	keys[id] = pub
	return keys, nil
}

// Verify checks one case, or every case when caseID is empty, end to end
// from the raw entries and media files: chain, signatures, hashes, and that
// no entry of this device is missing from its numbering.
func (t *Terminal) Verify(caseID string) ([]ledger.Finding, error) {
	keys, err := t.Keys()
	if err != nil {
		return nil, err
	}
	ids := []string{caseID}
	if caseID == "" {
		if ids, err = t.caseIDs(); err != nil {
			return nil, err
		}
	}
	var out []ledger.Finding
	for _, id := range ids {
		entries, err := t.caseEntries(id)
		if err != nil {
			return nil, err
		}
		out = append(out, ledger.VerifyCase(id, entries, keys, t.media)...)
		signers, err := t.signerFindings(id)
		if err != nil {
			return nil, err
		}
		out = append(out, signers...)
	}
	if caseID == "" {
		gaps, err := t.deviceSeqGaps()
		if err != nil {
			return nil, err
		}
		out = append(out, gaps...)
	}
	return out, nil
}

// signerFindings reports stored signatures that are not by the person the
// record names: a witness other than witness_name, a stranger as the party,
// an officer not on the case (000-record §4).
func (t *Terminal) signerFindings(caseID string) ([]ledger.Finding, error) {
	c, err := t.Case(caseID)
	if err != nil {
		return nil, err
	}
	st := enforce.CaseState{Procedure: c.Procedure, Party: c.Open.Party, PartyKind: c.Open.PartyKind, Officers: c.Officers}
	var out []ledger.Finding
	for _, e := range c.Entries {
		p, err := ledger.DecodePayload(e.Payload)
		if err != nil || len(p.Signatures) == 0 {
			continue
		}
		var signers []enforce.Signer
		for _, s := range p.Signatures {
			signers = append(signers, enforce.Signer{Role: s.Role, Name: s.Name})
		}
		for _, it := range st.RecordedSignerIssues(e.Step, p.Fields, signers) {
			out = append(out, ledger.Finding{CaseID: caseID, Seq: e.Seq, EntryID: e.ID, Problem: "signature bound to the wrong person: " + it.En})
		}
	}
	return out, nil
}

func (t *Terminal) caseIDs() ([]string, error) {
	rows, err := t.db.Query(`SELECT id FROM cases ORDER BY opened_at`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// deviceSeqGaps finds unconfirmed entries missing from the device numbering:
// every number from the oldest unconfirmed entry to the last issued must be
// present, since only confirmed entries are ever removed.
func (t *Terminal) deviceSeqGaps() ([]ledger.Finding, error) {
	rows, err := t.db.Query(`SELECT device_seq FROM entries WHERE device_seq >= COALESCE((SELECT MIN(device_seq) FROM entries WHERE acked = 0), 0) ORDER BY device_seq`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []ledger.Finding
	var prev int64
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		if prev != 0 && n != prev+1 {
			out = append(out, ledger.Finding{Problem: fmt.Sprintf("device entries #%d to #%d are missing", prev+1, n-1)})
		}
		prev = n
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	// The last number issued is the highest present or, when the highest
	// rows were removed, the floor their removal left.
	floor, err := t.Setting("device_seq_floor")
	if err != nil {
		return nil, err
	}
	var last int64
	if floor != "" {
		if last, err = strconv.ParseInt(floor, 10, 64); err != nil {
			return nil, fmt.Errorf("device_seq_floor setting: %w", err)
		}
	}
	if prev != 0 && last > prev {
		out = append(out, ledger.Finding{Problem: fmt.Sprintf("device entries after #%d are missing (last issued #%d)", prev, last)})
	}
	return out, nil
}
