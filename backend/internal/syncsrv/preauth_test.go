package syncsrv_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"lawtrace/backend/internal/server"
	"lawtrace/backend/internal/simdev"
	"lawtrace/backend/internal/syncsrv"
	"lawtrace/backend/internal/web"
	"lawtrace/shared/ledger"
	"lawtrace/shared/syncproto"
)

// stallFrame dials the sync endpoint and writes the header of one binary
// frame declaring declared bytes, then send bytes of it (masked with a zero
// key, as a client must), and never finishes it. It returns once the
// server has closed the connection (or after the bound), with what the
// connection ended with.
func stallFrame(ctx context.Context, url string, declared int, payload []byte, bound time.Duration) error {
	ws, _, err := websocket.DefaultDialer.DialContext(ctx, url, nil)
	if err != nil {
		return err
	}
	defer ws.Close()
	nc := ws.NetConn()
	hdr := make([]byte, 14)
	hdr[0] = 0x80 | websocket.BinaryMessage // FIN, binary
	hdr[1] = 0x80 | 127                     // masked, 64-bit length
	binary.BigEndian.PutUint64(hdr[2:10], uint64(declared))
	// hdr[10:14]: a zero mask key leaves the payload as it is.
	_ = nc.SetDeadline(time.Now().Add(bound))
	if _, err := nc.Write(hdr); err != nil {
		return err
	}
	_, _ = nc.Write(payload) // fails once the server has closed
	for {
		// The server's Error frame, if it arrives before the reset, then
		// the close or the reset.
		if _, _, err := ws.ReadMessage(); err != nil {
			return err
		}
	}
}

// heapPeak samples HeapInuse until stop is closed and returns the largest.
func heapPeak(stop <-chan struct{}) <-chan uint64 {
	out := make(chan uint64, 1)
	go func() {
		var ms runtime.MemStats
		var peak uint64
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			peak = max(peak, ms.HeapInuse)
			select {
			case <-stop:
				out <- peak
				return
			case <-t.C:
			}
		}
	}()
	return out
}

// connectRetrying connects like the terminal's loop does: a busy refusal
// (the pre-authentication caps) is retried.
func connectRetrying(t *testing.T, url string, d *simdev.Device) *simdev.Client {
	t.Helper()
	ctx := ctxT(t)
	for i := 0; ; i++ {
		c, err := simdev.Connect(ctx, url, d, "")
		if err == nil {
			t.Cleanup(func() { c.Close() })
			return c
		}
		if i == 200 || (wireCode(err) != syncproto.CodeBusy && !isDrop(err)) {
			t.Fatalf("connect (attempt %d): %v", i+1, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// isDrop is a connection cut before any answer (a refused connection may
// be reset before its close frame is read).
func isDrop(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) || errors.Is(err, syncproto.ErrClosed) || websocket.IsUnexpectedCloseError(err)
}

// Issue 13 finding 1, SPEC S6 X3: 200 websockets each send most of one
// maximum-size frame before hello and stall. The server must not buffer
// them: its heap stays under 256 MiB (before the fix ~9 MiB a connection,
// 1.76 GiB RSS in the report), every one of them is closed, and an
// enrolled terminal still connects, pushes entries and uploads a file
// meanwhile.
func TestPreAuthFloodOfLargeFramesIsNotBuffered(t *testing.T) {
	const conns = 200
	const bound = 256 << 20
	m := start(t, server.Config{})
	ctx := ctxT(t)
	good := enrolled(t, m, 7)
	good.Close()

	declared := syncproto.MaxFrameSize - 64
	payload := make([]byte, 7<<20) // most of the frame, never finished
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)

	stop := make(chan struct{})
	peakC := heapPeak(stop)
	var wg sync.WaitGroup
	var started, closedByServer atomic.Int64
	for i := 0; i < conns; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			started.Add(1)
			err := stallFrame(ctx, m.SyncURL(), declared, payload, 20*time.Second)
			var ne net.Error
			if err != nil && !(errors.As(err, &ne) && ne.Timeout()) {
				closedByServer.Add(1)
			}
		}()
	}
	// The enrolled terminal syncs while the flood is on.
	for started.Load() < conns {
		time.Sleep(time.Millisecond)
	}
	c := connectRetrying(t, m.SyncURL(), good.Dev)
	if ack, err := c.Push(ctx, good.Dev.Case("FLOOD", 5), 0); err != nil || ack.Accepted != 5 {
		t.Fatalf("push during the flood: %+v %v", ack, err)
	}
	file := bytes.Repeat([]byte("body camera "), (3<<20)/12)
	if _, err := c.Push(ctx, []ledger.Entry{good.Dev.MediaEntry("FLOOD", ledger.KindVideo, file)}, 0); err != nil {
		t.Fatal(err)
	}
	if sent, err := c.Upload(ctx, file, 1<<20, 4); err != nil || sent != int64(len(file)) {
		t.Fatalf("upload during the flood: %d %v", sent, err)
	}
	wg.Wait()
	close(stop)
	peak := <-peakC
	t.Logf("heap in use: %.1f MiB before, peak %.1f MiB during %d stalled %d-byte frames; %d of them closed by the server",
		float64(base.HeapInuse)/(1<<20), float64(peak)/(1<<20), conns, declared, closedByServer.Load())
	if peak > bound {
		t.Fatalf("heap in use reached %.1f MiB under the pre-auth flood; the bound is %d MiB", float64(peak)/(1<<20), bound>>20)
	}
	if n := closedByServer.Load(); n != conns {
		t.Fatalf("%d of %d stalled connections were closed by the server; the others were held until the client gave up", n, conns)
	}
	// The flood is counted, not stored row by row (the terminal's own
	// refused attempts, if any, count as preauth_limit too).
	waitFor(t, func() bool {
		return securityRepeats(t, m, "frame_too_large")+securityRepeats(t, m, "preauth_limit") >= conns
	})
	if rows := securityRows(t, m); rows > 10 {
		t.Fatalf("%d security event rows for one flood from one address", rows)
	}
}

