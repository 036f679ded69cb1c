package main

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"lawtrace/backend/internal/mediastore/s3test"
)

// SPEC X2 S3 R3: the real binary with its media in an S3 bucket (a real
// versitygw; $LAWTRACE_MEDIA for serve and every operator command). A
// terminal's videos, one of 96 MiB across many parts, reach the bucket
// through a server SIGKILLed mid-upload past a resume point (the sync
// service commits one every 64 MiB) and restarted: the upload resumes from
// what the bucket holds, every file ends up in the bucket under its hash
// and none in the data directory, no upload is left, verify is clean;
// with the bucket gone, /healthz answers 503.
func TestSyncWithMediaInS3(t *testing.T) {
	bucket := s3test.Start(t)
	t.Setenv("LAWTRACE_MEDIA", bucket.URL())
	s := startServer(t)
	tm := newTerminal(t, s, "bodycam-s3", "")
	tm.must("demo")
	const big, small = 96 << 20, 300_000
	for i, size := range []int64{big, small} {
		video := filepath.Join(t.TempDir(), fmt.Sprintf("bodycam-%d.mp4", i))
		writeRandom(t, video, size, uint64(70+i))
		tm.newCaseWithVideo(video)
	}
	received := func() int64 { return int64(s.metric("lawtrace_media_bytes_received_total")) }

	cmd := exec.Command(fieldctlBin, "--home", tm.home, "sync")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(120 * time.Second)
	for received() < 72<<20 && time.Now().Before(deadline) {
		time.Sleep(2 * time.Millisecond)
	}
	atKill := received()
	s.kill()
	_ = cmd.Wait()
	if atKill < 72<<20 || atKill >= big {
		t.Fatalf("the kill came with %d bytes received: not in the middle of the %d-byte upload", atKill, big)
	}
	s.start()
	tm.syncUntilDone(3)
	// the resume point at 64 MiB was committed before the kill: those
	// bytes were not sent again
	again, most := received(), int64(big+small)-64<<20
	t.Logf("%d MiB received before the kill, %d MiB after the restart for %d MiB of media", atKill>>20, again>>20, (big+small)>>20)
	if again > most {
		t.Fatalf("%d bytes received after the restart, at most %d if the upload resumed from the bucket\n%s", again, most, s.log)
	}
	checkExactlyOnce(t, s, tm)

	_, _, media := expected(t, tm)
	cl := bucket.Client(t)
	ctx := context.Background()
	for hash, size := range media {
		info, err := cl.StatObject(ctx, bucket.Bucket, "media/"+hash, minio.StatObjectOptions{})
		if err != nil || info.Size != size {
			t.Fatalf("media/%s in the bucket: %d bytes, %v; want %d", hash, info.Size, err, size)
		}
	}
	for o := range cl.ListObjects(ctx, bucket.Bucket, minio.ListObjectsOptions{Prefix: "partial/", Recursive: true}) {
		t.Errorf("left in the bucket: %s %v", o.Key, o.Err)
	}
	for u := range cl.ListIncompleteUploads(ctx, bucket.Bucket, "media/", true) {
		t.Errorf("multipart upload left: %s %v", u.Key, u.Err)
	}
	_ = filepath.WalkDir(filepath.Join(s.data, "media"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			t.Errorf("a file in the data directory's media folder: %s", p)
		}
		return nil
	})

	// the object store gone: /healthz says so, so a load balancer takes
	// the instance out
	bucket.Stop()
	resp, err := http.Get(s.url() + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), "media store") {
		t.Fatalf("/healthz with the bucket down: %d %s", resp.StatusCode, body)
	}
}
