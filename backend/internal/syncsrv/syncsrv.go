// Package syncsrv serves the sync protocol over websockets: enrolment and challenge authentication, clock offset, exactly-once ingest with log proofs, resumable media upload, catalog down-sync, revocation and remote wipe (SPEC S1-S6, R2-R4).
package syncsrv

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"lawtrace/backend/internal/events"
	"lawtrace/backend/internal/metrics"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/blob"
	"lawtrace/shared/syncproto"
)

// Config is what the sync service needs; Store, Blobs and Key are required.
type Config struct {
	Store  store.Store
	Blobs  blob.Store
	Key    ed25519.PrivateKey
	Bus    *events.Bus
	Logger *slog.Logger
	// Metrics registers the service's metrics; nil keeps them private.
	Metrics *metrics.Registry
	// Now is the server clock; tests fix it.
	Now func() time.Time
	// SkewThreshold flags a device clock off by more than this (SPEC S4).
	SkewThreshold time.Duration
	// PollInterval is how often revocations, wipe orders and catalog
	// changes are picked up from the store (SPEC S6: within a second).
	PollInterval time.Duration
	// HelloTimeout is how long a new connection may take to send Hello
	// (default 10 s); HandshakeTimeout bounds the whole handshake, Hello
	// to Auth (default 15 s). Neither is extended by pongs.
	HelloTimeout     time.Duration
	HandshakeTimeout time.Duration
	// MaxPreAuth caps connections that have not yet authenticated (default
	// 256), MaxPreAuthPerAddr those from one remote address (default 32;
	// IPv6 addresses count per /64). Over either cap a connection is closed
	// at once with busy and close code 1013 (issue 13).
	MaxPreAuth        int
	MaxPreAuthPerAddr int
	// MaxMediaSize bounds one file.
	MaxMediaSize int64
	// Agency is the agency name told to enrolling terminals.
	Agency string
	// Recent receives each batch a push checked and committed, for the
	// live board of the same process (see store.Recent); nil keeps none.
	Recent *store.Recent
}

// Metrics are the service's Prometheus metrics.
type Metrics struct {
	Connections        *metrics.Gauge
	ConnectionsTotal   *metrics.Counter
	EntriesIngested    *metrics.Counter
	EntriesDuplicate   *metrics.Counter
	BatchesRefused     *metrics.Counter
	MediaBytesReceived *metrics.Counter
	MediaFilesStored   *metrics.Counter
	SecurityEvents     *metrics.Counter
	AckLatency         *metrics.Histogram
	Revoked            *metrics.Counter
	CatalogWithheld    *metrics.Counter
}

func newMetrics(r *metrics.Registry) *Metrics {
	if r == nil {
		r = metrics.NewRegistry()
	}
	return &Metrics{
		Connections:        r.NewGauge("lawtrace_sync_connections", "Authenticated sync connections open now."),
		ConnectionsTotal:   r.NewCounter("lawtrace_sync_connections_total", "Sync connections accepted since start."),
		EntriesIngested:    r.NewCounter("lawtrace_entries_ingested_total", "Entries committed and acknowledged."),
		EntriesDuplicate:   r.NewCounter("lawtrace_entries_duplicate_total", "Entries received again and ignored."),
		BatchesRefused:     r.NewCounter("lawtrace_batches_refused_total", "Pushed batches refused (gap, bad entry, conflict)."),
		MediaBytesReceived: r.NewCounter("lawtrace_media_bytes_received_total", "Media chunk bytes received."),
		MediaFilesStored:   r.NewCounter("lawtrace_media_files_stored_total", "Media files verified and stored."),
		SecurityEvents:     r.NewCounter("lawtrace_security_events_total", "Security events recorded."),
		AckLatency: r.NewHistogram("lawtrace_ack_latency_seconds", "Time from receiving a batch to sending its acknowledgement.",
			[]float64{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5}),
		Revoked: r.NewCounter("lawtrace_revoked_connections_total", "Live connections cut because their device was revoked."),
		CatalogWithheld: r.NewCounter("lawtrace_catalog_items_withheld_total",
			"Catalog items over the size limit replaced by a withheld marker in a down-sync (issue 13)."),
	}
}

