package web

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"path/filepath"
	"testing"
	"time"

	"lawtrace/backend/internal/simdev"
	"lawtrace/backend/internal/store"
	"lawtrace/backend/internal/store/sqlite"
	"lawtrace/shared/blob"
)

// Issue 15: a refresh given no cases refreshes none. The hook loop, woken
// by a kick whose cases an earlier round had already taken, passed an
// empty (nil) list, which the store read as "every case": each spurious
// kick re-read and re-rendered the whole board, and took in cases before
// their own sync had finished (seen as entries read back in
// BenchmarkIngest).
func TestRefreshOfNoCasesRefreshesNone(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(filepath.Join(dir, "lawtrace.db"), sqlite.Options{Signer: key})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	blobs, err := blob.OpenFolder(filepath.Join(dir, "media"))
	if err != nil {
		t.Fatal(err)
	}
	s, _, err := New(Config{Store: st, Blobs: blobs, ServerKey: key.Public().(ed25519.PublicKey)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.board.model.wait(ctx); err != nil {
		t.Fatal(err)
	}

	// A case stored without an event: the board has not taken it in.
	d := simdev.New(5)
	now := time.Now()
	if err := st.CreateEnrolCode(ctx, store.EnrolCode{Hash: "c", DeviceName: d.Name, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Enrol(ctx, "c", store.Device{ID: d.ID, Name: d.Name, PublicKey: d.Public()}); err != nil {
		t.Fatal(err)
	}
	es := d.Case("Q1", 2)
	if err := store.CheckEntries(d.ID, d.Public(), es); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Ingest(ctx, store.Batch{DeviceID: d.ID, Entries: es, ReceivedAt: now}); err != nil {
		t.Fatal(err)
	}

	for _, ids := range [][]string{nil, {}} {
		changes, err := s.board.model.refresh(ctx, ids, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(changes) != 0 {
			t.Fatalf("refresh(%#v) changed %d rows; a refresh of no cases must change none", ids, len(changes))
		}
	}
	changes, err := s.board.model.refresh(ctx, []string{"Q1"}, nil)
	if err != nil || len(changes) != 1 || changes[0].after.ID != "Q1" {
		t.Fatalf("refresh of Q1: %v %v", changes, err)
	}
}
