package field

import (
	"database/sql"
	"encoding/json"
	"fmt"

	"lawtrace/shared/enforce"
)

const (
	catalogProcedure = "procedure"
	catalogRights    = "rights"
)

func storeCatalog(tx *sql.Tx, c *enforce.Catalog) error {
	for _, p := range c.Procedures {
		if err := putCatalog(tx, catalogProcedure, p.ID, p.Version, p); err != nil {
			return err
		}
	}
	for _, r := range c.Rights {
		if err := putCatalog(tx, catalogRights, r.ID, r.Version, r); err != nil {
			return err
		}
	}
	return nil
}

func putCatalog(tx *sql.Tx, kind, id string, version int, v any) error {
	body, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = tx.Exec(`INSERT OR IGNORE INTO catalog (kind, id, version, body) VALUES (?, ?, ?, ?)`, kind, id, version, body)
	return err
}

// InstallProcedure validates and stores a procedure definition version
// received by down-sync; versions already held are left as they are.
func (t *Terminal) InstallProcedure(data []byte) (*enforce.Procedure, error) {
	p, err := enforce.ParseProcedure(data)
	if err != nil {
		return nil, err
	}
	return p, t.inTx(func(tx *sql.Tx) error { return putCatalog(tx, catalogProcedure, p.ID, p.Version, p) })
}

// InstallRights validates and stores a rights text version.
func (t *Terminal) InstallRights(data []byte) (enforce.RightsText, error) {
	r, err := enforce.ParseRightsText(data)
	if err != nil {
		return r, err
	}
	return r, t.inTx(func(tx *sql.Tx) error { return putCatalog(tx, catalogRights, r.ID, r.Version, r) })
}

// Catalog returns the newest version of every procedure and rights text held.
func (t *Terminal) Catalog() (*enforce.Catalog, error) {
	c := &enforce.Catalog{Procedures: map[string]*enforce.Procedure{}, Rights: map[string]enforce.RightsText{}}
	rows, err := t.db.Query(`SELECT kind, body FROM catalog`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var kind string
		var body []byte
		if err := rows.Scan(&kind, &body); err != nil {
			return nil, err
		}
		switch kind {
		case catalogProcedure:
			var p enforce.Procedure
			if err := json.Unmarshal(body, &p); err != nil {
				return nil, err
			}
			c.AddProcedure(&p)
		case catalogRights:
			var r enforce.RightsText
			if err := json.Unmarshal(body, &r); err != nil {
				return nil, err
			}
			c.AddRights(r)
		}
	}
	return c, rows.Err()
}

// procedure returns one exact version of a procedure definition.
func (t *Terminal) procedure(id string, version int) (*enforce.Procedure, error) {
	var body []byte
	err := t.db.QueryRow(`SELECT body FROM catalog WHERE kind = ? AND id = ? AND version = ?`, catalogProcedure, id, version).Scan(&body)
	if err == sql.ErrNoRows {
		return nil, enforce.Errorf(enforce.ENotFound, "procedure %s v%d is not on this terminal", id, version)
	}
	if err != nil {
		return nil, err
	}
	var p enforce.Procedure
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("procedure %s v%d: %w", id, version, err)
	}
	return &p, nil
}

func (t *Terminal) inTx(fn func(tx *sql.Tx) error) error {
	tx, err := t.db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}
