package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"lawtrace/backend/internal/store"
	"lawtrace/backend/internal/store/storetest"
)

// The SQLite store passes the conformance suite (SPEC X1, X2; issue 14).
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T, cfg storetest.Config) storetest.Subject {
		path := filepath.Join(t.TempDir(), "lawtrace.db")
		open := func(t *testing.T) *DB {
			db, err := Open(path, Options{SignKey: cfg.Key, Now: cfg.Now})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		}
		db := open(t)
		return storetest.Subject{
			Store: db,
			Exec: func(ctx context.Context, q string) error {
				_, err := db.db.ExecContext(ctx, q)
				return err
			},
			Reopen: func(t *testing.T) store.Backend { return open(t) },
		}
	})
}
