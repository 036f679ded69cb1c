package syncsrv

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"lawtrace/backend/internal/events"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/blob"
	"lawtrace/shared/ledger"
	"lawtrace/shared/syncproto"
)

// syncEvery is how many received bytes of an upload may wait for an fsync
// and a committed offset: the resume points a server crash falls back to.
// A connection that ends (dropped, cut, the terminal killed) has its
// received chunks synced and committed then (keepReceived), so only a
// crash of the server itself can cost a resend of up to this much; each
// resume point costs two fsyncs (the file, the commit), which at 8 MiB
// halved the upload rate (issue 15).
const syncEvery = 64 << 20

// conn is one device connection.
type conn struct {
	s      *Server
	ws     *wsConn
	sess   *syncproto.Session
	remote string // host:port, for logs
	source string // sourceOf(remote): what limits and security events count by
	log    *slog.Logger

	preAuth bool // holds a pre-authentication slot (Server.admit)

	deviceID   string
	key        ed25519.PublicKey
	appVersion string
	restricted bool // a revoked device with a wipe order: may only wipe
	offsetMs   int64
	skewed     bool
	anchor     *ledger.ClockSync
	offered    map[string]store.Upload // uploads offered on this connection, as last committed, by hash
	received   map[string]int64        // bytes received (not yet all durable), by hash
	seen       store.Seen              // what Hello said, updated as entries and files arrive

	mu         sync.Mutex
	wipeSent   bool
	cutOnce    sync.Once
	revokedCut atomic.Bool // cut for its device's revocation (cutRevoked)
}

func newConn(s *Server, ws *websocket.Conn, remote string) *conn {
	w := newWSConn(ws)
	return &conn{s: s, ws: w, sess: syncproto.NewSession(w), remote: remote, log: s.log.With("remote", remote), offered: map[string]store.Upload{}, received: map[string]int64{}}
}

func (c *conn) now() time.Time { return c.s.cfg.Now() }

// leavePreAuth gives back the connection's pre-authentication slot, once;
// it runs on the connection's own goroutine.
func (c *conn) leavePreAuth() {
	if c.preAuth {
		c.preAuth = false
		c.s.release(c.source)
	}
}

// open counts the connection and runs the handshake; after a failure the
// connection is closed and open reports false.
func (c *conn) open(ctx context.Context) bool {
	c.s.M.ConnectionsTotal.Inc()
	if err := c.handshake(ctx); err != nil {
		c.refuse(err)
		c.s.unregister(c)
		c.ws.Close()
		return false
	}
	return true
}

// loop answers the device's requests until the connection ends.
func (c *conn) loop(ctx context.Context) {
	defer c.ws.Close()
	defer c.s.unregister(c)
	defer c.s.cfg.Bus.Publish(events.Event{Kind: events.DeviceGone, DeviceID: c.deviceID})
	defer c.finish()
	for {
		id, m, err := c.sess.Recv()
		if err != nil {
			if pe := syncproto.AsError(err); pe != nil {
				c.s.security(ctx, c.deviceID, c.remote, string(pe.Code), pe.Message, "")
				c.refuse(pe)
			} else if !isClosed(err) {
				c.log.Debug("connection ended", "device", c.deviceID, "err", err)
			}
			return
		}
		resp, closeAfter := c.handle(ctx, m)
		if resp != nil {
			if err := c.sess.Send(id, resp); err != nil {
				return
			}
		}
		if closeAfter != nil {
			c.cut(closeAfter, websocket.ClosePolicyViolation)
			return
		}
	}
}

// refuse sends a final error and closes.
func (c *conn) refuse(err error) {
	pe := syncproto.AsError(err)
	if pe == nil {
		if !isClosed(err) {
			c.log.Debug("handshake failed", "err", err)
		}
		return
	}
	c.cut(pe, websocket.ClosePolicyViolation)
}

// cut tells the terminal why and closes the connection, once.
func (c *conn) cut(pe *syncproto.Error, code int) {
	c.cutOnce.Do(func() {
		_ = c.sess.Send(0, pe)
		_ = c.ws.CloseWith(code, string(pe.Code)+": "+pe.Message)
	})
}