// Server is the sync service.
type Server struct {
	cfg      Config
	id       string
	pub      ed25519.PublicKey
	log      *slog.Logger
	M        *Metrics
	upgrader websocket.Upgrader
	// checking admits the signature and hash checks of pushed batches on
	// all cores but one, which stays free for the store's single writer:
	// checks on every core starved it, and ingest is as fast as the
	// writer (issue 15).
	checking chan struct{}

	mu          sync.Mutex
	live        map[string]map[*conn]struct{} // authenticated, by device
	all         map[*conn]struct{}            // every connection, handshaking too
	closing     bool
	catalogHead int64

	preAuth       int            // connections not yet authenticated
	preAuthByAddr map[string]int // the same, by source (sourceOf)

	sec secLimiter

	uploadLocks [64]sync.Mutex
	serving     sync.WaitGroup

	clientIP atomic.Pointer[func(*http.Request) string]
}

// New builds the service.
func New(cfg Config) *Server {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Bus == nil {
		cfg.Bus = new(events.Bus)
	}
	if cfg.SkewThreshold == 0 {
		cfg.SkewThreshold = time.Minute
	}
	if cfg.PollInterval == 0 {
		cfg.PollInterval = 200 * time.Millisecond
	}
	if cfg.HandshakeTimeout == 0 {
		cfg.HandshakeTimeout = 15 * time.Second
	}
	if cfg.HelloTimeout == 0 {
		cfg.HelloTimeout = 10 * time.Second
	}
	cfg.HelloTimeout = min(cfg.HelloTimeout, cfg.HandshakeTimeout)
	if cfg.MaxPreAuth == 0 {
		cfg.MaxPreAuth = 256
	}
	if cfg.MaxPreAuthPerAddr == 0 {
		cfg.MaxPreAuthPerAddr = 32
	}
	if cfg.MaxMediaSize == 0 {
		cfg.MaxMediaSize = 16 << 30
	}
	pub := cfg.Key.Public().(ed25519.PublicKey)
	return &Server{
		cfg: cfg, id: syncproto.ServerIDFor(pub), pub: pub, log: cfg.Logger, M: newMetrics(cfg.Metrics),
		// Small buffers: the read buffer is the HTTP server's 4 KiB one,
		// reused; write buffers come from a pool and are held only while a
		// message is written, so an idle connection costs no write buffer
		// (gorilla's documented remedy; issue 13, docs/security.md).
		upgrader:      websocket.Upgrader{ReadBufferSize: 0, WriteBufferSize: writeBufferSize, WriteBufferPool: writePool},
		checking:      make(chan struct{}, max(1, runtime.GOMAXPROCS(0)-1)),
		live:          map[string]map[*conn]struct{}{},
		all:           map[*conn]struct{}{},
		preAuthByAddr: map[string]int{},
		sec:           secLimiter{bySource: map[string]*secSource{}},
	}
}

// writeBufferSize is the websocket write buffer (from writePool, one per
// message being written); larger messages go out in several writes.
const writeBufferSize = 16 << 10

var writePool = new(sync.Pool)

// ID is the server's signer id.
func (s *Server) ID() string { return s.id }

// PublicKey is the key that signs tree heads and challenges.
func (s *Server) PublicKey() ed25519.PublicKey { return s.pub }

// SetClientIP sets how the client's address is found behind a reverse
// proxy — the web's rule, which believes X-Forwarded-For only from the
// trusted proxies (issue 13 finding 5) — so the per-address pre-auth caps
// and security events count clients, not the proxy. Without it the peer
// address counts.
func (s *Server) SetClientIP(f func(*http.Request) string) { s.clientIP.Store(&f) }

