package field

import (
	"database/sql"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"strings"

	"lawtrace/shared/casedoc"
	"lawtrace/shared/enforce"
)

// Document renders a step entry of a case as the PDF to print or file
// (SPEC F12): the rights notice, notes, lists and receipts, and the forms
// handed over on the scene — the on-the-spot penalty decision (F14), the
// seizure record and list, the order to correct, the inspection opinion.
// entry is an entry id or a step kind (its latest entry).
func (t *Terminal) Document(caseID, entry string) ([]byte, error) {
	c, err := t.Case(caseID)
	if err != nil {
		return nil, err
	}
	idx := -1
	for i, e := range c.Entries {
		if e.ID == entry || e.Step == entry {
			idx = i
		}
	}
	if idx < 0 {
		return nil, enforce.Errorf(enforce.ENotFound, "case %s has no entry or step %q", caseID, entry)
	}
	e := c.Entries[idx]
	agency, err := t.Setting("agency_name")
	if err != nil {
		return nil, err
	}
	h := casedoc.Header{CaseID: c.ID, Officers: c.Officers, Open: casedoc.Open{Procedure: c.Open.Procedure, ProcedureVersion: c.Open.ProcedureVersion,
		Party: c.Open.Party, PartyKind: c.Open.PartyKind, Source: c.Open.Source, Officers: c.Open.Officers, EmergencyReason: c.Open.EmergencyReason}}
	return casedoc.Render(h, e, casedoc.Sources{Agency: agency, Procedure: c.Procedure, Rights: t.rightsVersion,
		Image: func(hash string) ([]byte, error) {
			r, err := t.media.Open(hash)
			if err != nil {
				return nil, err
			}
			defer r.Close()
			return io.ReadAll(r)
		}})
}

// rightsVersion finds an exact rights text version by its ref ("id-vN").
func (t *Terminal) rightsVersion(ref string) (enforce.RightsText, error) {
	var r enforce.RightsText
	i := strings.LastIndex(ref, "-v")
	if i < 0 {
		return r, enforce.Errorf(enforce.EInvalid, "rights text reference %q is not id-vN", ref)
	}
	version, err := strconv.Atoi(ref[i+2:])
	if err != nil {
		return r, enforce.Errorf(enforce.EInvalid, "rights text reference %q is not id-vN", ref)
	}
	var body []byte
	err = t.db.QueryRow(`SELECT body FROM catalog WHERE kind = ? AND id = ? AND version = ?`, catalogRights, ref[:i], version).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return r, enforce.Errorf(enforce.ENotFound, "rights text %s is not on this terminal", ref)
	}
	if err != nil {
		return r, err
	}
	return r, json.Unmarshal(body, &r)
}
