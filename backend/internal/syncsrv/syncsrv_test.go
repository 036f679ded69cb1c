package syncsrv_test

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"lawtrace/backend/internal/events"
	"lawtrace/backend/internal/server"
	"lawtrace/backend/internal/simdev"
	"lawtrace/backend/internal/store"
	"lawtrace/backend/internal/syncsrv"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
	"lawtrace/shared/syncproto"
)

func start(t testing.TB, cfg server.Config) *server.Main {
	t.Helper()
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
	}
	cfg.Listen = "127.0.0.1:0"
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 50 * time.Millisecond
	}
	m, err := server.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func newCode(t testing.TB, m *server.Main, name string) string {
	t.Helper()
	ec, err := server.NewEnrolCode(context.Background(), m.Data, name, time.Hour, "")
	if err != nil {
		t.Fatal(err)
	}
	return ec.Code
}

func ctxT(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// enrolled connects a new simulated device, enrolling it.
func enrolled(t testing.TB, m *server.Main, seed uint64) *simdev.Client {
	t.Helper()
	d := simdev.New(seed)
	c, err := simdev.Connect(ctxT(t), m.SyncURL(), d, newCode(t, m, d.Name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func wireCode(err error) syncproto.Code {
	if e := syncproto.AsError(err); e != nil {
		return e.Code
	}
	return ""
}

func securityKinds(t *testing.T, m *server.Main) map[string]int {
	t.Helper()
	evs, err := m.Data.Store.SecurityEvents(context.Background(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	for _, e := range evs {
		out[e.Kind]++
	}
	return out
}

// SPEC S6 D3: a device enrols with a one-time code and authenticates every
// connection by signing the server's challenge; unknown devices, used
// codes and signatures by another key are refused with a reason.
func TestEnrolAndAuthenticate(t *testing.T) {
	m := start(t, server.Config{Agency: "测试局"})
	ctx := ctxT(t)
	d := simdev.New(1)
	code := newCode(t, m, "patrol 1")
	c, err := simdev.Connect(ctx, m.SyncURL(), d, code)
	if err != nil {
		t.Fatal(err)
	}
	if c.Welcome.Enrolled == nil || c.Welcome.Enrolled.ServerID != m.Data.ServerID() || c.Welcome.Enrolled.Agency != "测试局" {
		t.Fatalf("welcome %+v", c.Welcome)
	}
	c.Close()
	if c, err = simdev.Connect(ctx, m.SyncURL(), d, ""); err != nil {
		t.Fatalf("reconnect: %v", err)
	}
	c.Close()

	other := simdev.New(2)
	if _, err := simdev.Connect(ctx, m.SyncURL(), other, code); wireCode(err) != syncproto.CodeEnrolCode {
		t.Fatalf("used code: %v", err)
	}
	if _, err := simdev.Connect(ctx, m.SyncURL(), other, "ABCD-EFGH-JKMN"); wireCode(err) != syncproto.CodeEnrolCode {
		t.Fatalf("unknown code: %v", err)
	}
	if _, err := simdev.Connect(ctx, m.SyncURL(), other, ""); wireCode(err) != syncproto.CodeUnknownDevice {
		t.Fatalf("unknown device: %v", err)
	}
	// A forged device id: the attacker claims d's id but holds its own key.
	forger := simdev.New(2)
	forger.ID = d.ID
	_, err = simdev.Connect(ctx, m.SyncURL(), forger, "")
	if wireCode(err) != syncproto.CodeAuth || !strings.Contains(err.Error(), "does not verify") {
		t.Fatalf("forged device id: %v", err)
	}
	// Enrolling under an id that does not belong to the key.
	if _, err := simdev.Connect(ctx, m.SyncURL(), forger, newCode(t, m, "x")); wireCode(err) != syncproto.CodeForgedDevice {
		t.Fatalf("forged enrolment: %v", err)
	}
	kinds := securityKinds(t, m)
	for _, k := range []string{"bad_enrol_code", "unknown_device", "auth_failed", "forged_device"} {
		if kinds[k] == 0 {
			t.Errorf("no security event %s: %v", k, kinds)
		}
	}
	// the sync server's own details are Chinese sentences naming the
	// device, as the security page shows them to the administrator
	evs, err := m.Data.Store.SecurityEvents(ctx, 100)
	if err != nil {
		t.Fatal(err)
	}
	details := map[string]string{}
	for _, ev := range evs {
		details[ev.Kind] = ev.Detail
	}
	for kind, want := range map[string]string{
		"unknown_device": "未注册的设备 " + other.ID + " 尝试连接",
		"auth_failed":    "挑战签名无法用该设备的公钥验证",
		"forged_device":  "注册请求声称设备编号 " + d.ID + "，与所提交的公钥不符",
	} {
		if details[kind] != want {
			t.Errorf("%s: detail %q, want %q", kind, details[kind], want)
		}
	}
}

// rawConnect returns an authenticated websocket with no reader running.
func rawConnect(t *testing.T, m *server.Main, d *simdev.Device) (*simdev.WSConn, *syncproto.Session) {
	t.Helper()
	conn, err := simdev.Dial(ctxT(t), m.SyncURL())
	if err != nil {
		t.Fatal(err)
	}
	sess := syncproto.NewSession(conn)
	if _, _, err := d.Handshake(sess, d.Hello("")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn, sess
}

// nextError reads until an Error frame arrives.
func nextError(t *testing.T, sess *syncproto.Session) *syncproto.Error {
	t.Helper()
	for {
		_, m, err := sess.Recv()
		if err != nil {
			t.Fatalf("connection ended without an error frame: %v", err)
		}
		if e, ok := m.(*syncproto.Error); ok {
			return e
		}
	}
}

// SPEC S1 S6 R2 R3: malformed, oversized and text frames, a wrong protocol
// version, entries with bad signatures or another device's id, and a file
// whose bytes do not match its hash are each refused with a reason — and a
// well-behaved terminal connected all along keeps being served.
func TestBadInputIsRefusedWhileOthersAreServed(t *testing.T) {
	m := start(t, server.Config{})
	ctx := ctxT(t)
	good := enrolled(t, m, 100)
	goodCase := 0
	stillServed := func(what string) {
		t.Helper()
		goodCase++
		es := good.Dev.Case("G"+string(rune('A'+goodCase)), 2)
		ack, err := good.Push(ctx, es, 0)
		if err != nil || ack.Accepted != 2 {
			t.Fatalf("after %s the good terminal was not served: %+v %v", what, ack, err)
		}
	}
	bad := enrolled(t, m, 200)
	bad.Close()

	t.Run("malformed frame", func(t *testing.T) {
		conn, sess := rawConnect(t, m, bad.Dev)
		_ = conn.WS.WriteMessage(websocket.BinaryMessage, []byte("LT\x01\x06garbage"))
		if e := nextError(t, sess); e.Code != syncproto.CodeBadFrame || e.Message == "" {
			t.Fatalf("got %+v", e)
		}
		stillServed("a malformed frame")
	})
	t.Run("malformed frame before hello", func(t *testing.T) {
		conn, err := simdev.Dial(ctx, m.SyncURL())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_ = conn.WS.WriteMessage(websocket.BinaryMessage, bytes.Repeat([]byte{0xff}, 20))
		if e := nextError(t, syncproto.NewSession(conn)); e.Code != syncproto.CodeBadFrame || !strings.Contains(e.Message, "magic") {
			t.Fatalf("got %+v", e)
		}
		stillServed("garbage before hello")
	})
	t.Run("text frame", func(t *testing.T) {
		conn, sess := rawConnect(t, m, bad.Dev)
		_ = conn.WS.WriteMessage(websocket.TextMessage, []byte(`{"hello":1}`))
		if e := nextError(t, sess); e.Code != syncproto.CodeBadFrame || !strings.Contains(e.Message, "binary") {
			t.Fatalf("got %+v", e)
		}
	})
	t.Run("oversized frame", func(t *testing.T) {
		conn, sess := rawConnect(t, m, bad.Dev)
		_ = conn.WS.WriteMessage(websocket.BinaryMessage, make([]byte, syncproto.MaxFrameSize+100))
		if e := nextError(t, sess); e.Code != syncproto.CodeTooLarge || !strings.Contains(e.Message, "limit") {
			t.Fatalf("got %+v", e)
		}
		stillServed("an oversized frame")
	})
	t.Run("wrong protocol version", func(t *testing.T) {
		conn, err := simdev.Dial(ctx, m.SyncURL())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		h := bad.Dev.Hello("")
		h.Protocol = syncproto.ProtocolVersion + 7
		_, _, err = bad.Dev.Handshake(syncproto.NewSession(conn), h)
		if e := syncproto.AsError(err); e == nil || e.Code != syncproto.CodeVersion || !strings.Contains(e.Message, "update the app") || e.Retryable() {
			t.Fatalf("got %v", err)
		}
		stillServed("a wrong protocol version")
	})
	t.Run("bad entry signature", func(t *testing.T) {
		c, err := simdev.Connect(ctx, m.SyncURL(), bad.Dev, "")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		es := bad.Dev.Case("B1", 2)
		es[1].Signature = es[0].Signature
		_, err = c.Push(ctx, es, 0)
		if e := syncproto.AsError(err); e == nil || e.Code != syncproto.CodeBadEntry || !strings.Contains(e.Message, "signature does not verify") {
			t.Fatalf("got %v", err)
		}
		stillServed("a bad signature")
	})
	t.Run("forged device id in entries", func(t *testing.T) {
		c, err := simdev.Connect(ctx, m.SyncURL(), bad.Dev, "")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		es := simdev.New(100).Case("F1", 1) // signed by the good device's key, pushed by the bad one
		_, err = c.Push(ctx, es, 0)
		if e := syncproto.AsError(err); e == nil || e.Code != syncproto.CodeForgedDevice || !strings.Contains(e.Message, good.Dev.ID) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("media hash mismatch", func(t *testing.T) {
		c, err := simdev.Connect(ctx, m.SyncURL(), bad.Dev, "")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		// Fresh numbering: the earlier refused batch used #1 and #2 of this device.
		d := simdev.New(300)
		c2, err := simdev.Connect(ctx, m.SyncURL(), d, newCode(t, m, "media"))
		if err != nil {
			t.Fatal(err)
		}
		defer c2.Close()
		claimed := bytes.Repeat([]byte("v"), 3000)
		es := append(d.Case("M1", 1), d.MediaEntry("M1", ledger.KindVideo, claimed))
		if _, err := c2.Push(ctx, es, 0); err != nil {
			t.Fatal(err)
		}
		hash := ledger.HashBytes(claimed)
		if _, err := c2.Sess.Call(ctx, &syncproto.MediaOffer{Hash: hash, Size: 3000}); err != nil {
			t.Fatal(err)
		}
		_, err = c2.Sess.Call(ctx, &syncproto.MediaChunk{Hash: hash, Offset: 0, Data: bytes.Repeat([]byte("w"), 3000)})
		if e := syncproto.AsError(err); e == nil || e.Code != syncproto.CodeMediaMismatch || !strings.Contains(e.Message, "hash to") {
			t.Fatalf("got %v", err)
		}
		if ok, _ := m.Data.Blobs.Has(hash); ok {
			t.Fatal("mismatching bytes stored")
		}
		// An offer of a file no entry references, and a wrong size.
		if _, err := c2.Sess.Call(ctx, &syncproto.MediaOffer{Hash: ledger.HashBytes([]byte("x")), Size: 1}); wireCode(err) != syncproto.CodeUnknownMedia {
			t.Fatalf("unreferenced file: %v", err)
		}
		if _, err := c2.Sess.Call(ctx, &syncproto.MediaOffer{Hash: hash, Size: 2999}); wireCode(err) != syncproto.CodeMediaMismatch {
			t.Fatalf("wrong size: %v", err)
		}
		// The right bytes are then accepted on the same connection.
		if _, err := c2.Upload(ctx, claimed, 1024, 2); err != nil {
			t.Fatal(err)
		}
		stillServed("a media hash mismatch")
	})
	kinds := securityKinds(t, m)
	for _, k := range []string{"bad_frame", "frame_too_large", "bad_entry", "forged_device", "media_mismatch"} {
		if kinds[k] == 0 {
			t.Errorf("no security event %s: %v", k, kinds)
		}
	}
	r, err := server.Verify(ctx, m.Data)
	if err != nil || len(r.Findings) != 0 {
		t.Fatalf("verify after bad input: %v %v", r.Findings, err)
	}
}

// SPEC S2: a replayed batch changes nothing, batches that arrive out of
// order are refused with the number to resend from, and in the end every
// entry is stored exactly once and proven in the log.
func TestReplayedAndReorderedBatches(t *testing.T) {
	m := start(t, server.Config{})
	ctx := ctxT(t)
	bus := m.Bus
	sub := bus.Subscribe(100)
	defer sub.Close()
	evs := sub.Events
	c := enrolled(t, m, 1)
	es := append(c.Dev.Case("C1", 12), c.Dev.Case("C2", 8)...)
	a, b := es[:10], es[10:]
	_, err := c.Push(ctx, b, 0)
	if e := syncproto.AsError(err); e == nil || e.Code != syncproto.CodeGap || e.Expect != 1 || !e.Retryable() {
		t.Fatalf("reordered batch: %v", err)
	}
	ackA, err := c.Push(ctx, a, 0)
	if err != nil || ackA.UpTo != 10 || ackA.Accepted != 10 {
		t.Fatalf("batch A: %+v %v", ackA, err)
	}
	ackB, err := c.Push(ctx, b, ackA.TreeHead.Size)
	if err != nil || ackB.UpTo != 20 || ackB.Accepted != 10 {
		t.Fatalf("batch B: %+v %v", ackB, err)
	}
	if err := syncproto.VerifyConsistency(ackA.TreeHead, ackB.TreeHead, ackB.Consistency); err != nil {
		t.Fatal(err)
	}
	replay, err := c.Push(ctx, a, 0)
	if err != nil || replay.Accepted != 0 || replay.Duplicates != 10 || replay.UpTo != 20 || len(replay.Proofs) != 10 {
		t.Fatalf("replay: %+v %v", replay, err)
	}
	key := ed25519.PublicKey(c.ServerKey)
	for _, ack := range []*syncproto.Ack{ackA, ackB, replay} {
		if err := ack.TreeHead.Verify(key); err != nil {
			t.Fatal(err)
		}
		for _, p := range ack.Proofs {
			if err := syncproto.VerifyInclusion(ack.TreeHead, p); err != nil {
				t.Fatal(err)
			}
		}
	}
	st, _ := m.Data.Store.Stats(ctx, time.Now())
	if st.Entries != 20 || st.Cases != 2 || st.TreeSize != 20 {
		t.Fatalf("stats %+v", st)
	}
	got := 0
	for got < 20 {
		select {
		case e := <-evs:
			if e.Kind == events.BatchIngested {
				got += e.Entries
			}
		case <-ctx.Done():
			t.Fatalf("only %d ingested entries published", got)
		}
	}
	if r, err := server.Verify(ctx, m.Data); err != nil || len(r.Findings) != 0 {
		t.Fatalf("verify: %v %v", r.Findings, err)
	}
}

// SPEC S6: revoking a device cuts its live connection at once, with the
// reason, and it cannot reconnect.
func TestRevocationCutsLiveConnection(t *testing.T) {
	m := start(t, server.Config{PollInterval: 100 * time.Millisecond})
	ctx := ctxT(t)
	c := enrolled(t, m, 1)
	other := enrolled(t, m, 2)
	start := time.Now()
	// As the operator command does, from outside the serving code.
	if err := m.Data.Store.Revoke(ctx, c.Dev.ID, "terminal reported lost", time.Now()); err != nil {
		t.Fatal(err)
	}
	select {
	case <-c.Sess.Done():
	case <-ctx.Done():
		t.Fatal("revoked connection still open")
	}
	// the cut-off is asserted, not logged (issue 13): within the poll
	// interval and some scheduling, well inside the 1 s the admin page
	// promises
	if took := time.Since(start); took > time.Second {
		t.Fatalf("revoked connection cut after %s; the page promises 1 s", took.Round(time.Millisecond))
	}
	var reason *syncproto.Error
	for _, msg := range c.Unasked() {
		if e, ok := msg.(*syncproto.Error); ok {
			reason = e
		}
	}
	if reason == nil || reason.Code != syncproto.CodeRevoked || !strings.Contains(reason.Message, "terminal reported lost") {
		t.Fatalf("reason %+v", reason)
	}
	if _, err := simdev.Connect(ctx, m.SyncURL(), c.Dev, ""); wireCode(err) != syncproto.CodeRevoked {
		t.Fatalf("reconnect: %v", err)
	}
	if _, err := other.Push(ctx, other.Dev.Case("X", 1), 0); err != nil {
		t.Fatalf("other device: %v", err)
	}
	// Other terminals learn of the revocation by down-sync.
	all, _ := pullAll(t, ctx, other.Sess, 0)
	found := false
	for _, it := range all {
		found = found || (it.Kind == syncproto.KindRevocation && it.Key == c.Dev.ID)
	}
	if !found {
		t.Fatal("revocation not in the down-sync feed")
	}
}

// SPEC S4: the connection measures the device clock offset; a skew over the
// threshold is flagged on the device and recorded; entries keep device time
// and get calibrated time.
func TestClockSkewIsFlagged(t *testing.T) {
	m := start(t, server.Config{SkewThreshold: time.Minute})
	ctx := ctxT(t)
	d := simdev.New(1)
	d.Now = func() time.Time { return time.Now().Add(10 * time.Minute) }
	c, err := simdev.Connect(ctx, m.SyncURL(), d, newCode(t, m, "fast clock"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	off := time.Duration(c.Welcome.ClockOffsetMs) * time.Millisecond
	if !c.Welcome.Skewed || off < 9*time.Minute || off > 11*time.Minute {
		t.Fatalf("welcome %+v", c.Welcome)
	}
	dv, _ := m.Data.Store.Device(ctx, d.ID)
	if !dv.ClockSkewed || dv.ClockOffsetMs != c.Welcome.ClockOffsetMs {
		t.Fatalf("device %+v", dv)
	}
	if securityKinds(t, m)["clock_skew"] != 1 {
		t.Fatal("skew not recorded")
	}
	straight := enrolled(t, m, 2)
	if straight.Welcome.Skewed || abs(straight.Welcome.ClockOffsetMs) > 1000 {
		t.Fatalf("honest clock flagged: %+v", straight.Welcome)
	}
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// SPEC S3: an upload cut off resumes from the server's confirmed offset —
// the bytes it has fsynced and committed — without re-sending confirmed
// chunks; a file already present is not sent.
func TestMediaUploadResumes(t *testing.T) {
	m := start(t, server.Config{})
	ctx := ctxT(t)
	c := enrolled(t, m, 1)
	const mib = 1 << 20
	data := bytes.Repeat([]byte("0123456789abcdef"), 20*mib/16)
	hash := ledger.HashBytes(data)
	if _, err := c.Push(ctx, append(c.Dev.Case("C1", 1), c.Dev.MediaEntry("C1", ledger.KindVideo, data)), 0); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Sess.Call(ctx, &syncproto.MediaOffer{Hash: hash, Size: int64(len(data))}); err != nil {
		t.Fatal(err)
	}
	var confirmed int64
	for off := 0; off < 10*mib; off += mib {
		resp, err := c.Sess.Call(ctx, &syncproto.MediaChunk{Hash: hash, Offset: int64(off), Data: data[off : off+mib]})
		if err != nil {
			t.Fatal(err)
		}
		confirmed = resp.(*syncproto.MediaAck).Offset
	}
	// Resume points (fsync and commit) come every 64 MiB and at the end
	// (issue 15): none yet.
	if confirmed != 0 {
		t.Fatalf("confirmed offset after 10 MiB: %d", confirmed)
	}
	// The connection drops: the 10 MiB received since the last confirmation
	// are synced and confirmed as it ends, so they are not sent again.
	c.Close()
	var c2 *simdev.Client
	deadline := time.Now().Add(10 * time.Second)
	for {
		var err error
		if c2, err = simdev.Connect(ctx, m.SyncURL(), c.Dev, ""); err != nil {
			t.Fatal(err)
		}
		st, err := c2.Sess.Call(ctx, &syncproto.MediaOffer{Hash: hash, Size: int64(len(data))})
		if err != nil {
			t.Fatal(err)
		}
		if off := st.(*syncproto.MediaStatus).Offset; off == 10*mib {
			confirmed = off
			break
		} else if off != 0 || time.Now().After(deadline) {
			t.Fatalf("resume offset %d", off)
		}
		c2.Close() // the old connection's handler has not finished yet
		time.Sleep(10 * time.Millisecond)
	}
	defer c2.Close()
	// A chunk at the wrong offset is refused with the offset to use.
	_, err := c2.Sess.Call(ctx, &syncproto.MediaChunk{Hash: hash, Offset: 0, Data: data[:mib]})
	if e := syncproto.AsError(err); e == nil || e.Code != syncproto.CodeOffset || e.Expect != confirmed {
		t.Fatalf("wrong offset: %v", err)
	}
	before := m.Sync.M.MediaBytesReceived.Value()
	sent, err := c2.Upload(ctx, data, mib, 4)
	if err != nil || sent != int64(len(data))-confirmed {
		t.Fatalf("resumed upload sent %d bytes (%v), want %d", sent, err, int64(len(data))-confirmed)
	}
	if got := int64(m.Sync.M.MediaBytesReceived.Value() - before); got != sent {
		t.Fatalf("server received %d bytes, client sent %d", got, sent)
	}
	if sent, err := c2.Upload(ctx, data, mib, 4); err != nil || sent != 0 {
		t.Fatalf("present file sent again: %d %v", sent, err)
	}
	rc, err := m.Data.Blobs.Open(hash)
	if err != nil {
		t.Fatal(err)
	}
	var got bytes.Buffer
	_, _ = got.ReadFrom(rc)
	rc.Close()
	if !bytes.Equal(got.Bytes(), data) {
		t.Fatal("stored file differs")
	}
}

// SPEC S6: a wipe order reaches a connected terminal at once; a revoked
// terminal with a wipe order may connect only to wipe.
func TestWipeOrder(t *testing.T) {
	m := start(t, server.Config{})
	ctx := ctxT(t)
	c := enrolled(t, m, 1)
	if err := m.Data.Store.RequestWipe(ctx, c.Dev.ID, "reassigned", time.Now()); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(10 * time.Second)
	for ordered := false; !ordered; {
		for _, msg := range c.Unasked() {
			if _, ok := msg.(*syncproto.WipeOrder); ok {
				ordered = true
			}
		}
		if !ordered {
			select {
			case <-deadline:
				t.Fatal("no wipe order")
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	if _, err := c.Sess.Call(ctx, &syncproto.WipeDone{Entries: 3, Kept: 1}); err != nil {
		t.Fatal(err)
	}
	dv, _ := m.Data.Store.Device(ctx, c.Dev.ID)
	if dv.WipePending() || !strings.Contains(dv.WipeReport, `"entries":3`) {
		t.Fatalf("device %+v", dv)
	}

	lost := enrolled(t, m, 2)
	lost.Close()
	_ = m.Data.Store.Revoke(ctx, lost.Dev.ID, "lost", time.Now())
	_ = m.Data.Store.RequestWipe(ctx, lost.Dev.ID, "lost", time.Now())
	r, err := simdev.Connect(ctx, m.SyncURL(), lost.Dev, "")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !r.Welcome.Revoked || !r.Welcome.Wipe {
		t.Fatalf("welcome %+v", r.Welcome)
	}
	if _, err := r.Push(ctx, lost.Dev.Case("L", 1), 0); wireCode(err) != syncproto.CodeRevoked {
		t.Fatalf("push while revoked: %v", err)
	}
	r2, err := simdev.Connect(ctx, m.SyncURL(), lost.Dev, "")
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	if _, err := r2.Sess.Call(ctx, &syncproto.WipeDone{Entries: 5}); err != nil {
		t.Fatal(err)
	}
	if _, err := simdev.Connect(ctx, m.SyncURL(), lost.Dev, ""); wireCode(err) != syncproto.CodeRevoked {
		t.Fatalf("after the wipe: %v", err)
	}
}

// pullAll pulls the down-sync catalog from since to its head, checking that
// each frame keeps to the byte budget (one item may exceed it alone).
func pullAll(t *testing.T, ctx context.Context, sess *syncproto.Session, since int64) ([]syncproto.CatalogItem, *syncproto.Updates) {
	t.Helper()
	var all []syncproto.CatalogItem
	u := &syncproto.Updates{More: true}
	for pulls := 0; u.More; pulls++ {
		resp, err := sess.Call(ctx, &syncproto.Pull{Since: since})
		if err != nil {
			t.Fatal(err)
		}
		u = resp.(*syncproto.Updates)
		body := 0
		for _, it := range u.Items {
			body += len(it.Body)
		}
		if len(u.Items) == 0 || (len(u.Items) > 1 && body > syncsrv.PullBatchBytes) || pulls > 100 {
			t.Fatalf("pull %d: %d items, %d body bytes (budget %d)", pulls, len(u.Items), body, syncsrv.PullBatchBytes)
		}
		all = append(all, u.Items...)
		since = all[len(all)-1].Seq
	}
	return all, u
}

// SPEC S5 F2 D4: procedure definitions, rights texts and officers come
// down versioned, in frames bounded by bytes; a change is announced to
// connected terminals.
func TestDownSync(t *testing.T) {
	m := start(t, server.Config{Demo: true})
	ctx := ctxT(t)
	c := enrolled(t, m, 1)
	all, u := pullAll(t, ctx, c.Sess, 0)
	kinds := map[string]int{}
	for _, it := range all {
		kinds[it.Kind]++
	}
	// every version of every definition: procedures and rights texts v1 and v2
	if kinds[syncproto.KindProcedure] != 10 || kinds[syncproto.KindRights] != 8 || kinds[syncproto.KindOfficer] != 6 || kinds[syncproto.KindAgency] != 1 || int64(len(all)) != u.Head {
		t.Fatalf("catalog %v of head %d", kinds, u.Head)
	}
	for _, it := range all {
		if it.Kind == syncproto.KindProcedure {
			if _, err := enforce.ParseProcedure(it.Body); err != nil {
				t.Fatalf("procedure %s: %v", it.Key, err)
			}
		}
	}
	officer := enforce.Officer{Name: "钱红", Cert: "15019999", Expires: "2030-01-01"}
	if _, _, err := server.PutOfficer(ctx, m.Data.Store, officer, time.Now()); err != nil {
		t.Fatal(err)
	}
	deadline := time.After(10 * time.Second)
	for noticed := false; !noticed; {
		for _, msg := range c.Unasked() {
			if n, ok := msg.(*syncproto.Notice); ok && n.CatalogHead == u.Head+1 {
				noticed = true
			}
		}
		if !noticed {
			select {
			case <-deadline:
				t.Fatal("no notice of the catalog change")
			case <-time.After(20 * time.Millisecond):
			}
		}
	}
	resp, err := c.Sess.Call(ctx, &syncproto.Pull{Since: u.Head})
	if err != nil {
		t.Fatal(err)
	}
	items := resp.(*syncproto.Updates).Items
	var got enforce.Officer
	if len(items) != 1 || json.Unmarshal(items[0].Body, &got) != nil || got != officer {
		t.Fatalf("officer item %+v", items)
	}
}

// SPEC X3: health, metrics and the auditor's log endpoints answer.
func TestHealthMetricsAndLogEndpoints(t *testing.T) {
	m := start(t, server.Config{})
	ctx := ctxT(t)
	c := enrolled(t, m, 1)
	es := c.Dev.Case("C1", 3)
	ack, err := c.Push(ctx, es, 0)
	if err != nil {
		t.Fatal(err)
	}
	get := func(path string, v any) string {
		t.Helper()
		resp, err := http.Get(m.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var b bytes.Buffer
		_, _ = b.ReadFrom(resp.Body)
		if resp.StatusCode != 200 {
			t.Fatalf("%s: %s %s", path, resp.Status, b.String())
		}
		if v != nil {
			if err := json.Unmarshal(b.Bytes(), v); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
		}
		return b.String()
	}
	var health struct {
		Status   string `json:"status"`
		TreeSize uint64 `json:"tree_size"`
	}
	get("/healthz", &health)
	if health.Status != "ok" || health.TreeSize != 3 {
		t.Fatalf("health %+v", health)
	}
	metrics := get("/metrics", nil)
	for _, want := range []string{`(?m)^lawtrace_entries_ingested_total(\{[^}]*\})? 3$`, `(?m)^lawtrace_sync_connections(\{[^}]*\})? 1$`,
		`(?m)^lawtrace_ack_latency_seconds_count(\{[^}]*\})? 1$`, `(?m)^# TYPE lawtrace_media_bytes_received_total counter$`} {
		if !regexp.MustCompile(want).MatchString(metrics) {
			t.Errorf("metrics lack %s", want)
		}
	}
	var pr struct {
		TreeHead syncproto.TreeHead       `json:"tree_head"`
		Proof    syncproto.InclusionProof `json:"proof"`
	}
	get("/log/proof?entry="+es[1].ID, &pr)
	if err := syncproto.VerifyInclusion(pr.TreeHead, pr.Proof); err != nil || pr.Proof.EntryHash != es[1].Hash {
		t.Fatalf("proof endpoint: %+v %v", pr, err)
	}
	if err := pr.TreeHead.Verify(ed25519.PublicKey(c.ServerKey)); err != nil || pr.TreeHead.Size != ack.TreeHead.Size {
		t.Fatal(err)
	}
	var cons struct {
		Hashes [][]byte `json:"hashes"`
	}
	get("/log/consistency?from=1&to=3", &cons)
	if len(cons.Hashes) == 0 {
		t.Fatal("no consistency proof")
	}
	_ = store.ErrNotFound
}
