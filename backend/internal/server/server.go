// Package server wires the embedded backend — SQLite store, media folder, sync service, events, metrics, health and the log endpoints — into one process that starts on any address, 127.0.0.1:0 in tests (SPEC X1, X3).
package server

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/subtle"
	"crypto/tls"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"lawtrace/backend/internal/events"
	"lawtrace/backend/internal/events/pgfanout"
	"lawtrace/backend/internal/mediastore/s3"
	"lawtrace/backend/internal/metrics"
	"lawtrace/backend/internal/reviewsrv"
	"lawtrace/backend/internal/store"
	"lawtrace/backend/internal/store/postgres"
	"lawtrace/backend/internal/store/sqlite"
	"lawtrace/backend/internal/syncsrv"
	"lawtrace/backend/internal/web"
	"lawtrace/shared/blob"
	"lawtrace/shared/deadline"
	"lawtrace/shared/syncproto"
	"lawtrace/shared/workday"
)

// Config configures a backend process.
type Config struct {
	// DataDir holds lawtrace.db, media/ and server.key.
	DataDir string
	// DB is the PostgreSQL database (postgres://…) holding the records in
	// place of DataDir/lawtrace.db; empty means SQLite (SPEC X2).
	DB string
	// Listen is the address to serve on, e.g. 127.0.0.1:8080 or 127.0.0.1:0.
	Listen string
	// PublicURL is how terminals reach this server (for enrolment codes);
	// empty means ws://LISTEN-ADDRESS/sync.
	PublicURL string
	// Demo seeds an agency and officers with credentials.
	Demo   bool
	Agency string
	Logger *slog.Logger
	Now    func() time.Time
	// SkewThreshold flags device clocks off by more (SPEC S4); default 1m.
	SkewThreshold time.Duration
	// PollInterval is how often live connections pick up revocations and
	// catalog changes; default 200ms.
	PollInterval time.Duration
	// Web tunes the web pages (password cost, cookies, timeouts, trusted
	// proxies).
	Web web.Options
	// TLSCert and TLSKey (PEM files) serve HTTPS and WSS directly; the
	// cookies are then Secure and pages carry HSTS (issue 13 finding 8).
	TLSCert, TLSKey string
	// MetricsToken, when set, is the bearer token /metrics requires;
	// without it /metrics answers only clients on loopback (behind a
	// trusted proxy, the forwarded client).
	MetricsToken string
	// UploadRule is the A/V upload deadline: deadline.UploadHours (24
	// hours, the default) or deadline.UploadWorkdays2; the store's media
	// deadlines and the deadline monitor both follow it (issue 13).
	UploadRule string
	// MinFreeBytes: /healthz answers 503 when the data directory's file
	// system has less free space (default 256 MiB; issue 13 finding 9).
	MinFreeBytes uint64
	// Media, when set, is the S3-compatible bucket the media live in
	// (s3://ACCESS:SECRET@HOST:PORT/BUCKET) instead of DataDir/media (SPEC X2).
	Media string
	// Instance names this server among several on one database: every
	// metric carries it and /healthz reports it (default hostname/listen
	// address once listening; issue 14).
	Instance string
}

// Data is an opened data directory: what both the server and the operator
// commands work on.
type Data struct {
	Dir   string
	Key   ed25519.PrivateKey
	Store store.Backend
	Blobs blob.Store
	Now   func() time.Time
}

// OpenData opens (creating on first use) the data directory: the server
// key, the SQLite store and the media folder.
func OpenData(dir string, now func() time.Time) (*Data, error) { return OpenDataDB(dir, "", now) }

