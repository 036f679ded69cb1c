package field

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"lawtrace/app/internal/localdb"
)

// appendOne appends a small photo-sized entry: hash, sign and a committed
// transaction with the same durability (WAL, synchronous=FULL) as a step.
func appendOne(b *testing.B, term *Terminal, caseID string, i int) {
	err := term.inTx(func(tx *sql.Tx) error {
		_, err := term.appendEntry(tx, draft{caseID: caseID, step: "photo", payload: map[string]any{"fields": map[string]string{"caption": fmt.Sprint("照片 ", i)}}, officers: []string{"A1", "A2"}})
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
}

// BenchmarkAppendEntry: one ledger entry, hashed, signed and committed,
// alternating per iteration with the floor — one single-row INSERT
// committed on a store opened with the same settings, on the same disk — so
// both see the same load; it reports both times and their ratio.
func BenchmarkAppendEntry(b *testing.B) {
	term := newTerminal(b)
	c := openInspection(b, term, "A1", "A2")
	plain, err := localdb.Open(filepath.Join(b.TempDir(), "plain.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer plain.Close()
	if _, err := plain.Exec(`CREATE TABLE plain (id INTEGER PRIMARY KEY, body TEXT)`); err != nil {
		b.Fatal(err)
	}
	var appendTime, plainTime time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		appendOne(b, term, c.ID, i)
		appendTime += time.Since(start)
		start = time.Now()
		if _, err := plain.Exec(`INSERT INTO plain (body) VALUES (?)`, "照片"); err != nil {
			b.Fatal(err)
		}
		plainTime += time.Since(start)
	}
	b.ReportMetric(float64(appendTime.Microseconds())/float64(b.N), "append-µs/op")
	b.ReportMetric(float64(plainTime.Microseconds())/float64(b.N), "plain-µs/op")
	b.ReportMetric(float64(appendTime)/float64(plainTime), "append/plain")
}

// BenchmarkAppendWith100kQueued: append time when 100,000 unconfirmed
// entries are already in the outbox.
func BenchmarkAppendWith100kQueued(b *testing.B) {
	term := newTerminal(b)
	c := openInspection(b, term, "A1", "A2")
	err := term.inTx(func(tx *sql.Tx) error {
		for i := 0; i < 100_000; i++ {
			if _, err := term.appendEntry(tx, draft{caseID: fmt.Sprint("bulk-", i%500), step: "photo", payload: map[string]any{"n": i}, officers: []string{"A1"}}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if n := count(b, term.db, `SELECT COUNT(*) FROM entries WHERE acked = 0`); n < 100_000 {
		b.Fatalf("outbox holds %d", n)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		appendOne(b, term, c.ID, i)
	}
}