// ServeHTTP upgrades to a websocket and runs one device connection: the
// handshake on the request's goroutine, then the requests on a goroutine
// of its own, so an idle connection keeps one goroutine with a small stack
// rather than the HTTP server's, grown by the handshake (issue 15).
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	closing := s.closing
	if !closing {
		s.serving.Add(1)
	}
	s.mu.Unlock()
	if closing {
		http.Error(w, "shutting down", http.StatusServiceUnavailable)
		return
	}
	handedOff := false
	defer func() {
		if !handedOff {
			s.serving.Done()
		}
	}()
	remote := r.RemoteAddr
	if f := s.clientIP.Load(); f != nil {
		remote = (*f)(r)
	}
	source := sourceOf(remote)
	refusal := s.admit(source)
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		if refusal == nil {
			s.release(source)
		}
		return // the upgrader has answered
	}
	c := newConn(s, ws, remote)
	c.source = source
	if refusal != nil {
		s.security(r.Context(), "", remote, "preauth_limit", refusal.Message, "")
		c.cut(refusal, websocket.CloseTryAgainLater)
		return
	}
	c.preAuth = true
	s.mu.Lock()
	s.all[c] = struct{}{}
	s.mu.Unlock()
	end := func() {
		c.leavePreAuth()
		s.mu.Lock()
		delete(s.all, c)
		s.mu.Unlock()
	}
	// The request's context ends when this handler returns.
	ctx := context.WithoutCancel(r.Context())
	if !c.open(ctx) {
		end()
		return
	}
	handedOff = true
	go func() {
		defer s.serving.Done()
		defer end()
		c.loop(ctx)
	}()
}

// admit counts a new connection against the pre-authentication caps, or
// says why it is refused.
func (s *Server) admit(source string) *syncproto.Error {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.preAuth >= s.cfg.MaxPreAuth:
		return syncproto.Errorf(syncproto.CodeBusy, "too many connections are authenticating (limit %d); the terminal will retry", s.cfg.MaxPreAuth)
	case s.preAuthByAddr[source] >= s.cfg.MaxPreAuthPerAddr:
		return syncproto.Errorf(syncproto.CodeBusy, "too many connections from this address are authenticating (limit %d); the terminal will retry", s.cfg.MaxPreAuthPerAddr)
	}
	s.preAuth++
	s.preAuthByAddr[source]++
	return nil
}

// release gives back a connection's pre-authentication slot.
func (s *Server) release(source string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.preAuth--
	if s.preAuthByAddr[source]--; s.preAuthByAddr[source] <= 0 {
		delete(s.preAuthByAddr, source)
	}
}

// PreAuth is the number of connections not yet authenticated.
func (s *Server) PreAuth() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.preAuth
}

// sourceOf is the address a connection is counted and its security events
// are grouped by: the IP without the port, and for IPv6 its /64 (one
// subscriber's block).
func sourceOf(remote string) string {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		host = remote
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		return syncproto.CleanText(host, 64)
	}
	ip = ip.Unmap()
	if ip.Is4() {
		return ip.String()
	}
	p, _ := ip.Prefix(64)
	return p.String()
}

// Live is the number of authenticated connections.
func (s *Server) Live() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, cs := range s.live {
		n += len(cs)
	}
	return n
}

// Online reports whether deviceID has an authenticated connection open
// now: the live board and the device page ask this instead of counting
// connect and disconnect events, which a slow subscriber can miss
// (issue 13 finding 10, SPEC D1 D3).
func (s *Server) Online(deviceID string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.live[deviceID]) > 0
}

func (s *Server) register(c *conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	if s.live[c.deviceID] == nil {
		s.live[c.deviceID] = map[*conn]struct{}{}
	}
	s.live[c.deviceID][c] = struct{}{}
	s.M.Connections.Add(1)
	return true
}

func (s *Server) unregister(c *conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if cs, ok := s.live[c.deviceID]; ok {
		if _, ok := cs[c]; ok {
			delete(cs, c)
			s.M.Connections.Add(-1)
		}
		if len(cs) == 0 {
			delete(s.live, c.deviceID)
		}
	}
}

func (s *Server) conns(deviceID string) []*conn {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []*conn
	for c := range s.live[deviceID] {
		out = append(out, c)
	}
	return out
}

// Close cuts every connection, telling terminals to come back later, and
// waits (up to ten seconds) for their handlers to finish.
func (s *Server) Close() {
	s.cutAll()
	done := make(chan struct{})
	go func() { s.serving.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		s.log.Warn("connections still busy at shutdown")
	}
	s.flushSecurity(context.Background(), true)
}

