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
	"lawtrace/backend/internal/store/storetest"
	"lawtrace/shared/ledger"
)

// benchDevices push benchBatch entries at a time, in the ingest and the raw
// COPY benchmarks alike.
const benchDevices, benchBatch = 50, 100

// BenchmarkIngest: as the SQLite store's, on a cluster with fsync and
// synchronous commit on (docs/benchmarks.md).
func BenchmarkIngest(b *testing.B) {
	storetest.BenchIngest(b, opener(pgtest.StartDurable(b)), benchDevices, benchBatch)
}

// BenchmarkRawCopy: the rows BenchmarkIngest stores, COPYed by 50
// connections in batches of 100 (each COPY its own durable commit) into a
// table like entries with its indexes — the floor the store's ingest is
// measured against (issue 14: goal at least half of it).
func BenchmarkRawCopy(b *testing.B) {
	w := prepareRawCopy(b, pgtest.StartDurable(b).NewDatabase(b), b.N)
	b.ResetTimer()
	elapsed := w.push(b, w.batches())
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "entries/s")
}

// BenchmarkIngestVsRawCopy runs BenchmarkIngest's and BenchmarkRawCopy's
// work on one cluster in alternating rounds, so that both see the same
// load of the machine, and reports both rates and their ratio (issue 14:
// goal ingest/copy ≥ 0.5).
func BenchmarkIngestVsRawCopy(b *testing.B) {
	const rounds = 4
	cluster := pgtest.StartDurable(b)
	ingest := storetest.PrepareIngest(b, opener(cluster), benchDevices, benchBatch, b.N)
	raw := prepareRawCopy(b, cluster.NewDatabase(b), b.N)
	per := (ingest.Batches() + rounds - 1) / rounds
	var inIngest, inCopy time.Duration
	b.ResetTimer()
	for range rounds {
		inIngest += ingest.Push(b, per)
		inCopy += raw.push(b, per)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/inIngest.Seconds(), "ingest-entries/s")
	b.ReportMetric(float64(b.N)/inCopy.Seconds(), "copy-entries/s")
	b.ReportMetric(inCopy.Seconds()/inIngest.Seconds(), "ingest/copy")
}

// rawCopy is the raw COPY work prepared: a table like entries, a
// connection per device and each device's batches of rows.
type rawCopy struct {
	conns   []*pgx.Conn
	work    [][][][]any // per device, per batch, per row
	columns []string
	pushed  int
}

// prepareRawCopy creates the store's tables in the database at dsn and
// raw_entries like entries, and makes the rows of n entries as the store
// would write them.
func prepareRawCopy(b *testing.B, dsn string, n int) *rawCopy {
	b.Helper()
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
	w := &rawCopy{work: make([][][][]any, benchDevices), conns: make([]*pgx.Conn, benchDevices),
		columns: []string{"id", "case_id", "seq", "device_id", "device_seq", "step", "hash", "body", "device_time",
			"calibrated_time", "clock_offset_ms", "clock_skewed", "received_at", "leaf_index", "clock_basis"}}
	leaf := int64(0)
	for i := range benchDevices {
		d := simdev.New(uint64(1000 + i))
		left := n / benchDevices
		if i < n%benchDevices {
			left++
		}
		for k := 0; left > 0; k++ {
			m := min(benchBatch, left)
			var rows [][]any
			for _, e := range d.Case(fmt.Sprintf("%s-%d", d.ID, k), m) {
				body, _ := json.Marshal(e)
				rows = append(rows, []any{e.ID, e.CaseID, e.Seq, e.DeviceID, e.DeviceSeq, e.Step, e.Hash, body, e.DeviceTime,
					e.DeviceTime, int64(0), int64(0), ledger.FormatTime(time.Now()), leaf, "connection"})
				leaf++
			}
			w.work[i] = append(w.work[i], rows)
			left -= m
		}
	}
	for i := range w.conns {
		if w.conns[i], err = pgx.Connect(ctx, dsn); err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { w.conns[i].Close(ctx) })
	}
	return w
}

func (w *rawCopy) batches() int { return len(w.work[0]) }

// push has every connection COPY its next count batches, all at once, and
// returns how long that took.
func (w *rawCopy) push(b *testing.B, count int) time.Duration {
	b.Helper()
	ctx := context.Background()
	from := w.pushed
	w.pushed += count
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, len(w.work))
	for i, batches := range w.work {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, rows := range batches[min(from, len(batches)):min(from+count, len(batches))] {
				if _, err := w.conns[i].CopyFrom(ctx, pgx.Identifier{"raw_entries"}, w.columns, pgx.CopyFromRows(rows)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	return elapsed
}
