package web_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"lawtrace/backend/internal/server"
	"lawtrace/backend/internal/simdev"
	"lawtrace/backend/internal/web"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
)

// clock is a settable clock shared by the server and the test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type env struct {
	t   *testing.T
	m   *server.Main
	url string
	clk *clock
}

// start runs a demo server (accounts per role, officers) on loopback.
// With a clock the server uses it; otherwise the real time.
func start(t *testing.T, clk *clock, opts ...func(*server.Config)) *env {
	t.Helper()
	cfg := server.Config{DataDir: t.TempDir(), Listen: "127.0.0.1:0", Demo: true,
		Web: web.Options{PasswordCost: bcrypt.MinCost, Heartbeat: 500 * time.Millisecond}}
	if clk != nil {
		cfg.Now = clk.Now
	}
	for _, o := range opts {
		o(&cfg)
	}
	m, err := server.Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(); err != nil {
		m.Close()
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return &env{t: t, m: m, url: m.URL(), clk: clk}
}

// browser is an HTTP client with a cookie jar, signed in as one account.
type browser struct {
	t    *testing.T
	e    *env
	c    *http.Client
	csrf string
}

var csrfMeta = regexp.MustCompile(`<meta name="csrf-token" content="([^"]+)">`)
var formToken = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (e *env) anonymous() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: e.t, e: e, c: &http.Client{Jar: jar, Timeout: 30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// login signs in and keeps the session's CSRF token.
func (e *env) login(user, password string) *browser {
	e.t.Helper()
	b := e.anonymous()
	resp := b.do("POST", "/login", url.Values{"username": {user}, "password": {password}, "csrf": {b.loginToken()}})
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("login %s: %d %s", user, resp.StatusCode, resp.body)
	}
	page := b.get("/account/password")
	m := csrfMeta.FindStringSubmatch(page.body)
	if m == nil {
		e.t.Fatalf("no CSRF token for %s", user)
	}
	b.csrf = m[1]
	return b
}

var demoPasswords = map[string]string{
	"admin": "lawtrace-admin", "supervisor": "lawtrace-supervisor", "reviewer": "lawtrace-reviewer",
	"officer": "lawtrace-officer", "officer2": "lawtrace-officer2",
}

func (e *env) as(user string) *browser { return e.login(user, demoPasswords[user]) }

func (b *browser) loginToken() string {
	p := b.get("/login")
	m := formToken.FindStringSubmatch(p.body)
	if m == nil {
		b.t.Fatal("no token on the sign-in form")
	}
	return m[1]
}

type response struct {
	*http.Response
	body string
}

func (b *browser) do(method, path string, form url.Values, headers ...string) response {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, b.e.url+path, body)
	if err != nil {
		b.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	req.Header.Set("Accept", "text/html")
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return response{resp, string(data)}
}

func (b *browser) get(path string, headers ...string) response {
	return b.do("GET", path, nil, headers...)
}

// post sends a form with the session's CSRF token.
func (b *browser) post(path string, form url.Values) response {
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", b.csrf)
	return b.do("POST", path, form)
}

// terminal is a simulated terminal enrolled with the server.
type terminal struct {
	d *simdev.Device
	c *simdev.Client
}

func (e *env) terminal(seed uint64, name string) *terminal {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ec, err := server.NewEnrolCode(ctx, e.m.Data, name, time.Hour, "")
	if err != nil {
		e.t.Fatal(err)
	}
	d := simdev.New(seed)
	if e.clk != nil {
		d.Now = e.clk.Now
	}
	c, err := simdev.Connect(ctx, e.m.SyncURL(), d, ec.Code)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { c.Close() })
	return &terminal{d: d, c: c}
}

func (tm *terminal) push(t *testing.T, es ...ledger.Entry) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := tm.c.Push(ctx, es, 0); err != nil {
		t.Fatal(err)
	}
}

func (tm *terminal) upload(t *testing.T, data []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := tm.c.Upload(ctx, data, 1<<16, 2); err != nil {
		t.Fatal(err)
	}
}

