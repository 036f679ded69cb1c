package main

import (
	"archive/tar"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"

	"lawtrace/backend/internal/mediastore/s3test"
	"lawtrace/backend/internal/store/postgres/pgtest"
)

// SPEC X2 X3 R2 S2 S3; issue 14 — the restore drill on PostgreSQL with
// real processes: a server on a database of a real cluster and two
// terminals sync, `backup --db` takes a pg_dump while the server runs, the
// terminals record more, the server is killed and the backup restored
// into a new, empty database and a new data directory. The server started
// on it gets back every entry and file from the terminals; verify is
// clean, the break is on record, and the terminals pin the new epoch.
func TestRestoreDrillPostgres(t *testing.T) {
	pg := pgtest.Start(t)
	t.Setenv("LAWTRACE_DB", pg.NewDatabase(t)) // every server process and operator command
	s := startServer(t)
	a, b := newTerminal(t, s, "pg-a", ""), newTerminal(t, s, "pg-b", "")
	video := func(n int64, seed uint64) string {
		p := filepath.Join(t.TempDir(), "bodycam.mp4")
		writeRandom(t, p, n, seed)
		return p
	}
	a.must("demo")
	b.must("sync")
	a.newCaseWithVideo(video(150_000, 11))
	b.newCaseWithVideo(video(90_000, 12))
	for _, tm := range []*terminal{a, b} {
		tm.must("sync")
	}
	atBackup := s.stats()
	backup := filepath.Join(t.TempDir(), "lawtrace.backup")
	var man struct {
		Database string `json:"database"`
		Entries  int    `json:"entries"`
		Files    []struct{ Path string }
	}
	if err := json.Unmarshal([]byte(s.mustOp("backup", "-o", backup, "--json")), &man); err != nil {
		t.Fatal(err)
	}
	if man.Database != "postgres" || man.Entries != 13 || len(man.Files) != 2+atBackup.MediaFiles || man.Files[0].Path != "lawtrace.pgdump" {
		t.Fatalf("backup manifest %+v", man)
	}
	a.newCaseWithVideo(video(120_000, 13))
	b.must("demo")
	for _, tm := range []*terminal{a, b} {
		tm.must("sync")
	}
	before := s.stats()
	if before.Entries <= 13 || before.MediaFiles <= atBackup.MediaFiles {
		t.Fatalf("before the restore: %+v", before)
	}

	s.kill()
	// A damaged archive is refused naming the file, and leaves the target
	// directory and database empty.
	fresh := pg.NewDatabase(t)
	t.Setenv("LAWTRACE_DB", fresh)
	damaged := filepath.Join(t.TempDir(), "damaged.backup")
	flipByteOf(t, backup, damaged, "lawtrace.pgdump")
	restored := filepath.Join(t.TempDir(), "restored")
	if out, code := s.op("restore", damaged, "--data", restored); code != 1 || !strings.Contains(out, "restore lawtrace.pgdump") {
		t.Fatalf("restore of a damaged archive: exit %d %s", code, out)
	}
	var r struct{ Epoch string }
	if err := json.Unmarshal([]byte(s.mustOp("restore", backup, "--data", restored, "--json")), &r); err != nil || len(r.Epoch) != 32 {
		t.Fatalf("restore: %+v %v", r, err)
	}
	if out, code := s.op("restore", backup, "--data", t.TempDir()); code != 1 || !strings.Contains(out, "not empty") {
		t.Fatalf("restore into a database that holds the records: exit %d %s", code, out)
	}
	if _, err := os.Stat(filepath.Join(restored, "lawtrace.db")); err == nil {
		t.Fatal("the restore wrote a SQLite database")
	}
	s.data = restored
	s.start()
	if st := s.stats(); st.Entries != 13 || st.MediaFiles != atBackup.MediaFiles {
		t.Fatalf("restored: %+v", st)
	}

	a.must("demo", "--party", "新城区某某超市")
	for _, tm := range []*terminal{a, b} {
		if out := tm.must("sync"); !strings.Contains(out, "entries confirmed") {
			t.Fatalf("sync after the restore: %s", out)
		}
	}
	checkExactlyOnce(t, s, a, b)
	if st := s.stats(); st.MediaFiles != before.MediaFiles {
		t.Fatalf("after the drill: %+v, before the restore %+v", st, before)
	}
	for _, tm := range []*terminal{a, b} {
		if out := tm.must("sync"); !strings.Contains(out, "0 entries confirmed") {
			t.Fatalf("a terminal is stuck: %s", out)
		}
		var epoch string
		if err := tm.db().QueryRow(`SELECT value FROM settings WHERE key = 'log_epoch'`).Scan(&epoch); err != nil || epoch != r.Epoch {
			t.Fatalf("terminal pinned epoch %q %v, the restore made %q", epoch, err, r.Epoch)
		}
	}
	var evs []struct{ Kind string }
	if err := json.Unmarshal([]byte(s.mustOp("events", "--json", "--limit", "50")), &evs); err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, ev := range evs {
		kinds[ev.Kind]++
	}
	if kinds["data_restored"] != 1 || kinds["log_break"] != 2 {
		t.Fatalf("security events %v", kinds)
	}
}

