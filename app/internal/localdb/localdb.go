// Package localdb opens the terminal's SQLite store with WAL, full fsync and embedded, numbered migrations.
package localdb

import (
	"database/sql"
	"embed"
	"fmt"

	_ "github.com/mattn/go-sqlite3" // registers the sqlite3 driver

	"lawtrace/shared/migrate"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Open opens (creating if needed) the store at path and applies every
// migration not yet applied, each in its own transaction. Each connection
// keeps its most recent prepared statements, so a statement run again (an
// append's read and insert) is not compiled again.
func Open(path string) (*sql.DB, error) {
	dsn := "file:" + path + "?_journal_mode=WAL&_synchronous=FULL&_foreign_keys=on&_busy_timeout=10000&_txlock=immediate&_stmt_cache_size=64"
	db, err := sql.Open("sqlite3", dsn)
	if err != nil {
		return nil, err
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := migrate.Apply(db, migrations, "migrations"); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
