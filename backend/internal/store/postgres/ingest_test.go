package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"lawtrace/backend/internal/simdev"
	"lawtrace/backend/internal/store"
	"lawtrace/backend/internal/store/postgres/pgtest"
	"lawtrace/backend/internal/store/sqlite"
	"lawtrace/shared/ledger"
	"lawtrace/shared/syncproto"
)

// A group holding a batch that brings an entry stored under another device
// refuses that batch alone, naming the entry, and stores the others whole:
// the group is checked without reading every id and hash, so the unique
// constraint fires and the group is committed again batch by batch (issue
// 14). The group is made by holding the writers' lock from outside while
// the batches queue; on SQLite and on PostgreSQL alike.
func TestGroupRefusesOnlyTheBatchAtFault(t *testing.T) {
	opt := sqlite.Options{Signer: simdev.New(77).Key, Now: func() time.Time { return groupT0 }}
	t.Run("sqlite", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "store.db")
		db, err := sqlite.Open(path, opt)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		raw, err := sql.Open("sqlite3", "file:"+path+"?_txlock=immediate&_busy_timeout=15000")
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		testGroupAtFault(t, db, func() func() {
			tx, err := raw.Begin()
			if err != nil {
				t.Fatal(err)
			}
			return func() { tx.Rollback() }
		})
	})
	t.Run("postgres", func(t *testing.T) {
		dsn := pgtest.Start(t).NewDatabase(t)
		db, err := Open(dsn, opt)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		raw, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer raw.Close()
		testGroupAtFault(t, db, func() func() {
			conn, err := raw.Conn(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := conn.ExecContext(context.Background(), fmt.Sprintf(`SELECT pg_advisory_lock(%d)`, writeLockKey)); err != nil {
				t.Fatal(err)
			}
			return func() {
				if _, err := conn.ExecContext(context.Background(), fmt.Sprintf(`SELECT pg_advisory_unlock(%d)`, writeLockKey)); err != nil {
					t.Error(err)
				}
				conn.Close()
			}
		})
	})
}

var groupT0 = time.Date(2026, 5, 7, 9, 0, 0, 0, time.UTC)

// testGroupAtFault runs the test on db; hold takes the writers' lock from
// outside the store and returns its release.
func testGroupAtFault(t *testing.T, db store.Backend, hold func() (release func())) {
	ctx := context.Background()
	t0 := groupT0
	devs := make([]*simdev.Device, 6)
	for i := range devs {
		devs[i] = simdev.New(uint64(200 + i))
		code := fmt.Sprintf("code-%d", i)
		if err := db.CreateEnrolCode(ctx, store.EnrolCode{Hash: code, DeviceName: devs[i].Name, CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Enrol(ctx, code, store.Device{ID: devs[i].ID, Name: devs[i].Name, PublicKey: devs[i].Public()}); err != nil {
			t.Fatal(err)
		}
	}
	stored := devs[0].Case("C0", 2)
	if _, err := db.Ingest(ctx, store.Batch{DeviceID: devs[0].ID, Entries: stored, ReceivedAt: t0}); err != nil {
		t.Fatal(err)
	}
	bad := devs[1].Case("C1", 3)
	bad[2].ID = stored[1].ID // another device's stored entry id
	_ = bad[2].Seal(devs[1].Key)

	release := hold()
	var wg sync.WaitGroup
	results := make([]error, len(devs))
	ingest := func(i int, es []ledger.Entry) {
		defer wg.Done()
		res, err := db.Ingest(ctx, store.Batch{DeviceID: devs[i].ID, Entries: es, ReceivedAt: t0})
		if err == nil && res.Accepted != len(es) {
			err = fmt.Errorf("accepted %d of %d", res.Accepted, len(es))
		}
		results[i] = err
	}
	wg.Add(1)
	go ingest(0, devs[0].Case("C0b", 2)) // leads a group of its own, waiting for the lock
	time.Sleep(300 * time.Millisecond)
	wg.Add(len(devs) - 1)
	go ingest(1, bad)
	for i := 2; i < len(devs); i++ {
		go ingest(i, devs[i].Case(fmt.Sprintf("C%d", i), 4))
	}
	time.Sleep(300 * time.Millisecond) // the others queue behind it
	release()
	wg.Wait()
	for i, err := range results {
		if i == 1 {
			if !errors.Is(err, store.ErrConflict) || syncproto.AsError(err) == nil || syncproto.AsError(err).Code != syncproto.CodeConflict || !strings.Contains(err.Error(), stored[1].ID) {
				t.Errorf("batch with a stored entry's id: %v, want a conflict naming %s", err, stored[1].ID)
			}
			continue
		}
		if err != nil {
			t.Errorf("device %d: %v", i, err)
		}
	}
	if dv, err := db.Device(ctx, devs[1].ID); err != nil || dv.LastSeq != 0 {
		t.Errorf("the refused batch moved its device to #%d (%v)", dv.LastSeq, err)
	}
	if gaps, err := db.DeviceSeqGaps(ctx); err != nil || len(gaps) != 0 {
		t.Errorf("exactly-once: %v %v", gaps, err)
	}
	want := 2 + 2 + 4*(len(devs)-2)
	if st, err := db.Stats(ctx, t0); err != nil || st.Entries != want || st.TreeSize != uint64(want) {
		t.Errorf("stats %+v %v, want %d entries", st, err, want)
	}
}
