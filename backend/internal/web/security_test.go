package web_test

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var t0 = time.Date(2026, 5, 7, 9, 0, 0, 0, time.UTC)

// Wrong passwords are rate-limited per (account, address): after five
// failures the address backs off, even for the right password; each
// failure and each refusal are security events (counted as repeats of one
// row per source); the backoff ends after 30 s, doubling with each
// further failure (issue 13 finding 5).
func TestLoginRateLimited(t *testing.T) {
	clk := &clock{t: t0}
	e := start(t, clk)
	b := e.anonymous()
	try := func(password string) response {
		return b.do("POST", "/login", url.Values{"username": {"supervisor"}, "password": {password}, "csrf": {b.loginToken()}})
	}
	for i := 0; i < 5; i++ {
		resp := try(fmt.Sprintf("guess-%d-wrong", i))
		if resp.StatusCode != http.StatusUnauthorized || !strings.Contains(resp.body, "用户名或密码错误") {
			t.Fatalf("wrong password %d: %d", i, resp.StatusCode)
		}
		clk.Add(time.Second)
	}
	resp := try("lawtrace-supervisor")
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(resp.body, "登录失败次数过多") {
		t.Fatalf("right password while locked: %d", resp.StatusCode)
	}
	if resp.Header.Get("Set-Cookie") != "" && strings.Contains(resp.Header.Get("Set-Cookie"), "lt_session=") {
		t.Fatal("a locked sign-in got a session")
	}
	if n := eventTotal(t, e, "web_login_failed"); n != 5 {
		t.Errorf("%d failed sign-ins recorded, want 5", n)
	}
	if n := eventTotal(t, e, "web_login_locked"); n != 1 {
		t.Errorf("%d locked sign-ins recorded, want 1", n)
	}
	// An unknown username gets the same answer as a wrong password.
	other := b.do("POST", "/login", url.Values{"username": {"nobody"}, "password": {"whatever-long"}, "csrf": {b.loginToken()}})
	if other.StatusCode != http.StatusUnauthorized || !strings.Contains(other.body, "用户名或密码错误") {
		t.Fatalf("unknown user: %d", other.StatusCode)
	}
	clk.Add(30 * time.Second)
	if resp := try("lawtrace-supervisor"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/board" {
		t.Fatalf("after the backoff: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

// A reviewer opening an admin URL is refused with 403, the attempt is a
// security event naming who and what, and the page shows nothing of it.
func TestReviewerRefusedAdminPages(t *testing.T) {
	e := start(t, nil)
	tm := e.terminal(1, "巡查终端")
	_ = tm
	rev := e.as("reviewer")
	for _, p := range []string{"/admin/devices", "/admin/accounts", "/admin/officers/15010001", "/admin/security"} {
		resp := rev.get(p)
		if resp.StatusCode != http.StatusForbidden {
			t.Fatalf("reviewer GET %s: %d", p, resp.StatusCode)
		}
		for _, leak := range []string{"巡查终端", "lawtrace-admin", "15010001", tm.d.ID, "$2a$"} {
			if strings.Contains(resp.body, leak) {
				t.Errorf("the 403 page of %s shows %q", p, leak)
			}
		}
	}
	if resp := rev.post("/admin/devices/"+tm.d.ID+"/revoke", url.Values{"reason": {"x"}, "confirm": {"yes"}}); resp.StatusCode != http.StatusForbidden {
		t.Fatalf("reviewer revokes: %d", resp.StatusCode)
	}
	if d, _ := e.m.Data.Store.Device(t.Context(), tm.d.ID); d.Revoked() {
		t.Fatal("the reviewer revoked a device")
	}
	evs, _ := e.m.Data.Store.SecurityEvents(t.Context(), 100)
	found := false
	for _, ev := range evs {
		if ev.Kind == "web_forbidden" && strings.Contains(ev.Detail, "账号 reviewer（法制审核人员）访问 GET /admin/devices 被拒绝") {
			found = true
		}
	}
	if !found {
		t.Fatalf("no security event names the reviewer and the page: %+v", evs)
	}
}

// A form posted without the session's CSRF token, with another session's
// token, or from another origin is refused and recorded; nothing changes.
func TestForgedCSRFRefused(t *testing.T) {
	e := start(t, nil)
	tm := e.terminal(1, "巡查终端")
	admin := e.as("admin")
	other := e.as("supervisor")
	path := "/admin/devices/" + tm.d.ID + "/revoke"
	form := func(tok string) url.Values {
		return url.Values{"reason": {"forged"}, "confirm": {"yes"}, "csrf": {tok}}
	}
	cases := []struct {
		name    string
		form    url.Values
		headers []string
	}{
		{"no token", form(""), nil},
		{"a made-up token", form("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), nil},
		{"another session's token", form(other.csrf), nil},
		{"the right token from another site", form(admin.csrf), []string{"Origin", "https://evil.example"}},
		{"the right token, cross-site fetch without Origin", form(admin.csrf), []string{"Sec-Fetch-Site", "cross-site"}},
	}
	for _, c := range cases {
		resp := admin.do("POST", path, c.form, c.headers...)
		if resp.StatusCode != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", c.name, resp.StatusCode)
		}
	}
	if d, _ := e.m.Data.Store.Device(t.Context(), tm.d.ID); d.Revoked() {
		t.Fatal("a forged form revoked the device")
	}
	if n := eventTotal(t, e, "web_csrf"); n != len(cases) {
		t.Errorf("%d CSRF refusals recorded, want %d", n, len(cases))
	}
	// The sign-in form has its own token (login CSRF).
	anon := e.anonymous()
	if resp := anon.do("POST", "/login", url.Values{"username": {"admin"}, "password": {"lawtrace-admin"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("sign-in without its token: %d", resp.StatusCode)
	}
	// With the token the same form works.
	if resp := admin.post(path, url.Values{"reason": {"lost"}, "confirm": {"yes"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("genuine revoke: %d %s", resp.StatusCode, resp.body)
	}
}

// rawGet sends a request line exactly as written (no client-side cleaning).
func rawGet(t *testing.T, e *env, b *browser, target string) (int, string) {
	t.Helper()
	conn, err := net.Dial("tcp", e.m.Addr())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	u, _ := url.Parse(e.url)
	var cookies []string
	for _, c := range b.c.Jar.Cookies(u) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: %s\r\nCookie: %s\r\nAccept: text/html\r\nConnection: close\r\n\r\n", target, e.m.Addr(), strings.Join(cookies, "; "))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 4096)
	for {
		n, err := resp.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			break
		}
	}
	return resp.StatusCode, sb.String()
}

// Media URLs that try to leave the media folder, or name a file of another
// case, are refused without showing anything and recorded.
func TestMediaPathTraversalRefused(t *testing.T) {
	e := start(t, nil)
	tm := e.terminal(1, "巡查终端")
	photo := pngBytes
	tm.push(t, append(tm.d.Case("C1", 2), tm.d.MediaEntry("C1", "photo", photo))...)
	tm.upload(t, photo)
	secret := append(tm.d.Case("C2", 1), tm.d.MediaEntry("C2", "photo", wav(1)))
	tm.push(t, secret...)
	tm.upload(t, wav(1))

	sup := e.as("supervisor")
	if resp := sup.post("/cases/C1/access", url.Values{"purpose": {"supervision"}, "reason": {"检查路径穿越防护"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("access: %d %s", resp.StatusCode, resp.body)
	}
	key, err := os.ReadFile(filepath.Join(e.m.Data.Dir, "server.key"))
	if err != nil {
		t.Fatal(err)
	}
	db, _ := os.ReadFile(filepath.Join(e.m.Data.Dir, "lawtrace.db"))
	before := eventTotal(t, e, "web_bad_path")
	targets := []string{
		"/cases/C1/media/..%2f..%2fserver.key",
		"/cases/C1/media/..%2F..%2Flawtrace.db",
		"/cases/C1/media/%2e%2e%2f%2e%2e%2fserver.key",
		"/cases/C1/media/..%5c..%5cserver.key",
		"/cases/C1/media/" + strings.Repeat("../", 4) + "server.key",
		"/cases/..%2f..%2fserver.key/media/" + ledgerHash(photo),
		"/cases/C1/media/" + ledgerHash(wav(1)), // a file of another case
		"/cases/C1/media/" + strings.ToUpper(ledgerHash(photo)),
		"/static/../server.key",
		"/static/..%2f..%2fserver.key",
	}
	for _, target := range targets {
		status, body := rawGet(t, e, sup, target)
		if status == http.StatusOK {
			t.Errorf("%s: 200", target)
		}
		if strings.Contains(body, strings.TrimSpace(string(key))) || (len(db) > 100 && strings.Contains(body, string(db[:100]))) ||
			strings.Contains(body, e.m.Data.Dir) {
			t.Errorf("%s leaked a file or a path", target)
		}
	}
	if got := eventTotal(t, e, "web_bad_path") - before; got < 6 {
		t.Errorf("%d bad media paths recorded, want at least 6", got)
	}
	// The genuine URL works.
	if status, body := rawGet(t, e, sup, "/cases/C1/media/"+ledgerHash(photo)); status != http.StatusOK || body != string(photo) {
		t.Fatalf("genuine file: %d", status)
	}
}

// Every answer carries the security headers; the session cookie is
// HttpOnly and SameSite=Strict.
func TestSecurityHeadersAndCookie(t *testing.T) {
	e := start(t, nil)
	b := e.anonymous()
	resp := b.do("POST", "/login", url.Values{"username": {"officer"}, "password": {"lawtrace-officer"}, "csrf": {b.loginToken()}})
	var session *http.Cookie
	for _, c := range resp.Cookies() {
		if c.Name == "lt_session" {
			session = c
		}
	}
	if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode {
		t.Fatalf("session cookie %+v", session)
	}
	if r := b.get("/static/"); r.StatusCode != http.StatusNotFound || strings.Contains(r.body, "board.js") {
		t.Errorf("static directory listing: %d", r.StatusCode)
	}
	for _, p := range []string{"/login", "/board", "/no/such/page"} {
		r := b.get(p)
		for h, want := range map[string]string{"Content-Security-Policy": "default-src 'self'", "X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff"} {
			if !strings.Contains(r.Header.Get(h), want) {
				t.Errorf("%s: %s = %q", p, h, r.Header.Get(h))
			}
		}
	}
}
