package web_test

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"html"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"lawtrace/assets"
	"lawtrace/backend/internal/server"
	"lawtrace/backend/internal/web"
	"lawtrace/shared/credential"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
	"lawtrace/shared/syncproto"

	"lawtrace/shared/testtool"
)

// externalRef finds anything a public page would load from elsewhere.
var externalRef = regexp.MustCompile(`(?i)(src|href|action)\s*=\s*"(https?:)?//|@import|url\(\s*['"]?[^#'")]`)

// publicGet fetches a public page without signing in and checks what every
// public page must be: no cookie, no script, nothing loaded from another
// site, the strict CSP, Chinese.
func publicGet(t *testing.T, e *env, path string, wantStatus int) string {
	t.Helper()
	resp := e.anonymous().get(path)
	if resp.StatusCode != wantStatus {
		t.Fatalf("GET %s: %d, want %d\n%s", path, resp.StatusCode, wantStatus, resp.body)
	}
	if c := resp.Header.Values("Set-Cookie"); len(c) > 0 {
		t.Errorf("GET %s sets cookies %v", path, c)
	}
	if strings.Contains(resp.body, "<script") {
		t.Errorf("GET %s has a script", path)
	}
	if m := externalRef.FindString(resp.body); m != "" {
		t.Errorf("GET %s loads something from elsewhere: %s", path, m)
	}
	if !strings.Contains(resp.Header.Get("Content-Security-Policy"), "default-src 'self'") {
		t.Errorf("GET %s without the CSP", path)
	}
	if !strings.Contains(resp.body, `lang="zh-CN"`) || !strings.Contains(resp.body, "行政执法公示") {
		t.Errorf("GET %s is not the Chinese public layout", path)
	}
	return resp.body
}

// officerItem reads the newest catalog item of an officer: the officer and
// the server's credential signature.
func officerItem(t *testing.T, e *env, cert string) server.OfficerItem {
	t.Helper()
	items, err := e.m.Data.Store.CatalogLatest(context.Background(), syncproto.KindOfficer)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.Key == cert {
			var o server.OfficerItem
			if err := json.Unmarshal(it.Body, &o); err != nil {
				t.Fatal(err)
			}
			return o
		}
	}
	t.Fatalf("no officer %s in the catalog", cert)
	return server.OfficerItem{}
}

// SPEC P1 (000-publicity §6-12, §15): every "before" page answers without
// sign-in, in Chinese, without cookies or outside resources, with its data.
func TestPublicPages(t *testing.T) {
	e := start(t, nil)

	home := publicGet(t, e, "/public/", 200)
	for _, want := range []string{"呼和浩特市新城区市场监督管理局", `href="/public/agency"`, `href="/public/officers"`, `href="/public/powers"`,
		`href="/public/procedures"`, `href="/public/review-catalog"`, `href="/public/guides"`, `href="/public/forms"`, `href="/public/verify"`,
		"5 名持有效执法证件的人员", ledger.KeyFingerprint(e.m.Data.Key.Public().(ed25519.PublicKey))} {
		if !strings.Contains(home, want) {
			t.Errorf("home page lacks %q", want)
		}
	}
	if r := e.anonymous().get("/public"); r.StatusCode/100 != 3 || r.Header.Get("Location") != "/public/" {
		t.Errorf("/public: %d %s", r.StatusCode, r.Header.Get("Location"))
	}

	agency := publicGet(t, e, "/public/agency", 200)
	for _, want := range []string{"主要职责", "食品安全监督管理", "办公地址", "联系电话", "办公时间", "监督投诉渠道", "12315", "12345", "行政复议", "演示数据"} {
		if !strings.Contains(agency, want) {
			t.Errorf("agency page lacks %q", want)
		}
	}

	powers := publicGet(t, e, "/public/powers", 200)
	for _, want := range []string{"行政许可", "行政处罚", "行政强制", "行政检查", "食品经营许可", "《中华人民共和国食品安全法》第一百二十二条",
		`href="/public/procedures/penalty"`, "演示数据"} {
		if !strings.Contains(powers, want) {
			t.Errorf("powers page lacks %q", want)
		}
	}

	procs := publicGet(t, e, "/public/procedures", 200)
	for _, id := range []string{"penalty", "penalty-simple", "inspection", "coercion", "permit"} {
		if !strings.Contains(procs, `href="/public/procedures/`+id+`"`) {
			t.Errorf("procedures page lacks %s", id)
		}
	}

	review := publicGet(t, e, "/public/review-catalog", 200)
	for _, want := range []string{"较大数额罚款", "对个人罚款 1 万 元以上", "经听证程序作出的行政执法决定", "《呼和浩特市重大行政执法决定法制审核办法（试行）》第三条", "3 个工作日"} {
		if !strings.Contains(review, want) {
			t.Errorf("review catalog page lacks %q", want)
		}
	}

	guides := publicGet(t, e, "/public/guides", 200)
	for _, want := range []string{"食品经营许可（新办）", "申请材料", "食品经营许可申请书", "一次告知", "材料不齐全或者不符合法定形式，一次性告知补正",
		"不予受理", "需补正的全部内容（一次性告知）", "《中华人民共和国行政许可法》第三十二条", `href="/public/procedures/permit"`} {
		if !strings.Contains(guides, want) {
			t.Errorf("guides page lacks %q", want)
		}
	}

	forms := publicGet(t, e, "/public/forms", 200)
	for _, want := range []string{"权利告知书", "当场行政处罚决定书", "送达回证", "查封（扣押）现场笔录", "抽样物品清单", "检查意见书", "责令改正通知书"} {
		if !strings.Contains(forms, want) {
			t.Errorf("forms page lacks %q", want)
		}
	}

	verify := publicGet(t, e, "/public/verify", 200)
	for _, want := range []string{"lawtrace-credential-v1", "证号|姓名|有效期", "base64url", "BEGIN PUBLIC KEY", "openssl pkeyutl -verify"} {
		if !strings.Contains(verify, want) {
			t.Errorf("verify page lacks %q", want)
		}
	}

	// Unknown pages are a Chinese 404 page, not a bare 404.
	for path, want := range map[string]string{
		"/public/nothing-here":          "不是本机关公示平台上的页面",
		"/public/procedures/no-such":    "没有名为「no-such」的执法程序",
		"/public/officers/99999999":     "没有执法证号为「99999999」的人员",
		"/public/officers/%3Cscript%3E": "没有执法证号为「&lt;script&gt;」的人员",
	} {
		body := publicGet(t, e, path, http.StatusNotFound)
		if !strings.Contains(body, want) || !strings.Contains(body, "返回公示首页") {
			t.Errorf("%s: the 404 page does not say %q", path, want)
		}
	}
}

