package web_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"lawtrace/backend/internal/auth"
	"lawtrace/backend/internal/publicity"
	"lawtrace/backend/internal/server"
	"lawtrace/backend/internal/web"
	"lawtrace/shared/enforce"
)

// The pages are Chinese (SPEC D1 D2 D3): no English word and no internal
// code (a step kind, a field key, an error string of the code) in the text
// a person reads. These are the only ASCII words allowed, each a name or an
// acronym that a Chinese page writes this way too.
var allowedWords = map[string]bool{
	"LawTrace": true,                               // the product's name
	"SHA-256":  true, "Ed25519": true, "RFC": true, // the hash, the signature scheme, RFC 6962 (the Merkle log)
	"PDF": true, "QR": true, "URL": true, "JSON": true, "CSV": true, "HTTPS": true, // file formats and protocols
	"A/V": true, "ID": true, // as in 音视频 A/V, 设备 ID
	"MB": true, "KB": true, "GB": true, "B": true, "ms": true, "s": true, // units
}

var (
	asciiToken = regexp.MustCompile(`[A-Za-z0-9][A-Za-z0-9_.:/+\-]*[A-Za-z0-9]|[A-Za-z]`)
	// numbers, dates and times, with a unit: 2026-03-02, 10:04:05, +1.5s, 12.0
	numeric = regexp.MustCompile(`^[+-]?[0-9][0-9.,:/\-]*(ms|s|µs)?$`)
	// hashes, fingerprints, device and case ids, credential numbers: hex
	// digits with at least one digit (C1, 20260302-0ff1ce01, 3fa9…)
	hexID = regexp.MustCompile(`^[0-9A-Fa-f\-_/:]*[0-9][0-9A-Fa-f\-_/:]*$`)
	// an address: the server's own (enrolment) or a link the agency gave
	address = regexp.MustCompile(`^(https?|wss?)://`)
	// an official item or document code: XK-001, QZ-002
	itemCode = regexp.MustCompile(`^[A-Z]{1,4}-?[0-9]+$`)
	// e-mail addresses and web sites in what people wrote (a decision's facts, an agency's site)
	mailOrSite = regexp.MustCompile(`[\w.+\-]+@[\w\-]+(\.[\w\-]+)+|\b(www\.)?[\w\-]+(\.[\w\-]+)*\.(cn|com|org|net)\b`)
	// a file's own name, as the terminal recorded it
	fileName = regexp.MustCompile(`^[\w\-.]+\.(pdf|wav|mp4|mp3|m4a|jpg|jpeg|png|json|csv)$`)
)

// visibleText is the text of an HTML page a person reads: no tags,
// attributes, scripts, styles or comments.
func visibleText(page string) string {
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`(?is)<script\b.*?</script>`), regexp.MustCompile(`(?is)<style\b.*?</style>`),
		regexp.MustCompile(`(?s)<!--.*?-->`),
		// literal strings, not prose: commands, JSON, keys, user names, version strings
		regexp.MustCompile(`(?is)<pre\b.*?</pre>`), regexp.MustCompile(`(?is)<code\b.*?</code>`), regexp.MustCompile(`(?is)<kbd\b.*?</kbd>`), regexp.MustCompile(`(?is)<svg\b[^>]*>`), regexp.MustCompile(`(?s)<[^>]*>`),
	} {
		page = re.ReplaceAllString(page, " ")
	}
	return html.UnescapeString(page)
}

// foreignWords lists the ASCII words of text that are not allowed.
func foreignWords(text string) []string {
	var out []string
	text = mailOrSite.ReplaceAllString(text, " ")
	for _, w := range asciiToken.FindAllString(text, -1) {
		w = strings.TrimRight(w, ".:")
		switch {
		case w == "", allowedWords[w], numeric.MatchString(w), itemCode.MatchString(w), hexID.MatchString(w), address.MatchString(w), fileName.MatchString(w):
		default:
			out = append(out, w)
		}
	}
	return out
}

