// Package migrate applies numbered SQL migration files (NNNN_name.sql) to a database — SQLite or PostgreSQL — each once and in its own transaction.
package migrate

import (
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

// Apply runs every dir/*.sql file of fsys not yet recorded in
// schema_migrations, in the order of their numbers.
func Apply(db *sql.DB, fsys fs.FS, dir string) error {
	if _, err := db.Exec(`CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY)`); err != nil {
		return err
	}
	names, err := fs.Glob(fsys, path.Join(dir, "*.sql"))
	if err != nil {
		return err
	}
	type migration struct {
		version int
		name    string
	}
	var all []migration
	seen := map[int]string{}
	for _, name := range names {
		base := path.Base(name)
		version, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with a number", base)
		}
		if other, dup := seen[version]; dup {
			return fmt.Errorf("migrations %s and %s share number %d", other, base, version)
		}
		seen[version] = base
		all = append(all, migration{version, name})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].version < all[j].version })
	for _, m := range all {
		if err := apply(db, fsys, m.version, m.name); err != nil {
			return fmt.Errorf("migration %s: %w", path.Base(m.name), err)
		}
	}
	return nil
}

func apply(db *sql.DB, fsys fs.FS, version int, name string) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	// The version is a number from the file name, written into the
	// statements rather than bound: no placeholder syntax (SQLite's ?,
	// PostgreSQL's $1) is needed, so one Apply serves both databases.
	if err := tx.QueryRow(fmt.Sprintf(`SELECT COUNT(*) FROM schema_migrations WHERE version = %d`, version)).Scan(&n); err != nil || n > 0 {
		return err
	}
	script, err := fs.ReadFile(fsys, name)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(string(script)); err != nil {
		return err
	}
	if _, err := tx.Exec(fmt.Sprintf(`INSERT INTO schema_migrations (version) VALUES (%d)`, version)); err != nil {
		return err
	}
	return tx.Commit()
}