func (c *conn) handshake(ctx context.Context) error {
	// Until the device has signed the challenge: frames of at most
	// MaxHandshakeFrameSize (set in newWSConn), Hello within HelloTimeout
	// and the whole handshake within HandshakeTimeout, whatever pongs say.
	start := time.Now()
	c.ws.deadline = start.Add(c.s.cfg.HelloTimeout)
	id, m, err := c.sess.Recv()
	if err != nil {
		if pe := syncproto.AsError(err); pe != nil {
			c.s.security(ctx, "", c.remote, string(pe.Code), pe.Message, "")
		}
		return err
	}
	c.ws.deadline = start.Add(c.s.cfg.HandshakeTimeout)
	received := c.now()
	hello, ok := m.(*syncproto.Hello)
	if !ok {
		return syncproto.Errorf(syncproto.CodeUnexpected, "the first message must be hello, got %s", m.Type())
	}
	// Nothing the peer chose is logged or stored before it is checked.
	if err := hello.Check(); err != nil {
		pe := syncproto.AsError(err)
		c.s.security(ctx, "", c.remote, "bad_hello", pe.Message, "")
		return pe
	}
	if hello.Protocol < syncproto.MinProtocolVersion || hello.Protocol > syncproto.ProtocolVersion {
		c.log.Info("protocol version refused", "device", hello.DeviceID, "protocol", hello.Protocol)
		return syncproto.Errorf(syncproto.CodeVersion, "this server speaks protocol versions %d to %d, the terminal speaks %d: update the app",
			syncproto.MinProtocolVersion, syncproto.ProtocolVersion, hello.Protocol)
	}
	c.deviceID, c.appVersion = hello.DeviceID, hello.AppVersion
	c.log = c.log.With("device", c.deviceID)
	if hello.Enrol != nil {
		pub := ed25519.PublicKey(hello.Enrol.PublicKey)
		if len(pub) != ed25519.PublicKeySize {
			return syncproto.Errorf(syncproto.CodeAuth, "the enrolment key is not an Ed25519 public key")
		}
		if syncproto.DeviceIDFor(pub) != hello.DeviceID {
			c.s.security(ctx, "", c.remote, string(syncproto.CodeForgedDevice), "注册请求声称设备编号 "+hello.DeviceID+"，与所提交的公钥不符", "")
			return syncproto.Errorf(syncproto.CodeForgedDevice, "device id %s does not belong to the offered key", hello.DeviceID)
		}
		c.key = pub
	} else {
		d, err := c.s.cfg.Store.Device(ctx, hello.DeviceID)
		if errors.Is(err, store.ErrNotFound) {
			c.s.security(ctx, "", c.remote, string(syncproto.CodeUnknownDevice), "未注册的设备 "+hello.DeviceID+" 尝试连接", "")
			return syncproto.Errorf(syncproto.CodeUnknownDevice, "device %s is not enrolled; enrol it with a code from the administrator", hello.DeviceID)
		}
		if err != nil {
			return c.internal("read device", err)
		}
		if d.Revoked() {
			if !d.WipePending() {
				c.s.security(ctx, d.ID, c.remote, "revoked_device", "已吊销的终端尝试连接", "")
				return revokedError(d)
			}
			c.restricted = true
		}
		c.key = d.PublicKey
	}
	// Security events name a device only once it is known to be enrolled;
	// the id an enrolling (so far unknown) peer claims goes into the detail,
	// so a flood of made-up ids is counted as one source.
	evDevice, claim := c.deviceID, ""
	if hello.Enrol != nil {
		evDevice, claim = "", "（以设备编号 "+c.deviceID+" 注册）"
	}

	nonce := make([]byte, 32)
	if _, err := rand.Read(nonce); err != nil {
		return c.internal("nonce", err)
	}
	ch := &syncproto.Challenge{Protocol: syncproto.ProtocolVersion, Nonce: nonce, ServerID: c.s.id, ServerKey: c.s.pub,
		ServerSig: ed25519.Sign(c.s.cfg.Key, syncproto.ServerAuthMessage(nonce, c.deviceID, c.s.id)), Received: received.UnixNano()}
	ch.Sent = c.now().UnixNano()
	if err := c.sess.Send(id, ch); err != nil {
		return err
	}
	_, auth, err := syncproto.Expect[*syncproto.Auth](c.sess)
	if err != nil {
		if pe := syncproto.AsError(err); pe != nil && pe.Code != syncproto.CodeUnexpected {
			c.s.security(ctx, evDevice, c.remote, string(pe.Code), pe.Message+claim, "")
		}
		return err
	}
	if !ed25519.Verify(c.key, syncproto.AuthMessage(nonce, c.deviceID, c.s.id), auth.Signature) {
		c.s.security(ctx, evDevice, c.remote, string(syncproto.CodeAuth), "挑战签名无法用该设备的公钥验证"+claim, "")
		return syncproto.Errorf(syncproto.CodeAuth, "the challenge signature does not verify with the key of device %s", c.deviceID)
	}
	var enrolled *syncproto.Enrolled
	if hello.Enrol != nil {
		_, err := c.s.cfg.Store.Enrol(ctx, CodeHash(hello.Enrol.Code), store.Device{ID: c.deviceID, Name: hello.Enrol.Name, PublicKey: c.key})
		if pe := syncproto.AsError(err); pe != nil {
			c.s.security(ctx, evDevice, c.remote, string(pe.Code), pe.Message+claim, "")
			return pe
		}
		if err != nil {
			return c.internal("enrol", err)
		}
		c.log.Info("device enrolled", "name", hello.Enrol.Name)
		enrolled = &syncproto.Enrolled{ServerID: c.s.id, ServerKey: c.s.pub, Agency: c.s.cfg.Agency}
	}
	// Authenticated: the connection leaves the pre-authentication caps and
	// may now send frames up to the protocol maximum.
	c.leavePreAuth()
	c.ws.Raise()
	d, err := c.s.cfg.Store.Device(ctx, c.deviceID)
	if err != nil {
		return c.internal("read device", err)
	}

	offset, rtt := syncproto.ClockOffset(hello.DeviceTime, ch.Received, ch.Sent, auth.ChallengeReceived)
	c.offsetMs = offset.Milliseconds()
	if hello.Boot != "" { // this connection's measurement, for entries of the same boot (SPEC S4)
		c.anchor = &ledger.ClockSync{Boot: hello.Boot, MonoMs: hello.MonoMs, DeviceTime: ledger.FormatTime(time.Unix(0, hello.DeviceTime)), OffsetMs: c.offsetMs}
	}
	c.skewed = offset > c.s.cfg.SkewThreshold || -offset > c.s.cfg.SkewThreshold
	if c.skewed {
		c.s.security(ctx, c.deviceID, c.remote, "clock_skew", "终端时钟偏差 "+offset.Round(time.Millisecond).String()+
			"，超过阈值 "+c.s.cfg.SkewThreshold.String()+"；记录同时保存设备时间和校准时间（003 §7）", "")
	}
	c.seen = store.Seen{At: c.now(), AppVersion: hello.AppVersion, Outbox: hello.Outbox,
		PendingBytes: hello.PendingBytes, ClockOffsetMs: c.offsetMs, Skewed: c.skewed, Remote: c.remote}
	if err := c.s.cfg.Store.TouchDevice(ctx, c.deviceID, c.seen); err != nil {
		return c.internal("touch device", err)
	}
	th, err := c.s.cfg.Store.TreeHead(ctx)
	if err != nil {
		return c.internal("tree head", err)
	}
	_, head, err := c.s.cfg.Store.CatalogSince(ctx, 1<<62, 1)
	if err != nil {
		return c.internal("catalog head", err)
	}
	epoch, restores, err := c.s.restorePoints(ctx)
	if err != nil {
		return c.internal("restore epoch", err)
	}
	wipe := d.WipePending()
	c.wipeSent = wipe
	w := &syncproto.Welcome{DeviceID: c.deviceID, LastSeq: d.LastSeq, TreeHead: &th, ClockOffsetMs: c.offsetMs, RoundTripMs: rtt.Milliseconds(),
		Skewed: c.skewed, SkewThresholdMs: c.s.cfg.SkewThreshold.Milliseconds(), CatalogHead: head, Wipe: wipe, Revoked: c.restricted, Enrolled: enrolled,
		Epoch: epoch, Restores: restores}
	if err := c.sess.Send(0, w); err != nil {
		return err
	}
	// Registered only after the Welcome, so nothing sent unasked can come
	// before it; a revocation that landed meanwhile is checked once more.
	if !c.s.register(c) {
		return syncproto.Errorf(syncproto.CodeBusy, "the server is shutting down; the terminal will reconnect")
	}
	if d, err := c.s.cfg.Store.Device(ctx, c.deviceID); err == nil && d.Revoked() && !c.restricted {
		return revokedError(d)
	}
	c.log.Info("device connected", "last_seq", d.LastSeq, "outbox", hello.Outbox, "clock_offset_ms", c.offsetMs, "skewed", c.skewed, "restricted", c.restricted)
	c.s.cfg.Bus.Publish(events.Event{Kind: events.DeviceConnected, DeviceID: c.deviceID})
	return nil
}

