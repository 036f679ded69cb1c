// Package web serves the agency's pages — sign-in, the live case board, case timelines with the access register, devices, officers, procedures, accounts and statistics — as server-rendered HTML in Simplified Chinese with a little vanilla JavaScript (SPEC D1-D4, D6, R7).
package web

import (
	"context"
	"crypto/ed25519"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"net/netip"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"

	"lawtrace/backend/internal/auth"
	"lawtrace/backend/internal/events"
	"lawtrace/backend/internal/metrics"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/blob"
	"lawtrace/shared/enforce"
	"lawtrace/shared/syncproto"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Store is what the pages read and write: the backend store and the web
// additions. store/sqlite implements both.
type Store interface {
	store.Store
	store.WebStore
}

// EnrolCode is a fresh one-time enrolment code as the device page shows it.
type EnrolCode struct {
	Code              string
	DeviceName        string
	ExpiresAt         time.Time
	Server            string
	ServerFingerprint string
	Payload           string
	Command           string
}

// Config is what the pages need. Store, Blobs and ServerKey are required;
// NewEnrolCode and PutOfficer are the server's operator functions (they
// live in package server, which imports this one).
type Config struct {
	Store     Store
	Blobs     blob.Store
	Bus       *events.Bus
	ServerKey ed25519.PublicKey
	Logger    *slog.Logger
	Now       func() time.Time
	// DataDir receives the first administrator's one-time password file.
	DataDir string
	// Demo creates the demo accounts (one per role, docs/web.md).
	Demo   bool
	Agency string

	// Recent holds the entries that ingest in this process has checked
	// and committed: the live board takes them in without reading them
	// back or checking them again (issue 15); nil reads every entry.
	Recent *store.Recent
	// Metrics receives the board's counters (nil: a registry of its own).
	Metrics *metrics.Registry

	NewEnrolCode func(ctx context.Context, deviceName string, ttl time.Duration) (EnrolCode, error)
	PutOfficer   func(ctx context.Context, o enforce.Officer) (syncproto.CatalogItem, bool, error)

	Options Options
}

// Options are the tunables; the zero value is the production default.
type Options struct {
	// PasswordCost is the bcrypt cost (default 12).
	PasswordCost int
	// SecureCookies marks every cookie Secure (served over TLS, or behind
	// a TLS proxy). Without it, the sign-in cookies are still Secure on a
	// request that came over TLS: directly, or per X-Forwarded-Proto from
	// a trusted proxy.
	SecureCookies bool
	// TrustedProxies are the addresses or CIDR prefixes (e.g. 127.0.0.1,
	// 10.0.0.0/8) of reverse proxies whose X-Forwarded-For and
	// X-Forwarded-Proto are believed; from any other peer they are
	// ignored. Empty: the peer is the client (issue 13 finding 5).
	TrustedProxies []string
	// SessionIdle and SessionMaxAge end sessions (defaults 30m and 12h).
	SessionIdle, SessionMaxAge time.Duration
	// GrantTTL is how long a given reason opens a case (default 30m).
	GrantTTL time.Duration
	// ApprovalTTL is how long an approved request may be used (default 24h).
	ApprovalTTL time.Duration
	// Heartbeat is how often the live board says it is alive (default 5s);
	// the page shows itself stale after three missed heartbeats.
	Heartbeat time.Duration
	// Origins are extra origins (scheme://host[:port]) accepted for the
	// live board's websocket and for form posts, e.g. behind a proxy.
	Origins []string
}

// Server is the web application. It is an http.Handler.
type Server struct {
	cfg   Config
	st    Store
	auth  *auth.Service
	log   *slog.Logger
	mux   *http.ServeMux
	pages map[string]*pageTemplate

	// proxies are Options.TrustedProxies, parsed (proxy.go).
	proxies []netip.Prefix

	mu     sync.Mutex
	routes []Route
	// playMu makes "log a file's playback once per grant" atomic.
	playMu sync.Mutex

	board *hub
	// boardFromIngest and boardReadBack count the entries the live board
	// took in from store.Recent and those it read back and verified.
	boardFromIngest, boardReadBack *metrics.Counter
	verify                         *verifier
	online                         *onlineSet
	boardHooks                     []BoardHook
	catalogCache                   catalogCache
	// filing: AttachReview mounted the 备案 confirmation of the case page.
	filing bool
	// officeFiles lists the files of a case's office chain (submitted
	// materials, decisions) once AttachReview mounted the review pages.
	officeFiles func(ctx context.Context, caseID string) []string

	stop   context.CancelFunc
	closed chan struct{}
}

// Bootstrap says what New did about the first administrator.
type Bootstrap struct {
	// PasswordFile is set when New created the first administrator: the
	// file holds its one-time password.
	PasswordFile string
}

// New builds the pages, creates the demo accounts or the first
// administrator, and starts following the event bus for the live board.
func New(cfg Config) (*Server, Bootstrap, error) {
	var boot Bootstrap
	if cfg.Store == nil || cfg.Blobs == nil || len(cfg.ServerKey) != ed25519.PublicKeySize {
		return nil, boot, errors.New("web: Store, Blobs and ServerKey are required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Bus == nil {
		cfg.Bus = new(events.Bus)
	}
	if cfg.Metrics == nil {
		cfg.Metrics = metrics.NewRegistry()
	}
	o := &cfg.Options
	if o.GrantTTL == 0 {
		o.GrantTTL = 30 * time.Minute
	}
	if o.ApprovalTTL == 0 {
		o.ApprovalTTL = 24 * time.Hour
	}
	if o.Heartbeat == 0 {
		o.Heartbeat = 5 * time.Second
	}
	proxies, err := ParseProxies(o.TrustedProxies)
	if err != nil {
		return nil, boot, err
	}
	s := &Server{cfg: cfg, proxies: proxies, st: cfg.Store, log: cfg.Logger, mux: http.NewServeMux(), closed: make(chan struct{}),
		boardFromIngest: cfg.Metrics.NewCounter("lawtrace_board_entries_from_ingest_total", "Entries the live board took in as this process's ingest checked and committed them."),
		boardReadBack:   cfg.Metrics.NewCounter("lawtrace_board_entries_read_back_total", "Entries the live board read back from the store and verified.")}
	s.auth = auth.New(auth.Config{Store: cfg.Store, Now: cfg.Now, Cost: o.PasswordCost, IdleTimeout: o.SessionIdle, MaxAge: o.SessionMaxAge})
	ctx := context.Background()
	if cfg.Demo {
		if err := s.auth.EnsureDemoAccounts(ctx); err != nil {
			return nil, boot, err
		}
	}
	if cfg.DataDir != "" {
		path := filepath.Join(cfg.DataDir, auth.BootstrapFile)
		created, err := s.auth.Bootstrap(ctx, path)
		if err != nil {
			return nil, boot, fmt.Errorf("first administrator: %w", err)
		}
		if created {
			boot.PasswordFile = path
			s.log.Warn("first administrator created: sign in as admin with the one-time password in the file, then choose a new one", "file", path)
		}
	}
	if s.pages, err = parsePages(templateFS); err != nil {
		return nil, boot, err
	}
	s.verify = newVerifier(s)
	s.online = newOnlineSet()
	s.board = newHub(s)
	for _, rt := range s.coreRoutes() {
		s.Handle(rt)
	}
	for _, add := range extraPages {
		for _, rt := range add(s) {
			s.Handle(rt)
		}
	}
	runCtx, cancel := context.WithCancel(context.Background())
	s.stop = cancel
	go func() {
		defer close(s.closed)
		s.board.run(runCtx)
	}()
	return s, boot, nil
}

// Close stops the live board and closes its websockets (an http.Server's
// Shutdown does not track hijacked connections).
func (s *Server) Close() {
	if s == nil {
		return
	}
	s.stop()
	<-s.closed
}

// Auth is the account service.
func (s *Server) Auth() *auth.Service { return s.auth }

// ServeHTTP serves the pages with the security headers every answer carries.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; media-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	c := s.client(r)
	if c.https {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
	s.mux.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), clientKey{}, c)))
}

