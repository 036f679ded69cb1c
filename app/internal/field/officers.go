package field

import (
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
)

// PutOfficer adds or updates an officer and credential on this terminal
// (normally by down-sync; by hand for offline set-up).
func (t *Terminal) PutOfficer(o enforce.Officer) error {
	o.Name, o.Cert = strings.TrimSpace(o.Name), strings.TrimSpace(o.Cert)
	if o.Name == "" || o.Cert == "" {
		return enforce.Errorf(enforce.EInvalid, "an officer needs a name and a credential number")
	}
	if _, err := time.Parse(enforce.DateLayout, o.Expires); err != nil {
		return enforce.Errorf(enforce.EInvalid, "credential %s: expiry must be a date YYYY-MM-DD, got %q", o.Cert, o.Expires)
	}
	body, err := json.Marshal(o)
	if err != nil {
		return err
	}
	_, err = t.db.Exec(`INSERT INTO officers (cert, body, updated_at) VALUES (?, ?, ?)
		ON CONFLICT (cert) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`, o.Cert, body, ledger.FormatTime(t.Now()))
	return err
}

// Officer looks up an officer by credential number.
func (t *Terminal) Officer(cert string) (enforce.Officer, error) {
	var o enforce.Officer
	var body []byte
	err := t.db.QueryRow(`SELECT body FROM officers WHERE cert = ?`, cert).Scan(&body)
	if errors.Is(err, sql.ErrNoRows) {
		return o, enforce.Errorf(enforce.ENotFound, "no officer with credential %s on this terminal", cert)
	}
	if err != nil {
		return o, err
	}
	return o, json.Unmarshal(body, &o)
}

// Officers lists the officers known to this terminal, by credential number.
func (t *Terminal) Officers() ([]enforce.Officer, error) {
	rows, err := t.db.Query(`SELECT body FROM officers ORDER BY cert`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []enforce.Officer
	for rows.Next() {
		var body []byte
		var o enforce.Officer
		if err := rows.Scan(&body); err != nil {
			return nil, err
		}
		if err := json.Unmarshal(body, &o); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}