// finish records the device's queue as this connection leaves it: what
// Hello reported minus what arrived (SPEC D3: queue depth per device).
func (c *conn) finish() {
	c.keepReceived()
	c.seen.At = c.now()
	c.seen.Outbox = max(c.seen.Outbox, 0)
	c.seen.PendingBytes = max(c.seen.PendingBytes, 0)
	if err := c.s.cfg.Store.TouchDevice(context.Background(), c.deviceID, c.seen); err != nil {
		c.log.Error("cannot record device state", "err", err)
	}
}

// keepReceived confirms, when a connection ends, the chunks it received
// but had not yet confirmed: they are on disk in whole chunks, so after an
// fsync the next connection resumes after them instead of sending them
// again. Only a server crash can lose unconfirmed bytes.
func (c *conn) keepReceived() {
	ctx := context.Background()
	for hash, rcv := range c.received {
		func() {
			lock := c.s.uploadLock(hash)
			lock.Lock()
			defer lock.Unlock()
			u, err := c.s.cfg.Store.Upload(ctx, hash)
			if err != nil || rcv <= u.Offset || rcv > u.Size {
				return
			}
			if onDisk, err := c.s.cfg.Blobs.PartialSize(hash); err != nil || onDisk < rcv {
				return
			}
			if err := c.s.cfg.Blobs.SyncPartial(hash); err != nil {
				c.log.Error("cannot sync partial upload", "hash", hash, "err", err)
				return
			}
			u.Offset, u.UpdatedAt = rcv, c.now()
			if err := c.s.cfg.Store.PutUpload(ctx, u); err != nil {
				c.log.Error("cannot record upload offset", "hash", hash, "err", err)
			}
		}()
	}
}

