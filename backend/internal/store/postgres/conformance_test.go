package postgres_test

import (
	"context"
	"database/sql"
	"testing"

	"lawtrace/backend/internal/store"
	"lawtrace/backend/internal/store/postgres"
	"lawtrace/backend/internal/store/postgres/pgtest"
	"lawtrace/backend/internal/store/sqlite"
	"lawtrace/backend/internal/store/storetest"
)

// opener opens fresh stores for the suite, each on a new database of the
// cluster.
func opener(cluster *pgtest.Cluster) storetest.Opener {
	return func(t testing.TB, cfg storetest.Config) storetest.Subject {
		dsn := cluster.NewDatabase(t)
		open := func(t testing.TB) store.Backend {
			db, err := postgres.Open(dsn, sqlite.Options{Signer: cfg.Signer, Now: cfg.Now})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		}
		raw, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { raw.Close() })
		return storetest.Subject{
			Store: open(t),
			Exec: func(ctx context.Context, q string) error {
				_, err := raw.ExecContext(ctx, q)
				return err
			},
			Reopen: open,
		}
	}
}

// The PostgreSQL store passes the conformance suite, on a throwaway
// cluster of Debian's PostgreSQL 15 (SPEC X2; issue 14).
func TestConformance(t *testing.T) { storetest.Run(t, opener(pgtest.Start(t))) }