// SPEC P1 (000-publicity §8): the officers are listed with name, unit,
// credential number, category and area — nothing else — and can be searched
// by name or number; an invalid credential is not on the list.
func TestPublicOfficers(t *testing.T) {
	e := start(t, nil)
	list := publicGet(t, e, "/public/officers", 200)
	for _, want := range []string{"王强", "15010001", "市场监管综合执法大队一中队", "市场监管", "新城区", "赵丽", "周敏", "法制审核科"} {
		if !strings.Contains(list, want) {
			t.Errorf("officer list lacks %q", want)
		}
	}
	// 吴军's credential expired: not listed.
	if strings.Contains(list, "吴军") || strings.Contains(list, "15010006") {
		t.Error("an expired credential is on the list")
	}
	// Nothing beyond the public fields: no expiry, no state, no versions,
	// no JSON of the catalog item, no signature.
	o := officerItem(t, e, "15010001")
	for _, private := range []string{o.Expires, "suspended", "expires", "credential_sig", o.CredentialSig, "version", "Version"} {
		if strings.Contains(list, private) {
			t.Errorf("officer list shows %q", private)
		}
	}
	// The columns are exactly the public fields.
	if got := regexp.MustCompile(`<th>([^<]+)</th>`).FindAllStringSubmatch(list, -1); len(got) != 5 {
		t.Errorf("officer list columns %v", got)
	}

	byName := publicGet(t, e, "/public/officers?q="+url.QueryEscape("王"), 200)
	if !strings.Contains(byName, "王强") || strings.Contains(byName, "赵丽") {
		t.Error("search by name")
	}
	byCert := publicGet(t, e, "/public/officers?q=15010003", 200)
	if !strings.Contains(byCert, "赵丽") || strings.Contains(byCert, "王强") {
		t.Error("search by credential number")
	}
	expired := publicGet(t, e, "/public/officers?q=15010006", 200)
	if !strings.Contains(expired, "不在有效名单中") || !strings.Contains(expired, `href="/public/officers/15010006"`) {
		t.Error("an exact search for an expired credential does not point to its page")
	}
	none := publicGet(t, e, "/public/officers?q="+url.QueryEscape("<b>x</b>"), 200)
	if strings.Contains(none, "<b>x</b>") || !strings.Contains(none, "没有找到") {
		t.Error("search for nothing")
	}

	// The officer's page: the public fields, the expiry and the state.
	page := publicGet(t, e, "/public/officers/15010001", 200)
	for _, want := range []string{"王强", "15010001", "市场监管综合执法大队一中队", "新城区", o.Expires, `data-state="valid"`, "有效", "实时查询"} {
		if !strings.Contains(page, want) {
			t.Errorf("officer page lacks %q", want)
		}
	}
	for _, private := range []string{"credential_sig", o.CredentialSig, "suspended\"", "Version"} {
		if strings.Contains(page, private) {
			t.Errorf("officer page shows %q", private)
		}
	}
	if !strings.Contains(publicGet(t, e, "/public/officers/15010006", 200), `data-state="expired"`) {
		t.Error("the expired credential's page does not say expired")
	}
	if resp := e.anonymous().get("/public/officers/15010001"); resp.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("officer page may be cached: %q", resp.Header.Get("Cache-Control"))
	}
}

