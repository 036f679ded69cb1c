// Package syncsrv serves the sync protocol over websockets: enrolment and challenge authentication, clock offset, exactly-once ingest with log proofs, resumable media upload, catalog down-sync, revocation and remote wipe (SPEC S1-S6, R2-R4).
package syncsrv

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"lawtrace/shared/blob"
	"lawtrace/backend/internal/events"
	"lawtrace/backend/internal/metrics"
	"lawtrace/backend/internal/store"
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
	// HandshakeTimeout bounds Hello and Auth.
	HandshakeTimeout time.Duration
	// MaxMediaSize bounds one file.
	MaxMediaSize int64
	// Agency is the agency name told to enrolling terminals.
	Agency string
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

	mu          sync.Mutex
	live        map[string]map[*conn]struct{} // authenticated, by device
	all         map[*conn]struct{}            // every connection, handshaking too
	closing     bool
	catalogHead int64

	uploadLocks [64]sync.Mutex
	serving     sync.WaitGroup
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
	if cfg.MaxMediaSize == 0 {
		cfg.MaxMediaSize = 16 << 30
	}
	pub := cfg.Key.Public().(ed25519.PublicKey)
	return &Server{
		cfg: cfg, id: syncproto.ServerIDFor(pub), pub: pub, log: cfg.Logger, M: newMetrics(cfg.Metrics),
		upgrader: websocket.Upgrader{ReadBufferSize: 64 << 10, WriteBufferSize: 64 << 10},
		live:     map[string]map[*conn]struct{}{},
		all:      map[*conn]struct{}{},
	}
}

// ID is the server's signer id.
func (s *Server) ID() string { return s.id }

// PublicKey is the key that signs tree heads and challenges.
func (s *Server) PublicKey() ed25519.PublicKey { return s.pub }

// ServeHTTP upgrades to a websocket and runs one device connection.
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
	defer s.serving.Done()
	ws, err := s.upgrader.Upgrade(w, r, nil)
	if err != nil {
		return // the upgrader has answered
	}
	c := newConn(s, ws, r.RemoteAddr)
	s.mu.Lock()
	s.all[c] = struct{}{}
	s.mu.Unlock()
	defer func() {
		s.mu.Lock()
		delete(s.all, c)
		s.mu.Unlock()
	}()
	c.serve(r.Context())
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
// are announced. It returns when ctx ends.
func (s *Server) Watch(ctx context.Context) {
	ctx = context.WithoutCancel(ctx)
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
		select {
		case <-ctx.Done():
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
	s.mu.Lock()
	ids := make([]string, 0, len(s.live))
	for id := range s.live {
		ids = append(ids, id)
	}
	s.mu.Unlock()
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
				s.M.Revoked.Inc()
				s.log.Info("revoked device cut off", "device", id, "remote", c.remote)
				s.cfg.Bus.Publish(events.Event{Kind: events.DeviceRevoked, DeviceID: id})
				c.cut(syncproto.Errorf(syncproto.CodeRevoked, "this terminal was revoked at %s: %s", d.RevokedAt.Format(time.RFC3339), orDefault(d.RevokeReason, "no reason given")), websocket.ClosePolicyViolation)
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

// security records a security event, counts it and publishes it.
func (s *Server) security(ctx context.Context, deviceID, remote, kind, detail, evidence string) {
	if len(evidence) > 64<<10 {
		evidence = evidence[:64<<10]
	}
	ev := store.SecurityEvent{At: s.cfg.Now(), DeviceID: deviceID, Remote: remote, Kind: kind, Detail: detail, Evidence: evidence}
	if err := s.cfg.Store.RecordSecurityEvent(context.WithoutCancel(ctx), ev); err != nil {
		s.log.Error("cannot record security event", "err", err, "kind", kind)
	}
	s.M.SecurityEvents.Inc()
	s.log.Warn("security event", "kind", kind, "device", deviceID, "remote", remote, "detail", detail)
	s.cfg.Bus.Publish(events.Event{Kind: events.SecurityEvent, DeviceID: deviceID, Detail: kind + ": " + detail})
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