// wav is a short, valid PCM WAV file (a browser plays it).
func wav(seconds int) []byte {
	const rate = 8000
	n := rate * seconds
	var b bytes.Buffer
	le := func(v uint32, size int) {
		for i := 0; i < size; i++ {
			b.WriteByte(byte(v >> (8 * i)))
		}
	}
	b.WriteString("RIFF")
	le(uint32(36+n), 4)
	b.WriteString("WAVEfmt ")
	le(16, 4)
	le(1, 2)    // PCM
	le(1, 2)    // mono
	le(rate, 4) // sample rate
	le(rate, 4) // byte rate
	le(1, 2)    // block align
	le(8, 2)    // bits per sample
	b.WriteString("data")
	le(uint32(n), 4)
	for i := 0; i < n; i++ {
		// a 440 Hz triangle-ish tone
		p := (i * 440 * 2 / rate) % 2
		v := byte(96)
		if p == 1 {
			v = 160
		}
		b.WriteByte(v)
	}
	return b.Bytes()
}

// pngBytes is a tiny valid PNG.
var pngBytes = []byte{0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
	0x89, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0xf0,
	0x1f, 0x00, 0x05, 0x00, 0x01, 0xff, 0x89, 0x99, 0x3d, 0x1d, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45,
	0x4e, 0x44, 0xae, 0x42, 0x60, 0x82}

func ledgerHash(b []byte) string { return ledger.HashBytes(b) }

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// open makes a case_open entry the way a terminal writes it, with the
// demo officers of the given credentials (seal it with rechain).
func (tm *terminal) open(caseID, party string, certs ...string) ledger.Entry {
	var officers []enforce.Officer
	for _, o := range server.DemoOfficers(time.Now()) {
		if slices.Contains(certs, o.Cert) {
			officers = append(officers, o)
		}
	}
	return tm.d.Entry(caseID, "case_open", map[string]any{"procedure": "inspection", "procedure_version": 1, "party": party,
		"party_kind": "org", "source": "complaint", "officers": officers})
}

// rechain puts other officers on a new case's entries, links and signs
// them again (simdev names officers 15010001 and 15010002).
func (tm *terminal) rechain(certs []string, es ...ledger.Entry) []ledger.Entry {
	prev := ledger.GenesisHash
	for i := range es {
		es[i].Officers, es[i].PrevHash = certs, prev
		if err := es[i].Seal(tm.d.Key); err != nil {
			panic(err)
		}
		prev = es[i].Hash
	}
	return es
}

// terminalSkewed enrols a terminal whose clock is off by skew.
func (e *env) terminalSkewed(seed uint64, name string, skew time.Duration) *terminal {
	e.t.Helper()
	d := simdev.New(seed)
	d.Now = func() time.Time { return time.Now().Add(skew) }
	return e.connect(d, name)
}

func (e *env) connect(d *simdev.Device, name string) *terminal {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	ec, err := server.NewEnrolCode(ctx, e.m.Data, name, time.Hour, "")
	if err != nil {
		e.t.Fatal(err)
	}
	c, err := simdev.Connect(ctx, e.m.SyncURL(), d, ec.Code)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { c.Close() })
	return &terminal{d: d, c: c}
}

// terminalRecordedAgo enrols a terminal (its clock right) that then sends
// a case recorded ago, with a recording it never uploads: overdue (R4).
func (e *env) terminalRecordedAgo(seed uint64, name string, ago time.Duration, caseID, party string) *terminal {
	e.t.Helper()
	tm := e.connect(simdev.New(seed), name)
	tm.d.Now = func() time.Time { return time.Now().Add(-ago) }
	audio := []byte("a recording that stays on the terminal")
	open := tm.open(caseID, party, "15010003", "15010004")
	show := tm.d.Entry(caseID, "show_id", ledger.Payload{Files: []ledger.File{{Hash: ledger.HashBytes(audio), Kind: ledger.KindVideo,
		Name: "bodycam-0107.mp4", Mime: "video/mp4", Size: int64(len(audio))}}}, ledger.HashBytes(audio))
	tm.push(e.t, tm.rechain([]string{"15010003", "15010004"}, open, show)...)
	return tm
}
