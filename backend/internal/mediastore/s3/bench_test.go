package s3_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"lawtrace/backend/internal/mediastore/s3test"
)

// BenchmarkMedia: MB/s of a 64 MiB video through the store as the sync
// service drives it (1 MiB chunks, SyncPartial every 64 MiB and at the
// end, Finish), against one plain PUT of the same size to the same server
// (issue 14: goal ≥ 0.8 of the plain PUT). Each iteration also sends a
// video through the store with a sync every 8 MiB (the conformance
// suite's cadence: every part waits for its state) and as a plain
// multipart upload of 8 MiB parts, two at a time as the store sends them,
// which is the ceiling of any multipart upload on the same server. The
// four run in turn, their order rotating per iteration, so they share the
// machine's load; ratio is store / plain PUT.
func BenchmarkMedia(b *testing.B) {
	const size = 64 << 20
	srv := s3test.Start(b)
	st := open(b, srv)
	cl := srv.Client(b)
	core := minio.Core{Client: cl}
	ctx := context.Background()
	seed := uint64(0)
	video := func() ([]byte, string) {
		seed++
		v := make([]byte, size)
		_, _ = rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)}).Read(v)
		sum := sha256.Sum256(v)
		return v, hex.EncodeToString(sum[:])
	}
	through := func(syncEvery int) func(v []byte, hash string) error {
		return func(v []byte, hash string) error {
			for off := 0; off < size; off += 1 << 20 {
				if err := st.WriteChunk(hash, int64(off), v[off:off+1<<20]); err != nil {
					return err
				}
				if (off+1<<20)%syncEvery == 0 {
					if err := st.SyncPartial(hash); err != nil {
						return err
					}
				}
			}
			_, err := st.Finish(hash)
			return err
		}
	}
	ways := []struct {
		metric string
		send   func(v []byte, hash string) error
	}{
		{"store-MB/s", through(64 << 20)},
		{"store-sync8-MB/s", through(8 << 20)},
		{"put-MB/s", func(v []byte, hash string) error {
			_, err := core.PutObject(ctx, srv.Bucket, "plain/"+hash, bytes.NewReader(v), size, "", "", minio.PutObjectOptions{})
			return err
		}},
		{"multipart-MB/s", func(v []byte, hash string) error {
			opts := minio.PutObjectOptions{PartSize: 8 << 20, NumThreads: 2}
			_, err := cl.PutObject(ctx, srv.Bucket, "multipart/"+hash, bytes.NewReader(v), size, opts)
			return err
		}},
	}
	took := make([]time.Duration, len(ways))
	i := 0
	for b.Loop() {
		for k := range ways {
			w := (i + k) % len(ways)
			b.StopTimer()
			v, hash := video()
			b.StartTimer()
			t0 := time.Now()
			if err := ways[w].send(v, hash); err != nil {
				b.Fatalf("%s: %v", ways[w].metric, err)
			}
			took[w] += time.Since(t0)
		}
		i++
	}
	mb := float64(b.N) * size / 1e6
	for w, way := range ways {
		b.ReportMetric(mb/took[w].Seconds(), way.metric)
	}
	b.ReportMetric(took[2].Seconds()/took[0].Seconds(), "ratio")
	b.ReportMetric(took[2].Seconds()/took[3].Seconds(), "multipart-ratio")
}
