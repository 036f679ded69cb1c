package blob

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
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