// OpenDataDB opens the data directory with the records in db: "" is the
// SQLite store in the directory, postgres://… a PostgreSQL database.
func OpenDataDB(dir, db string, now func() time.Time) (*Data, error) {
	if dir == "" {
		return nil, errors.New("no data directory given (--data DIR)")
	}
	if now == nil {
		now = time.Now
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	key, err := loadOrCreateKey(filepath.Join(dir, "server.key"))
	if err != nil {
		return nil, err
	}
	st, err := openStore(dir, db, sqlite.Options{Signer: key, Now: now})
	if err != nil {
		return nil, err
	}
	blobs, err := blob.OpenFolder(filepath.Join(dir, "media"))
	if err != nil {
		st.Close()
		return nil, err
	}
	SignCredentials(st, key) // officer credentials in the catalog are signed (SPEC F3, P7)
	return &Data{Dir: dir, Key: key, Store: st, Blobs: blobs, Now: now}, nil
}

// openStore is the one place an adapter is chosen (the composition root).
func openStore(dir, db string, opt sqlite.Options) (store.Backend, error) {
	switch {
	case db == "":
		return sqlite.Open(filepath.Join(dir, "lawtrace.db"), opt)
	case strings.HasPrefix(db, "postgres://"), strings.HasPrefix(db, "postgresql://"):
		return postgres.Open(db, opt)
	}
	return nil, fmt.Errorf("database %q: want postgres://USER@HOST/DB, or none for SQLite in the data directory", db)
}

// Close closes the store.
func (d *Data) Close() error { return d.Store.Close() }

// UseMedia keeps the media in the S3-compatible bucket an s3:// URL names
// instead of the data directory's folder (SPEC X2; issue 14).
func (d *Data) UseMedia(ctx context.Context, url string) error {
	st, err := s3.OpenURL(ctx, url)
	if err != nil {
		return err
	}
	d.Blobs = st
	return nil
}

// ServerID is the server's signer id.
func (d *Data) ServerID() string { return syncproto.ServerIDFor(d.Key.Public().(ed25519.PublicKey)) }

// loadOrCreateKey reads the server's Ed25519 seed (hex) or creates it.
func loadOrCreateKey(path string) (ed25519.PrivateKey, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		seed := make([]byte, ed25519.SeedSize)
		if _, err := rand.Read(seed); err != nil {
			return nil, err
		}
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
		if err != nil {
			return nil, err
		}
		if _, err := f.WriteString(hex.EncodeToString(seed) + "\n"); err != nil {
			f.Close()
			return nil, err
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, err
		}
		if err := f.Close(); err != nil {
			return nil, err
		}
		return ed25519.NewKeyFromSeed(seed), nil
	}
	if err != nil {
		return nil, err
	}
	seed, err := hex.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("%s is not a server key (hex Ed25519 seed)", path)
	}
	return ed25519.NewKeyFromSeed(seed), nil
}

// recentEntries and recentBytes bound the just-ingested entries the server
// holds for the live board: more than it may still be catching up on (an
// entry is about 1 KiB), and never more than 32 MiB however large the
// entries a terminal pushes.
const (
	recentEntries = 1 << 14
	recentBytes   = 32 << 20
)

// Main is one running backend.
type Main struct {
	cfg     Config
	Data    *Data
	Sync    *syncsrv.Server
	Bus     *events.Bus
	Metrics *metrics.Registry
	// Review is the legal review, decision and deadline service (issue 6).
	Review *reviewsrv.Service
	log    *slog.Logger
	// recent carries the batches the sync service checked and committed
	// to the live board, which then takes them in from memory (issue 15).
	recent *store.Recent
	// Web is the web pages (web.go wires it); FirstAdminFile is set when
	// this start created the first administrator (its one-time password).
	Web            *web.Server
	FirstAdminFile string
	// Instance is this server's instance id (Config.Instance), set by Start.
	Instance string

	ln       net.Listener
	http     *http.Server
	cancel   context.CancelFunc
	done     chan struct{}
	watchers sync.WaitGroup
}

