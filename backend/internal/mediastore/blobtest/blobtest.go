// Package blobtest is the conformance suite every media store (blob.Store) passes: chunked uploads, resume, refusals, no overwrite, concurrency, range reads and a large file (SPEC R3, S3, X2).
package blobtest

import (
	"bytes"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"lawtrace/shared/blob"
)

// Open returns a new store instance over the same storage each time it is
// called (the same folder, the same bucket): a second call is the store
// after a server restart.
type Open func(t *testing.T) blob.Store

const (
	chunk     = 1 << 20 // the terminal's default chunk
	syncEvery = 8 << 20 // more resume points than the sync service's 64 MiB
)

// Run runs the suite. Every case uses its own random files, so the cases
// share the storage.
func Run(t *testing.T, open Open) {
	cases := []struct {
		name string
		fn   func(*testing.T, Open)
	}{
		{"ChunksInOrder", chunksInOrder},
		{"ResumeAfterReopen", resumeAfterReopen},
		{"RewindDropsBeyond", rewindDropsBeyond},
		{"HoleRefused", holeRefused},
		{"WrongHashRefused", wrongHashRefused},
		{"DuplicateIsNoOp", duplicateIsNoOp},
		{"Put", put},
		{"Missing", missing},
		{"Discard", discard},
		{"ConcurrentUploads", concurrentUploads},
		{"RangeReads", rangeReads},
		{"OddChunksAndSyncs", oddChunksAndSyncs},
		{"LargeFile", largeFile},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.fn(t, open) })
	}
}

// file is random bytes and their hash.
func file(size int) ([]byte, string) {
	b := make([]byte, size)
	var seed [32]byte
	_, _ = crand.Read(seed[:])
	_, _ = rand.NewChaCha8(seed).Read(b)
	sum := sha256.Sum256(b)
	return b, hex.EncodeToString(sum[:])
}

// upload sends b from offset in 1 MiB chunks, syncing every 8 MiB and at
// the end.
func upload(t *testing.T, s blob.Store, hash string, b []byte, from int64) {
	t.Helper()
	uploadBy(t, s, hash, b, from, chunk, syncEvery)
}

func uploadBy(t *testing.T, s blob.Store, hash string, b []byte, from, chunk, syncEvery int64) {
	t.Helper()
	synced := from
	for off := from; off < int64(len(b)); off += chunk {
		end := min(off+chunk, int64(len(b)))
		if err := s.WriteChunk(hash, off, b[off:end]); err != nil {
			t.Fatalf("WriteChunk at %d: %v", off, err)
		}
		if end-synced >= syncEvery || end == int64(len(b)) {
			if err := s.SyncPartial(hash); err != nil {
				t.Fatalf("SyncPartial at %d: %v", end, err)
			}
			synced = end
		}
	}
}

func finish(t *testing.T, s blob.Store, hash string, b []byte) {
	t.Helper()
	n, err := s.Finish(hash)
	if err != nil {
		t.Fatalf("Finish: %v", err)
	}
	if n != int64(len(b)) {
		t.Fatalf("Finish: size %d, want %d", n, len(b))
	}
	stored(t, s, hash, b)
}

// stored checks that the file is stored with exactly these bytes.
func stored(t *testing.T, s blob.Store, hash string, b []byte) {
	t.Helper()
	if ok, err := s.Has(hash); err != nil || !ok {
		t.Fatalf("Has(%.12s) = %v, %v; want true", hash, ok, err)
	}
	rc, err := s.Open(hash)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if !bytes.Equal(got, b) {
		t.Fatalf("stored %d bytes differ from the %d uploaded", len(got), len(b))
	}
}

func partial(t *testing.T, s blob.Store, hash string, want int64) {
	t.Helper()
	if n, err := s.PartialSize(hash); err != nil || n != want {
		t.Fatalf("PartialSize = %d, %v; want %d", n, err, want)
	}
}

func chunksInOrder(t *testing.T, open Open) {
	s := open(t)
	b, hash := file(3*chunk + 12345)
	partial(t, s, hash, 0)
	upload(t, s, hash, b, 0)
	partial(t, s, hash, int64(len(b)))
	if ok, _ := s.Has(hash); ok {
		t.Fatal("Has before Finish")
	}
	finish(t, s, hash, b)
}

// resumeAfterReopen: what was synced survives a restart, on a new
// instance, and the upload goes on from there (SPEC S3).
func resumeAfterReopen(t *testing.T, open Open) {
	for _, cut := range []int64{3 * chunk, 2 * syncEvery, syncEvery + 3*chunk} {
		t.Run(fmt.Sprint(cut), func(t *testing.T) {
			b, hash := file(int(2*syncEvery + 5*chunk + 7))
			s := open(t)
			upload(t, s, hash, b[:cut], 0)
			s2 := open(t)
			partial(t, s2, hash, cut)
			upload(t, s2, hash, b, cut)
			finish(t, s2, hash, b)
		})
	}
}