// SPEC F2 P1 (000-publicity §10): the flowcharts are drawn from the
// procedure definitions: every stage a lane, every step a box in order with
// its mandatory and A/V marks and its legal basis as enforce.Cite prints it.
func TestPublicFlowcharts(t *testing.T) {
	e := start(t, nil)
	cat, err := enforce.LoadCatalog(assets.FS)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"penalty", "penalty-simple", "inspection", "coercion", "permit"} {
		p := cat.Procedures[id]
		if p == nil {
			t.Fatalf("no procedure %s", id)
		}
		body := publicGet(t, e, "/public/procedures/"+id, 200)
		svg := body[strings.Index(body, "<svg"):strings.Index(body, "</svg>")]
		if !strings.Contains(svg, `viewBox="0 0 360 `) {
			t.Errorf("%s: no flowchart", id)
		}
		if n := strings.Count(svg, `class="fc-lane"`); n != len(p.Stages) {
			t.Errorf("%s: %d lanes, %d stages", id, n, len(p.Stages))
		}
		if n := strings.Count(svg, `class="fc-step"`); n != len(p.Steps) {
			t.Errorf("%s: %d boxes, %d steps", id, n, len(p.Steps))
		}
		last := -1
		for _, stage := range p.Stages {
			for _, st := range p.Steps {
				if st.Stage != stage.ID {
					continue
				}
				i := strings.Index(svg, `data-step="`+st.Kind+`"`)
				if i < 0 {
					t.Errorf("%s: step %s not drawn", id, st.Kind)
					continue
				}
				if i < last {
					t.Errorf("%s: step %s out of order", id, st.Kind)
				}
				last = i
				box := svg[i:]
				box = box[:strings.Index(box, "</g>")]
				flat := regexp.MustCompile(`<[^>]+>`).ReplaceAllString(box, "")
				if !strings.Contains(flat, st.Label) {
					t.Errorf("%s/%s: label missing", id, st.Kind)
				}
				if st.Mandatory != strings.Contains(flat, "必经") {
					t.Errorf("%s/%s: mandatory mark %v", id, st.Kind, st.Mandatory)
				}
				if st.Evidence.AV != strings.Contains(flat, "音像") {
					t.Errorf("%s/%s: A/V mark %v", id, st.Kind, st.Evidence.AV)
				}
				// The whole citation is in the box, wrapped over lines.
				if cite := enforce.Cite(st.Article); !strings.Contains(flat, "依据："+cite) {
					t.Errorf("%s/%s: basis %q not in %q", id, st.Kind, cite, flat)
				}
			}
		}
	}
	body := publicGet(t, e, "/public/procedures/inspection", 200)
	if !strings.Contains(body, "《武汉市行政执法全过程记录办法》第十四条") {
		t.Error("show_id basis not cited in Chinese")
	}
}