// Open opens the data directory, seeds it and builds the services.
func Open(cfg Config) (*Main, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if (cfg.TLSCert == "") != (cfg.TLSKey == "") {
		return nil, errors.New("the TLS certificate and key go together (--tls-cert and --tls-key)")
	}
	if cfg.TLSCert != "" {
		cfg.Web.SecureCookies = true
	}
	if cfg.MinFreeBytes == 0 {
		if cfg.MinFreeBytes = minFreeFromEnv(); cfg.MinFreeBytes == 0 {
			cfg.MinFreeBytes = DefaultMinFreeBytes
		}
	}
	data, err := OpenDataDB(cfg.DataDir, cfg.DB, cfg.Now)
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	if cfg.Media != "" {
		if err := data.UseMedia(ctx, cfg.Media); err != nil {
			data.Close()
			return nil, err
		}
	}
	if err := Seed(ctx, data.Store, cfg.Now(), cfg.Demo, cfg.Agency); err != nil {
		data.Close()
		return nil, fmt.Errorf("seed: %w", err)
	}
	agency := cfg.Agency
	if agency == "" {
		agency, _ = data.Store.Setting(ctx, "agency")
	}
	m := &Main{cfg: cfg, Data: data, Bus: new(events.Bus), Metrics: metrics.NewRegistry(), log: cfg.Logger,
		recent: store.NewRecent(recentEntries, recentBytes)}
	m.Sync = syncsrv.New(syncsrv.Config{Store: data.Store, Blobs: data.Blobs, Key: data.Key, Bus: m.Bus, Logger: cfg.Logger,
		Metrics: m.Metrics, Now: cfg.Now, SkewThreshold: cfg.SkewThreshold, PollInterval: cfg.PollInterval, Agency: agency, Recent: m.recent})
	if m.Review, err = reviewsrv.New(ctx, reviewsrv.Config{Store: data.Store, Blobs: data.Blobs, Bus: m.Bus, Logger: cfg.Logger, Now: cfg.Now, ServerID: data.ServerID(), Demo: cfg.Demo, Upload: cfg.UploadRule}); err != nil {
		data.Close()
		return nil, fmt.Errorf("review service: %w", err)
	}
	// one upload rule (shared/deadline.UploadRule) on the configured calendar
	data.Store.SetDeadlines(func(ctx context.Context) (deadline.Settings, *workday.Calendar) {
		cal, _, err := m.Review.Calendar(ctx)
		if err != nil {
			m.log.Error("holiday calendar not readable; upload deadlines on the shipped calendar", "err", err)
			cal = nil
		}
		return deadline.Settings{Upload: cfg.UploadRule}, cal
	})
	if err := m.openWeb(agency); err != nil {
		data.Close()
		return nil, fmt.Errorf("web pages: %w", err)
	}
	m.Web.AttachReview(m.Review) // the review and deadline pages (issue 6)
	return m, nil
}

// Start listens and serves in the background.
func (m *Main) Start() error {
	ln, err := net.Listen("tcp", m.cfg.Listen)
	if err != nil {
		return err
	}
	m.ln = ln
	m.setInstance()
	public := m.cfg.PublicURL
	if public == "" {
		public = m.SyncURL()
	}
	if err := m.Data.Store.SetSetting(context.Background(), "public_url", public); err != nil {
		ln.Close()
		return err
	}
	m.http = &http.Server{Handler: m.Handler(), ReadHeaderTimeout: 10 * time.Second}
	if m.cfg.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(m.cfg.TLSCert, m.cfg.TLSKey)
		if err != nil {
			ln.Close()
			return fmt.Errorf("TLS certificate: %w", err)
		}
		m.http.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
		ln = tls.NewListener(ln, m.http.TLSConfig)
		m.ln = ln
	}
	ctx, cancel := context.WithCancel(context.Background())
	m.cancel = cancel
	m.done = make(chan struct{})
	watches := []func(context.Context){m.Sync.Watch, m.Review.Watch}
	if strings.HasPrefix(m.cfg.DB, "postgres") { // several instances: live events fanned out between them (SPEC X2)
		watches = append(watches, pgfanout.New(pgfanout.Config{DSN: m.cfg.DB, Bus: m.Bus, Logger: m.log}).Run)
	}
	for _, watch := range watches {
		m.watchers.Add(1)
		go func() {
			defer m.watchers.Done()
			watch(ctx)
		}()
	}
	go func() {
		defer close(m.done)
		if err := m.http.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			m.log.Error("http server stopped", "err", err)
		}
	}()
	m.log.Info("lawtrace-server listening", "addr", ln.Addr().String(), "sync", public, "data", m.cfg.DataDir, "server_id", m.Data.ServerID())
	return nil
}

// Addr is the address the server listens on.
func (m *Main) Addr() string { return m.ln.Addr().String() }