func (c *conn) internal(what string, err error) *syncproto.Error {
	c.log.Error("sync server fault", "what", what, "err", err)
	return syncproto.Errorf(syncproto.CodeInternal, "server fault (%s); try again later", what)
}

func (c *conn) wipeOrdered() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wipeSent
}

func (c *conn) orderWipe(d store.Device) {
	c.mu.Lock()
	if c.wipeSent {
		c.mu.Unlock()
		return
	}
	c.wipeSent = true
	c.mu.Unlock()
	c.log.Info("wipe ordered")
	_ = c.sess.Send(0, &syncproto.WipeOrder{Reason: d.WipeReason, RequestedAt: d.WipeRequestedAt.Format(time.RFC3339)})
}

// handle answers one request; a non-nil second result closes the
// connection after the answer.
func (c *conn) handle(ctx context.Context, m syncproto.Message) (syncproto.Message, *syncproto.Error) {
	if c.restricted {
		switch m.(type) {
		case *syncproto.WipeDone, *syncproto.ProofRequest, *syncproto.LogBreak:
		default:
			pe := syncproto.Errorf(syncproto.CodeRevoked, "this terminal is revoked; it may only carry out the wipe order")
			return pe, pe
		}
	}
	switch m := m.(type) {
	case *syncproto.Push:
		return c.push(ctx, m), nil
	case *syncproto.ProofRequest:
		return c.proofs(ctx, m), nil
	case *syncproto.MediaOffer:
		return c.mediaOffer(ctx, m), nil
	case *syncproto.MediaChunk:
		return c.mediaChunk(ctx, m), nil
	case *syncproto.Pull:
		return c.pull(ctx, m), nil
	case *syncproto.LogBreak:
		return c.logBreak(ctx, m), nil
	case *syncproto.WipeDone:
		if err := c.s.cfg.Store.WipeDone(ctx, c.deviceID, *m, c.now()); err != nil {
			return c.internal("wipe done", err), nil
		}
		c.log.Info("wipe done", "entries", m.Entries, "media", m.Media, "kept", m.Kept)
		c.s.cfg.Bus.Publish(events.Event{Kind: events.WipeDone, DeviceID: c.deviceID, Entries: m.Entries})
		if c.restricted {
			pe := syncproto.Errorf(syncproto.CodeRevoked, "this terminal is revoked; the wipe is recorded")
			return &syncproto.OK{}, pe
		}
		return &syncproto.OK{}, nil
	}
	pe := syncproto.Errorf(syncproto.CodeUnexpected, "%s is not a request a terminal may send now", m.Type())
	return pe, pe
}

