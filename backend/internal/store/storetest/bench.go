package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"lawtrace/backend/internal/simdev"
	"lawtrace/backend/internal/store"
)

// BenchIngest measures Ingest on a store of open: devices push batches of
// batch entries at once (b.N entries in all), each batch committed with
// its device number, log leaves and a signed tree head before Ingest
// returns. It reports entries/s.
func BenchIngest(b *testing.B, open Opener, devices, batch int) {
	w := PrepareIngest(b, open, devices, batch, b.N)
	b.ResetTimer()
	elapsed := w.Push(b, w.Batches())
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "entries/s")
}

// IngestWork is ingest prepared for a benchmark: devices enrolled in a
// store, each with its batches sealed, pushed in one go or in rounds.
type IngestWork struct {
	db      store.Store
	batches [][]store.Batch // per device
	pushed  int             // batches of each device already pushed
}

// PrepareIngest enrols devices in a store of open and seals n entries for
// them, a case of batch entries to a batch.
func PrepareIngest(b *testing.B, open Opener, devices, batch, n int) *IngestWork {
	b.Helper()
	db := open(b, Config{Signer: &keyService{key: serverKey}, Now: func() time.Time { return t0 }}).Store
	w := &IngestWork{db: db, batches: make([][]store.Batch, devices)}
	for i := range devices {
		d := simdev.New(uint64(1000 + i))
		enrol(b, db, d, d.ID)
		left := n / devices
		if i < n%devices {
			left++
		}
		for k := 0; left > 0; k++ {
			m := min(batch, left)
			w.batches[i] = append(w.batches[i], store.Batch{DeviceID: d.ID, Entries: d.Case(fmt.Sprintf("%s-%d", d.ID, k), m), ReceivedAt: t0})
			left -= m
		}
	}
	return w
}

// Batches is the most batches one device has to push.
func (w *IngestWork) Batches() int { return len(w.batches[0]) }

// Push has every device push its next count batches, all devices at once,
// and returns how long that took; every batch must be accepted whole.
func (w *IngestWork) Push(b *testing.B, count int) time.Duration {
	b.Helper()
	ctx := context.Background()
	from := w.pushed
	w.pushed += count
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, len(w.batches))
	for _, batches := range w.batches {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, bt := range batches[min(from, len(batches)):min(from+count, len(batches))] {
				if res, err := w.db.Ingest(ctx, bt); err != nil || res.Accepted != len(bt.Entries) {
					errs <- fmt.Errorf("%+v %v", res, err)
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