// rewindDropsBeyond: a chunk at an earlier offset replaces what followed,
// before and after a sync and a restart.
func rewindDropsBeyond(t *testing.T, open Open) {
	b, hash := file(4*chunk + 99)
	s := open(t)
	upload(t, s, hash, b[:3*chunk], 0)
	if err := s.WriteChunk(hash, 2*chunk+5, []byte("not the file")); err != nil {
		t.Fatal(err)
	}
	partial(t, s, hash, 2*chunk+5+12)
	if err := s.WriteChunk(hash, 2*chunk, b[2*chunk:3*chunk]); err != nil {
		t.Fatal(err)
	}
	if err := s.SyncPartial(hash); err != nil {
		t.Fatal(err)
	}
	s2 := open(t)
	partial(t, s2, hash, 3*chunk)
	upload(t, s2, hash, b, chunk) // the terminal resumes from an older offset
	finish(t, s2, hash, b)
}

func holeRefused(t *testing.T, open Open) {
	s := open(t)
	b, hash := file(2 * chunk)
	if err := s.WriteChunk(hash, 10, b[10:20]); !errors.Is(err, blob.ErrShortPartial) {
		t.Fatalf("chunk past the end of an empty upload: %v, want ErrShortPartial", err)
	}
	upload(t, s, hash, b[:chunk], 0)
	if err := s.WriteChunk(hash, chunk+1, b[chunk+1:]); !errors.Is(err, blob.ErrShortPartial) {
		t.Fatalf("chunk leaving a hole: %v, want ErrShortPartial", err)
	}
	partial(t, s, hash, chunk)
}

// wrongHashRefused: bytes that hash to something else are refused with
// both hashes named, and nothing is stored (SPEC R3).
func wrongHashRefused(t *testing.T, open Open) {
	for _, size := range []int{chunk / 2, syncEvery + 3*chunk} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			s := open(t)
			b, got := file(size)
			_, want := file(size + 1)
			upload(t, s, want, b, 0)
			_, err := s.Finish(want)
			var mm *blob.MismatchError
			if !errors.As(err, &mm) || mm.Want != want || mm.Got != got {
				t.Fatalf("Finish: %v, want a MismatchError naming %s and %s", err, want, got)
			}
			if !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), got) {
				t.Fatalf("refusal %q does not name both hashes", err)
			}
			for _, h := range []string{want, got} {
				if ok, _ := s.Has(h); ok {
					t.Fatalf("%.12s stored after a refused upload", h)
				}
			}
			partial(t, open(t), want, 0)
		})
	}
}

// duplicateIsNoOp: uploading a stored file again succeeds, leaves the
// object as it was and no partial upload.
func duplicateIsNoOp(t *testing.T, open Open) {
	for _, size := range []int{chunk + 1, syncEvery + 2*chunk} {
		t.Run(fmt.Sprint(size), func(t *testing.T) {
			s := open(t)
			b, hash := file(size)
			if h, _, err := s.Put(bytes.NewReader(b)); err != nil || h != hash {
				t.Fatalf("Put: %s, %v", h, err)
			}
			upload(t, s, hash, b, 0)
			finish(t, s, hash, b)
			partial(t, s, hash, 0)
			if h, n, err := s.Put(bytes.NewReader(b)); err != nil || h != hash || n != int64(size) {
				t.Fatalf("Put again: %s %d, %v", h, n, err)
			}
			stored(t, s, hash, b)
		})
	}
}

func put(t *testing.T, open Open) {
	s := open(t)
	for _, size := range []int{0, 1, 3*chunk + 1} {
		b, hash := file(size)
		h, n, err := s.Put(bytes.NewReader(b))
		if err != nil || h != hash || n != int64(size) {
			t.Fatalf("Put(%d bytes) = %s %d, %v; want %s", size, h, n, err, hash)
		}
		stored(t, open(t), hash, b)
	}
}