func (c *conn) push(ctx context.Context, p *syncproto.Push) syncproto.Message {
	start := time.Now()
	c.s.checking <- struct{}{}
	err := store.CheckEntries(c.deviceID, c.key, p.Entries)
	<-c.s.checking
	if err != nil {
		return c.refusedBatch(ctx, err, p)
	}
	batch := store.Batch{DeviceID: c.deviceID, Entries: p.Entries, ClockOffsetMs: c.offsetMs, Skewed: c.skewed, ReceivedAt: c.now(),
		Anchor: c.anchor, SkewThreshold: c.s.cfg.SkewThreshold}
	res, err := c.s.cfg.Store.Ingest(ctx, batch)
	if err != nil {
		return c.refusedBatch(ctx, err, p)
	}
	c.s.cfg.Recent.Committed(batch, res)
	seqs := make([]int64, len(p.Entries))
	for i, e := range p.Entries {
		seqs[i] = e.DeviceSeq
	}
	ack := &syncproto.Ack{UpTo: res.UpTo, Accepted: res.Accepted, Duplicates: res.Duplicates, TreeHead: res.TreeHead}
	if ack.Proofs, err = c.s.cfg.Store.ProofsBySeq(ctx, c.deviceID, seqs, res.TreeHead.Size); err != nil {
		return c.internal("proofs", err)
	}
	if ack.Consistency, err = c.consistency(ctx, p.KnownTreeSize, res.TreeHead.Size); err != nil {
		return c.internal("consistency proof", err)
	}
	c.seen.Outbox -= res.Accepted
	c.s.M.EntriesIngested.Add(uint64(res.Accepted))
	c.s.M.EntriesDuplicate.Add(uint64(res.Duplicates))
	c.s.M.AckLatency.Observe(time.Since(start).Seconds())
	if res.Accepted > 0 {
		c.s.cfg.Bus.Publish(events.Event{Kind: events.BatchIngested, DeviceID: c.deviceID, Cases: res.Cases, Entries: res.Accepted, UpTo: res.UpTo})
	}
	c.log.Debug("batch acknowledged", "up_to", res.UpTo, "accepted", res.Accepted, "duplicates", res.Duplicates, "tree_size", res.TreeHead.Size)
	return ack
}

func (c *conn) refusedBatch(ctx context.Context, err error, p *syncproto.Push) syncproto.Message {
	pe := syncproto.AsError(err)
	if pe == nil {
		return c.internal("ingest", err)
	}
	c.s.M.BatchesRefused.Inc()
	switch pe.Code {
	case syncproto.CodeBadEntry, syncproto.CodeForgedDevice, syncproto.CodeConflict:
		evidence, _ := json.Marshal(p.Entries)
		c.s.security(ctx, c.deviceID, c.remote, string(pe.Code), pe.Message, string(evidence))
	default:
		c.log.Info("batch refused", "code", pe.Code, "reason", pe.Message)
	}
	return pe
}