// URL is the server's HTTP base URL.
func (m *Main) URL() string {
	if m.cfg.TLSCert != "" {
		return "https://" + m.Addr()
	}
	return "http://" + m.Addr()
}

// SyncURL is the websocket URL terminals connect to.
func (m *Main) SyncURL() string {
	if m.cfg.TLSCert != "" {
		return "wss://" + m.Addr() + "/sync"
	}
	return "ws://" + m.Addr() + "/sync"
}

// Close stops serving: live sync connections are told to come back later.
func (m *Main) Close() error {
	if m.cancel != nil {
		m.cancel()
	}
	m.watchers.Wait() // no watcher may poll the store after it closes
	m.Sync.Close()
	m.Web.Close()
	if m.http != nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = m.http.Shutdown(ctx)
		<-m.done
	}
	return m.Data.Close()
}

// Handler routes the HTTP endpoints.
func (m *Main) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/sync", m.Sync)
	mux.HandleFunc("GET /healthz", m.healthz)
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		if !m.metricsAllowed(w, r) {
			return
		}
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		m.Metrics.Write(w)
	})
	mux.HandleFunc("GET /log/tree-head", m.treeHead)
	mux.HandleFunc("GET /log/proof", m.proof)
	mux.HandleFunc("GET /log/consistency", m.consistency)
	// the review JSON API, on the web sessions (issue 6)
	m.Review.Register(mux, m.ReviewAuthenticator())
	mux.Handle("/", m.Web) // the web pages: sign-in, board, cases, admin (backend/internal/web)
	return m.logRequests(mux)
}

// metricsAllowed lets a scraper read /metrics: with a token, one that
// sends it as a bearer token; without, a client on loopback (issue 13
// finding 8).
func (m *Main) metricsAllowed(w http.ResponseWriter, r *http.Request) bool {
	if m.cfg.MetricsToken != "" {
		got, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if ok && subtle.ConstantTimeCompare([]byte(got), []byte(m.cfg.MetricsToken)) == 1 {
			return true
		}
		w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
		http.Error(w, "metrics need the bearer token", http.StatusUnauthorized)
		return false
	}
	if a, err := netip.ParseAddr(m.Web.ClientIP(r)); err == nil && a.Unmap().IsLoopback() {
		return true
	}
	http.Error(w, "metrics are served to loopback only (or set a metrics token)", http.StatusForbidden)
	return false
}

func (m *Main) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/sync" {
			m.log.Debug("http", "method", r.Method, "path", r.URL.Path, "remote", r.RemoteAddr)
		}
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func (m *Main) treeHead(w http.ResponseWriter, r *http.Request) {
	th, err := m.Data.Store.TreeHead(r.Context())
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"tree_head": th, "server_id": m.Data.ServerID(), "server_key": m.Data.Key.Public()})
}

func (m *Main) proof(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	size, err := m.sizeParam(ctx, r.URL.Query().Get("size"))
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	p, err := m.Data.Store.ProofByEntry(ctx, r.URL.Query().Get("entry"), size)
	if errors.Is(err, store.ErrNotFound) {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no such entry"})
		return
	}
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	th, err := m.Data.Store.TreeHeadAt(ctx, size)
	if err != nil {
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "no signed tree head of that size"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"tree_head": th, "proof": p})
}

func (m *Main) consistency(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	from, err1 := strconv.ParseUint(r.URL.Query().Get("from"), 10, 64)
	to, err2 := m.sizeParam(ctx, r.URL.Query().Get("to"))
	if err1 != nil || err2 != nil || from > to {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "want from=SIZE&to=SIZE with from ≤ to"})
		return
	}
	hashes, err := m.Data.Store.Consistency(ctx, from, to)
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": err.Error()})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"from": from, "to": to, "hashes": hashes})
}

// sizeParam reads a tree size, the newest signed size when empty.
func (m *Main) sizeParam(ctx context.Context, s string) (uint64, error) {
	if s == "" {
		th, err := m.Data.Store.TreeHead(ctx)
		return th.Size, err
	}
	return strconv.ParseUint(s, 10, 64)
}
