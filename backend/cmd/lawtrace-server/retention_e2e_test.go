package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"lawtrace/backend/internal/auth"
	"lawtrace/backend/internal/reviewsrv"
	"lawtrace/backend/internal/server"
)

// SPEC R6, 003 §27, issue 10: the operator command refuses a disposal
// inside retention and without the head's approval, in Chinese with the
// article; after retention (the disposal run in-process with a clock 3
// months on) the server's verify reports the files as disposed, and the
// case file written again leaves them out and lawtrace-verify accepts it
// because the tombstone names them.
func TestRetentionEndToEnd(t *testing.T) {
	s := startServer(t)
	caseID, _ := demoArchive(t, s, "patrol-retention")

	out := s.mustOp("retention", "list", "--all")
	if !strings.Contains(out, caseID) || !strings.Contains(out, "音像记录自录制之日起保存不少于 3 个月") || !strings.Contains(out, "in retention") {
		t.Fatalf("retention list:\n%s", out)
	}
	if out := s.mustOp("retention", "list"); !strings.Contains(out, "no stored file is due") {
		t.Fatalf("retention list (due):\n%s", out)
	}
	out, code := s.op("retention", "dispose", caseID, "--by", "admin", "--reason", "保存期满")
	if code != 1 || !strings.Contains(out, "须经机关负责人批准") || !strings.Contains(out, "003") {
		t.Fatalf("without approval: exit %d\n%s", code, out)
	}
	out, code = s.op("retention", "dispose", caseID, "--by", "admin", "--approved-by", "supervisor", "--reason", "保存期满")
	if code != 1 || !strings.Contains(out, "保存期限内不得销毁") || !strings.Contains(out, "003") || !strings.Contains(out, "§27") {
		t.Fatalf("inside retention: exit %d\n%s", code, out)
	}

	// Three months and a day on: the head approves, the A/V goes.
	d, err := server.OpenData(s.data, func() time.Time { return time.Now().AddDate(0, 3, 1) })
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	svc, err := reviewsrv.New(ctx, reviewsrv.Config{Store: d.Store, Blobs: d.Blobs, Now: d.Now, ServerID: d.ServerID()})
	if err != nil {
		t.Fatal(err)
	}
	res, err := svc.Dispose(ctx, reviewsrv.User{ID: "1", Username: "admin", Name: "系统管理员", Role: auth.Admin},
		reviewsrv.User{ID: "2", Username: "supervisor", Name: "张建国", Role: auth.Supervisor}, caseID, "音像记录保存期满，经负责人批准销毁")
	d.Close()
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) == 0 || len(res.Kept) == 0 {
		t.Fatalf("disposal %+v", res)
	}
	for _, f := range res.Files {
		if f.Kind != "video" && f.Kind != "audio" {
			t.Fatalf("disposed a %s inside its archive period: %+v", f.Kind, res)
		}
	}

	out, code = s.op("verify")
	if code != 0 || !strings.Contains(out, "intact") || strings.Count(out, "disposed (tombstone "+caseID+"/office #") != len(res.Files) {
		t.Fatalf("verify after disposal: exit %d\n%s", code, out)
	}
	bundle := t.TempDir() + "/again.zip"
	s.mustOp("archive", caseID, "-o", bundle)
	names, _ := zipFiles(t, bundle)
	for _, f := range res.Files {
		for _, n := range names {
			if strings.HasSuffix(n, f.Hash) {
				t.Fatalf("the bundle holds disposed file %s", n)
			}
		}
	}
	out, code = runVerify(t, bundle)
	if code != 0 || !strings.Contains(out, "保存期满销毁的文件") {
		t.Fatalf("lawtrace-verify of a bundle after disposal: exit %d\n%s", code, out)
	}
}
