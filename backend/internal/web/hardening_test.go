package web_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lawtrace/backend/internal/server"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/ledger"
)

// Issue 13 hardening of the web pages (SPEC R7, S6, X3).

// eventTotal counts occurrences of a kind of security event: rows count
// repeats of one source (issue 13 finding 2).
func eventTotal(t *testing.T, e *env, kind string) int {
	t.Helper()
	evs, err := e.m.Data.Store.SecurityEvents(context.Background(), 100000)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, ev := range evs {
		if ev.Kind == kind {
			n += max(ev.Repeats, 1)
		}
	}
	return n
}

func eventsOf(t *testing.T, e *env, kind string) []store.SecurityEvent {
	t.Helper()
	evs, err := e.m.Data.Store.SecurityEvents(context.Background(), 100000)
	if err != nil {
		t.Fatal(err)
	}
	var out []store.SecurityEvent
	for _, ev := range evs {
		if ev.Kind == kind {
			out = append(out, ev)
		}
	}
	return out
}

// Finding 4: /cases/{id}/media/{hash} gave a file the browser cannot
// preview as an attachment — the original bytes — without the head's
// approval /download demands, and the register said 查看. Viewing shows
// only what the browser previews; the original goes through /download.
func TestMediaViewOfUnpreviewableFileIsNotACopy(t *testing.T) {
	e := start(t, nil)
	tm := e.terminal(1, "一中队 1 号")
	doc := []byte("PK\x03\x04 a word-processor file the browser cannot show, with the original bytes")
	strokes := []byte(`{"width":10,"height":10,"strokes":[]}`)
	es := tm.d.Case("C1", 2)
	es = append(es, tm.d.Entry("C1", "inspection_notes", ledger.Payload{Files: []ledger.File{
		{Hash: ledger.HashBytes(doc), Kind: ledger.KindDocument, Name: "询问笔录.docx", Mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", Size: int64(len(doc))},
		{Hash: ledger.HashBytes(strokes), Kind: ledger.KindFile, Name: "data.bin", Size: int64(len(strokes))},
		{Hash: ledger.HashBytes(pngBytes), Kind: ledger.KindPhoto, Name: "现场.png", Size: int64(len(pngBytes))},
	}}, ledger.HashBytes(doc), ledger.HashBytes(strokes), ledger.HashBytes(pngBytes)))
	tm.push(t, es...)
	tm.upload(t, doc)
	tm.upload(t, strokes)
	tm.upload(t, pngBytes)

	rev := e.as("reviewer")
	if r := rev.post("/cases/C1/access", url.Values{"purpose": {"review"}, "reason": {"审核询问笔录"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("access: %d %s", r.StatusCode, r.body)
	}
	for _, f := range [][]byte{doc, strokes} {
		u := "/cases/C1/media/" + ledgerHash(f)
		r := rev.get(u)
		if r.StatusCode == http.StatusOK || strings.Contains(r.body, string(f)) {
			t.Errorf("view of a file the browser cannot preview: %d %q, the original bytes without approval", r.StatusCode, r.Header.Get("Content-Disposition"))
		}
		if !strings.Contains(r.body, "下载原件") {
			t.Errorf("the refusal does not say how to get the original: %s", r.body)
		}
		if r := rev.get(u + "/download"); r.StatusCode != http.StatusForbidden {
			t.Errorf("download without approval: %d", r.StatusCode)
		}
	}
	// A photo is still shown inline for the page.
	if r := rev.get("/cases/C1/media/" + ledgerHash(pngBytes)); r.StatusCode != http.StatusOK || r.body != string(pngBytes) ||
		!strings.HasPrefix(r.Header.Get("Content-Disposition"), "inline") {
		t.Fatalf("photo: %d %q", r.StatusCode, r.Header.Get("Content-Disposition"))
	}
	// Nothing but the view and the photo is registered: no 查看 of the
	// document, no copy.
	for _, rec := range registerRows(t, e, store.AccessFilter{CaseID: "C1"}) {
		if rec.MediaHash == ledgerHash(doc) || rec.MediaHash == ledgerHash(strokes) {
			t.Errorf("register row %s for a file that was not given out", rec.Action)
		}
	}
	// With the head's approval the download gives the original, registered
	// as a copy naming the approver.
	if r := rev.post("/cases/C1/requests", url.Values{"action": {"download"}, "hash": {ledgerHash(doc)}, "reason": {"复制询问笔录附卷"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("request: %d %s", r.StatusCode, r.body)
	}
	reqs, err := e.m.Data.Store.AccessRequests(context.Background(), store.RequestFilter{CaseID: "C1"})
	if err != nil || len(reqs) != 1 {
		t.Fatalf("requests %+v %v", reqs, err)
	}
	if r := e.as("supervisor").post("/access/requests/"+itoa(reqs[0].ID), url.Values{"decision": {"approve"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d", r.StatusCode)
	}
	dl := rev.get("/cases/C1/media/" + ledgerHash(doc) + "/download")
	if dl.StatusCode != http.StatusOK || dl.body != string(doc) || !strings.HasPrefix(dl.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("approved download: %d", dl.StatusCode)
	}
	copies := 0
	for _, rec := range registerRows(t, e, store.AccessFilter{CaseID: "C1"}) {
		if rec.MediaHash == ledgerHash(doc) && rec.Action == store.AccessDownload && rec.Approver != "" {
			copies++
		}
		if rec.MediaHash == ledgerHash(doc) && rec.Action == store.AccessPlay {
			t.Errorf("the document was registered as viewed")
		}
	}
	if copies != 1 {
		t.Fatalf("%d approved copies registered, want 1", copies)
	}
}

// Finding 5: twenty failures from one address refused every account from
// it (the whole agency behind one proxy or NAT).
func TestOneAddressDoesNotLockEveryone(t *testing.T) {
	e := start(t, nil)
	b := e.anonymous()
	for i := 0; i < 25; i++ {
		r := b.do("POST", "/login", url.Values{"username": {fmt.Sprintf("nobody%d", i)}, "password": {"whatever-long"}, "csrf": {b.loginToken()}})
		if r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("unknown user %d: %d", i, r.StatusCode)
		}
	}
	e.as("supervisor") // fails the test unless the sign-in works
}

// login posts the sign-in form with extra headers.
func (b *browser) loginWith(user, password string, headers ...string) response {
	b.t.Helper()
	return b.do("POST", "/login", url.Values{"username": {user}, "password": {password}, "csrf": {b.loginToken()}}, headers...)
}

// Finding 5 behind a reverse proxy: X-Forwarded-For is believed from a
// trusted proxy only; failures back off per (account, address); the
// administrator sees the restriction on the accounts page and lifts it,
// recorded as a security event.
func TestTrustedProxyBackoffAndUnlock(t *testing.T) {
	clk := &clock{t: t0}
	e := start(t, clk, func(c *server.Config) { c.Web.TrustedProxies = []string{"127.0.0.0/8", "::1"} })
	const attacker, office = "203.0.113.66", "198.51.100.7"
	b := e.anonymous()
	for i := 0; i < 5; i++ {
		// The attacker writes its own X-Forwarded-For; the proxy appends the
		// address it saw. Only the proxy's hop is believed.
		r := b.loginWith("admin", fmt.Sprintf("guess-%d-wrong", i), "X-Forwarded-For", fmt.Sprintf("10.%d.0.1, %s", i, attacker))
		if r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i, r.StatusCode)
		}
	}
	r := b.loginWith("admin", "lawtrace-admin", "X-Forwarded-For", attacker)
	if r.StatusCode != http.StatusTooManyRequests || !strings.Contains(r.body, "登录失败次数过多") {
		t.Fatalf("the guesser's address after five failures: %d", r.StatusCode)
	}
	for _, ev := range eventsOf(t, e, "web_login_failed") {
		if ev.Remote != attacker {
			t.Errorf("failure recorded from %q, want the client %s", ev.Remote, attacker)
		}
	}
	// The administrator, in the office behind the same proxy, signs in.
	admin := e.anonymous()
	if r := admin.loginWith("admin", "lawtrace-admin", "X-Forwarded-For", office); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("the administrator from the office: %d", r.StatusCode)
	}
	admin.csrf = csrfMeta.FindStringSubmatch(admin.get("/admin/accounts").body)[1]
	page := admin.get("/admin/accounts")
	if !strings.Contains(page.body, "登录受限") || !strings.Contains(page.body, attacker) || !strings.Contains(page.body, "解除登录限制") {
		t.Fatalf("the accounts page does not show the restriction")
	}
	a, err := e.m.Data.Store.AccountByUsername(context.Background(), "admin")
	if err != nil {
		t.Fatal(err)
	}
	if r := admin.post("/admin/accounts/"+itoa(a.ID), url.Values{"action": {"unlock"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("unlock: %d %s", r.StatusCode, r.body)
	}
	if page := admin.get("/admin/accounts"); strings.Contains(page.body, "登录受限") || !strings.Contains(page.body, "已解除账号 admin 的登录限制") {
		t.Fatal("after the unlock the page still shows the restriction or no confirmation")
	}
	evs := eventsOf(t, e, "web_login_unlock")
	if len(evs) != 1 || !strings.Contains(evs[0].Detail, "管理员 admin 解除了账号 admin 的登录锁定") || !strings.Contains(evs[0].Detail, attacker) {
		t.Fatalf("unlock events %+v", evs)
	}
	if r := b.loginWith("admin", "lawtrace-admin", "X-Forwarded-For", attacker); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("after the unlock: %d", r.StatusCode)
	}
	// Only an administrator unlocks.
	sup := e.as("supervisor")
	if r := sup.post("/admin/accounts/"+itoa(a.ID), url.Values{"action": {"unlock"}}); r.StatusCode != http.StatusForbidden {
		t.Fatalf("a supervisor unlocks: %d", r.StatusCode)
	}
}

// Without trusted proxies X-Forwarded-For is ignored: a client cannot
// make up a new address for every guess.
func TestForwardedForIgnoredFromUntrustedPeers(t *testing.T) {
	e := start(t, nil)
	b := e.anonymous()
	for i := 0; i < 5; i++ {
		if r := b.loginWith("admin", "wrong-password", "X-Forwarded-For", fmt.Sprintf("198.51.100.%d", i+1)); r.StatusCode != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d", i, r.StatusCode)
		}
	}
	if r := b.loginWith("admin", "wrong-password", "X-Forwarded-For", "198.51.100.99"); r.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("a made-up X-Forwarded-For escaped the backoff: %d", r.StatusCode)
	}
	for _, ev := range eventsOf(t, e, "web_login_failed") {
		if ev.Remote != "127.0.0.1" {
			t.Errorf("event from %q: X-Forwarded-For believed from an untrusted peer", ev.Remote)
		}
	}
}

// Finding 8: next=/%09/evil.example gave Location: /\t/evil.example,
// which a browser reads as //evil.example. Only same-site absolute paths
// are followed.
func TestLoginNextStaysOnSite(t *testing.T) {
	e := start(t, nil)
	bad := []string{
		"/\t/evil.example", "/\n/evil.example", "/\r\n/evil.example", "//evil.example", "/\\evil.example", "/\\/evil.example",
		"\\\\evil.example", "https://evil.example/", "http:evil.example", "/%09/evil.example", "/%2F/evil.example", "/%2f%2fevil.example",
		"/%5C/evil.example", "/%5c%5cevil.example", "/%252F%252Fevil.example", "/ /evil.example", "/\u00a0/evil.example", "/\u200b/evil.example",
		"/\u2028/evil.example", "evil.example", "", "/%0d%0aSet-Cookie:x=1", "/\x7f/evil.example", "/%", "/%zz",
	}
	for _, next := range bad {
		b := e.anonymous()
		page := b.get("/login?next=" + url.QueryEscape(next))
		if strings.Contains(page.body, "evil.example") {
			t.Errorf("next %q kept in the sign-in form", next)
		}
		r := b.do("POST", "/login", url.Values{"username": {"reviewer"}, "password": {"lawtrace-reviewer"}, "csrf": {b.loginToken()}, "next": {next}})
		if loc := r.Header.Get("Location"); r.StatusCode != http.StatusSeeOther || loc != "/board" {
			t.Errorf("next %q: %d Location %q, want /board", next, r.StatusCode, loc)
		}
	}
	for _, next := range []string{"/cases/C1", "/board?unit=%E4%B8%80%E4%B8%AD%E9%98%9F&type=inspection", "/access?case=C1#row-3"} {
		b := e.anonymous()
		r := b.do("POST", "/login", url.Values{"username": {"reviewer"}, "password": {"lawtrace-reviewer"}, "csrf": {b.loginToken()}, "next": {next}})
		if loc := r.Header.Get("Location"); r.StatusCode != http.StatusSeeOther || loc != next {
			t.Errorf("next %q: Location %q", next, loc)
		}
	}
	// The redirect to sign in keeps a page with a filter.
	b := e.anonymous()
	r := b.get("/board?unit=%E4%B8%80%E4%B8%AD%E9%98%9F")
	if loc, _ := url.Parse(r.Header.Get("Location")); loc == nil || loc.Query().Get("next") != "/board?unit=%E4%B8%80%E4%B8%AD%E9%98%9F" {
		t.Fatalf("redirect to sign in: %q", r.Header.Get("Location"))
	}
}

// selfSigned writes a certificate and key for 127.0.0.1 and returns their
// paths and a pool that trusts the certificate.
func selfSigned(t *testing.T) (string, string, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "lawtrace test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IPAddresses: []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}

func cookieNamed(resp response, name string) *http.Cookie {
	for _, c := range resp.Cookies() {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// Finding 8: there was no way to turn on TLS, Secure cookies or HSTS.
// With --tls-cert/--tls-key the server speaks HTTPS, its cookies are
// Secure and its pages carry HSTS.
func TestTLSSecureCookiesAndHSTS(t *testing.T) {
	certFile, keyFile, pool := selfSigned(t)
	e := start(t, nil, func(c *server.Config) { c.TLSCert, c.TLSKey = certFile, keyFile })
	if !strings.HasPrefix(e.url, "https://") || !strings.HasPrefix(e.m.SyncURL(), "wss://") {
		t.Fatalf("URLs %s %s", e.url, e.m.SyncURL())
	}
	b := e.anonymous()
	b.c.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}
	page := b.get("/login")
	if page.TLS == nil || !strings.Contains(page.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Fatalf("HSTS %q", page.Header.Get("Strict-Transport-Security"))
	}
	if c := cookieNamed(page, "lt_login"); c == nil || !c.Secure {
		t.Fatalf("sign-in form cookie %+v", c)
	}
	r := b.loginWith("officer", "lawtrace-officer")
	if c := cookieNamed(r, "lt_session"); r.StatusCode != http.StatusSeeOther || c == nil || !c.Secure || !c.HttpOnly {
		t.Fatalf("session cookie over TLS: %d %+v", r.StatusCode, c)
	}
	// Plain HTTP on the TLS port is refused, nothing served.
	plain := &http.Client{Timeout: 5 * time.Second}
	if resp, err := plain.Get("http://" + e.m.Addr() + "/login"); err == nil {
		if resp.StatusCode == http.StatusOK {
			t.Fatal("plain HTTP served on the TLS port")
		}
		resp.Body.Close()
	}
}

// Behind a TLS proxy: X-Forwarded-Proto: https from a trusted proxy makes
// the sign-in cookies Secure and adds HSTS; from anybody else it is
// ignored.
func TestForwardedProtoFromTrustedProxy(t *testing.T) {
	for _, trusted := range []bool{true, false} {
		e := start(t, nil, func(c *server.Config) {
			if trusted {
				c.Web.TrustedProxies = []string{"127.0.0.1"}
			}
		})
		b := e.anonymous()
		page := b.get("/login", "X-Forwarded-Proto", "https")
		r := b.loginWith("officer", "lawtrace-officer", "X-Forwarded-Proto", "https")
		c := cookieNamed(r, "lt_session")
		if c == nil {
			t.Fatalf("no session cookie: %d", r.StatusCode)
		}
		hsts := page.Header.Get("Strict-Transport-Security") != ""
		if c.Secure != trusted || hsts != trusted {
			t.Errorf("proxy trusted %v: Secure %v, HSTS %v", trusted, c.Secure, hsts)
		}
	}
	// --secure-cookies marks them whatever the request says.
	e := start(t, nil, func(c *server.Config) { c.Web.SecureCookies = true })
	b := e.anonymous()
	if c := cookieNamed(b.get("/login"), "lt_login"); c == nil || !c.Secure {
		t.Fatalf("with SecureCookies: %+v", c)
	}
}

// Finding 8: ten spaces or 1234567890 were accepted as passwords. The
// pages refuse them with the reason in Chinese.
func TestWeakPasswordsRefused(t *testing.T) {
	e := start(t, nil)
	admin := e.as("admin")
	for pw, want := range map[string]string{
		strings.Repeat(" ", 10): "至少 10 个字符",
		"1234567890":            "数字",
		"qwertyuiop":            "常见密码",
		"zhou.wei.1":            "用户名",
	} {
		r := admin.post("/admin/accounts", url.Values{"username": {"zhou.wei.1"}, "name": {"周伟"}, "role": {"reviewer"}, "password": {pw}})
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.body, want) {
			t.Errorf("new account with password %q: %d, want 400 saying %q", pw, r.StatusCode, want)
		}
	}
	if _, err := e.m.Data.Store.AccountByUsername(context.Background(), "zhou.wei.1"); err == nil {
		t.Fatal("an account with a weak password was created")
	}
	off := e.as("officer")
	for _, pw := range []string{strings.Repeat(" ", 12), "1234567890"} {
		r := off.post("/account/password", url.Values{"current": {"lawtrace-officer"}, "new": {pw}, "again": {pw}})
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.body, "密码") {
			t.Errorf("own password %q: %d", pw, r.StatusCode)
		}
	}
	e.as("officer") // the old password still works
}

// Finding 8: /metrics was public. By default it answers loopback only
// (through a trusted proxy, the forwarded client decides); with a token
// it needs the bearer token.
func TestMetricsAccess(t *testing.T) {
	get := func(e *env, headers ...string) int {
		t.Helper()
		req, _ := http.NewRequest("GET", e.url+"/metrics", nil)
		for i := 0; i+1 < len(headers); i += 2 {
			req.Header.Set(headers[i], headers[i+1])
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	e := start(t, nil, func(c *server.Config) { c.Web.TrustedProxies = []string{"127.0.0.1"} })
	if s := get(e); s != http.StatusOK {
		t.Errorf("loopback: %d", s)
	}
	if s := get(e, "X-Forwarded-For", "203.0.113.5"); s != http.StatusForbidden {
		t.Errorf("a client outside through the trusted proxy: %d", s)
	}
	tok := start(t, nil, func(c *server.Config) { c.MetricsToken = "s3cret-metrics-token" })
	for _, h := range [][]string{nil, {"Authorization", "Bearer wrong"}, {"Authorization", "s3cret-metrics-token"}} {
		if s := get(tok, h...); s != http.StatusUnauthorized {
			t.Errorf("with %v: %d", h, s)
		}
	}
	if s := get(tok, "Authorization", "Bearer s3cret-metrics-token"); s != http.StatusOK {
		t.Errorf("with the token: %d", s)
	}
}

// From the code read (issue 13): the fine amount of a proposal ignored
// parse errors — "abc" became 0 and "NaN" passed. A bad amount is refused
// in Chinese and nothing is recorded.
func TestFineAmountRefused(t *testing.T) {
	clk := &clock{t: time.Date(2026, 3, 2, 10, 0, 0, 0, time.FixedZone("CST", 8*3600))}
	e := start(t, clk)
	const id = "20260302-4a4d0013"
	penaltyCase(t, e, 76, id)
	off := e.as("officer")
	for _, fine := range []string{"NaN", "abc", "Inf", "-200", "1e400", "1e3", "0x10", "200.555", "二百", "1.5.2", ".5", "5."} {
		r := off.post("/review/cases/"+id+"/proposal", url.Values{"measure": {"fine"}, "fine": {fine}, "summary": {"罚款"}})
		if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.body, "罚款金额") {
			t.Errorf("fine %q: %d", fine, r.StatusCode)
		}
	}
	if st, err := e.m.Review.State(context.Background(), id); err == nil && st.Proposal != nil {
		t.Fatalf("a proposal was recorded: %+v", st.Proposal)
	}
	if r := off.post("/review/cases/"+id+"/proposal", url.Values{"measure": {"fine"}, "fine": {"１５０,０００.５０元"}, "summary": {"罚款"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("a well-formed amount: %d %s", r.StatusCode, r.body)
	}
	if st, err := e.m.Review.State(context.Background(), id); err != nil || st.Proposal == nil || st.Proposal.Fine != 150000.5 {
		t.Fatalf("proposal %+v %v", st, err)
	}
}
