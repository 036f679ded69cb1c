// Package postgres is the store on PostgreSQL for several server instances on one database: the SQL of package sqlite through pgx, with PostgreSQL migrations of the same numbers, append-only triggers in plpgsql and one advisory lock serialising writers across instances (SPEC X2).
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"lawtrace/backend/internal/store/sqlite"
	"lawtrace/shared/migrate"
)

//go:embed migrations/*.sql
var migrations embed.FS

// writeLockKey is the advisory lock every write transaction of the store
// takes ("LAWTRACE" in ASCII): one writer at a time across all instances,
// so the log is appended in one order and a device's last number is read
// and written under the same lock as its entries.
const writeLockKey = 0x4C41575452414345

// dialect is what package sqlite needs to know of PostgreSQL.
var dialect = sqlite.Dialect{WriteLock: fmt.Sprintf(`SELECT pg_advisory_xact_lock(%d)`, writeLockKey)}

// DB is the store on PostgreSQL.
type DB struct{ *sqlite.DB }

// Snapshot refuses: the SQLite online backup does not apply; a PostgreSQL
// store is backed up with pg_dump (docs/operations.md).
func (DB) Snapshot(context.Context, string) error {
	return errors.New("the records are in PostgreSQL: back them up with pg_dump (docs/operations.md)")
}

// Open connects to the database at dsn (postgres://…), migrates it and
// returns the store. Several instances may open one database; migrations
// are applied under the same advisory lock, once.
func Open(dsn string, opt sqlite.Options) (*DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("database address: %w", err)
	}
	sdb := sql.OpenDB(connector{stdlib.GetConnector(*cfg)})
	if err := sdb.Ping(); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("open %s@%s/%s: %w", cfg.User, cfg.Host, cfg.Database, err)
	}
	if err := migrateLocked(sdb); err != nil {
		sdb.Close()
		return nil, err
	}
	db, err := sqlite.OpenDB(sdb, dialect, opt)
	if err != nil {
		return nil, err
	}
	return &DB{db}, nil
}

// migrateLocked applies the migrations holding the writers' lock on one
// connection, so instances starting together do not race.
func migrateLocked(sdb *sql.DB) error {
	ctx := context.Background()
	lock, err := sdb.Conn(ctx) // a session lock belongs to one connection
	if err != nil {
		return err
	}
	defer lock.Close()
	if _, err := lock.ExecContext(ctx, fmt.Sprintf(`SELECT pg_advisory_lock(%d)`, writeLockKey)); err != nil {
		return err
	}
	defer lock.ExecContext(ctx, fmt.Sprintf(`SELECT pg_advisory_unlock(%d)`, writeLockKey))
	return migrate.Apply(sdb, migrations, "migrations")
}