// Issue 13 finding 1: connections that do not authenticate are capped in
// number, per address and in total, with a reason (busy, close 1013), and
// each must send hello within the hello timeout; a frame over the
// handshake limit is refused, and once authenticated a terminal may send
// frames up to the protocol maximum again.
func TestPreAuthCapsAndHelloDeadline(t *testing.T) {
	m := start(t, server.Config{})
	good := enrolled(t, m, 8)
	good.Close()
	srv, url := customSync(t, m, func(cfg *syncsrvConfig) {
		cfg.MaxPreAuth, cfg.MaxPreAuthPerAddr, cfg.HelloTimeout = 8, 4, 500*time.Millisecond
	})
	ctx := ctxT(t)

	// Four silent connections fill this address's share; the fifth is
	// refused at once with the reason.
	var silent []*websocket.Conn
	for i := 0; i < 4; i++ {
		ws, _, err := websocket.DefaultDialer.DialContext(ctx, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		silent = append(silent, ws)
	}
	waitFor(t, func() bool { return srv.PreAuth() == 4 })
	conn, err := simdev.Dial(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if e := nextError(t, syncproto.NewSession(conn)); e.Code != syncproto.CodeBusy || !e.Retryable() || !strings.Contains(e.Message, "from this address") {
		t.Fatalf("over the per-address cap: %+v", e)
	}
	if _, _, err := conn.WS.ReadMessage(); !websocket.IsCloseError(err, websocket.CloseTryAgainLater) {
		t.Fatalf("over the per-address cap, close: %v", err)
	}
	conn.Close()
	// The silent ones are cut at the hello deadline, with no pong able to
	// extend it, and give back their slots.
	for _, ws := range silent {
		_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		_, _, err := ws.ReadMessage()
		var ne net.Error
		if err == nil || (errors.As(err, &ne) && ne.Timeout()) {
			t.Fatalf("a silent connection was not cut at the hello deadline: %v", err)
		}
		ws.Close()
	}
	waitFor(t, func() bool { return srv.PreAuth() == 0 })

	// A hello-sized limit before authentication: a frame of 9 KiB is
	// refused with a reason; after authentication a 1 MiB chunk passes.
	conn, err = simdev.Dial(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	_ = conn.WS.WriteMessage(websocket.BinaryMessage, make([]byte, syncproto.MaxHandshakeFrameSize+1024))
	if e := nextError(t, syncproto.NewSession(conn)); e.Code != syncproto.CodeTooLarge || !strings.Contains(e.Message, "before authentication") {
		t.Fatalf("got %+v", e)
	}
	conn.Close()
	c := connectRetrying(t, url, good.Dev)
	file := bytes.Repeat([]byte{7}, 3<<20)
	if _, err := c.Push(ctx, append(good.Dev.Case("CAP", 1), good.Dev.MediaEntry("CAP", ledger.KindVideo, file)), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Upload(ctx, file, 1<<20, 2); err != nil {
		t.Fatalf("1 MiB chunks after authentication: %v", err)
	}
	if srv.PreAuth() != 0 {
		t.Fatalf("an authenticated connection still counts as pre-auth: %d", srv.PreAuth())
	}
}

// syncBuffer is a log sink safe for concurrent writers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) lines() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	sc := bufio.NewScanner(bytes.NewReader(s.b.Bytes()))
	sc.Buffer(nil, 64<<20)
	for sc.Scan() {
		out = append(out, sc.Text())
	}
	return out
}

// Issue 13 finding 2, SPEC S6 X3: hellos with client-chosen device ids of
// ~4 MiB, of a few KiB, and many made-up well-formed ids must not grow the
// database or the log: each is refused, the security events count repeats
// per source instead of adding rows, and no log line is long.
func TestHelloFloodDoesNotFillDiskOrLog(t *testing.T) {
	const n = 20
	logs := new(syncBuffer)
	dir := t.TempDir()
	m := start(t, server.Config{DataDir: dir, Logger: slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	ctx := ctxT(t)
	good := enrolled(t, m, 9)
	good.Close()
	dbSize := func() int64 {
		var total int64
		for _, f := range []string{"lawtrace.db", "lawtrace.db-wal"} {
			if st, err := os.Stat(filepath.Join(dir, f)); err == nil {
				total += st.Size()
			}
		}
		return total
	}
	before := dbSize()

	hello := func(id string) error {
		conn, err := simdev.Dial(ctx, m.SyncURL())
		if err != nil {
			return err
		}
		defer conn.Close()
		h := &syncproto.Hello{Protocol: syncproto.ProtocolVersion, DeviceID: id, AppVersion: "x", DeviceTime: time.Now().UnixNano()}
		b, err := syncproto.Encode(1, h)
		if err != nil {
			return err
		}
		_ = conn.WriteMessage(b)
		for {
			if _, err := conn.ReadMessage(); err != nil {
				return err
			}
		}
	}
	huge := "D" + strings.Repeat("a", syncproto.MaxBodySize-200) // the largest body a frame may carry
	mid := "D" + strings.Repeat("\x1b[31m", 500)                 // control characters, under the frame limit
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(3)
		go func() { defer wg.Done(); _ = hello(huge) }()
		go func() { defer wg.Done(); _ = hello(mid) }()
		go func() { defer wg.Done(); _ = hello(simdev.New(uint64(5000 + i)).ID) }() // well formed, not enrolled
	}
	wg.Wait()
	// Every refusal is counted (the flush of repeats runs every poll).
	waitFor(t, func() bool {
		total := 0
		for _, k := range []string{"frame_too_large", "bad_hello", "unknown_device", "preauth_limit"} {
			total += securityRepeats(t, m, k)
		}
		return total == 3*n
	})
	// The enrolled terminal is still served.
	c := connectRetrying(t, m.SyncURL(), good.Dev)
	if ack, err := c.Push(ctx, good.Dev.Case("H", 2), 0); err != nil || ack.Accepted != 2 {
		t.Fatalf("push after the hello flood: %+v %v", ack, err)
	}

	evs, err := m.Data.Store.SecurityEvents(ctx, 1000)
	if err != nil {
		t.Fatal(err)
	}
	var stored int
	for _, e := range evs {
		stored += len(e.Detail) + len(e.DeviceID) + len(e.Remote) + len(e.Evidence)
		if len(e.DeviceID) > 64 || strings.ContainsRune(e.Detail, 0x1b) {
			t.Errorf("stored unchecked: device %q detail %q", e.DeviceID[:min(len(e.DeviceID), 40)], e.Detail[:min(len(e.Detail), 80)])
		}
	}
	t.Logf("%d hellos → %d security event rows, %d bytes of text; database grew by %d bytes", 3*n, len(evs), stored, dbSize()-before)
	if len(evs) > 10 || stored > 16<<10 {
		t.Fatalf("%d rows, %d bytes stored for %d hellos from one address", len(evs), stored, 3*n)
	}
	if grew := dbSize() - before; grew > 4<<20 {
		t.Fatalf("the database grew by %d bytes", grew)
	}
	for _, l := range logs.lines() {
		if len(l) > 2048 {
			t.Fatalf("a log line of %d bytes: %.200s…", len(l), l)
		}
		if strings.Contains(l, "\\u001b") {
			t.Fatalf("a control character from the peer reached the log: %.300s", l)
		}
	}
}

type syncsrvConfig = syncsrv.Config

// customSync serves a second sync service on the started server's data,
// with the settings tune makes, on its own loopback listener.
func customSync(t *testing.T, m *server.Main, tune func(*syncsrvConfig)) (*syncsrv.Server, string) {
	t.Helper()
	cfg := syncsrv.Config{Store: m.Data.Store, Blobs: m.Data.Blobs, Key: m.Data.Key, PollInterval: 50 * time.Millisecond}
	tune(&cfg)
	srv := syncsrv.New(cfg)
	hs := httptest.NewServer(srv)
	done := make(chan struct{})
	go srv.WatchDone(done)
	t.Cleanup(func() { srv.Close(); hs.Close(); close(done) })
	return srv, "ws" + strings.TrimPrefix(hs.URL, "http") + "/sync"
}

func waitFor(t *testing.T, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatal("condition not reached")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func securityRows(t *testing.T, m *server.Main) int {
	t.Helper()
	evs, err := m.Data.Store.SecurityEvents(context.Background(), 100000)
	if err != nil {
		t.Fatal(err)
	}
	return len(evs)
}

func securityRepeats(t *testing.T, m *server.Main, kind string) int {
	t.Helper()
	evs, err := m.Data.Store.SecurityEvents(context.Background(), 100000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range evs {
		if e.Kind == kind {
			n += max(e.Repeats, 1)
		}
	}
	return n
}

// Issue 13 finding 5 (#13 leftover); SPEC S6: behind a trusted reverse
// proxy the per-address pre-auth cap counts the client named in
// X-Forwarded-For, as the web login does; from a peer that is not a trusted
// proxy the header is ignored and the peer's address counts.
func TestPreAuthPerAddressBehindTrustedProxy(t *testing.T) {
	for _, tc := range []struct {
		name    string
		proxies []string
		// whether a connection forwarded for another client is admitted
		// while the first client's share is full
		otherAdmitted bool
	}{
		{"trusted proxy", []string{"127.0.0.1"}, true},
		{"no trusted proxy", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := start(t, server.Config{Web: web.Options{TrustedProxies: tc.proxies}})
			ctx := ctxT(t)
			url := m.SyncURL()
			dial := func(client string) (*websocket.Conn, error) {
				h := http.Header{"X-Forwarded-For": {"203.0.113.9, " + client}}
				ws, _, err := websocket.DefaultDialer.DialContext(ctx, url, h)
				return ws, err
			}
			const share = 32 // MaxPreAuthPerAddr's default
			for i := 0; i < share; i++ {
				ws, err := dial("198.51.100.7")
				if err != nil {
					t.Fatal(err)
				}
				defer ws.Close()
			}
			waitFor(t, func() bool { return m.Sync.PreAuth() == share })
			refusedAt := func(client string) bool {
				ws, err := dial(client)
				if err != nil {
					t.Fatal(err)
				}
				defer ws.Close()
				_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
				for { // the busy error frame, then the close
					if _, _, err = ws.ReadMessage(); err != nil {
						return websocket.IsCloseError(err, websocket.CloseTryAgainLater)
					}
				}
			}
			if !refusedAt("198.51.100.7") {
				t.Fatal("the full client's next connection was admitted")
			}
			if refused := refusedAt("198.51.100.8"); refused == tc.otherAdmitted {
				t.Fatalf("another client behind the proxy: refused %v, want admitted %v", refused, tc.otherAdmitted)
			}
			var evs []string
			rows, err := m.Data.Store.SecurityEvents(ctx, 100)
			if err != nil {
				t.Fatal(err)
			}
			for _, ev := range rows {
				if ev.Kind == "preauth_limit" {
					evs = append(evs, ev.Remote)
				}
			}
			want := "127.0.0.1"
			if tc.otherAdmitted {
				want = "198.51.100.7"
			}
			if len(evs) == 0 || evs[0] != want {
				t.Fatalf("pre-auth refusals recorded for %v, want %s", evs, want)
			}
		})
	}
}
