package postgres_test

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"lawtrace/backend/internal/simdev"
	"lawtrace/backend/internal/store/postgres"
	"lawtrace/backend/internal/store/postgres/pgtest"
	"lawtrace/backend/internal/store/sqlite"
	"lawtrace/shared/ledger"
)

// BenchmarkRawCopy: the rows BenchmarkIngest stores, COPYed by 50
// connections in batches of 100 (each COPY its own durable commit) into a
// table like entries with its indexes — the floor the store's ingest is
// measured against (issue 14: goal at least half of it).
func BenchmarkRawCopy(b *testing.B) {
	const devices, batch = 50, 100
	dsn := pgtest.StartDurable(b).NewDatabase(b)
	db, err := postgres.Open(dsn, sqlite.Options{})
	if err != nil {
		b.Fatal(err)
	}
	db.Close()
	ctx := context.Background()
	setup, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer setup.Close(ctx)
	if _, err := setup.Exec(ctx, `CREATE TABLE raw_entries (LIKE entries INCLUDING DEFAULTS INCLUDING INDEXES)`); err != nil {
		b.Fatal(err)
	}
	columns := []string{"id", "case_id", "seq", "device_id", "device_seq", "step", "hash", "body", "device_time",
		"calibrated_time", "clock_offset_ms", "clock_skewed", "received_at", "leaf_index", "clock_basis"}
	work := make([][][][]any, devices)
	leaf := int64(0)
	for i := range devices {
		d := simdev.New(uint64(1000 + i))
		n := b.N / devices
		if i < b.N%devices {
			n++
		}
		for k := 0; n > 0; k++ {
			m := min(batch, n)
			var rows [][]any
			for _, e := range d.Case(fmt.Sprintf("%s-%d", d.ID, k), m) {
				body, _ := json.Marshal(e)
				rows = append(rows, []any{e.ID, e.CaseID, e.Seq, e.DeviceID, e.DeviceSeq, e.Step, e.Hash, body, e.DeviceTime,
					e.DeviceTime, int64(0), int64(0), ledger.FormatTime(time.Now()), leaf, "connection"})
				leaf++
			}
			work[i] = append(work[i], rows)
			n -= m
		}
	}
	conns := make([]*pgx.Conn, devices)
	for i := range conns {
		if conns[i], err = pgx.Connect(ctx, dsn); err != nil {
			b.Fatal(err)
		}
		defer conns[i].Close(ctx)
	}
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, devices)
	for i, batches := range work {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, rows := range batches {
				if _, err := conns[i].CopyFrom(ctx, pgx.Identifier{"raw_entries"}, columns, pgx.CopyFromRows(rows)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	b.StopTimer()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "entries/s")
}