func TestForeignWordsDetector(t *testing.T) {
	for _, ok := range []string{"共 3 条 · 12.5 MB", "2026-03-02 10:04:05", "C1", "20260302-0ff1ce01", "SHA-256 3fa9c0de", "RFC 6962", "+1.5s", "statement.wav"} {
		if w := foreignWords(ok); len(w) > 0 {
			t.Errorf("%q: %v", ok, w)
		}
	}
	for _, bad := range []string{"explanation.basic_facts", "penalty", "2026-03-02T10:04:05Z", "UTC", "decision gate: not allowed", "fine"} {
		if w := foreignWords(bad); len(w) == 0 {
			t.Errorf("%q passed", bad)
		}
	}
}

// seedEverything records what every page shows: a case with files, a
// penalty case in legal review with a deadline, an on-the-spot decision,
// publicity items and published decisions, access requests and security
// events.
func seedEverything(t *testing.T, e *env) (cases []string) {
	t.Helper()
	caseWithMedia(t, e)
	tm := e.terminal(31, "二中队 2 号")
	var crew []enforce.Officer
	for _, o := range server.DemoOfficers(time.Now()) {
		if o.Cert == "15010001" || o.Cert == "15010002" {
			crew = append(crew, o)
		}
	}
	const general, spot = "20260302-0ff1ce01", "20260302-5f070001"
	tm.push(t,
		tm.d.Entry(general, "case_open", map[string]any{"procedure": "penalty", "procedure_version": 1, "party": "新城区某食品有限公司", "party_kind": "org", "source": "complaint", "officers": crew}),
		tm.d.Entry(general, "inquiry_notes", map[string]any{"fields": map[string]any{"person_name": "张三", "questions_answers": "问：是否销售过期食品？答：是。"}}),
		tm.d.Entry(general, "close_scene", map[string]any{}),
	)
	proposeAndSubmit(t, e, general)
	tm2 := e.terminal(32, "二中队 3 号")
	tm2.push(t,
		tm2.d.Entry(spot, "case_open", map[string]any{"procedure": "penalty-simple", "procedure_version": 2, "party": "李四", "party_kind": "person", "source": "inspection", "officers": crew}),
		tm2.d.Entry(spot, "on_spot_decision", map[string]any{"fields": map[string]string{"penalty": "fine", "amount": "200", "payment": "on_spot"}}),
		tm2.d.Entry(spot, "close_scene", map[string]any{}),
	)
	// a terminal whose clock is off and a file overdue
	e.terminalRecordedAgo(33, "三中队 1 号", 30*time.Hour, "20260301-0a0b0c0d", "呼和浩特市某超市")

	svc := web.PublicityService(e.m.Data.Store, e.m.Data.Now)
	ids := seedPublicity(t, svc)
	if _, err := svc.Approve(context.Background(), ids["呼市监罚〔2025〕102号"], publicity.Actor{Username: "reviewer", Role: "reviewer"}, "同意公开"); err != nil {
		t.Fatal(err)
	}
	// last year's statistics, generated and published
	if _, err := svc.GenerateAnnual(context.Background(), 2025, "呼和浩特市市场监督管理局", "", publicity.Actor{Username: "reviewer", Name: "周敏", Role: "reviewer"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ApproveAnnual(context.Background(), 2025, publicity.Actor{Username: "supervisor", Name: "张建国", Role: "supervisor"}, "同意公开"); err != nil {
		t.Fatal(err)
	}

	// security events: a refused page, a failed sign-in
	e.as("officer").get("/admin/devices")
	e.anonymous().do("POST", "/login", url.Values{"username": {"admin"}, "password": {"wrong"}})
	// an access request that needs approval
	off := e.as("officer")
	off.post("/cases/C1/requests", url.Values{"purpose": {"party"}, "reason": {"当事人申请查阅案卷"}, "action": {"view"}})
	return []string{"C1", general, spot, "20260301-0a0b0c0d"}
}

// SPEC D1 D2 D3: every page of the route table, as every role that may see
// it (and the public portal as a visitor), shows Chinese text: no English
// word and no internal code. The walk follows the pages' own links, so
// every case, review, publicity item, officer and procedure version shown
// in a list is opened too.
func TestPagesSpeakChinese(t *testing.T) {
	if testing.Short() {
		t.Skip("walks every page")
	}
	e := start(t, nil)
	cases := seedEverything(t, e)
	routes := e.m.Web.Routes()

	mux := http.NewServeMux()
	byPattern := map[string]web.Route{}
	for _, rt := range routes {
		if rt.Method != "GET" {
			continue
		}
		byPattern[rt.Pattern()] = rt
		mux.HandleFunc(rt.Pattern(), func(http.ResponseWriter, *http.Request) {})
	}
	skip := regexp.MustCompile(`^/static/|/ws$|/media/|/files/|\.(csv|pdf|atom|xml)$`)

	visited := map[string]map[string]bool{} // pattern → roles that saw a page of it
	walk := func(who string, b *browser, allowed func(web.Route) bool) {
		seen := map[string]bool{}
		perPattern := map[string]int{}
		var queue []string
		for _, rt := range routes {
			if rt.Method == "GET" && allowed(rt) && !strings.Contains(rt.Path, "{") {
				queue = append(queue, strings.TrimSuffix(strings.ReplaceAll(rt.Path, "{$}", ""), "/static/"))
			}
		}
		for _, id := range cases {
			queue = append(queue, "/cases/"+id, "/review/cases/"+id, "/review/cases/"+id+"/lifecycle")
		}
		links := regexp.MustCompile(`href="(/[^"#]*)"`)
		for len(queue) > 0 {
			p := html.UnescapeString(queue[0])
			queue = queue[1:]
			if p == "" || seen[p] || skip.MatchString(strings.SplitN(p, "?", 2)[0]) {
				continue
			}
			seen[p] = true
			req, _ := http.NewRequest("GET", p, nil)
			_, pattern := mux.Handler(req)
			rt, ok := byPattern[pattern]
			if !ok || !allowed(rt) || rt.Path == "/{$}" || rt.Path == "/login" && b.csrf != "" {
				continue
			}
			if perPattern[pattern] >= 4 {
				continue
			}
			perPattern[pattern]++
			resp := b.get(p)
			if resp.StatusCode == http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
				continue
			}
			if resp.StatusCode == http.StatusNotFound && strings.Contains(rt.Path, "{") {
				continue // a link to something not there (an unpublished year)
			}
			if visited[pattern] == nil {
				visited[pattern] = map[string]bool{}
			}
			visited[pattern][who] = true
			if w := foreignWords(visibleText(resp.body)); len(w) > 0 {
				t.Errorf("%s as %s (%d): English or internal codes %q", p, who, resp.StatusCode, dedupe(w))
			}
			for _, m := range links.FindAllStringSubmatch(resp.body, -1) {
				queue = append(queue, m[1])
			}
		}
	}
	for _, role := range auth.AllRoles {
		b := e.as(roleUsers[role])
		if role != auth.Admin {
			for _, id := range cases {
				b.post("/cases/"+id+"/access", url.Values{"purpose": {"supervision"}, "reason": {"执法监督检查抽查"}})
			}
		}
		walk(string(role), b, func(rt web.Route) bool { return !rt.Public && rt.Allows(role) })
	}
	walk("visitor", e.anonymous(), func(rt web.Route) bool { return rt.Public })

	// Every page was seen by someone.
	var missed []string
	for p, rt := range byPattern {
		if len(visited[p]) == 0 && !skip.MatchString(rt.Path) && rt.Path != "/{$}" {
			missed = append(missed, p)
		}
	}
	sort.Strings(missed)
	if len(missed) > 0 {
		t.Errorf("pages never walked: %v", missed)
	}
}

func dedupe(ws []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, w := range ws {
		if !seen[w] {
			seen[w] = true
			out = append(out, w)
		}
	}
	return out
}
