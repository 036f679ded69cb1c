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
	db := open(b, Config{Signer: &keyService{key: serverKey}, Now: func() time.Time { return t0 }}).Store
	ctx := context.Background()
	work := make([][]store.Batch, devices)
	for i := range devices {
		d := simdev.New(uint64(1000 + i))
		enrol(b, db, d, d.ID)
		n := b.N / devices
		if i < b.N%devices {
			n++
		}
		for k := 0; n > 0; k++ {
			m := min(batch, n)
			work[i] = append(work[i], store.Batch{DeviceID: d.ID, Entries: d.Case(fmt.Sprintf("%s-%d", d.ID, k), m)})
			n -= m
		}
	}
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, devices)
	for _, batches := range work {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, bt := range batches {
				bt.ReceivedAt = t0
				if res, err := db.Ingest(ctx, bt); err != nil || res.Accepted != len(bt.Entries) {
					errs <- fmt.Errorf("%+v %v", res, err)
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