func (c *conn) consistency(ctx context.Context, known, size uint64) ([][]byte, error) {
	if known == 0 || known >= size {
		return nil, nil
	}
	return c.s.cfg.Store.Consistency(ctx, known, size)
}

func (c *conn) proofs(ctx context.Context, r *syncproto.ProofRequest) syncproto.Message {
	if len(r.DeviceSeqs) > store.MaxBatch {
		return syncproto.Errorf(syncproto.CodeTooLarge, "at most %d proofs per request", store.MaxBatch)
	}
	th, err := c.s.cfg.Store.TreeHead(ctx)
	if err != nil {
		return c.internal("tree head", err)
	}
	out := &syncproto.Proofs{TreeHead: th}
	if out.Proofs, err = c.s.cfg.Store.ProofsBySeq(ctx, c.deviceID, r.DeviceSeqs, th.Size); err != nil {
		return c.internal("proofs", err)
	}
	if out.Consistency, err = c.consistency(ctx, r.KnownTreeSize, th.Size); err != nil {
		return c.internal("consistency proof", err)
	}
	return out
}

func (c *conn) pull(ctx context.Context, p *syncproto.Pull) syncproto.Message {
	limit := p.Limit
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	items, head, err := c.s.cfg.Store.CatalogSince(ctx, p.Since, limit)
	if err != nil {
		return c.internal("catalog", err)
	}
	u := &syncproto.Updates{Items: byteBatch(items, PullBatchBytes, c.withhold), Head: head}
	if n := len(u.Items); n > 0 && u.Items[n-1].Seq < head {
		u.More = true
	}
	if u.Items == nil {
		u.Items = []syncproto.CatalogItem{}
	}
	return u
}

// withhold replaces an item the store holds but no terminal could receive
// in one frame (stored before the limit existed, or behind the server's
// back) by a KindWithheld item at the same position: terminals skip it
// and go on, instead of every sync failing on a frame over the limit
// (issue 13 finding 3). Each time it is logged and counted.
func (c *conn) withhold(it syncproto.CatalogItem) syncproto.CatalogItem {
	c.s.M.CatalogWithheld.Inc()
	c.s.log.Error("catalog item over the size limit withheld from down-sync; fix it on the admin pages (a new version under the limit replaces it)",
		"device", c.deviceID, "seq", it.Seq, "kind", it.Kind, "key", syncproto.CleanText(it.Key, 64), "version", it.Version,
		"bytes", len(it.Body), "limit", syncproto.MaxCatalogItemBytes)
	body, _ := json.Marshal(syncproto.Withheld{Kind: it.Kind, Reason: "too_large", Bytes: len(it.Body)})
	return syncproto.CatalogItem{Seq: it.Seq, Kind: syncproto.KindWithheld, Key: it.Key, Version: it.Version, Body: body}
}

// PullBatchBytes bounds the catalog bodies of one Updates frame, so a
// terminal on a link that drops every few tens of kilobytes still makes
// progress item by item, and no frame nears the protocol limit.
const PullBatchBytes = 32 << 10

// byteBatch keeps items while their bodies fit in budget, and always the
// first one: the rest come with the next pull (Updates.More). An item over
// syncproto.MaxCatalogItemBytes is replaced by withhold's marker when it
// is its turn, so no frame carries it.
func byteBatch(items []syncproto.CatalogItem, budget int, withhold func(syncproto.CatalogItem) syncproto.CatalogItem) []syncproto.CatalogItem {
	used := 0
	for i, it := range items {
		if len(it.Body) > syncproto.MaxCatalogItemBytes {
			it = withhold(it)
		}
		used += len(it.Body)
		if i > 0 && used > budget {
			return items[:i]
		}
		items[i] = it
	}
	return items
}

