package sqlite

import (
	"context"
	"path/filepath"
	"testing"

	"lawtrace/backend/internal/store"
	"lawtrace/backend/internal/store/storetest"
)

// opener opens fresh SQLite stores for the suite.
func opener(t testing.TB, cfg storetest.Config) storetest.Subject {
	path := filepath.Join(t.TempDir(), "lawtrace.db")
	open := func(t testing.TB) *DB {
		db, err := Open(path, Options{Signer: cfg.Signer, Now: cfg.Now})
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
		Reopen: func(t testing.TB) store.Backend { return open(t) },
	}
}

// The SQLite store passes the conformance suite (SPEC X1, X2; issue 14).
func TestConformance(t *testing.T) { storetest.Run(t, opener) }

// BenchmarkIngest: 50 devices, batches of 100, the store alone (no
// websockets): compare with the PostgreSQL store's (docs/benchmarks.md).
func BenchmarkIngest(b *testing.B) { storetest.BenchIngest(b, opener, 50, 100) }
