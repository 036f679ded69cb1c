package blob

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func hashOf(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

// SPEC S3 R3: chunks resume at an offset, bytes beyond the confirmed offset
// are dropped, and only bytes that hash to the announced hash are stored.
func TestResumableUpload(t *testing.T) {
	f, err := OpenFolder(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data := bytes.Repeat([]byte("0123456789"), 1000)
	h := hashOf(data)
	if err := f.WriteChunk(h, 0, data[:4000]); err != nil {
		t.Fatal(err)
	}
	// An unconfirmed tail (a chunk written but never acknowledged) is cut.
	if err := f.WriteChunk(h, 4000, []byte("garbage")); err != nil {
		t.Fatal(err)
	}
	if err := f.WriteChunk(h, 4000, data[4000:]); err != nil {
		t.Fatal(err)
	}
	if err := f.WriteChunk(h, 20000, data); !errors.Is(err, ErrShortPartial) {
		t.Fatalf("chunk past the end: %v", err)
	}
	if n, err := f.Finish(h); err != nil || n != int64(len(data)) {
		t.Fatalf("finish: %d %v", n, err)
	}
	r, err := f.Open(h)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(r)
	r.Close()
	if !bytes.Equal(got, data) {
		t.Fatal("stored bytes differ")
	}

	other := hashOf([]byte("something else"))
	if err := f.WriteChunk(other, 0, data); err != nil {
		t.Fatal(err)
	}
	var mm *MismatchError
	if _, err := f.Finish(other); !errors.As(err, &mm) || mm.Got != h {
		t.Fatalf("mismatch not refused: %v", err)
	}
	if ok, _ := f.Has(other); ok {
		t.Fatal("mismatching bytes stored")
	}
	if n, _ := f.PartialSize(other); n != 0 {
		t.Fatal("mismatching partial kept")
	}
}

// Issue 13 (7): cleaning the staging folder, as opening a terminal home
// does, keeps the file another Put is writing right now and removes what a
// process that died mid-Put left.
func TestCleanStagingKeepsALivePut(t *testing.T) {
	f, err := OpenFolder(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	left := filepath.Join(f.Dir(), "tmp", "put-left-by-a-crash")
	if err := os.WriteFile(left, []byte("half a video"), 0o600); err != nil {
		t.Fatal(err)
	}
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		_, _, err := f.Put(pr)
		done <- err
	}()
	if _, err := pw.Write([]byte("the first part of a large video, ")); err != nil {
		t.Fatal(err)
	}
	if err := f.CleanStaging(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(left); !os.IsNotExist(err) {
		t.Errorf("a staging file nobody holds was kept: %v", err)
	}
	if _, err := pw.Write([]byte("and the rest")); err != nil {
		t.Fatal(err)
	}
	pw.Close()
	if err := <-done; err != nil {
		t.Fatalf("the Put whose staging file was cleaned under it failed: %v", err)
	}
	if ok, _ := f.Has(hashOf([]byte("the first part of a large video, and the rest"))); !ok {
		t.Fatal("the file being stored during the clean-up is not stored")
	}
	if files, _ := os.ReadDir(filepath.Join(f.Dir(), "tmp")); len(files) != 0 {
		t.Fatalf("staging files left: %v", files)
	}
}

// SPEC S3 R3: more uploads under way than the folder keeps open: the ones
// closed in between are reopened and re-hashed from disk, and every file
// is stored whole.
func TestManyUploadsUnderWay(t *testing.T) {
	f, err := OpenFolder(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	const n = maxOpenPartials + 50
	files := make([][]byte, n)
	for i := range files {
		files[i] = bytes.Repeat([]byte{byte(i), byte(i >> 8), 7}, 3000)
	}
	for half := 0; half < 2; half++ {
		for _, b := range files {
			from := half * len(b) / 2
			if err := f.WriteChunk(hashOf(b), int64(from), b[from:from+len(b)/2]); err != nil {
				t.Fatal(err)
			}
		}
	}
	if len(f.open) > maxOpenPartials {
		t.Fatalf("%d partial files open", len(f.open))
	}
	for _, b := range files {
		if n, err := f.Finish(hashOf(b)); err != nil || n != int64(len(b)) {
			t.Fatalf("finish: %d %v", n, err)
		}
	}
}
