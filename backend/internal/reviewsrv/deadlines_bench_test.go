package reviewsrv_test

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"lawtrace/backend/internal/reviewsrv"
	"lawtrace/backend/internal/simdev"
	"lawtrace/backend/internal/store"
	"lawtrace/backend/internal/store/sqlite"
	"lawtrace/shared/ledger"
)

// Issue 15: what the review hooks cost per office event — the deadlines of
// the one case an event names (reviewsrv.EventDeadline), as the board's
// hook asks for them — in a store of benchHookCases cases of 10 entries
// (200,000 entries), each with its crew, two videos, a seizure and
// service: the scans by step grow with the number of cases.
const benchHookCases, benchHookDevices = 20_000, 20

func BenchmarkDeadlinesOfOneCase(b *testing.B) {
	ctx := context.Background()
	key := ed25519.NewKeyFromSeed(make([]byte, 32))
	db, err := sqlite.Open(filepath.Join(b.TempDir(), "lawtrace.db"), sqlite.Options{Signer: key})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	now := time.Now()
	var ids []string
	for d := range benchHookDevices {
		dev := simdev.New(uint64(70_000 + d))
		code := fmt.Sprintf("hook-%d", d)
		if err := db.CreateEnrolCode(ctx, store.EnrolCode{Hash: code, DeviceName: dev.Name, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			b.Fatal(err)
		}
		if _, err := db.Enrol(ctx, code, store.Device{ID: dev.ID, Name: dev.Name, PublicKey: dev.Public(), EnrolledAt: now}); err != nil {
			b.Fatal(err)
		}
		var batch []ledger.Entry
		for c := d; c < benchHookCases; c += benchHookDevices {
			id := fmt.Sprintf("H%05d", c)
			ids = append(ids, id)
			batch = append(batch, dev.Entry(id, "case_open", map[string]any{"procedure": "penalty", "party": "测试商户",
				"officers": []map[string]string{{"cert": "15010001"}, {"cert": "15010002"}}}))
			for i := range 2 {
				batch = append(batch, dev.MediaEntry(id, ledger.KindVideo, fmt.Appendf(nil, "video %s %d", id, i)))
			}
			batch = append(batch, dev.Entry(id, "seizure", map[string]any{"fields": map[string]any{"items": "食品 120 袋"}}),
				dev.Entry(id, "serve", map[string]any{"fields": map[string]any{"method": "direct"}}))
			for i := 5; i < 9; i++ {
				batch = append(batch, dev.Entry(id, "inquiry_notes", map[string]any{"fields": map[string]string{"n": fmt.Sprint(i)}}))
			}
			batch = append(batch, dev.Entry(id, "close_scene", map[string]any{}))
			if len(batch) >= 2000 || c+benchHookDevices >= benchHookCases {
				if _, err := db.Ingest(ctx, store.Batch{DeviceID: dev.ID, Entries: batch, ReceivedAt: now}); err != nil {
					b.Fatal(err)
				}
				batch = nil
			}
		}
	}
	svc, err := reviewsrv.New(ctx, reviewsrv.Config{Store: db})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	i := 0
	for b.Loop() {
		items, err := svc.Deadlines(ctx, reviewsrv.Filter{Cases: []string{ids[i%len(ids)]}})
		if err != nil || len(items) == 0 {
			b.Fatalf("%d deadlines: %v", len(items), err)
		}
		i += 7
	}
}
