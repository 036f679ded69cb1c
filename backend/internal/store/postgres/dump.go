package postgres

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/jackc/pgx/v5"

	"lawtrace/backend/internal/store"
	"lawtrace/shared/syncproto"
)

// ClientBinDir is where Debian's PostgreSQL 15 client programs live when
// they are not on PATH.
const ClientBinDir = "/usr/lib/postgresql/15/bin"

// ErrNotEmpty refuses a restore into a database that holds tables.
var ErrNotEmpty = errors.New("the target database is not empty; restore only into a new, empty database (createdb)")

// DumpHead is what a dump holds, read in the dump's own snapshot.
type DumpHead struct {
	TreeHead syncproto.TreeHead
	Epoch    string
}

// tool finds a PostgreSQL client program on PATH or in ClientBinDir.
func tool(name string) (string, error) {
	if p, err := exec.LookPath(name); err == nil {
		return p, nil
	}
	p := filepath.Join(ClientBinDir, name)
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("%s is not on PATH nor in %s: install the PostgreSQL 15 client (apt-get install postgresql-client-15)", name, ClientBinDir)
	}
	return p, nil
}

// Dump writes `pg_dump --format=custom` of the database at dsn to dest
// while the servers keep writing: the dump runs in a snapshot exported by
// a read-only transaction, which also reads the log head and restore
// epoch, so the head describes exactly the dumped rows (SPEC X3).
func Dump(ctx context.Context, dsn, dest string) (DumpHead, error) {
	pgDump, err := tool("pg_dump")
	if err != nil {
		return DumpHead{}, err
	}
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return DumpHead{}, err
	}
	defer conn.Close(ctx)
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return DumpHead{}, err
	}
	defer tx.Rollback(ctx)
	var snapshot string
	if err := tx.QueryRow(ctx, `SELECT pg_export_snapshot()`).Scan(&snapshot); err != nil {
		return DumpHead{}, err
	}
	var h DumpHead
	err = tx.QueryRow(ctx, `SELECT size, root, timestamp, signature FROM tree_heads ORDER BY size DESC LIMIT 1`).
		Scan(&h.TreeHead.Size, &h.TreeHead.Root, &h.TreeHead.Timestamp, &h.TreeHead.Signature)
	if errors.Is(err, pgx.ErrNoRows) {
		h.TreeHead = syncproto.TreeHead{Root: syncproto.EmptyRoot()}
	} else if err != nil {
		return DumpHead{}, err
	}
	err = tx.QueryRow(ctx, `SELECT value FROM settings WHERE key = $1`, store.EpochSetting).Scan(&h.Epoch)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return DumpHead{}, err
	}
	out, err := exec.CommandContext(ctx, pgDump, "--format=custom", "--no-owner", "--no-privileges",
		"--snapshot="+snapshot, "--file="+dest, "--dbname="+dsn).CombinedOutput()
	if err != nil {
		return DumpHead{}, fmt.Errorf("pg_dump: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return h, tx.Commit(ctx)
}

// CheckEmpty refuses a database that holds any table, view or sequence
// outside PostgreSQL's own schemas.
func CheckEmpty(ctx context.Context, dsn string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
		WHERE s.nspname NOT IN ('pg_catalog', 'information_schema') AND s.nspname NOT LIKE 'pg_toast%'`).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("%s holds %d relations: %w", conn.Config().Database, n, ErrNotEmpty)
	}
	return nil
}

// Load restores a dump made by Dump into the empty database at dsn with
// pg_restore, in one transaction: a failure leaves the database empty.
func Load(ctx context.Context, dsn, src string) error {
	pgRestore, err := tool("pg_restore")
	if err != nil {
		return err
	}
	if err := CheckEmpty(ctx, dsn); err != nil {
		return err
	}
	out, err := exec.CommandContext(ctx, pgRestore, "--no-owner", "--no-privileges", "--exit-on-error",
		"--single-transaction", "--dbname="+dsn, src).CombinedOutput()
	if err != nil {
		return fmt.Errorf("pg_restore: %v: %s", err, strings.TrimSpace(string(out)))
	}
	return nil
}