func (s *Server) cutAll() {
	s.mu.Lock()
	s.closing = true
	var all []*conn
	for c := range s.all {
		all = append(all, c)
	}
	s.mu.Unlock()
	for _, c := range all {
		c.cut(syncproto.Errorf(syncproto.CodeBusy, "the server is shutting down; the terminal will reconnect"), websocket.CloseGoingAway)
	}
}

// Watch polls the store for changes a live connection must see at once:
// revocations cut connections (SPEC S6), wipe orders and catalog changes
// are announced. Revocations announced on the bus cut at once, without
// waiting for the poll (followRevocations). It returns when ctx ends.
func (s *Server) Watch(ctx context.Context) {
	done := ctx.Done()
	ctx = context.WithoutCancel(ctx) // a poll under way finishes its writes
	sub := s.cfg.Bus.Subscribe(1024)
	var following sync.WaitGroup
	following.Go(func() { s.followRevocations(ctx, sub.Events) })
	defer following.Wait()
	defer sub.Close()
	var last int64 = -1
	if _, h, err := s.cfg.Store.CatalogSince(ctx, 1<<62, 1); err == nil {
		s.catalogHead = h
	}
	t := time.NewTicker(s.cfg.PollInterval)
	defer t.Stop()
	for {
		n, err := s.cfg.Store.Changes(ctx)
		if err == nil && n != last {
			last = n
			s.applyChanges(ctx)
		}
		s.flushSecurity(ctx, false)
		select {
		case <-done:
			return
		case <-t.C:
		}
	}
}

// WatchDone runs Watch until done is closed.
func (s *Server) WatchDone(done <-chan struct{}) {
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-done; cancel() }()
	s.Watch(ctx)
}

func (s *Server) applyChanges(ctx context.Context) {
	ids := s.liveDevices()
	_, head, err := s.cfg.Store.CatalogSince(ctx, 1<<62, 1)
	catalogMoved := err == nil && head != s.catalogHead
	if err == nil {
		s.catalogHead = head
	}
	for _, id := range ids {
		d, err := s.cfg.Store.Device(ctx, id)
		if err != nil {
			continue
		}
		for _, c := range s.conns(id) {
			switch {
			case d.Revoked() && !c.restricted:
				s.cutRevoked(c, d)
			case d.WipePending() && !c.wipeOrdered():
				c.orderWipe(d)
			case catalogMoved:
				_ = c.sess.Send(0, &syncproto.Notice{CatalogHead: head, Wipe: d.WipePending()})
			}
		}
	}
}

func orDefault(s, def string) string {
	if strings.TrimSpace(s) == "" {
		return def
	}
	return s
}

// Security events are rate-limited per source (remote address, kind and —
// only for an enrolled device — device id): the first is written, logged
// and published at once; repeats within secInterval are only counted and
// written as one row's repeat count when the interval has passed (the next
// event of that source, or the flush in Watch and Close). At most
// secBurst writes go to the store in a burst, secPerSecond a second
// after that, whatever the number of sources; the store merges repeats of
// a source within store.SecurityEventWindow into one row (issue 13).
const (
	secInterval   = time.Second
	secPerSecond  = 20
	secBurst      = 100
	secMaxSources = 4096
	// maxDetail and maxEvidence bound what one event may carry.
	maxDetail   = 512
	maxEvidence = 64 << 10
)

type secLimiter struct {
	mu       sync.Mutex
	bySource map[string]*secSource
	tokens   float64
	refilled time.Time
}

type secSource struct {
	written time.Time           // when this source last went to the store
	pending int                 // occurrences since, not yet written
	ev      store.SecurityEvent // the latest of them
}

// take spends one store write from the global budget.
func (l *secLimiter) take(now time.Time) bool {
	if l.refilled.IsZero() {
		l.tokens, l.refilled = secBurst, now
	}
	if d := now.Sub(l.refilled); d > 0 {
		l.tokens = min(secBurst, l.tokens+d.Seconds()*secPerSecond)
		l.refilled = now
	}
	if l.tokens < 1 {
		return false
	}
	l.tokens--
	return true
}

