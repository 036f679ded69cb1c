package s3_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"

	"lawtrace/backend/internal/mediastore/s3"
	"lawtrace/backend/internal/mediastore/s3test"
	"lawtrace/shared/blob"
)

// link is a loopback TCP relay in front of the S3 server, a server
// instance's network: once armed, it goes down after so many bytes towards
// the server, cutting every connection mid-request and refusing new ones
// until it comes up again.
type link struct {
	t      *testing.T
	target string
	addr   string

	mu     sync.Mutex
	ln     net.Listener
	conns  []net.Conn
	budget int64 // bytes towards the server before it goes down; < 0: no limit
	down   chan struct{}
}

func newLink(t *testing.T, target string) *link {
	l := &link{t: t, target: target, budget: -1, down: make(chan struct{})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l.addr = ln.Addr().String()
	l.serve(ln)
	t.Cleanup(l.cut)
	return l
}

// url is the store's URL through the link.
func (l *link) url(srv *s3test.Server) string {
	return strings.Replace(srv.URL(), srv.Endpoint, l.addr, 1)
}

func (l *link) serve(ln net.Listener) {
	l.ln = ln
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", l.target)
			if err != nil {
				c.Close()
				continue
			}
			l.mu.Lock()
			l.conns = append(l.conns, c, s)
			l.mu.Unlock()
			go l.relay(s, c, true)
			go l.relay(c, s, false)
		}
	}()
}

func (l *link) relay(to, from net.Conn, toServer bool) {
	buf := make([]byte, 32<<10)
	for {
		n, err := from.Read(buf)
		if n > 0 && toServer && !l.spend(int64(n)) {
			l.cut()
			return
		}
		if n > 0 {
			if _, werr := to.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			to.Close()
			return
		}
	}
}

func (l *link) spend(n int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.budget < 0 {
		return true
	}
	l.budget -= n
	return l.budget >= 0
}

// arm makes the link go down after n more bytes towards the server.
func (l *link) arm(n int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.budget = n
}

// cut takes the link down at once.
func (l *link) cut() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ln.Close()
	for _, c := range l.conns {
		c.Close()
	}
	l.conns = nil
	select {
	case <-l.down:
	default:
		close(l.down)
	}
}

// up brings the link back on the same address.
func (l *link) up() {
	l.mu.Lock()
	defer l.mu.Unlock()
	ln, err := net.Listen("tcp", l.addr)
	if err != nil {
		l.t.Fatal(err)
	}
	l.budget, l.down = -1, make(chan struct{})
	l.serve(ln)
}

func video(size int) ([]byte, string) {
	b := make([]byte, size)
	_, _ = rand.NewChaCha8([32]byte{byte(size), byte(size >> 8), byte(size >> 16)}).Read(b)
	sum := sha256.Sum256(b)
	return b, hex.EncodeToString(sum[:])
}

// write sends b[from:to] in chunks and returns the first refusal.
func write(st *s3.Store, hash string, b []byte, from, to, chunk int) error {
	for off := from; off < to; off += chunk {
		if err := st.WriteChunk(hash, int64(off), b[off:min(off+chunk, to)]); err != nil {
			return err
		}
	}
	return nil
}

func mustFinish(t *testing.T, st *s3.Store, srv *s3test.Server, hash string, b []byte) {
	t.Helper()
	if err := st.SyncPartial(hash); err != nil {
		t.Fatal(err)
	}
	if n, err := st.Finish(hash); err != nil || n != int64(len(b)) {
		t.Fatalf("Finish: %d, %v", n, err)
	}
	rc, err := st.Open(hash)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if got, err := io.ReadAll(rc); err != nil || !bytes.Equal(got, b) {
		t.Fatalf("stored %d bytes differ from the %d sent (%v)", len(got), len(b), err)
	}
	empty(t, srv, hash)
}

// failMidPart runs an upload through a link that goes down while parts
// are on their way after a sync at 16 MiB: no object, the bucket holds the
// upload up to the sync, and it returns the link and the upload.
func failMidPart(t *testing.T, srv *s3test.Server, wait bool) (*link, *s3.Store, []byte, string) {
	l := newLink(t, srv.Endpoint)
	a, err := s3.OpenURL(context.Background(), l.url(srv))
	if err != nil {
		t.Fatal(err)
	}
	b, hash := video(50<<20 + 4321)
	if err := write(a, hash, b, 0, 16<<20, 1<<20); err != nil {
		t.Fatal(err)
	}
	if err := a.SyncPartial(hash); err != nil {
		t.Fatal(err)
	}
	// parts 3 and 4 go together; 12 MiB into them the link goes down, so
	// at least one of them is cut half-sent
	l.arm(12 << 20)
	if wait {
		err := write(a, hash, b, 16<<20, 48<<20, 1<<20)
		if err == nil {
			err = a.SyncPartial(hash)
		}
		if err == nil || errors.Is(err, blob.ErrShortPartial) {
			t.Fatalf("parts cut on their way: %v, want the failure", err)
		}
	} else {
		go func() { _ = write(a, hash, b, 16<<20, 48<<20, 1<<20) }()
		select {
		case <-l.down:
		case <-time.After(60 * time.Second):
			t.Fatal("the link never went down")
		}
	}
	other := open(t, srv)
	if ok, err := other.Has(hash); ok || err != nil {
		t.Fatalf("Has after the failure = %v, %v; want nothing committed", ok, err)
	}
	if n, err := other.PartialSize(hash); err != nil || n != 16<<20 {
		t.Fatalf("PartialSize after the failure = %d, %v; want the 16 MiB synced", n, err)
	}
	return l, a, b, hash
}

