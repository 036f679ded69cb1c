package main

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"lawtrace/shared/workday"
)

// ---- a signed-in browser session, without a browser ----

type webUser struct {
	t    *testing.T
	base string
	c    *http.Client
	csrf string
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// signIn signs in through the login form (with its double-submit token)
// and picks the session's CSRF token from a page.
func signIn(t *testing.T, s *srv, username, password string) *webUser {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	u := &webUser{t: t, base: s.url(), c: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
	page := u.get("/login")
	m := csrfField.FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("login page without its token:\n%s", page)
	}
	resp, err := u.c.PostForm(u.base+"/login", url.Values{"username": {username}, "password": {password}, "csrf": {m[1]}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	m = csrfField.FindStringSubmatch(u.get("/review"))
	if m == nil {
		t.Fatalf("%s is not signed in", username)
	}
	u.csrf = m[1]
	return u
}

func (u *webUser) get(path string) string {
	u.t.Helper()
	resp, err := u.c.Get(u.base + path)
	if err != nil {
		u.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

// api calls the review JSON API and decodes the answer into out (if any).
func (u *webUser) api(method, path string, body any, out any) (int, string) {
	u.t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, u.base+path, r)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("X-CSRF-Token", u.csrf)
	resp, err := u.c.Do(req)
	if err != nil {
		u.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			u.t.Fatalf("%s %s: %v\n%s", method, path, err, b)
		}
	}
	return resp.StatusCode, string(b)
}

func (u *webUser) upload(caseID, name, content string) string {
	u.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write([]byte(content))
	_ = mw.Close()
	req, _ := http.NewRequest("POST", u.base+"/api/review/cases/"+caseID+"/files", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-CSRF-Token", u.csrf)
	resp, err := u.c.Do(req)
	if err != nil {
		u.t.Fatal(err)
	}
	defer resp.Body.Close()
	var f struct{ Hash string }
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 201 || json.Unmarshal(b, &f) != nil {
		u.t.Fatalf("upload %s: %d %s", name, resp.StatusCode, b)
	}
	return f.Hash
}

// ---- the case on the terminal ----

const strokes = `{"width":300,"height":100,"strokes":[[{"x":10,"y":10,"t":0},{"x":50,"y":60,"t":30},{"x":120,"y":20,"t":60}]]}`

// penaltyCase records a general-procedure penalty on the terminal up to
// the end of the on-scene record: credentials shown on video, rights
// notified and signed, the party questioned, the scene closed.
func (tm *terminal) penaltyCase(party string) string {
	tm.t.Helper()
	dir := tm.t.TempDir()
	sig, video := filepath.Join(dir, "sig.json"), filepath.Join(dir, "show-id.mp4")
	if err := os.WriteFile(sig, []byte(strokes), 0o600); err != nil {
		tm.t.Fatal(err)
	}
	writeRandom(tm.t, video, 50_000, 9)
	var c struct{ ID string }
	out := tm.must("case", "new", "--type", "penalty", "--party", party, "--party-kind", "org", "--source", "complaint",
		"--officer", "15010001", "--officer", "15010002", "--json")
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		tm.t.Fatal(err)
	}
	// 王强 records; the company's manager 张三 signs for it; both officers sign the notes.
	tm.must("step", c.ID, "show_id", "--by", "15010001", "--attach", video)
	tm.must("step", c.ID, "notify_rights", "--by", "15010001", "--set", "rights_version=penalty-v2", "--set", "acknowledgement=signed", "--set", "party_agent=张三",
		"--sign", "party="+sig, "--signer", "party=张三")
	tm.must("step", c.ID, "inquiry_notes", "--by", "15010001", "--set", "person_name=张三", "--set", "person_role=party", "--set", "start_time=2026-03-02 10:00",
		"--set", "location=店内", "--set", "questions_answers=问：是否销售过期食品？答：是。",
		"--sign", "officer:王强="+sig, "--sign", "officer:李明="+sig, "--sign", "person:张三="+sig)
	tm.must("case", "close-scene", c.ID, "--by", "15010001")
	return c.ID
}

// reviewState is the part of GET /api/review/cases/{id} the test reads.
type reviewState struct {
	Required bool `json:"review_required"`
	Matches  []struct {
		RuleID  string `json:"rule_id"`
		Article string `json:"article"`
	} `json:"matches"`
	Review struct {
		State     string    `json:"state"`
		Submitted time.Time `json:"submitted"`
		Extended  bool      `json:"extended"`
		Rounds    int       `json:"rounds"`
	} `json:"review"`
	Due         time.Time `json:"due"`
	DueVerified bool      `json:"due_verified"`
	Decision    *struct {
		Approver string `json:"approver"`
	} `json:"decision"`
	Steps []struct {
		Step string `json:"step"`
	} `json:"steps"`
}

var cst = time.FixedZone("CST", 8*3600)

// SPEC L1 L2 L3 L4 L5 R2 R9 D5 F9: with the real server and terminal, a
// penalty with a fine over the catalog threshold cannot be decided until
// reviewed (the refusal names the rule and the article); a "supplement"
// opinion sends it back; after resubmission, the head's one extension
// (a second one refused) and "agree", the decision is recorded; the
// deadlines run on working days; the terminal serves the decision in its
// own chain afterwards; verify stays clean with the office chain in the
// log.
func TestReviewEndToEnd(t *testing.T) {
	s := startServer(t)
	tm := newTerminal(t, s, "patrol-review", "")
	tm.must("sync")
	id := tm.penaltyCase("新城区某食品有限公司")
	tm.must("sync")

	officer := signIn(t, s, "officer", "lawtrace-officer")
	head := signIn(t, s, "supervisor", "lawtrace-supervisor")
	lawyer := signIn(t, s, "reviewer", "lawtrace-reviewer")
	base := "/api/review/cases/" + id

	docs := map[string]string{}
	for _, name := range []string{"investigation_report", "draft_decision", "evidence", "test_report", "decision", "minutes", "waiver"} {
		docs[name] = officer.upload(id, name+".pdf", name+" of case "+id)
	}
	// SPEC C1 C2: 立案 approved by the head, the prior notice served and
	// the party's written waiver of statement and hearing, before any
	// decision may be recorded (行政处罚法 §54, §62-64).
	for _, step := range []struct {
		who  *webUser
		name string
		body map[string]any
	}{
		{officer, "register_request", map[string]any{"facts": "投诉举报：销售标签不全的预包装食品", "handler_opinion": "建议立案", "unit_opinion": "同意",
			"channel": "phone", "content": "举报某公司销售标签不全的预包装食品"}},
		{head, "register_approval", map[string]any{"outcome": "register", "opinion": "同意立案"}},
		{officer, "prior_notice", map[string]any{"number": "新市监告〔2026〕18号", "facts": "销售标签不全的预包装食品", "reasons": "违反《食品安全法》第六十七条",
			"basis": "《食品安全法》第一百二十五条", "measures": []string{"fine", "confiscate"}, "fine": 150000}},
		{officer, "prior_notice_served", map[string]any{"method": "direct", "recipient": "新城区某食品有限公司（法定代表人）"}},
		{officer, "rights_waiver", map[string]any{"file": docs["waiver"], "at": time.Now().In(time.FixedZone("CST", 8*3600)).Format("2006-01-02 15:04")}},
	} {
		if code, body := step.who.api("POST", base+"/"+step.name, step.body, nil); code != 200 {
			t.Fatalf("%s: %d %s", step.name, code, body)
		}
	}

	var st reviewState
	if code, body := officer.api("POST", base+"/proposal", map[string]any{"proposal": map[string]any{"measures": []string{"fine", "confiscate"}, "fine": 150000},
		"summary": "罚款 15 万元，没收违法所得"}, &st); code != 200 || !st.Required || len(st.Matches) != 2 || st.Matches[1].RuleID != "large-fine" {
		t.Fatalf("proposal: %d %s", code, body)
	}
	decision := map[string]any{"document": map[string]any{"number": "新市监罚〔2026〕18号", "title": "行政处罚决定书", "file": docs["decision"]},
		"collective_discussion": map[string]any{"date": time.Now().In(cst).Format(time.DateOnly), "participants": []string{"张建国", "刘副局长", "陈副局长"},
			"conclusion": "同意法制审核意见，作出处罚决定", "minutes": docs["minutes"]}}
	code, body := head.api("POST", base+"/decision", decision, nil)
	if code != 409 || !strings.Contains(body, "rule large-fine") || !strings.Contains(body, "000-review §3(2)") || !strings.Contains(body, `"article":"000-review §5, §14; 002-review §2"`) {
		t.Fatalf("decision before review: %d %s", code, body)
	}
	if code, body := lawyer.api("POST", base+"/proposal", map[string]any{"proposal": map[string]any{}}, nil); code != 403 {
		t.Fatalf("a reviewer proposing: %d %s", code, body)
	}

	explanation := map[string]string{"basic_facts": "当事人销售超过保质期的食品 120 袋", "law_and_discretion": "《食品安全法》第一百二十四条；裁量基准：一般情节",
		"officer_qualification": "王强 15010001、李明 15010002，执法证有效", "investigation_and_hearing": "现场检查、询问当事人；当事人放弃听证"}
	material := func(ids ...string) []map[string]any {
		var out []map[string]any
		for _, m := range ids {
			out = append(out, map[string]any{"id": m, "files": []string{docs[m]}})
		}
		return out
	}
	code, body = officer.api("POST", base+"/submit", map[string]any{"materials": material("investigation_report", "draft_decision"), "explanation": explanation}, nil)
	if code != 409 || !strings.Contains(body, `"missing":[{"name":"evidence","zh":"相关证据资料","en":"evidence"}]`) {
		t.Fatalf("submission without evidence: %d %s", code, body)
	}
	if code, body := officer.api("POST", base+"/submit", map[string]any{"materials": material("investigation_report", "draft_decision", "evidence"), "explanation": explanation}, &st); code != 200 || st.Review.State != "under_review" {
		t.Fatalf("submit: %d %s", code, body)
	}
	cal := workday.Default()
	if want, _ := cal.Deadline(st.Review.Submitted.In(cst), 3); !st.Due.Equal(want) || !st.DueVerified {
		t.Fatalf("due %s, want the end of the 3rd working day after %s: %s", st.Due, st.Review.Submitted, want)
	}

	findings := func(problem string) []map[string]any {
		var out []map[string]any
		for _, item := range []string{"subject", "qualification", "facts", "evidence", "procedure", "law", "discretion", "authority", "documents", "crime_transfer"} {
			f := map[string]any{"item": item, "ok": item != problem}
			if item == problem {
				f["note"] = "缺少抽样检验报告"
			}
			out = append(out, f)
		}
		return out
	}
	if code, body := lawyer.api("POST", base+"/opinion", map[string]any{"kind": "supplement", "reasons": "补充抽样检验报告", "findings": findings("evidence")}, &st); code != 200 || st.Review.State != "returned" {
		t.Fatalf("supplement: %d %s", code, body)
	}
	if code, body := head.api("POST", base+"/decision", decision, nil); code != 409 || !strings.Contains(body, "the review is returned") {
		t.Fatalf("decision after supplement: %d %s", code, body)
	}
	mats := append(material("investigation_report", "draft_decision", "evidence"), map[string]any{"id": "evidence", "files": []string{docs["test_report"]}, "note": "抽样检验报告"})
	if code, body := officer.api("POST", base+"/submit", map[string]any{"materials": mats, "explanation": explanation}, &st); code != 200 || st.Review.Rounds != 2 {
		t.Fatalf("resubmission: %d %s", code, body)
	}
	if code, body := lawyer.api("POST", base+"/extend", map[string]any{"reason": "x"}, nil); code != 403 {
		t.Fatalf("a reviewer extending: %d %s", code, body)
	}
	if code, body := head.api("POST", base+"/extend", map[string]any{"reason": "案情复杂，涉及多个法律关系"}, &st); code != 200 || !st.Review.Extended {
		t.Fatalf("extension: %d %s", code, body)
	}
	if want, _ := cal.Deadline(st.Review.Submitted.In(cst), 5); !st.Due.Equal(want) {
		t.Fatalf("extended due %s, want 3+2 working days after %s: %s", st.Due, st.Review.Submitted, want)
	}
	if code, body := head.api("POST", base+"/extend", map[string]any{"reason": "再延"}, nil); code != 409 || !strings.Contains(body, "already extended once") || !strings.Contains(body, "000-review §12") {
		t.Fatalf("a second extension: %d %s", code, body)
	}
	if code, body := lawyer.api("POST", base+"/opinion", map[string]any{"kind": "agree", "findings": findings("")}, &st); code != 200 || st.Review.State != "agreed" {
		t.Fatalf("agree: %d %s", code, body)
	}
	if code, body := head.api("POST", base+"/decision", decision, &st); code != 200 || st.Decision == nil || st.Decision.Approver != "张建国（大队长）" {
		t.Fatalf("decision: %d %s", code, body)
	}
	var steps []string
	for _, s := range st.Steps {
		steps = append(steps, s.Step)
	}
	if got := strings.Join(steps, ","); got != "register_request,register_approval,prior_notice,prior_notice_served,rights_waiver,decision_proposal,review_submit,review_opinion,review_submit,review_extend,review_opinion,decision" {
		t.Fatalf("office chain %s", got)
	}

	// The terminal serves the decision: its own chain of the case goes on.
	sig := filepath.Join(t.TempDir(), "sig.json")
	_ = os.WriteFile(sig, []byte(strokes), 0o600)
	tm.must("step", id, "serve", "--by", "15010002", "--set", "document=行政处罚决定书", "--set", "document_kind=decision", "--set", "document_number=新市监罚〔2026〕18号",
		"--set", "method=direct", "--set", "date="+time.Now().In(cst).Format(time.DateOnly), "--set", "recipient_name=张三",
		"--sign", "recipient:张三="+sig, "--sign", "server:李明="+sig)
	tm.must("sync")
	if st := tm.status(); st.Outbox != 0 {
		t.Fatalf("the serve entry was not accepted: %+v", st)
	}

	s.verifyClean()
	out := s.mustOp("review", "show", id)
	if !strings.Contains(out, "review agreed") || !strings.Contains(out, "rule large-fine (000-review §3(2))") || !strings.Contains(out, "负责人批准延长 2 个工作日") {
		t.Fatalf("review show:\n%s", out)
	}
	var items []struct {
		Kind, State string
	}
	if err := json.Unmarshal([]byte(s.mustOp("deadlines", "--case", id, "--json")), &items); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, it := range items {
		got[it.Kind] = it.State
	}
	if got["legal_review"] != "met" || got["publication"] != "running" || got["av_upload"] != "met" {
		t.Fatalf("deadlines %v", got)
	}
	_, entries, _ := expected(t, tm)
	if st := s.stats(); st.Entries != entries+len(steps) || st.TreeSize != st.Entries {
		t.Fatalf("stats %+v: terminal entries %d + office entries %d", st, entries, len(steps))
	}

}