// ---- routes ----

// Route is one page or action: a method and ServeMux path, who may use it,
// and an optional entry in the navigation. Every route except Public ones
// requires a signed-in account; Roles limits it further (nil: any role).
// Unsafe methods always need the session's CSRF token.
type Route struct {
	Method string
	Path   string
	Public bool
	Roles  []auth.Role
	// Nav puts the route in the top navigation with this label (GET only).
	Nav      string
	NavOrder int
	Handler  HandlerFunc
}

// HandlerFunc handles a request; a returned error becomes the error page
// (an *Error keeps its status and message, anything else is a 500 that
// says nothing about the cause).
type HandlerFunc func(w http.ResponseWriter, r *http.Request) error

// Allows reports whether an account of this role may use the route.
func (rt Route) Allows(role auth.Role) bool {
	return rt.Public || rt.Roles == nil || slices.Contains(rt.Roles, role)
}

// Pattern is the ServeMux pattern.
func (rt Route) Pattern() string { return rt.Method + " " + rt.Path }

// extraPages are page sets other files of this package add with AddPages.
var extraPages []func(*Server) []Route

// AddPages registers more pages from another file of this package, from
// its init function: the legal review pages use it. The function runs in
// New, so it can close over the Server.
func AddPages(f func(*Server) []Route) { extraPages = append(extraPages, f) }

