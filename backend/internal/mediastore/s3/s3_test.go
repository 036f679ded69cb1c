package s3_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/minio/minio-go/v7"

	"lawtrace/backend/internal/mediastore/blobtest"
	"lawtrace/backend/internal/mediastore/s3"
	"lawtrace/backend/internal/mediastore/s3test"
	"lawtrace/shared/blob"
)

func open(t testing.TB, srv *s3test.Server) *s3.Store {
	t.Helper()
	st, err := s3.OpenURL(context.Background(), srv.URL())
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestConformance runs the blob.Store suite against a real S3 server
// (versitygw), each call a new store on the same bucket (SPEC X2 R3 S3).
func TestConformance(t *testing.T) {
	srv := s3test.Start(t)
	blobtest.Run(t, func(t *testing.T) blob.Store { return open(t, srv) })
}

func TestParseURL(t *testing.T) {
	good := []struct {
		url  string
		want s3.Config
	}{
		{"s3://AK:SK@127.0.0.1:9000/media?secure=false", s3.Config{Endpoint: "127.0.0.1:9000", AccessKey: "AK", SecretKey: "SK", Bucket: "media"}},
		{"s3://AK:S%2FK@s3.example.cn/lawtrace", s3.Config{Endpoint: "s3.example.cn", AccessKey: "AK", SecretKey: "S/K", Bucket: "lawtrace", Secure: true}},
	}
	for _, g := range good {
		if c, err := s3.ParseURL(g.url); err != nil || c != g.want {
			t.Errorf("ParseURL(%q) = %+v, %v; want %+v", g.url, c, err, g.want)
		}
	}
	for _, bad := range []string{"http://AK:SK@h/b", "s3://h:9000/b", "s3://AK:SK@h:9000/", "s3://AK:SK@h/a/b", "s3://AK:SK@h/b?secure=maybe", "s3://AK@h/b"} {
		_, err := s3.ParseURL(bad)
		if err == nil {
			t.Errorf("ParseURL(%q): no error", bad)
		} else if strings.Contains(err.Error(), "SK") {
			t.Errorf("ParseURL(%q): the refusal %q shows the secret", bad, err)
		}
	}
}

func TestOpenRefusesMissingBucket(t *testing.T) {
	srv := s3test.Start(t)
	_, err := s3.OpenURL(context.Background(), strings.Replace(srv.URL(), "/media?", "/nobucket?", 1))
	if err == nil || !strings.Contains(err.Error(), `no bucket "nobucket"`) {
		t.Fatalf("open of a missing bucket: %v", err)
	}
}

// TestNeverOverwrites: a stored object keeps its ETag and time through a
// chunked upload and a Put of the same file, and the server itself
// refuses a conditional write over it, which Finish relies on (SPEC R3).
func TestNeverOverwrites(t *testing.T) {
	srv := s3test.Start(t)
	st := open(t, srv)
	cl := srv.Client(t)
	ctx := context.Background()
	b := bytes.Repeat([]byte("录像"), 4<<20) // 24 MiB: parts, not one PUT
	sum := sha256.Sum256(b)
	hash := hex.EncodeToString(sum[:])
	if _, _, err := st.Put(bytes.NewReader(b)); err != nil {
		t.Fatal(err)
	}
	before, err := cl.StatObject(ctx, srv.Bucket, "media/"+hash, minio.StatObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for off := 0; off < len(b); off += 1 << 20 {
		if err := st.WriteChunk(hash, int64(off), b[off:off+1<<20]); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := st.Finish(hash); err != nil || n != int64(len(b)) {
		t.Fatalf("Finish of a stored file: %d, %v", n, err)
	}
	if _, _, err := st.Put(bytes.NewReader(b)); err != nil {
		t.Fatal(err)
	}
	after, err := cl.StatObject(ctx, srv.Bucket, "media/"+hash, minio.StatObjectOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if after.ETag != before.ETag || !after.LastModified.Equal(before.LastModified) {
		t.Fatalf("object rewritten: %s %v, then %s %v", before.ETag, before.LastModified, after.ETag, after.LastModified)
	}
	opts := minio.PutObjectOptions{}
	opts.SetMatchETagExcept("*")
	if _, err := cl.PutObject(ctx, srv.Bucket, "media/"+hash, strings.NewReader("other"), 5, opts); minio.ToErrorResponse(err).StatusCode != 412 {
		t.Fatalf("conditional PUT over a stored object: %v, want 412 Precondition Failed", err)
	}
	empty(t, srv, hash)
}

// empty checks that nothing of an upload is left in the bucket: no state,
// no tail, no multipart upload.
func empty(t *testing.T, srv *s3test.Server, hash string) {
	t.Helper()
	cl := srv.Client(t)
	for o := range cl.ListObjects(context.Background(), srv.Bucket, minio.ListObjectsOptions{Prefix: "partial/" + hash, Recursive: true}) {
		t.Errorf("left in the bucket: %s (%v)", o.Key, o.Err)
	}
	for u := range cl.ListIncompleteUploads(context.Background(), srv.Bucket, "media/"+hash, true) {
		t.Errorf("multipart upload left: %s %s (%v)", u.Key, u.UploadID, u.Err)
	}
}

// TestRefusedLeavesNothing: a mismatched upload across several parts is
// aborted, its state and tail removed, no object committed.
func TestRefusedLeavesNothing(t *testing.T) {
	srv := s3test.Start(t)
	st := open(t, srv)
	b := bytes.Repeat([]byte{7}, 19<<20)
	want := strings.Repeat("ab", 32)
	for off := 0; off < len(b); off += 1 << 20 {
		if err := st.WriteChunk(want, int64(off), b[off:off+1<<20]); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SyncPartial(want); err != nil {
		t.Fatal(err)
	}
	_, err := st.Finish(want)
	var mm *blob.MismatchError
	if !errors.As(err, &mm) {
		t.Fatalf("Finish: %v, want a mismatch", err)
	}
	if ok, _ := st.Has(want); ok {
		t.Fatal("refused upload committed")
	}
	empty(t, srv, want)
}

// TestRewindIntoPart: a chunk inside a part already sent (a crash between
// the part and the offset's record) restarts the upload from 0, and the
// restart completes.
func TestRewindIntoPart(t *testing.T) {
	srv := s3test.Start(t)
	st := open(t, srv)
	b := bytes.Repeat([]byte("0123456789abcdef"), 1<<20) // 16 MiB
	sum := sha256.Sum256(b)
	hash := hex.EncodeToString(sum[:])
	for off := 0; off < 10<<20; off += 1 << 20 {
		if err := st.WriteChunk(hash, int64(off), b[off:off+1<<20]); err != nil {
			t.Fatal(err)
		}
	}
	if err := st.SyncPartial(hash); err != nil {
		t.Fatal(err)
	}
	st2 := open(t, srv)
	if err := st2.WriteChunk(hash, 3<<20, b[3<<20:4<<20]); !errors.Is(err, blob.ErrShortPartial) {
		t.Fatalf("chunk inside a sent part: %v, want ErrShortPartial", err)
	}
	if n, err := st2.PartialSize(hash); err != nil || n != 0 {
		t.Fatalf("after the restart: %d, %v", n, err)
	}
	for off := 0; off < len(b); off += 1 << 20 {
		if err := st2.WriteChunk(hash, int64(off), b[off:off+1<<20]); err != nil {
			t.Fatal(err)
		}
	}
	if n, err := st2.Finish(hash); err != nil || n != int64(len(b)) {
		t.Fatalf("Finish: %d, %v", n, err)
	}
	empty(t, srv, hash)
}
