package reviewsrv

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"lawtrace/shared/review"
)

// testAuth names the user by a header; a POST with X-Test-Forged fails
// the CSRF check, like the web package's guard.
var testAuth = AuthenticatorFunc(func(r *http.Request) (User, error) {
	users := map[string]User{"officer": officer, "officer2": officer2, "reviewer": lawyer, "supervisor": head, "admin": admin}
	u, ok := users[r.Header.Get("X-Test-User")]
	if !ok {
		return User{}, ErrUnauthenticated
	}
	if r.Method == http.MethodPost && r.Header.Get("X-Test-Forged") != "" {
		return User{}, ErrForged
	}
	return u, nil
})

type apiClient struct {
	t   *testing.T
	srv *httptest.Server
}

func (c apiClient) do(user, method, path string, body any) (int, []byte) {
	c.t.Helper()
	var r io.Reader
	ct := ""
	switch b := body.(type) {
	case nil:
	case []byte:
		r, ct = bytes.NewReader(b), "application/json"
	case string:
		r, ct = strings.NewReader(b), "application/json"
	default:
		data, _ := json.Marshal(b)
		r, ct = bytes.NewReader(data), "application/json"
	}
	req, _ := http.NewRequest(method, c.srv.URL+path, r)
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	if user != "" {
		req.Header.Set("X-Test-User", user)
	}
	resp, err := c.srv.Client().Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

func (c apiClient) upload(user, caseID, name, content string) (int, []byte) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write([]byte(content))
	_ = mw.Close()
	req, _ := http.NewRequest("POST", c.srv.URL+"/api/review/cases/"+caseID+"/files", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("X-Test-User", user)
	resp, err := c.srv.Client().Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, out
}

// SPEC L1 L2 L5 R9 P1: the JSON API — the catalog is public, everything
// else needs a user whose role may take the action; refusals come back as
// JSON with the rule, the article and the missing list.
func TestAPI(t *testing.T) {
	f := newFixture(t, cstTime(2026, 3, 9, 10, 0))
	mux := http.NewServeMux()
	f.svc.Register(mux, testAuth)
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := apiClient{t, srv}
	const id = "20260309-abab0008"
	f.penaltyCase(id, "org", "")

	req, _ := http.NewRequest("GET", srv.URL+"/api/review/catalog", nil)
	resp, err := srv.Client().Do(req)
	if err != nil || resp.StatusCode != 200 || resp.Header.Get("X-Catalog-Version") != "1" {
		t.Fatalf("public catalog: %v %v", resp, err)
	}
	var cat review.Catalog
	if err := json.NewDecoder(resp.Body).Decode(&cat); err != nil || len(cat.Rules) != 7 {
		t.Fatalf("catalog body %v", err)
	}
	resp.Body.Close()

	tests := []struct {
		user, method, path string
		body               any
		status             int
		want               string
	}{
		{"", "GET", "/api/review/cases", nil, 401, `"error":"unauthenticated"`},
		{"", "GET", "/api/review/reference", nil, 200, `"crime_transfer"`},
		{"", "GET", "/api/review/catalog/1", nil, 200, `"large-fine"`},
		{"", "GET", "/api/review/catalog/9", nil, 404, `no review catalog version 9`},
		{"", "GET", "/api/review/catalogs", nil, 200, `"version":1`},
		{"", "POST", "/api/review/catalog", `{}`, 401, ""},
		{"officer", "POST", "/api/review/catalog", `{}`, 403, `publishing a review catalog is for admin`},
		{"admin", "POST", "/api/review/catalog", `{"agency":"A","version":2}`, 400, `disagreement must be`},
		{"reviewer", "POST", "/api/review/cases/" + id + "/proposal", map[string]any{"proposal": map[string]any{"fine": 150000}}, 403, `proposing a decision is for officer or supervisor`},
		{"officer", "POST", "/api/review/cases/" + id + "/proposal", `{"proposal":{"fine":150000},"colour":"red"}`, 400, `unknown field`},
		{"officer", "POST", "/api/review/cases/" + id + "/proposal", map[string]any{"proposal": map[string]any{"fine": 150000, "measures": []string{"fine"}}}, 200, `"rule_id":"large-fine"`},
		{"officer", "POST", "/api/review/cases/nope/proposal", map[string]any{}, 404, `no case nope`},
		{"supervisor", "POST", "/api/review/cases/" + id + "/decision", map[string]any{"document": map[string]any{"number": "X"}}, 409, `rule large-fine「较大数额罚款`},
		{"officer", "POST", "/api/review/cases/" + id + "/submit", map[string]any{"materials": []any{}}, 409, `"missing":[{"name":"investigation_report"`},
		{"officer", "POST", "/api/review/cases/" + id + "/frobnicate", map[string]any{}, 404, `no review action`},
		{"reviewer", "POST", "/api/review/cases/" + id + "/extend", map[string]any{"reason": "x"}, 403, `extending a review is for supervisor`},
		{"officer", "POST", "/api/calendar", string(year2027("x")), 403, `loading a holiday year is for admin`},
		{"admin", "POST", "/api/calendar", `{"year":2027}`, 400, `naming the State Council notice`},
		{"admin", "POST", "/api/calendar", string(year2027("测试通知")), 201, `"year":2027`},
		{"officer", "GET", "/api/calendar", nil, 200, `"origin":"loaded"`},
		{"supervisor", "GET", "/api/deadlines?case=" + id, nil, 200, `[]`},
		{"admin", "POST", "/api/review/reviewers", map[string]any{"username": "qian", "name": "钱律", "active": true}, 400, `002-review §3`},
		{"admin", "POST", "/api/review/reviewers", map[string]any{"username": "qian", "name": "钱律", "qualification": "A2021", "active": true}, 200, `"qualification":"A2021"`},
		{"supervisor", "GET", "/api/review/staffing", nil, 200, `"required":0.05`},
		{"admin", "GET", "/api/review/staffing", nil, 200, `"officers"`},
		{"admin", "GET", "/api/review/cases", nil, 403, `the review queue is for supervisor or reviewer or officer`},
		{"admin", "GET", "/api/deadlines", nil, 403, `forbidden`},
		{"officer2", "GET", "/api/review/cases/" + id, nil, 403, `not on its crew`},
		{"officer2", "GET", "/api/review/cases", nil, 200, `[]`},
		{"officer2", "POST", "/api/review/cases/" + id + "/end", map[string]any{"reason": "x"}, 403, `not on its crew`},
		{"officer", "GET", "/api/review/cases", nil, 200, id},
	}
	for _, tc := range tests {
		status, body := c.do(tc.user, tc.method, tc.path, tc.body)
		if status != tc.status || !strings.Contains(string(body), tc.want) {
			t.Errorf("%s %s %s as %q: %d %s, want %d containing %s", tc.method, tc.path, tc.body, tc.user, status, body, tc.status, tc.want)
		}
	}
	// Forged state change (CSRF) is refused.
	req, _ = http.NewRequest("POST", srv.URL+"/api/review/cases/"+id+"/end", strings.NewReader(`{}`))
	req.Header.Set("X-Test-User", "officer")
	req.Header.Set("X-Test-Forged", "1")
	if resp, err := srv.Client().Do(req); err != nil || resp.StatusCode != 403 {
		t.Fatalf("forged: %v %v", resp, err)
	}

	// Upload, submit, opinion and decision over the API.
	var hashes []string
	for _, name := range []string{"report.pdf", "draft.pdf", "evidence.pdf", "decision.pdf", "minutes.pdf"} {
		status, body := c.upload("officer", id, name, "content of "+name)
		var file struct{ Hash, Name string }
		if err := json.Unmarshal(body, &file); status != 201 || err != nil || file.Name != name {
			t.Fatalf("upload %s: %d %s", name, status, body)
		}
		hashes = append(hashes, file.Hash)
	}
	if status, body := c.upload("reviewer", id, "x.pdf", "x"); status != 403 {
		t.Fatalf("a reviewer uploading: %d %s", status, body)
	}
	sub := SubmitRequest{Materials: []MaterialRef{{ID: "investigation_report", Files: hashes[:1]}, {ID: "draft_decision", Files: hashes[1:2]}, {ID: "evidence", Files: hashes[2:3]}},
		Explanation: explanation}
	if status, body := c.do("officer", "POST", "/api/review/cases/"+id+"/submit", sub); status != 200 || !strings.Contains(string(body), `"state":"under_review"`) {
		t.Fatalf("submit %d %s", status, body)
	}
	if status, body := c.do("officer", "GET", "/api/review/cases?state=under_review", nil); status != 200 || !strings.Contains(string(body), id) {
		t.Fatalf("queue %d %s", status, body)
	}
	op := OpinionRequest{Kind: "agree", Findings: findings("agree", "")}
	if status, body := c.do("reviewer", "POST", "/api/review/cases/"+id+"/opinion", op); status != 200 || !strings.Contains(string(body), `"state":"agreed"`) {
		t.Fatalf("opinion %d %s", status, body)
	}
	// SPEC C1 C2: the general procedure over the API; the gate refuses first.
	if status, body := c.do("supervisor", "POST", "/api/review/cases/"+id+"/decision", DecisionRequest{Document: DecisionDocument{Number: "罚〔2026〕5号", File: hashes[3]}}); status != 409 ||
		!strings.Contains(string(body), `"article":"行政处罚法 §54; 003 §12"`) {
		t.Fatalf("decision before 立案: %d %s", status, body)
	}
	for _, st := range []struct {
		user, step string
		req        LifeRequest
		status     int
		want       string
	}{
		{"officer", StepRegister, LifeRequest{Outcome: "register"}, 403, "recording register_approval is for supervisor"},
		{"officer", StepRegisterRequest, LifeRequest{Facts: "投诉", HandlerOpinion: "建议立案", UnitOpinion: "同意", Channel: "phone", Content: "销售过期食品"}, 200, `"register_request"`},
		{"supervisor", StepRegister, LifeRequest{Outcome: "register"}, 200, `"registered_at"`},
		{"officer", StepNotice, LifeRequest{Number: "告5", Facts: "事实", Reasons: "理由", Basis: "依据", Measures: []string{"fine"}, Fine: 150000}, 200, `"hearing_right":true`},
		{"officer", StepHearingRequest, LifeRequest{Way: "written"}, 409, `"article":"行政处罚法 §62"`},
		{"officer", StepNoticeServed, LifeRequest{Method: "direct", Recipient: "张三"}, 200, `"period_ends"`},
		{"officer", StepWaiver, LifeRequest{At: "2026-03-09", File: hashes[2]}, 200, `"waiver"`},
	} {
		if status, body := c.do(st.user, "POST", "/api/review/cases/"+id+"/"+st.step, st.req); status != st.status || !strings.Contains(string(body), st.want) {
			t.Fatalf("%s as %s: %d %s", st.step, st.user, status, body)
		}
	}
	dec := DecisionRequest{Document: DecisionDocument{Number: "罚〔2026〕5号", File: hashes[3]},
		Collective: &CollectiveDiscussion{Date: "2026-03-09", Participants: []string{"甲", "乙"}, Conclusion: "同意", Minutes: hashes[4]}}
	if status, body := c.do("supervisor", "POST", "/api/review/cases/"+id+"/decision", dec); status != 200 || !strings.Contains(string(body), `"approver":"张建国"`) {
		t.Fatalf("decision %d %s", status, body)
	}
	if status, body := c.do("supervisor", "GET", "/api/deadlines?case="+id+"&kind=publication", nil); status != 200 || !strings.Contains(string(body), `"state":"running"`) {
		t.Fatalf("deadlines %d %s", status, body)
	}
	f.verifyChains()
}
