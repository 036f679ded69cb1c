package server

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"strings"
	"testing"
	"time"

	"lawtrace/backend/internal/simdev"
	"lawtrace/backend/internal/store/postgres/pgtest"
	"lawtrace/shared/ledger"
	"lawtrace/shared/syncproto"
)

// SPEC X2 S2 S3 R2: terminals sync through two server instances that keep
// their records in one PostgreSQL database (--db): entries exactly once,
// a replayed batch acknowledged without a second copy, an upload, one
// log whose tree heads extend each other, and `verify` clean afterwards.
func TestSyncOnPostgres(t *testing.T) {
	dsn := pgtest.Start(t).NewDatabase(t)
	dir := t.TempDir() // the server key and the media, shared by both instances
	var instances []*Main
	for range 2 {
		m, err := Open(Config{DataDir: dir, DB: dsn, Listen: "127.0.0.1:0", Demo: true})
		if err != nil {
			t.Fatal(err)
		}
		if err := m.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { m.Close() })
		instances = append(instances, m)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pub := instances[0].Data.Key.Public().(ed25519.PublicKey)
	for i, m := range instances {
		ec, err := NewEnrolCode(ctx, m.Data, fmt.Sprintf("patrol %d", i), time.Hour, "")
		if err != nil {
			t.Fatal(err)
		}
		d := simdev.New(uint64(i + 1))
		c, err := simdev.Connect(ctx, m.SyncURL(), d, ec.Code)
		if err != nil {
			t.Fatal(err)
		}
		video := bytes.Repeat([]byte{byte(i)}, 5000)
		es := append(d.Case(fmt.Sprintf("C%d", i), 4), d.MediaEntry(fmt.Sprintf("C%d", i), ledger.KindVideo, video))
		for range 2 { // the second push is a replay: acknowledged, not stored again
			ack, err := c.Push(ctx, es, 0)
			if err != nil || ack.UpTo != 5 {
				t.Fatalf("instance %d push: %+v %v", i, ack, err)
			}
			if err := ack.TreeHead.Verify(pub); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := c.Upload(ctx, video, 1000, 2); err != nil {
			t.Fatal(err)
		}
		c.Close()
	}
	for _, m := range instances {
		r, err := Verify(ctx, m.Data)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Findings) != 0 || r.Entries != 10 || r.MediaFiles != 2 || r.TreeSize != 10 || len(r.PendingMedia) != 0 {
			t.Fatalf("verify: %+v", r)
		}
	}
	heads, err := instances[1].Data.Store.TreeHeads(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for k := 1; k < len(heads); k++ {
		cons, err := instances[1].Data.Store.Consistency(ctx, heads[k-1].Size, heads[k].Size)
		if err != nil || syncproto.VerifyConsistency(heads[k-1], heads[k], cons) != nil {
			t.Fatalf("head %d does not extend head %d: %v", heads[k].Size, heads[k-1].Size, err)
		}
	}
	// the SQLite online backup does not apply: pg_dump does (docs/operations.md)
	if _, err := Backup(ctx, instances[0].Data, io.Discard, t.TempDir()); err == nil || !strings.Contains(err.Error(), "pg_dump") {
		t.Fatalf("backup of a PostgreSQL store: %v", err)
	}
}
