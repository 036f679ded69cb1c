package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"

	"github.com/mattn/go-sqlite3"
)

// Snapshot copies the live database into a new file at dest with SQLite's
// online backup API: one consistent copy of every page, taken under a read
// lock while the server keeps writing (SPEC X3). dest must not exist.
func (d *DB) Snapshot(ctx context.Context, dest string) error {
	if _, err := os.Stat(dest); !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("snapshot: %s already exists", dest)
	}
	ddb, err := sql.Open("sqlite3", "file:"+dest+"?_synchronous=FULL")
	if err != nil {
		return err
	}
	defer ddb.Close()
	dconn, err := ddb.Conn(ctx)
	if err != nil {
		return err
	}
	defer dconn.Close()
	sconn, err := d.db.Conn(ctx)
	if err != nil {
		return err
	}
	defer sconn.Close()
	return dconn.Raw(func(dc any) error {
		return sconn.Raw(func(sc any) error {
			b, err := dc.(*sqlite3.SQLiteConn).Backup("main", sc.(*sqlite3.SQLiteConn), "main")
			if err != nil {
				return err
			}
			if _, err := b.Step(-1); err != nil {
				b.Close()
				return fmt.Errorf("snapshot: %w", err)
			}
			return b.Finish()
		})
	})
}