func (c *conn) mediaOffer(ctx context.Context, o *syncproto.MediaOffer) syncproto.Message {
	if !store.ValidHash(o.Hash) {
		return syncproto.Errorf(syncproto.CodeUnknownMedia, "%q is not a SHA-256 hex hash", o.Hash)
	}
	if o.Size <= 0 || o.Size > c.s.cfg.MaxMediaSize {
		return syncproto.Errorf(syncproto.CodeTooLarge, "file size %d is outside 1 to %d bytes", o.Size, c.s.cfg.MaxMediaSize)
	}
	ref, declared, err := c.s.cfg.Store.MediaRef(ctx, c.deviceID, o.Hash)
	if err != nil {
		return c.internal("media ref", err)
	}
	if !ref {
		return syncproto.Errorf(syncproto.CodeUnknownMedia, "no accepted entry of this device references media %s; push its entries first", o.Hash[:12])
	}
	if declared > 0 && declared != o.Size {
		c.s.security(ctx, c.deviceID, c.remote, string(syncproto.CodeMediaMismatch), "文件 "+o.Hash[:12]+" 的大小与其记录中申报的不符", "")
		return syncproto.Errorf(syncproto.CodeMediaMismatch, "media %s: the entry declares %d bytes, the offer says %d", o.Hash[:12], declared, o.Size)
	}
	lock := c.s.uploadLock(o.Hash)
	lock.Lock()
	defer lock.Unlock()
	if present, err := c.present(ctx, o.Hash, o.Size); err != nil {
		return c.internal("media present", err)
	} else if present {
		c.seen.PendingBytes -= o.Size
		return &syncproto.MediaStatus{Hash: o.Hash, Present: true, Offset: o.Size}
	}
	u, err := c.s.cfg.Store.Upload(ctx, o.Hash)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return c.internal("upload", err)
	}
	now := c.now()
	if errors.Is(err, store.ErrNotFound) || u.Size != o.Size {
		if err := c.s.cfg.Blobs.Discard(o.Hash); err != nil {
			return c.internal("discard partial", err)
		}
		u = store.Upload{Hash: o.Hash, Size: o.Size, StartedAt: now}
	} else if onDisk, err := c.s.cfg.Blobs.PartialSize(o.Hash); err != nil {
		return c.internal("partial size", err)
	} else if onDisk < u.Offset {
		c.log.Warn("partial upload shorter than its confirmed offset; restarting it", "hash", o.Hash, "on_disk", onDisk, "confirmed", u.Offset)
		u.Offset = 0
	}
	u.DeviceID, u.UpdatedAt = c.deviceID, now
	if err := c.s.cfg.Store.PutUpload(ctx, u); err != nil {
		return c.internal("put upload", err)
	}
	c.offered[o.Hash] = u
	c.received[o.Hash] = u.Offset
	return &syncproto.MediaStatus{Hash: o.Hash, Offset: u.Offset}
}

// present reports whether the file is stored, repairing the index if the
// folder holds it (a crash between storing the file and recording it).
func (c *conn) present(ctx context.Context, hash string, size int64) (bool, error) {
	if ok, err := c.s.cfg.Store.MediaPresent(ctx, hash); err != nil || ok {
		return ok, err
	}
	ok, err := c.s.cfg.Blobs.Has(hash)
	if err != nil || !ok {
		return false, err
	}
	return true, c.s.cfg.Store.MediaStored(ctx, store.MediaFile{Hash: hash, Size: size, DeviceID: c.deviceID, StoredAt: c.now()})
}