// SPEC F3 P7: the server signs each officer's credential in the catalog;
// the officer page verifies a signature from the QR code, reports a forged
// or altered one invalid, and shows a suspension at once.
func TestPublicCredentialSignatureAndSuspension(t *testing.T) {
	e := start(t, nil)
	pub := e.m.Data.Key.Public().(ed25519.PublicKey)
	o := officerItem(t, e, "15010001")
	if !credential.Verify(pub, o.Cert, o.Name, o.Expires, o.CredentialSig) {
		t.Fatalf("catalog item signature %q does not verify", o.CredentialSig)
	}
	qr := func(exp, sig string) string {
		return "/public/officers/15010001?" + url.Values{"exp": {exp}, "sig": {sig}}.Encode()
	}
	good := publicGet(t, e, qr(o.Expires, o.CredentialSig), 200)
	if !strings.Contains(good, "证件签名有效") || !strings.Contains(good, `data-valid="true"`) {
		t.Error("a server-signed credential is not reported valid")
	}
	if !strings.Contains(good, "lawtrace-credential-v1\n15010001|王强|"+o.Expires) {
		t.Error("the page does not show the signed message")
	}
	_, other, _ := ed25519.GenerateKey(nil)
	for name, path := range map[string]string{
		"forged":  qr(o.Expires, credential.Sign(other, o.Cert, o.Name, o.Expires)),
		"altered": qr("2099-12-31", o.CredentialSig),
		"garbage": qr(o.Expires, "AAAA"),
	} {
		body := publicGet(t, e, path, 200)
		if !strings.Contains(body, "证件签名无效") || !strings.Contains(body, `data-valid="false"`) {
			t.Errorf("%s signature not reported invalid", name)
		}
	}
	if body := publicGet(t, e, qr("2099-12-31", credential.Sign(e.m.Data.Key, o.Cert, o.Name, "2099-12-31")), 200); !strings.Contains(body, "证件签名有效") ||
		!strings.Contains(body, "二维码中的有效期（2099-12-31）与登记的有效期") {
		t.Error("an old signed expiry is not flagged")
	}

	// The admin suspends the officer; the page says so at once.
	adm := e.as("admin")
	form := url.Values{"name": {o.Name}, "unit": {o.Unit}, "category": {o.Category}, "area": {o.Area}, "expires": {o.Expires}, "suspended": {"yes"}}
	if r := adm.post("/admin/officers/15010001", form); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("suspend: %d %s", r.StatusCode, r.body)
	}
	suspendedAt := time.Now()
	var body string
	for {
		body = publicGet(t, e, qr(o.Expires, o.CredentialSig), 200)
		if strings.Contains(body, `data-state="suspended"`) {
			break
		}
		if time.Since(suspendedAt) > time.Second {
			t.Fatal("the suspension does not show within a second")
		}
	}
	t.Logf("suspension shown %v after the admin's request returned", time.Since(suspendedAt))
	if !strings.Contains(body, "暂停使用") || !strings.Contains(body, "证件签名有效") {
		t.Error("a suspended credential: state or signature")
	}
	if list := publicGet(t, e, "/public/officers", 200); strings.Contains(list, "15010001") {
		t.Error("a suspended officer is still on the list")
	}
	// The suspension is a new catalog version, signed again.
	if o2 := officerItem(t, e, "15010001"); !o2.Suspended || !credential.Verify(pub, o2.Cert, o2.Name, o2.Expires, o2.CredentialSig) {
		t.Error("the suspended version is not signed")
	}
}

// SPEC P7: the offline check the verify page explains works with OpenSSL
// (the commands as printed, with the page's PEM key).
func TestPublicOfflineCheckWithOpenSSL(t *testing.T) {
	testtool.Path(t, "openssl", "apt-get install openssl")
	e := start(t, nil)
	o := officerItem(t, e, "15010002")
	page := html.UnescapeString(publicGet(t, e, "/public/verify", 200))
	pemStart := strings.Index(page, "-----BEGIN PUBLIC KEY-----")
	pemEnd := strings.Index(page, "-----END PUBLIC KEY-----")
	if pemStart < 0 || pemEnd < 0 {
		t.Fatal("no PEM key on the page")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "key.pem"), []byte(page[pemStart:pemEnd]+"-----END PUBLIC KEY-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cmds := regexp.MustCompile(`(?s)<pre class="pub-pre">(printf.*?)</pre>`).FindStringSubmatch(page)
	if cmds == nil {
		t.Fatal("no commands on the page")
	}
	script := strings.NewReplacer("证号", o.Cert, "姓名", o.Name, "有效期", o.Expires, "签名", o.CredentialSig).Replace(cmds[1])
	run := func(script string) (string, error) {
		cmd := exec.Command("bash", "-c", script)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	if out, err := run(script); err != nil || !strings.Contains(out, "Signature Verified Successfully") {
		t.Fatalf("the page's commands do not verify a good signature: %v\n%s\n%s", err, script, out)
	}
	bad := strings.Replace(script, o.Expires, "2099-12-31", 1)
	if out, err := run(bad); err == nil || strings.Contains(out, "Signature Verified Successfully") {
		t.Fatalf("an altered expiry verifies: %s", out)
	}
}

// benchServer opens a demo server for a benchmark and returns its pages.
func benchServer(b *testing.B) http.Handler {
	m, err := server.Open(server.Config{DataDir: b.TempDir(), Listen: "127.0.0.1:0", Demo: true,
		Web: web.Options{PasswordCost: bcrypt.MinCost}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { m.Close() })
	return m.Web
}

func benchPage(b *testing.B, path string) {
	h := benchServer(b)
	req := httptest.NewRequest("GET", path, nil)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != 200 {
		b.Fatalf("%s: %d", path, rec.Code)
	}
	b.SetBytes(int64(rec.Body.Len()))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatal(rec.Code)
		}
	}
}

// The officer page a credential QR opens, with a signature to verify (SPEC P7).
func BenchmarkPublicOfficerPage(b *testing.B) {
	benchPage(b, "/public/officers/15010001?exp=2099-12-31&sig=AAAA")
}

// The largest flowchart (inspection, 16 steps in 5 lanes), drawn per request.
func BenchmarkPublicFlowchart(b *testing.B) { benchPage(b, "/public/procedures/inspection") }
