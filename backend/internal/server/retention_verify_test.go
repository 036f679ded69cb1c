package server

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"lawtrace/backend/internal/auth"
	"lawtrace/backend/internal/reviewsrv"
	"lawtrace/shared/blob"
)

// SPEC R6, issue 10: a file disposed of after retention, with its
// tombstone in the office chain, is reported as disposed — not missing —
// and the store verifies; a file removed without a tombstone is a finding.
func TestVerifyDisposedNotMissing(t *testing.T) {
	t.Run("tombstone", func(t *testing.T) {
		m, video := setup(t)
		ctx := context.Background()
		later := func() time.Time { return time.Now().AddDate(0, 3, 1) }
		svc, err := reviewsrv.New(ctx, reviewsrv.Config{Store: m.Data.Store, Blobs: m.Data.Blobs, Now: later, ServerID: m.Data.ServerID()})
		if err != nil {
			t.Fatal(err)
		}
		by := reviewsrv.User{ID: "1", Username: "admin", Name: "系统管理员", Role: auth.Admin}
		head := reviewsrv.User{ID: "2", Username: "supervisor", Name: "张建国", Role: auth.Supervisor}
		// the case ends and is archived: the recording's copy is in the case file (003 §27 ¶2)
		if _, err := svc.EndCase(ctx, head, "C1", "检查完毕"); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.RecordArchive(ctx, head, "C1", "", "zip"); err != nil {
			t.Fatal(err)
		}
		res, err := svc.Dispose(ctx, by, head, video, "音像记录保存期满")
		if err != nil {
			t.Fatal(err)
		}
		if has, _ := m.Data.Blobs.Has(video); has || res.Cases["C1"] == 0 {
			t.Fatalf("disposal %+v; bytes still there: %v", res, has)
		}
		r, err := Verify(ctx, m.Data)
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Findings) > 0 {
			t.Fatalf("findings after a disposal with its tombstone:\n%s", strings.Join(r.Findings, "\n"))
		}
		if want := "media " + video[:12] + " disposed (tombstone C1/office #3)"; len(r.Disposed) != 1 || r.Disposed[0] != want {
			t.Fatalf("disposed %v, want %q", r.Disposed, want)
		}
	})
	t.Run("no tombstone", func(t *testing.T) {
		m, video := setup(t)
		if err := os.Remove(m.Data.Blobs.(*blob.Folder).Path(video)); err != nil {
			t.Fatal(err)
		}
		r, err := Verify(context.Background(), m.Data)
		if err != nil {
			t.Fatal(err)
		}
		if got := strings.Join(r.Findings, "\n"); !strings.Contains(got, "media "+video[:12]+" is recorded as stored but missing") || len(r.Disposed) != 0 {
			t.Fatalf("a file removed without a tombstone: findings %q, disposed %v", got, r.Disposed)
		}
	})
}
