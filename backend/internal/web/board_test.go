package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"lawtrace/shared/ledger"
)

type boardMsg struct {
	Type string `json:"type"`
	Rows []struct {
		ID   string `json:"id"`
		HTML string `json:"html"`
	} `json:"rows"`
}

// dialBoard opens the live board's websocket as the browser's account.
func dialBoard(t *testing.T, e *env, b *browser, origin string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	u, _ := url.Parse(e.url)
	h := http.Header{}
	var cookies []string
	for _, c := range b.c.Jar.Cookies(u) {
		cookies = append(cookies, c.Name+"="+c.Value)
	}
	h.Set("Cookie", strings.Join(cookies, "; "))
	if origin != "" {
		h.Set("Origin", origin)
	}
	return websocket.DefaultDialer.Dial("ws://"+e.m.Addr()+"/board/ws", h)
}

// next reads board messages until one of typ arrives (pings are skipped).
func next(t *testing.T, ws *websocket.Conn, typ string) boardMsg {
	t.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(20 * time.Second))
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			t.Fatalf("waiting for %s: %v", typ, err)
		}
		var m boardMsg
		if err := json.Unmarshal(data, &m); err != nil {
			t.Fatal(err)
		}
		if m.Type == typ {
			return m
		}
	}
}

// nextRow reads until an update of the case's row containing want (an
// update of an earlier sync may come first).
func nextRow(t *testing.T, ws *websocket.Conn, id, want string) string {
	t.Helper()
	for {
		m := next(t, ws, "rows")
		for _, r := range m.Rows {
			if r.ID == id && strings.Contains(r.HTML, want) {
				return r.HTML
			}
		}
	}
}

func rowIDs(m boardMsg) []string {
	var out []string
	for _, r := range m.Rows {
		out = append(out, r.ID)
	}
	return out
}

// SPEC D1: the board's websocket gives a snapshot, then the rows a sync
// changed — only the rows the account may see; it refuses other origins
// and no origin at all; and after being dropped a board gets a fresh
// snapshot that includes what happened meanwhile.
func TestLiveBoardSocket(t *testing.T) {
	e := start(t, nil)
	tm := e.terminal(1, "一中队 1 号")
	tm.push(t, tm.d.Case("C1", 2)...)

	sup := e.as("supervisor")
	for _, origin := range []string{"", "http://evil.example", "null"} {
		if _, resp, err := dialBoard(t, e, sup, origin); err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
			t.Fatalf("origin %q: %v %v", origin, err, resp)
		}
	}
	if _, resp, err := dialBoard(t, e, e.anonymous(), e.url); err == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("anonymous socket: %v %v", err, resp)
	}
	ws, _, err := dialBoard(t, e, sup, e.url)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	snap := next(t, ws, "snapshot")
	if ids := rowIDs(snap); len(ids) != 1 || ids[0] != "C1" {
		t.Fatalf("snapshot %v", ids)
	}
	off2 := e.as("officer2")
	ws2, _, err := dialBoard(t, e, off2, e.url)
	if err != nil {
		t.Fatal(err)
	}
	defer ws2.Close()
	if ids := rowIDs(next(t, ws2, "snapshot")); len(ids) != 0 {
		t.Fatalf("officer2 sees %v", ids)
	}

	// A sync adds an entry with a file not yet uploaded: the row comes
	// with the pending upload and the new stage.
	audio := wav(1)
	tm.push(t, tm.d.Entry("C1", "show_id", ledger.Payload{Files: []ledger.File{{Hash: ledger.HashBytes(audio), Kind: ledger.KindAudio, Size: int64(len(audio))}}},
		ledger.HashBytes(audio)))
	html := nextRow(t, ws, "C1", "待传 1")
	if !strings.Contains(html, "现场核查") || !strings.Contains(html, "最近：亮证") {
		t.Fatalf("update lacks the stage or the newest step: %s", html)
	}
	// The upload clears it.
	tm.upload(t, audio)
	nextRow(t, ws, "C1", "<span class=\"muted\">—</span></td>\n  <td data-label=\"时钟与完整性\">")

	// The officer of another unit got nothing but pings.
	_ = ws2.SetReadDeadline(time.Now().Add(1500 * time.Millisecond))
	for {
		_, data, err := ws2.ReadMessage()
		if err != nil {
			break
		}
		if strings.Contains(string(data), "C1") {
			t.Fatalf("officer2 got %s", data)
		}
	}

	// Dropped boards reconnect and get everything again, including a case
	// synced while they were away.
	e.m.Web.DropLiveBoards()
	_ = ws.SetReadDeadline(time.Now().Add(20 * time.Second))
	for {
		_, _, err := ws.ReadMessage()
		if err == nil {
			continue // messages sent before the close
		}
		break // closed by the server
	}
	tm.push(t, tm.d.Case("C2", 1)...)
	ws3, _, err := dialBoard(t, e, sup, e.url)
	if err != nil {
		t.Fatal(err)
	}
	defer ws3.Close()
	if ids := rowIDs(next(t, ws3, "snapshot")); len(ids) != 2 {
		t.Fatalf("snapshot after reconnect %v", ids)
	}
	// A board whose session ends is told so (checked every 30 s, so here
	// only that a signed-out session cannot open one).
	sup.post("/logout", nil)
	if _, resp, err := dialBoard(t, e, sup, e.url); err == nil || resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("socket after sign-out: %v", err)
	}
}

// The board page filters by unit, officer, type and stage on the server
// (rows outside the filter are not sent) and shows integrity and clock
// warnings.
func TestBoardFiltersAndWarnings(t *testing.T) {
	e := start(t, nil)
	a := e.terminal(1, "一中队 1 号")
	a.push(t, a.d.Case("C1", 2)...)
	b := e.terminal(2, "二中队 1 号")
	es := b.d.Case("C2", 1)
	for i := range es {
		es[i].Officers = []string{"15010003", "15010004"}
		if err := es[i].Seal(b.d.Key); err != nil {
			t.Fatal(err)
		}
	}
	b.push(t, es...)

	sup := e.as("supervisor")
	page := sup.get("/board?unit=" + url.QueryEscape("市场监管综合执法大队二中队"))
	if rowTag(page.body, "C1") != "" || rowTag(page.body, "C2") == "" || !strings.Contains(page.body, "共 1 / 2 件") {
		t.Fatalf("unit filter: %v", pageIDs(page.body))
	}
	page = sup.get("/board?officer=15010001")
	if rowTag(page.body, "C1") == "" || rowTag(page.body, "C2") != "" {
		t.Fatal("officer filter")
	}
	page = sup.get("/board")
	for _, want := range []string{"赵丽", "王强", "链与签名完好", `data-stage="开始记录"`, "亮证"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("board lacks %q", want)
		}
	}
	off := e.as("officer")
	if p := off.get("/board"); !strings.Contains(p.body, "case-C1") || strings.Contains(p.body, "case-C2") {
		t.Fatal("an officer's board shows other officers' cases")
	}
}

func rowTag(body, id string) string {
	i := strings.Index(body, `<tr id="case-`+id+`"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(body[i:], ">")
	return body[i : i+j+1]
}
