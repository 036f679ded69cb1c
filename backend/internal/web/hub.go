package web

import (
	"context"
	"encoding/json"
	"net/http"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"lawtrace/backend/internal/auth"
	"lawtrace/backend/internal/events"
	"lawtrace/backend/internal/reviewsrv"
)

// The live board (SPEC D1): the hub follows the event bus, recomputes the
// rows of the cases a sync touched (gathering events for a few
// milliseconds), and pushes them as rendered HTML to every open board that
// may see them. Every Heartbeat it says it is alive, so a page can tell
// when it is stale; on (re)connection a page gets a full snapshot.

type wireRow struct {
	ID   string `json:"id"`
	HTML string `json:"html"`
}

type wireMsg struct {
	Type   string    `json:"type"` // snapshot, rows, ping, bye
	At     string    `json:"at"`
	Rows   []wireRow `json:"rows,omitempty"`
	Reason string    `json:"reason,omitempty"`
}

type client struct {
	// sent is each row as this board last got it (guarded by hub.mu): a
	// recomputed row that renders the same is not sent again, so a sync
	// that changes nothing neither moves nor flashes a row (issue 13
	// finding 10).
	sent  map[string]string
	sess  *auth.Session
	token string
	send  chan []byte
	done  chan struct{}
	once  sync.Once
}

func (c *client) close() { c.once.Do(func() { close(c.done) }) }

type hub struct {
	s          *Server
	mu         sync.Mutex
	clients    map[*client]struct{}
	caseDevice map[string]string
	wg         sync.WaitGroup
}

func newHub(s *Server) *hub {
	return &hub{s: s, clients: map[*client]struct{}{}, caseDevice: map[string]string{}}
}

// Clients counts open live boards.
func (s *Server) Clients() int {
	s.board.mu.Lock()
	defer s.board.mu.Unlock()
	return len(s.board.clients)
}

// DropLiveBoards closes every live board's connection (the pages reconnect
// by themselves); tests use it to show that they do.
func (s *Server) DropLiveBoards() {
	s.board.mu.Lock()
	defer s.board.mu.Unlock()
	for c := range s.board.clients {
		c.close()
	}
}

func (h *hub) run(ctx context.Context) {
	evs, unsubscribe := h.s.cfg.Bus.Subscribe(4096)
	defer unsubscribe()
	tick := time.NewTicker(h.s.cfg.Options.Heartbeat)
	defer tick.Stop()
	cases, devices := map[string]bool{}, map[string]bool{}
	var flush <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			h.mu.Lock()
			for c := range h.clients {
				c.close()
			}
			h.mu.Unlock()
			h.wg.Wait()
			return
		case ev, ok := <-evs:
			if !ok {
				return
			}
			switch ev.Kind {
			case events.BatchIngested, reviewsrv.EventDeadline:
				// a sync, an office step, or a review deadline that appeared
				// or changed state (the board's deadline column)
				for _, c := range ev.Cases {
					cases[c] = true
				}
			case events.MediaStored:
				ids, err := h.s.st.CasesOfMedia(ctx, ev.Hash)
				if err != nil {
					h.s.log.Error("live board: cases of a stored file", "err", err)
				}
				for _, c := range ids {
					cases[c] = true
				}
			case events.DeviceConnected:
				h.s.online.add(ev.DeviceID)
				devices[ev.DeviceID] = true
			case events.DeviceGone:
				h.s.online.remove(ev.DeviceID)
				devices[ev.DeviceID] = true
			case events.DeviceRevoked, events.WipeDone:
				devices[ev.DeviceID] = true
			default:
				continue
			}
			if flush == nil {
				flush = time.After(h.s.cfg.Options.Debounce)
			}
		case <-flush:
			flush = nil
			h.push(ctx, cases, devices)
			clear(cases)
			clear(devices)
		case <-tick.C:
			h.broadcast(wireMsg{Type: "ping", At: h.s.cfg.Now().UTC().Format(time.RFC3339Nano)}, nil)
		}
	}
}

// push recomputes and sends the rows of the touched cases and of the cases
// of touched devices.
func (h *hub) push(ctx context.Context, cases, devices map[string]bool) {
	h.mu.Lock()
	if len(h.clients) == 0 {
		h.mu.Unlock()
		return
	}
	for id, dev := range h.caseDevice {
		if devices[dev] {
			cases[id] = true
		}
	}
	h.mu.Unlock()
	if len(cases) == 0 {
		return
	}
	ids := make([]string, 0, len(cases))
	for id := range cases {
		ids = append(ids, id)
	}
	rows, err := h.s.boardRows(ctx, ids)
	if err != nil {
		h.s.log.Error("live board: compute rows", "err", err)
		return
	}
	msg := wireMsg{Type: "rows", At: h.s.cfg.Now().UTC().Format(time.RFC3339Nano)}
	h.broadcast(msg, rows)
}

// broadcast sends msg to every client, with the rows each may see.
func (h *hub) broadcast(msg wireMsg, rows []*BoardRow) {
	rendered := map[string]string{}
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, r := range rows {
		h.caseDevice[r.ID] = r.DeviceID
		html, err := h.s.RenderFragment("board", "board_row", r)
		if err != nil {
			h.s.log.Error("live board: render row", "err", err)
			continue
		}
		rendered[r.ID] = html
	}
	for c := range h.clients {
		m := msg
		if rows != nil {
			m.Rows = nil
			for _, r := range rows {
				html, ok := rendered[r.ID]
				if !ok || !visible(c.sess, r) || c.sent[r.ID] == html {
					continue // not this board's, or unchanged on it
				}
				c.sent[r.ID] = html
				m.Rows = append(m.Rows, wireRow{ID: r.ID, HTML: html})
			}
			if len(m.Rows) == 0 {
				continue
			}
		}
		b, _ := json.Marshal(m)
		select {
		case c.send <- b:
		default:
			c.close() // too slow: it reconnects and gets a snapshot
		}
	}
}