// flipByteOf copies the backup at src to dst with one byte of the named
// file changed.
func flipByteOf(t *testing.T, src, dst, name string) {
	t.Helper()
	in, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	var out bytes.Buffer
	tr, tw := tar.NewReader(in), tar.NewWriter(&out)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		if hdr.Name == name {
			body[len(body)/2] ^= 0x40
		}
		if err := tw.WriteHeader(hdr); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(dst, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// SPEC X2 X3; issue 14 — with the media in a bucket the backup lists the
// bucket's objects (the bucket's versioning keeps the bytes); a restore
// whose bucket lost an object exits 1 naming it, deletes nothing and
// leaves the database (PostgreSQL) or the data directory (SQLite) empty;
// with the object back the restore succeeds.
func TestRestorePostgresChecksTheBucket(t *testing.T) { restoreChecksTheBucket(t, pgtest.Start(t)) }

// The same with the records in SQLite: its restore checked no bucket
// before (issue 14).
func TestRestoreSQLiteChecksTheBucket(t *testing.T) { restoreChecksTheBucket(t, nil) }

func restoreChecksTheBucket(t *testing.T, pg *pgtest.Cluster) {
	bucket := s3test.Start(t)
	if pg != nil {
		t.Setenv("LAWTRACE_DB", pg.NewDatabase(t))
	}
	t.Setenv("LAWTRACE_MEDIA", bucket.URL())
	s := startServer(t)
	tm := newTerminal(t, s, "pg-s3", "")
	tm.must("demo")
	video := filepath.Join(t.TempDir(), "bodycam.mp4")
	writeRandom(t, video, 200_000, 21)
	tm.newCaseWithVideo(video)
	tm.must("sync")
	atBackup := s.stats()
	backup := filepath.Join(t.TempDir(), "lawtrace.backup")
	var man struct {
		Files  []struct{ Path string }
		Bucket []struct {
			Path   string
			Size   int64
			SHA256 string
		}
	}
	if err := json.Unmarshal([]byte(s.mustOp("backup", "-o", backup, "--json")), &man); err != nil {
		t.Fatal(err)
	}
	if len(man.Files) != 2 || len(man.Bucket) != atBackup.MediaFiles || atBackup.MediaFiles < 2 {
		t.Fatalf("backup of a bucket: %+v, server %+v", man, atBackup)
	}
	s.kill()

	ctx := context.Background()
	client := bucket.Client(t)
	lost := man.Bucket[1]
	obj, err := client.GetObject(ctx, bucket.Bucket, lost.Path, minio.GetObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	body, err := io.ReadAll(obj)
	if err != nil || int64(len(body)) != lost.Size {
		t.Fatalf("read %s: %d bytes, %v", lost.Path, len(body), err)
	}
	if err := client.RemoveObject(ctx, bucket.Bucket, lost.Path, minio.RemoveObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	if pg != nil {
		t.Setenv("LAWTRACE_DB", pg.NewDatabase(t))
	}
	restored := filepath.Join(t.TempDir(), "restored")
	if out, code := s.op("restore", backup, "--data", restored); code != 1 || !strings.Contains(out, "1 missing: "+lost.Path) {
		t.Fatalf("restore with an object gone: exit %d %s", code, out)
	}
	if left, _ := os.ReadDir(restored); len(left) != 0 {
		t.Fatalf("the refused restore left %d files in %s", len(left), restored)
	}
	if _, err := client.PutObject(ctx, bucket.Bucket, lost.Path, bytes.NewReader(body), int64(len(body)), minio.PutObjectOptions{}); err != nil {
		t.Fatal(err)
	}
	s.mustOp("restore", backup, "--data", restored) // the database was left empty
	s.data = restored
	s.start()
	tm.must("sync")
	checkExactlyOnce(t, s, tm)
}