// security records a security event, counts it and publishes it, within
// the limits above. deviceID must be an enrolled device's id or empty: a
// claimed id from an unauthenticated peer belongs in detail. Every string
// is cleaned and cut to a bound before it is stored or logged.
func (s *Server) security(ctx context.Context, deviceID, remote, kind, detail, evidence string) {
	s.M.SecurityEvents.Inc()
	ev := store.SecurityEvent{At: s.cfg.Now(), DeviceID: syncproto.CleanText(deviceID, 64), Remote: sourceOf(remote),
		Kind: syncproto.CleanText(kind, 64), Detail: syncproto.CleanText(detail, maxDetail), Evidence: syncproto.CleanText(evidence, maxEvidence), Repeats: 1}
	key := ev.Remote + "\x00" + ev.Kind + "\x00" + ev.DeviceID
	l := &s.sec
	l.mu.Lock()
	src := l.bySource[key]
	if src == nil {
		if len(l.bySource) >= secMaxSources {
			s.flushLocked(ctx, ev.At, false)
		}
		if len(l.bySource) >= secMaxSources { // still full: everything pending; group by kind
			key = "*\x00" + ev.Kind
			ev.Remote, ev.DeviceID = "*", ""
			src = l.bySource[key]
		}
		if src == nil {
			src = &secSource{}
			l.bySource[key] = src
		}
	}
	if (!src.written.IsZero() && ev.At.Sub(src.written) < secInterval) || !l.take(ev.At) {
		src.pending++
		src.ev = ev
		l.mu.Unlock()
		return
	}
	ev.Repeats += src.pending
	src.written, src.pending = ev.At, 0
	l.mu.Unlock()
	s.writeSecurity(ctx, ev)
}

// writeSecurity stores, logs and publishes one (possibly repeated) event.
func (s *Server) writeSecurity(ctx context.Context, ev store.SecurityEvent) {
	if err := s.cfg.Store.RecordSecurityEvent(context.WithoutCancel(ctx), ev); err != nil {
		s.log.Error("cannot record security event", "err", err, "kind", ev.Kind)
	}
	s.log.Warn("security event", "kind", ev.Kind, "device", ev.DeviceID, "remote", ev.Remote, "detail", ev.Detail, "repeats", ev.Repeats)
	s.cfg.Bus.Publish(events.Event{Kind: events.SecurityEvent, DeviceID: ev.DeviceID, Detail: ev.Kind + ": " + ev.Detail})
}

// flushSecurity writes the repeats counted for sources whose interval has
// passed (all of them with force) and forgets quiet sources.
func (s *Server) flushSecurity(ctx context.Context, force bool) {
	s.sec.mu.Lock()
	s.flushLocked(ctx, s.cfg.Now(), force)
	s.sec.mu.Unlock()
}

func (s *Server) flushLocked(ctx context.Context, now time.Time, force bool) {
	l := &s.sec
	var out []store.SecurityEvent
	for key, src := range l.bySource {
		due := force || now.Sub(src.written) >= secInterval
		switch {
		case src.pending > 0 && due && (force || l.take(now)):
			ev := src.ev
			ev.Repeats = src.pending
			out = append(out, ev)
			src.written, src.pending = now, 0
		case src.pending == 0 && now.Sub(src.written) >= 10*secInterval:
			delete(l.bySource, key)
		}
	}
	// Written outside the map walk but under the lock, so counts stay in
	// order; the store's writes are short.
	for _, ev := range out {
		s.writeSecurity(ctx, ev)
	}
}

func (s *Server) uploadLock(hash string) *sync.Mutex {
	b, _ := hex.DecodeString(hash[:2])
	if len(b) == 0 {
		return &s.uploadLocks[0]
	}
	return &s.uploadLocks[int(b[0])%len(s.uploadLocks)]
}

// CodeHash is how an enrolment code is stored: the SHA-256 of its
// normalised form (upper case, no dashes or spaces).
func CodeHash(code string) string {
	norm := strings.Map(func(r rune) rune {
		switch {
		case r == '-' || r == ' ':
			return -1
		case r >= 'a' && r <= 'z':
			return r - 'a' + 'A'
		}
		return r
	}, code)
	sum := sha256.Sum256([]byte("lawtrace-enrol-code\n" + norm))
	return hex.EncodeToString(sum[:])
}
