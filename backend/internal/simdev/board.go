package simdev

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

var loginToken = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

// SignIn signs in to the web server at base (http://host:port) and returns
// the session's Cookie header.
func SignIn(ctx context.Context, base, user, password string) (string, error) {
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	req, _ := http.NewRequestWithContext(ctx, "GET", base+"/login", nil)
	resp, err := c.Do(req)
	if err != nil {
		return "", err
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := loginToken.FindSubmatch(page)
	if m == nil {
		return "", fmt.Errorf("sign in: no form token on %s/login", base)
	}
	form := url.Values{"username": {user}, "password": {password}, "csrf": {string(m[1])}}
	req, _ = http.NewRequestWithContext(ctx, "POST", base+"/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", base)
	resp, err = c.Do(req)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther {
		return "", fmt.Errorf("sign in as %s: status %d", user, resp.StatusCode)
	}
	u, _ := url.Parse(base)
	var cookies []string
	for _, ck := range jar.Cookies(u) {
		cookies = append(cookies, ck.Name+"="+ck.Value)
	}
	return strings.Join(cookies, "; "), nil
}

// Board follows a live board (/board/ws) as a page does — reconnecting
// when the server drops it, to a fresh snapshot — and keeps, per case, the
// newest entry count its row showed.
type Board struct {
	base, cookie, query string
	// Seen, when set, is called for each row received (from Run's goroutine).
	Seen func(caseID string, entries int64, at time.Time)

	mu        sync.Mutex
	ws        *websocket.Conn
	entries   map[string]int64
	snapshots int
}

var rowEntries = regexp.MustCompile(`data-entries="(\d+)"`)

// DialBoard opens the live board of base (http://host:port) with the
// session cookie; query is the page's query (size=1000 for a large page).
func DialBoard(ctx context.Context, base, cookie, query string) (*Board, error) {
	b := &Board{base: base, cookie: cookie, query: query, entries: map[string]int64{}}
	return b, b.dial(ctx)
}

func (b *Board) dial(ctx context.Context) error {
	h := http.Header{}
	h.Set("Cookie", b.cookie)
	h.Set("Origin", b.base)
	u := "ws" + strings.TrimPrefix(b.base, "http") + "/board/ws"
	if b.query != "" {
		u += "?" + b.query
	}
	ws, _, err := websocket.DefaultDialer.DialContext(ctx, u, h)
	if err != nil {
		return err
	}
	b.mu.Lock()
	b.ws = ws
	b.mu.Unlock()
	return nil
}

type boardMsg struct {
	Type string `json:"type"`
	Rows []struct {
		ID   string `json:"id"`
		HTML string `json:"html"`
	} `json:"rows"`
}

// Run reads the board, reconnecting when it is dropped, until ctx ends.
func (b *Board) Run(ctx context.Context) {
	stop := context.AfterFunc(ctx, func() { b.Close() })
	defer stop()
	for ctx.Err() == nil {
		b.mu.Lock()
		ws := b.ws
		b.mu.Unlock()
		if ws != nil {
			b.read(ws)
			ws.Close()
		}
		if ctx.Err() != nil {
			return
		}
		if b.dial(ctx) != nil {
			select {
			case <-ctx.Done():
			case <-time.After(200 * time.Millisecond):
			}
		}
	}
}

func (b *Board) read(ws *websocket.Conn) {
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			return
		}
		at := time.Now()
		var m boardMsg
		if json.Unmarshal(data, &m) != nil {
			return
		}
		b.mu.Lock()
		if m.Type == "snapshot" {
			b.snapshots++
		}
		for _, r := range m.Rows {
			sm := rowEntries.FindStringSubmatch(r.HTML)
			if sm == nil {
				continue
			}
			n, _ := strconv.ParseInt(sm[1], 10, 64)
			b.entries[r.ID] = n
			if b.Seen != nil {
				b.Seen(r.ID, n, at)
			}
		}
		b.mu.Unlock()
	}
}

// Entries is the newest entry count the board showed for a case.
func (b *Board) Entries(caseID string) int64 {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.entries[caseID]
}

// Snapshots counts the snapshots received (more than one: the board was
// dropped and came back).
func (b *Board) Snapshots() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.snapshots
}

// Close closes the board's current connection.
func (b *Board) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ws == nil {
		return nil
	}
	return b.ws.Close()
}
