package server

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lawtrace/backend/internal/simdev"
	"lawtrace/shared/blob"
	"lawtrace/shared/ledger"
	"lawtrace/shared/syncproto"
)

// setup runs a server with one device that synced two cases and a file.
func setup(t *testing.T) (*Main, string) {
	t.Helper()
	m, err := Open(Config{DataDir: t.TempDir(), Listen: "127.0.0.1:0", Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	ec, err := NewEnrolCode(ctx, m.Data, "patrol", time.Hour, "")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(ec.Payload, "code="+ec.Code) || ec.Server != m.SyncURL() {
		t.Fatalf("enrol code %+v", ec)
	}
	d := simdev.New(1)
	c, err := simdev.Connect(ctx, m.SyncURL(), d, ec.Code)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	video := bytes.Repeat([]byte("video"), 1000)
	es := append(d.Case("C1", 4), d.MediaEntry("C1", ledger.KindVideo, video))
	es = append(es, d.Case("C2", 3)...)
	if _, err := c.Push(ctx, es, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Upload(ctx, video, 1000, 2); err != nil {
		t.Fatal(err)
	}
	return m, ledger.HashBytes(video)
}

func rawDB(t *testing.T, m *Main) *sql.DB {
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(m.Data.Dir, "lawtrace.db")+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func findings(t *testing.T, m *Main) string {
	t.Helper()
	r, err := Verify(context.Background(), m.Data)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Join(r.Findings, "\n")
}

// SPEC R2 R3 S2: `verify` trusts nothing in the database: an edited entry,
// a changed media byte, a rewritten log node or tree head, and an entry
// removed behind the server's back are each found.
func TestVerifyFindsTampering(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, m *Main, db *sql.DB, media string)
		want   []string
	}{
		{"intact", func(*testing.T, *Main, *sql.DB, string) {}, nil},
		{"entry payload edited", func(t *testing.T, m *Main, db *sql.DB, _ string) {
			exec(t, db, `DROP TRIGGER entries_append_only`)
			exec(t, db, `UPDATE entries SET body = CAST(replace(CAST(body AS TEXT), '第 1 项', '第 9 项') AS BLOB) WHERE case_id = 'C1' AND seq = 2`)
		}, []string{"case C1 entry #2", "content changed"}},
		{"media byte changed", func(t *testing.T, m *Main, _ *sql.DB, media string) {
			p := filepath.Join(m.Data.Blobs.(*blob.Folder).Dir(), media[:2], media)
			b, _ := os.ReadFile(p)
			b[10] ^= 1
			_ = os.WriteFile(p, b, 0o600)
		}, []string{"changed: its bytes now hash to"}},
		{"log node rewritten", func(t *testing.T, m *Main, db *sql.DB, _ string) {
			exec(t, db, `UPDATE log_nodes SET hash = zeroblob(32) WHERE level = 1 AND idx = 0`)
		}, []string{"log node (level 1, index 0) does not match"}},
		{"tree head forged", func(t *testing.T, m *Main, db *sql.DB, _ string) {
			exec(t, db, `UPDATE tree_heads SET root = zeroblob(32) WHERE size = (SELECT MAX(size) FROM tree_heads)`)
		}, []string{"signature does not verify", "does not match the entries"}},
		{"entry deleted", func(t *testing.T, m *Main, db *sql.DB, _ string) {
			exec(t, db, `DROP TRIGGER entries_no_delete`)
			exec(t, db, `PRAGMA foreign_keys = OFF`)
			exec(t, db, `DELETE FROM entries WHERE case_id = 'C2' AND seq = 2`)
		}, []string{"sequence gap", "holds 7 entries", "log leaf"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, media := setup(t)
			tc.tamper(t, m, rawDB(t, m), media)
			got := findings(t, m)
			if tc.want == nil && got != "" {
				t.Fatalf("intact store has findings:\n%s", got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("findings lack %q:\n%s", w, got)
				}
			}
		})
	}
}

func exec(t *testing.T, db *sql.DB, q string) {
	t.Helper()
	if _, err := db.Exec(q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// SPEC F2 S5 D4: seeding is idempotent and puts every procedure, rights
// text and demo officer in the catalog; a changed officer is a new version.
func TestSeed(t *testing.T) {
	m, _ := setup(t)
	ctx := context.Background()
	before, _ := m.Data.Store.Stats(ctx, time.Now())
	if err := Seed(ctx, m.Data.Store, time.Now(), true, ""); err != nil {
		t.Fatal(err)
	}
	after, _ := m.Data.Store.Stats(ctx, time.Now())
	if before.CatalogHead != after.CatalogHead || after.CatalogHead != 10+8+1+6 {
		t.Fatalf("catalog head %d → %d", before.CatalogHead, after.CatalogHead)
	}
	officers, _ := Officers(ctx, m.Data.Store)
	o := officers[0]
	o.Suspended = true
	it, added, err := PutOfficer(ctx, m.Data.Store, o, time.Now())
	if err != nil || !added || it.Version != 2 {
		t.Fatalf("suspension %+v %v %v", it, added, err)
	}
	if _, _, err := PutOfficer(ctx, m.Data.Store, o, time.Now()); err != nil {
		t.Fatal(err)
	}
	if items, _, _ := m.Data.Store.CatalogSince(ctx, after.CatalogHead, 10); len(items) != 1 || items[0].Kind != syncproto.KindOfficer {
		t.Fatalf("new items %+v", items)
	}
}