// TestPartFailsOnItsWay: a part cut half-sent makes WriteChunk or
// SyncPartial fail; nothing is committed, and the same store, its network
// back, resumes from the last sync and completes.
func TestPartFailsOnItsWay(t *testing.T) {
	srv := s3test.Start(t)
	l, a, b, hash := failMidPart(t, srv, true)
	l.up()
	if n, err := a.PartialSize(hash); err != nil || n != 16<<20 {
		t.Fatalf("PartialSize on the failed store = %d, %v; want the 16 MiB synced", n, err)
	}
	if err := write(a, hash, b, 16<<20, len(b), 1<<20); err != nil {
		t.Fatal(err)
	}
	mustFinish(t, a, srv, hash, b)
}

// TestInstanceDiesWithPartsInFlight: an instance loses its network with
// parts on their way and is never heard of again; another resumes from the
// last sync with other chunk sizes (so other part boundaries than the
// half-sent parts left behind) and completes the right bytes.
func TestInstanceDiesWithPartsInFlight(t *testing.T) {
	srv := s3test.Start(t)
	_, _, b, hash := failMidPart(t, srv, false)
	other := open(t, srv)
	if err := write(other, hash, b, 16<<20, len(b), 3<<19); err != nil {
		t.Fatal(err)
	}
	mustFinish(t, other, srv, hash, b)
}

// TestRewindWithPartsInFlight: a chunk at a part's end while later parts
// are on their way goes on from there; one inside such a part restarts
// the upload from 0.
func TestRewindWithPartsInFlight(t *testing.T) {
	srv := s3test.Start(t)
	st := open(t, srv)
	b, hash := video(30 << 20)
	if err := write(st, hash, b, 0, 24<<20, 1<<20); err != nil {
		t.Fatal(err)
	}
	if err := write(st, hash, b, 8<<20, 26<<20, 1<<20); err != nil {
		t.Fatal(err)
	}
	if n, err := st.PartialSize(hash); err != nil || n != 26<<20 {
		t.Fatalf("PartialSize = %d, %v", n, err)
	}
	if err := st.WriteChunk(hash, 12<<20, b[12<<20:13<<20]); !errors.Is(err, blob.ErrShortPartial) {
		t.Fatalf("chunk inside a part on its way: %v, want ErrShortPartial", err)
	}
	if n, err := st.PartialSize(hash); err != nil || n != 0 {
		t.Fatalf("PartialSize after the restart = %d, %v", n, err)
	}
	if err := write(st, hash, b, 0, len(b), 1<<20); err != nil {
		t.Fatal(err)
	}
	mustFinish(t, st, srv, hash, b)
}

// TestSyncSeesAnotherServer: a store that holds received bytes refuses to
// sync them over an upload another server has synced meanwhile, and then
// reports what the bucket holds.
func TestSyncSeesAnotherServer(t *testing.T) {
	srv := s3test.Start(t)
	a, other := open(t, srv), open(t, srv)
	b, hash := video(3 << 20)
	if err := write(a, hash, b, 0, 3<<20, 1<<20); err != nil {
		t.Fatal(err)
	}
	if err := write(other, hash, b, 0, 2<<20, 1<<20); err != nil {
		t.Fatal(err)
	}
	if err := other.SyncPartial(hash); err != nil {
		t.Fatal(err)
	}
	if err := a.SyncPartial(hash); err == nil || !strings.Contains(err.Error(), "changed in the bucket") {
		t.Fatalf("sync over another server's: %v", err)
	}
	if n, err := a.PartialSize(hash); err != nil || n != 2<<20 {
		t.Fatalf("PartialSize = %d, %v; want the other server's 2 MiB", n, err)
	}
	if err := write(a, hash, b, 2<<20, len(b), 1<<20); err != nil {
		t.Fatal(err)
	}
	mustFinish(t, a, srv, hash, b)
}

// TestRewindIntoSyncedParts: a store that goes back into parts a sync
// named, sends one of other bounds under the same number and dies leaves
// an upload the next store resumes from the rewind and completes.
func TestRewindIntoSyncedParts(t *testing.T) {
	srv := s3test.Start(t)
	a := open(t, srv)
	b, hash := video(30<<20 + 99)
	if err := write(a, hash, b, 0, 24<<20, 1<<20); err != nil {
		t.Fatal(err)
	}
	if err := a.SyncPartial(hash); err != nil {
		t.Fatal(err)
	}
	if err := write(a, hash, b, 8<<20, 20<<20, 3<<19); err != nil { // part 2: 9 MiB
		t.Fatal(err)
	}
	cl := srv.Client(t)
	ctx := context.Background()
	var id string
	for u := range cl.ListIncompleteUploads(ctx, srv.Bucket, "media/"+hash, true) {
		id = u.UploadID
	}
	core := minio.Core{Client: cl}
	for deadline := time.Now().Add(60 * time.Second); ; time.Sleep(20 * time.Millisecond) {
		res, err := core.ListObjectParts(ctx, srv.Bucket, "media/"+hash, id, 0, 100)
		if err == nil && len(res.ObjectParts) > 1 && res.ObjectParts[1].Size == 9<<20 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("part 2 of 9 MiB never arrived: %+v, %v", res.ObjectParts, err)
		}
	}
	other := open(t, srv)
	if n, err := other.PartialSize(hash); err != nil || n != 8<<20 {
		t.Fatalf("PartialSize = %d, %v; want the 8 MiB before the rewind", n, err)
	}
	if err := write(other, hash, b, 8<<20, len(b), 1<<20); err != nil {
		t.Fatal(err)
	}
	mustFinish(t, other, srv, hash, b)
}