// Handle registers a route with the session, role and CSRF checks.
func (s *Server) Handle(rt Route) {
	s.mu.Lock()
	s.routes = append(s.routes, rt)
	s.mu.Unlock()
	s.mux.Handle(rt.Pattern(), s.guard(rt))
}

// Routes lists every registered route (the access-rule tests walk it).
func (s *Server) Routes() []Route {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := slices.Clone(s.routes)
	sort.Slice(out, func(i, j int) bool { return out[i].Pattern() < out[j].Pattern() })
	return out
}

// NavItem is an entry of the top navigation.
type NavItem struct {
	Label, Path string
	Order       int
	Active      bool
}

func (s *Server) nav(role auth.Role, current string) []NavItem {
	var out []NavItem
	for _, rt := range s.Routes() {
		if rt.Nav == "" || rt.Method != http.MethodGet || !rt.Allows(role) {
			continue
		}
		out = append(out, NavItem{Label: rt.Nav, Path: rt.Path, Order: rt.NavOrder,
			Active: current == rt.Path || strings.HasPrefix(current, rt.Path+"/")})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Order < out[j].Order })
	return out
}

type ctxKey struct{}

// SessionOf is the signed-in session of a request (nil on public routes).
func SessionOf(r *http.Request) *auth.Session {
	s, _ := r.Context().Value(ctxKey{}).(*auth.Session)
	return s
}

const sessionCookie = "lt_session"

// remoteIP is the client's address: the peer, or what a trusted proxy
// said in X-Forwarded-For (proxy.go).
func remoteIP(r *http.Request) string {
	if c, ok := r.Context().Value(clientKey{}).(clientInfo); ok {
		return c.ip
	}
	return peerIP(r)
}

func unsafeMethod(m string) bool {
	return m != http.MethodGet && m != http.MethodHead && m != http.MethodOptions
}

// guard wraps a route's handler with its access rule.
func (s *Server) guard(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.Public {
			s.run(w, r, rt.Handler)
			return
		}
		var sess *auth.Session
		if c, err := r.Cookie(sessionCookie); err == nil {
			var serr error
			sess, serr = s.auth.Session(r.Context(), c.Value)
			if serr != nil && !errors.Is(serr, auth.ErrNoSession) {
				s.fail(w, r, serr)
				return
			}
		}
		if sess == nil {
			if r.Method == http.MethodGet && r.Header.Get("Upgrade") == "" {
				http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			s.fail(w, r, &Error{Status: http.StatusUnauthorized, Msg: "请先登录。"})
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), ctxKey{}, sess))
		if sess.Account.MustChange && rt.Path != "/account/password" && rt.Path != "/logout" {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/account/password", http.StatusSeeOther)
				return
			}
			s.fail(w, r, &Error{Status: http.StatusForbidden, Msg: "请先修改初始密码。"})
			return
		}
		if !rt.Allows(sess.Role()) {
			s.security(r, "web_forbidden", fmt.Sprintf("账号 %s（%s）访问 %s %s 被拒绝", sess.Account.Username, sess.Role().Label(), r.Method, r.URL.Path))
			s.fail(w, r, &Error{Status: http.StatusForbidden, Msg: "您的角色（" + sess.Role().Label() + "）无权访问此页面。此次访问已记录。"})
			return
		}
		if unsafeMethod(r.Method) {
			if !s.sameOrigin(r) || !sess.CheckCSRF(csrfToken(r)) {
				s.security(r, "web_csrf", fmt.Sprintf("账号 %s 提交 %s %s 时缺少有效令牌或来源无效：%q", sess.Account.Username, r.Method, r.URL.Path, r.Header.Get("Origin")))
				s.fail(w, r, &Error{Status: http.StatusForbidden, Msg: "表单已过期或来源无效，请返回页面刷新后重试。"})
				return
			}
		}
		s.run(w, r, rt.Handler)
	})
}

func csrfToken(r *http.Request) string {
	if t := r.Header.Get("X-CSRF-Token"); t != "" {
		return t
	}
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		if err := r.ParseMultipartForm(8 << 20); err != nil {
			return ""
		}
	}
	return r.PostFormValue("csrf")
}

// sameOrigin accepts a request without Origin (and without a cross-site
// Sec-Fetch-Site) or one whose Origin is this host or a configured origin.
func (s *Server) sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		site := r.Header.Get("Sec-Fetch-Site")
		return site == "" || site == "same-origin" || site == "none"
	}
	return s.originAllowed(r, origin)
}