func (s *Server) boardSocket(w http.ResponseWriter, r *http.Request) error {
	sess := SessionOf(r)
	origin := r.Header.Get("Origin")
	if origin == "" || !s.originAllowed(r, origin) {
		s.security(r, "web_ws_origin", "实时看板连接来源无效："+printable(origin))
		return &Error{Status: http.StatusForbidden, Msg: "来源无效。"}
	}
	up := websocket.Upgrader{ReadBufferSize: 1024, WriteBufferSize: 32 << 10, CheckOrigin: func(*http.Request) bool { return true }}
	conn, err := up.Upgrade(w, r, nil)
	if err != nil {
		return nil // the upgrader answered
	}
	token := ""
	if c, err := r.Cookie(sessionCookie); err == nil {
		token = c.Value
	}
	c := &client{sent: map[string]string{}, sess: sess, token: token, send: make(chan []byte, 64), done: make(chan struct{})}

	// The snapshot is queued before the client is registered, so updates
	// computed meanwhile arrive after it.
	rows, err := s.boardRows(r.Context(), nil)
	if err != nil {
		conn.Close()
		return err
	}
	snap := wireMsg{Type: "snapshot", At: s.cfg.Now().UTC().Format(time.RFC3339Nano), Rows: []wireRow{}}
	for _, row := range rows {
		if !visible(sess, row) {
			continue
		}
		html, err := s.RenderFragment("board", "board_row", row)
		if err != nil {
			conn.Close()
			return err
		}
		snap.Rows = append(snap.Rows, wireRow{ID: row.ID, HTML: html})
	}
	b, _ := json.Marshal(snap)
	c.send <- b

	h := s.board
	h.mu.Lock()
	select {
	case <-s.closed:
		h.mu.Unlock()
		conn.Close()
		return nil
	default:
	}
	h.clients[c] = struct{}{}
	for _, row := range rows {
		h.caseDevice[row.ID] = row.DeviceID
	}
	for _, wr := range snap.Rows {
		c.sent[wr.ID] = wr.HTML
	}
	h.wg.Add(1)
	h.mu.Unlock()
	go h.serve(conn, c)
	return nil
}

// serve runs one board connection: a reader that only keeps the read
// deadline alive and notices the close, and this writer.
func (h *hub) serve(conn *websocket.Conn, c *client) {
	defer h.wg.Done()
	defer func() {
		h.mu.Lock()
		delete(h.clients, c)
		h.mu.Unlock()
		conn.Close()
	}()
	beat := h.s.cfg.Options.Heartbeat
	conn.SetReadLimit(4096)
	_ = conn.SetReadDeadline(time.Now().Add(3 * beat))
	conn.SetPongHandler(func(string) error { return conn.SetReadDeadline(time.Now().Add(3 * beat)) })
	go func() {
		defer c.close()
		for {
			if _, _, err := conn.NextReader(); err != nil {
				return
			}
		}
	}()
	ping := time.NewTicker(beat)
	defer ping.Stop()
	recheck := time.NewTicker(30 * time.Second)
	defer recheck.Stop()
	write := func(typ int, b []byte) bool {
		_ = conn.SetWriteDeadline(time.Now().Add(10 * time.Second))
		return conn.WriteMessage(typ, b) == nil
	}
	for {
		select {
		case <-c.done:
			_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, ""), time.Now().Add(time.Second))
			return
		case b := <-c.send:
			if !write(websocket.TextMessage, b) {
				return
			}
		case <-ping.C:
			if !write(websocket.PingMessage, nil) {
				return
			}
		case <-recheck.C:
			// A session that ended (sign-out, expiry, disabled account)
			// closes its board.
			if _, err := h.s.auth.Session(context.Background(), c.token); err != nil {
				b, _ := json.Marshal(wireMsg{Type: "bye", Reason: "会话已结束，请重新登录。"})
				write(websocket.TextMessage, b)
				return
			}
		}
	}
}

// onlineSet says which devices are connected. With SetOnline it asks the
// sync server's live connections (the truth); the counts from the event
// bus are only a fallback for a web server without one, since the bus
// drops events for a slow subscriber and a device could show online
// forever (issue 13 finding 10).
type onlineSet struct {
	mu   sync.Mutex
	n    map[string]int
	live func(deviceID string) bool
}

// SetOnline makes "online" on the board and the device page come from fn,
// the sync server's live connections.
func (s *Server) SetOnline(fn func(deviceID string) bool) {
	s.online.mu.Lock()
	s.online.live = fn
	s.online.mu.Unlock()
}

func newOnlineSet() *onlineSet { return &onlineSet{n: map[string]int{}} }

func (o *onlineSet) add(id string) {
	o.mu.Lock()
	o.n[id]++
	o.mu.Unlock()
}

func (o *onlineSet) remove(id string) {
	o.mu.Lock()
	if o.n[id] > 0 {
		o.n[id]--
	}
	if o.n[id] == 0 {
		delete(o.n, id)
	}
	o.mu.Unlock()
}

func (o *onlineSet) has(id string) bool {
	o.mu.Lock()
	live := o.live
	n := o.n[id]
	o.mu.Unlock()
	if live != nil {
		return live(id)
	}
	return n > 0
}