func (c *conn) mediaChunk(ctx context.Context, ch *syncproto.MediaChunk) syncproto.Message {
	c.s.M.MediaBytesReceived.Add(uint64(len(ch.Data)))
	// The upload as this connection last committed it: no store read per
	// chunk (issue 15).
	u, ok := c.offered[ch.Hash]
	if !ok {
		return syncproto.Errorf(syncproto.CodeUnexpected, "media %.12s was not offered on this connection; offer it first", ch.Hash)
	}
	if len(ch.Data) == 0 {
		return syncproto.Errorf(syncproto.CodeUnexpected, "empty chunk")
	}
	lock := c.s.uploadLock(ch.Hash)
	lock.Lock()
	defer lock.Unlock()
	expect, ok := c.received[ch.Hash]
	if !ok || expect < u.Offset {
		expect = u.Offset
	}
	if ch.Offset != expect {
		delete(c.received, ch.Hash) // resume from the confirmed offset
		pe := syncproto.Errorf(syncproto.CodeOffset, "chunk at offset %d, but the server expects %d (%d bytes of %.12s confirmed)", ch.Offset, expect, u.Offset, ch.Hash)
		pe.Expect = u.Offset
		return pe
	}
	if ch.Offset+int64(len(ch.Data)) > u.Size {
		return syncproto.Errorf(syncproto.CodeMediaMismatch, "chunk runs to byte %d, past the announced size %d of %.12s", ch.Offset+int64(len(ch.Data)), u.Size, ch.Hash)
	}
	if err := c.s.cfg.Blobs.WriteChunk(ch.Hash, ch.Offset, ch.Data); err != nil {
		if errors.Is(err, blob.ErrShortPartial) {
			// another connection may have finished the file meanwhile
			if present, err := c.present(ctx, ch.Hash, u.Size); err == nil && present {
				delete(c.offered, ch.Hash)
				delete(c.received, ch.Hash)
				return &syncproto.MediaAck{Hash: ch.Hash, Offset: u.Size, Complete: true}
			}
			delete(c.received, ch.Hash)
			u.Offset = 0
			c.offered[ch.Hash] = u
			if err := c.s.cfg.Store.PutUpload(ctx, u); err != nil {
				return c.internal("put upload", err)
			}
			pe := syncproto.Errorf(syncproto.CodeOffset, "the partial upload of %.12s was lost; restart from 0", ch.Hash)
			return pe
		}
		return c.internal("write chunk", err)
	}
	// The received offset runs ahead of the durable one; every syncEvery
	// bytes (and at the end) the bytes are fsynced and the offset
	// committed, and only that offset is ever confirmed (SPEC S3).
	received := ch.Offset + int64(len(ch.Data))
	c.received[ch.Hash] = received
	if received < u.Size && received-u.Offset < syncEvery {
		return &syncproto.MediaAck{Hash: ch.Hash, Offset: u.Offset}
	}
	if err := c.s.cfg.Blobs.SyncPartial(ch.Hash); err != nil {
		return c.internal("sync partial", err)
	}
	u.Offset = received
	u.UpdatedAt = c.now()
	if u.Offset < u.Size {
		if err := c.s.cfg.Store.PutUpload(ctx, u); err != nil {
			return c.internal("put upload", err)
		}
		c.offered[ch.Hash] = u
		return &syncproto.MediaAck{Hash: ch.Hash, Offset: u.Offset}
	}
	n, err := c.s.cfg.Blobs.Finish(ch.Hash)
	var mm *blob.MismatchError
	if errors.As(err, &mm) {
		if err := c.s.cfg.Store.DeleteUpload(ctx, ch.Hash); err != nil {
			c.log.Error("cannot forget a refused upload; the next offer resumes it and fails again", "hash", ch.Hash, "err", err)
		}
		delete(c.offered, ch.Hash)
		delete(c.received, ch.Hash)
		c.s.security(ctx, c.deviceID, c.remote, string(syncproto.CodeMediaMismatch), mm.Error(), "")
		return syncproto.Errorf(syncproto.CodeMediaMismatch, "media %.12s refused: %v", ch.Hash, mm)
	}
	if err != nil {
		return c.internal("finish upload", err)
	}
	if err := c.s.cfg.Store.MediaStored(ctx, store.MediaFile{Hash: ch.Hash, Size: n, DeviceID: c.deviceID, StoredAt: c.now()}); err != nil {
		return c.internal("media stored", err)
	}
	delete(c.offered, ch.Hash)
	delete(c.received, ch.Hash)
	c.seen.PendingBytes -= n
	c.s.M.MediaFilesStored.Inc()
	c.s.cfg.Bus.Publish(events.Event{Kind: events.MediaStored, DeviceID: c.deviceID, Hash: ch.Hash, Bytes: n})
	c.log.Info("media stored", "hash", ch.Hash, "bytes", n)
	return &syncproto.MediaAck{Hash: ch.Hash, Offset: n, Complete: true}
}