func (s *Server) originAllowed(r *http.Request, origin string) bool {
	if origin == "http://"+r.Host || origin == "https://"+r.Host {
		return true
	}
	return slices.Contains(s.cfg.Options.Origins, origin)
}

func (s *Server) run(w http.ResponseWriter, r *http.Request, h HandlerFunc) {
	if err := h(w, r); err != nil {
		s.fail(w, r, err)
	}
}

// Error is an error page with a status and a message for people.
type Error struct {
	Status int
	Msg    string
}

func (e *Error) Error() string { return e.Msg }

func errNotFound(what string) error {
	return &Error{Status: http.StatusNotFound, Msg: what + "不存在。"}
}

func errBad(msg string) error { return &Error{Status: http.StatusBadRequest, Msg: msg} }

// fail renders an error page. Internal errors are logged with a reference
// and shown only as the reference.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var pe *Error
	if !errors.As(err, &pe) {
		ref := fmt.Sprintf("%x", s.cfg.Now().UnixNano()&0xffffffffff)
		s.log.Error("web request failed", "ref", ref, "method", r.Method, "path", r.URL.Path, "err", err)
		pe = &Error{Status: http.StatusInternalServerError, Msg: "服务器内部错误（参考编号 " + ref + "），请联系管理员。"}
	}
	if strings.Contains(r.Header.Get("Accept"), "text/html") || r.Header.Get("Accept") == "" {
		w.Header().Set("Cache-Control", "no-store")
		s.renderStatus(w, r, pe.Status, "error", pageTitle(pe.Status), pe)
		return
	}
	http.Error(w, pe.Msg, pe.Status)
}

func pageTitle(status int) string {
	switch status {
	case http.StatusForbidden:
		return "无权访问"
	case http.StatusNotFound:
		return "未找到"
	case http.StatusUnauthorized:
		return "请登录"
	case http.StatusTooManyRequests:
		return "请稍后再试"
	case http.StatusBadRequest:
		return "请求有误"
	}
	return "出错了"
}

// security records a refused web request as a security event, next to the
// sync service's (bad frames, forged devices…).
func (s *Server) security(r *http.Request, kind, detail string) {
	ctx := context.WithoutCancel(r.Context())
	if err := s.st.RecordSecurityEvent(ctx, store.SecurityEvent{At: s.cfg.Now(), Remote: remoteIP(r), Kind: kind, Detail: detail}); err != nil {
		s.log.Error("cannot record security event", "err", err)
	}
	s.log.Warn("web security event", "kind", kind, "detail", detail, "remote", remoteIP(r))
	s.cfg.Bus.Publish(events.Event{Kind: events.SecurityEvent, Detail: kind + ": " + detail})
}

// audit records an administrative action.
func (s *Server) audit(r *http.Request, action, target, detail string) {
	sess := SessionOf(r)
	rec := store.AuditRecord{At: s.cfg.Now(), Action: action, Target: target, Detail: detail, Remote: remoteIP(r)}
	if sess != nil {
		rec.AccountID, rec.Username = sess.Account.ID, sess.Account.Username
	}
	if err := s.st.AppendAudit(context.WithoutCancel(r.Context()), rec); err != nil {
		s.log.Error("cannot record audit", "err", err)
	}
	s.log.Info("web admin action", "action", action, "target", target, "by", rec.Username)
}

// staticHandler serves the embedded static files.
func staticHandler() http.Handler {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		panic(err)
	}
	return http.StripPrefix("/static/", http.FileServer(http.FS(sub)))
}

// ErrForged is Authenticate's answer to a state-changing request without
// the session's CSRF token or from another origin.
var ErrForged = errors.New("the request's CSRF token is missing or wrong, or it comes from another site")

// Authenticate returns the signed-in session of a request for handlers
// mounted outside this package's routes (the review API): auth.ErrNoSession
// without a live session, ErrForged for an unsafe method without the
// session's CSRF token (header X-CSRF-Token, or form field csrf) or from
// another origin. A forged request is recorded as a security event.
func (s *Server) Authenticate(r *http.Request) (*auth.Session, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, auth.ErrNoSession
	}
	sess, err := s.auth.Session(r.Context(), c.Value)
	if err != nil {
		return nil, err
	}
	if sess.Account.MustChange {
		return nil, auth.ErrNoSession
	}
	if unsafeMethod(r.Method) && (!s.sameOrigin(r) || !sess.CheckCSRF(csrfToken(r))) {
		s.security(r, "web_csrf", fmt.Sprintf("账号 %s 提交 %s %s 时缺少有效令牌或来源无效：%q", sess.Account.Username, r.Method, r.URL.Path, r.Header.Get("Origin")))
		return nil, ErrForged
	}
	return sess, nil
}