func missing(t *testing.T, open Open) {
	s := open(t)
	_, hash := file(10)
	if ok, err := s.Has(hash); ok || err != nil {
		t.Fatalf("Has = %v, %v", ok, err)
	}
	if _, err := s.Open(hash); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Open of a missing file: %v, want fs.ErrNotExist", err)
	}
	if _, err := s.Open("../etc/passwd"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Open of a bad name: %v, want fs.ErrNotExist", err)
	}
	if _, err := s.Has("../etc/passwd"); err == nil {
		t.Fatal("Has of a bad name: no error")
	}
	partial(t, s, hash, 0)
	if err := s.Discard(hash); err != nil {
		t.Fatalf("Discard of nothing: %v", err)
	}
	if _, err := s.Finish(hash); err == nil {
		t.Fatal("Finish of nothing: no error")
	}
}

func discard(t *testing.T, open Open) {
	s := open(t)
	b, hash := file(syncEvery + 2*chunk)
	upload(t, s, hash, b, 0)
	if err := s.Discard(hash); err != nil {
		t.Fatal(err)
	}
	partial(t, s, hash, 0)
	partial(t, open(t), hash, 0)
	upload(t, s, hash, b, 0)
	finish(t, s, hash, b)
}

func concurrentUploads(t *testing.T, open Open) {
	s := open(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for i := range 8 {
		b, hash := file(2*chunk + i*7919)
		wg.Go(func() {
			for off := 0; off < len(b); off += chunk / 4 {
				if err := s.WriteChunk(hash, int64(off), b[off:min(off+chunk/4, len(b))]); err != nil {
					errs <- err
					return
				}
			}
			if err := s.SyncPartial(hash); err != nil {
				errs <- err
				return
			}
			if n, err := s.Finish(hash); err != nil || n != int64(len(b)) {
				errs <- fmt.Errorf("finish %.12s: %d, %v", hash, n, err)
				return
			}
			rc, err := s.Open(hash)
			if err != nil {
				errs <- err
				return
			}
			defer rc.Close()
			got, err := io.ReadAll(rc)
			if err != nil || !bytes.Equal(got, b) {
				errs <- fmt.Errorf("%.12s read back wrong (%v)", hash, err)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// rangeReads: a stored file seeks, as the players' range requests need
// (http.ServeContent answers 206 with the bytes asked for).
func rangeReads(t *testing.T, open Open) {
	s := open(t)
	b, hash := file(3*chunk + 333)
	if _, _, err := s.Put(bytes.NewReader(b)); err != nil {
		t.Fatal(err)
	}
	rc, err := s.Open(hash)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	rs, ok := rc.(io.ReadSeeker)
	if !ok {
		t.Fatalf("Open returns %T, not an io.ReadSeeker", rc)
	}
	for _, r := range []struct{ from, to int64 }{{0, 0}, {1000, 1999}, {chunk - 10, chunk + 10}, {int64(len(b)) - 5, int64(len(b)) - 1}} {
		req := httptest.NewRequest(http.MethodGet, "/media", nil)
		req.Header.Set("Range", fmt.Sprintf("bytes=%d-%d", r.from, r.to))
		w := httptest.NewRecorder()
		http.ServeContent(w, req, "v.mp4", time.Time{}, rs)
		if w.Code != http.StatusPartialContent || !bytes.Equal(w.Body.Bytes(), b[r.from:r.to+1]) {
			t.Fatalf("range %d-%d: %d, %d bytes; want 206 with the file's bytes", r.from, r.to, w.Code, w.Body.Len())
		}
	}
	if _, err := rs.Seek(-7, io.SeekEnd); err != nil {
		t.Fatal(err)
	}
	tail, err := io.ReadAll(rs)
	if err != nil || !bytes.Equal(tail, b[len(b)-7:]) {
		t.Fatalf("last 7 bytes: %x, %v", tail, err)
	}
}

// oddChunksAndSyncs: chunks and syncs that do not divide a part (the
// terminal's chunk size is its own choice; a dropped connection syncs
// wherever it stood), across a restart at a synced point.
func oddChunksAndSyncs(t *testing.T, open Open) {
	b, hash := file(23<<20 + 12345)
	const odd, every = 300_007, 5<<20 + 1<<19
	cut := int64(13 * odd * 4) // a multiple of the chunk, synced at the end
	uploadBy(t, open(t), hash, b[:cut], 0, odd, every)
	s := open(t)
	partial(t, s, hash, cut)
	uploadBy(t, s, hash, b, cut, odd, every)
	finish(t, s, hash, b)
}

// largeFile: 64 MiB in 1 MiB chunks, synced every 8 MiB, across a restart
// in the middle.
func largeFile(t *testing.T, open Open) {
	if testing.Short() {
		t.Skip("64 MiB upload")
	}
	b, hash := file(64 << 20)
	half := int64(len(b) / 2)
	upload(t, open(t), hash, b[:half], 0)
	s := open(t)
	upload(t, s, hash, b, half)
	finish(t, s, hash, b)
}
