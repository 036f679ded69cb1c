package s3_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/minio/minio-go/v7"

	"lawtrace/backend/internal/mediastore/s3test"
)

// BenchmarkMedia: MB/s of a 64 MiB video through the store as the sync
// service drives it (1 MiB chunks, a sync every 8 MiB, Finish) against
// one plain PUT of the same bytes to the same server in the same run
// (issue 14: goal ≥ 0.8 of the plain PUT), and a plain multipart upload
// of 8 MiB parts one after another, the floor of any multipart upload on
// the same server.
func BenchmarkMedia(b *testing.B) {
	const size = 64 << 20
	srv := s3test.Start(b)
	seed := uint64(0)
	video := func() ([]byte, string) {
		seed++
		v := make([]byte, size)
		_, _ = rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)}).Read(v)
		sum := sha256.Sum256(v)
		return v, hex.EncodeToString(sum[:])
	}
	b.Run("store", func(b *testing.B) {
		st := open(b, srv)
		b.SetBytes(size)
		for b.Loop() {
			b.StopTimer()
			v, hash := video()
			b.StartTimer()
			for off := 0; off < size; off += 1 << 20 {
				if err := st.WriteChunk(hash, int64(off), v[off:off+1<<20]); err != nil {
					b.Fatal(err)
				}
				if (off+1<<20)%(8<<20) == 0 {
					if err := st.SyncPartial(hash); err != nil {
						b.Fatal(err)
					}
				}
			}
			if _, err := st.Finish(hash); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("plain-put", func(b *testing.B) {
		core := minio.Core{Client: srv.Client(b)}
		b.SetBytes(size)
		n := 0
		for b.Loop() {
			b.StopTimer()
			v, _ := video()
			n++
			b.StartTimer()
			if _, err := core.PutObject(context.Background(), srv.Bucket, fmt.Sprintf("plain/%d", n), bytes.NewReader(v), size, "", "", minio.PutObjectOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("plain-multipart", func(b *testing.B) {
		cl := srv.Client(b)
		b.SetBytes(size)
		n := 0
		for b.Loop() {
			b.StopTimer()
			v, _ := video()
			n++
			b.StartTimer()
			opts := minio.PutObjectOptions{PartSize: 8 << 20, NumThreads: 1}
			if _, err := cl.PutObject(context.Background(), srv.Bucket, fmt.Sprintf("multipart/%d", n), bytes.NewReader(v), size, opts); err != nil {
				b.Fatal(err)
			}
		}
	})
}
