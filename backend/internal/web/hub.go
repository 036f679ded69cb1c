package web

import (
	"context"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"lawtrace/backend/internal/auth"
	"lawtrace/backend/internal/events"
	"lawtrace/backend/internal/reviewsrv"
	"lawtrace/backend/internal/store"
)

// The live board (SPEC D1, issue 15): the hub follows the event bus and
// brings the board's read model up to date for the cases an event names —
// as soon as it arrives, taking in whatever else is queued meanwhile — and
// queues the rows that changed to each open board that shows them. Each
// board has its own writer and keeps only the newest state of each row, so
// a slow board gets the latest state and never holds up the others; one
// that falls too far behind is dropped and reconnects to a fresh snapshot.
// Every Heartbeat a board is told the hub is alive.

type wireRow struct {
	ID   string `json:"id"`
	HTML string `json:"html"`
}

type wireMsg struct {
	Type    string        `json:"type"` // snapshot, rows, ping, bye
	At      string        `json:"at"`
	Rows    []wireRow     `json:"rows,omitempty"`
	Summary *boardSummary `json:"summary,omitempty"`
	Reason  string        `json:"reason,omitempty"`
}

// maxPending is how many changed rows a board may have waiting before it is
// dropped (it reconnects and gets a snapshot).
const maxPending = 2000

type client struct {
	sess  *auth.Session
	token string
	q     boardQuery
	// Guarded by hub.mu: sent is each row on this board as it last got it
	// (a row that renders the same is not sent again, issue 13 finding 10);
	// sum its tiles.
	sent map[string]string
	sum  boardSummary

	mu      sync.Mutex // guards what waits for the writer
	order   []string
	pending map[string]wireRow
	summary *boardSummary
	kick    chan struct{}
	done    chan struct{}
	once    sync.Once
}

func (c *client) close() { c.once.Do(func() { close(c.done) }) }

// queue leaves rows and the tiles for the writer, replacing an older state
// of the same row; false when the board fell too far behind.
func (c *client) queue(rows []wireRow, sum boardSummary) bool {
	c.mu.Lock()
	for _, r := range rows {
		if _, ok := c.pending[r.ID]; !ok {
			c.order = append(c.order, r.ID)
		}
		c.pending[r.ID] = r
	}
	c.summary = &sum
	over := len(c.pending) > maxPending
	c.mu.Unlock()
	select {
	case c.kick <- struct{}{}:
	default:
	}
	return !over
}

// take returns what waits, oldest row first.
func (c *client) take() wireMsg {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := wireMsg{Type: "rows", Summary: c.summary}
	for _, id := range c.order {
		m.Rows = append(m.Rows, c.pending[id])
	}
	c.order, c.summary = c.order[:0], nil
	clear(c.pending)
	return m
}

type hub struct {
	s       *Server
	model   *boardModel
	mu      sync.Mutex
	clients map[*client]struct{}
	wg      sync.WaitGroup

	hookMu   sync.Mutex // guards toHook
	toHook   map[string]bool
	hookKick chan struct{}
}

func newHub(s *Server) *hub {
	h := &hub{s: s, clients: map[*client]struct{}{}, toHook: map[string]bool{}, hookKick: make(chan struct{}, 1)}
	h.model = newBoardModel(s, h)
	return h
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
	sub := h.s.cfg.Bus.Subscribe(4096)
	defer sub.Close()
	evs := sub.Events
	defer func() {
		h.mu.Lock()
		for c := range h.clients {
			c.close()
		}
		h.mu.Unlock()
		h.wg.Wait()
	}()
	if err := h.model.load(ctx); err != nil {
		if ctx.Err() == nil {
			h.s.log.Error("live board: load the read model", "err", err)
		}
		return
	}
	sideCtx, stopSide := context.WithCancel(ctx)
	saved, hooksDone := make(chan struct{}), make(chan struct{})
	go h.saveEvery(sideCtx, saved)
	go h.hookLoop(sideCtx, hooksDone)
	defer func() {
		stopSide()
		<-hooksDone
		<-saved
	}()
	tick := time.NewTicker(h.s.cfg.Options.Heartbeat)
	defer tick.Stop()
	dropped := sub.Dropped()
	// cases an event names; office those whose office state or review
	// deadlines may have changed; devices terminals whose cases change.
	cases, office, devices := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-evs:
			if !ok {
				return
			}
			h.take(ctx, ev, cases, office, devices)
			for more := true; more; {
				select {
				case ev, ok := <-evs:
					if !ok {
						return
					}
					h.take(ctx, ev, cases, office, devices)
				default:
					more = false
				}
			}
			ids := h.model.ofDevices(devices)
			for id := range cases {
				ids = append(ids, id)
			}
			h.update(ctx, ids)
			h.hook(slices.Collect(maps.Keys(office)))
			clear(cases)
			clear(office)
			clear(devices)
		case <-tick.C:
			// Rows that change with the time alone, and cases whose events
			// the bus dropped.
			h.hook(h.model.due(h.s.cfg.Now()))
			if n := sub.Dropped(); n != dropped { // the board's own events, not another subscriber's
				dropped = n
				stale, err := h.model.stale(ctx)
				if err != nil {
					h.s.log.Error("live board: find stale cases", "err", err)
				}
				h.update(ctx, stale)
			}
		}
	}
}

// saveEvery writes the model's changed cases every heartbeat, away from
// the hub (a commit waits for the disk), and once more when ctx ends.
func (h *hub) saveEvery(ctx context.Context, done chan<- struct{}) {
	defer close(done)
	tick := time.NewTicker(h.s.cfg.Options.Heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := h.model.save(context.Background()); err != nil {
				h.s.log.Error("live board: save the read model", "err", err)
			}
			return
		case <-tick.C:
			if err := h.model.save(ctx); err != nil && ctx.Err() == nil {
				h.s.log.Error("live board: save the read model", "err", err)
			}
		}
	}
}

// take notes the cases and terminals an event touches.
func (h *hub) take(ctx context.Context, ev events.Event, cases, office, devices map[string]bool) {
	switch ev.Kind {
	case events.BatchIngested, reviewsrv.EventDeadline:
		// a terminal's sync; an office step (signed by the server) or a
		// review deadline that appeared or changed state, which the hooks
		// show
		byOffice := ev.Kind == reviewsrv.EventDeadline || store.IsServerSigner(ev.DeviceID)
		for _, c := range ev.Cases {
			cases[c] = true
			office[c] = office[c] || byOffice
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
	case events.Resync:
		// the fan-out between instances was down: what other instances
		// stored meanwhile came without events, so the model is checked
		// against the store as after events the bus dropped
		stale, err := h.model.stale(ctx)
		if err != nil {
			h.s.log.Error("live board: find stale cases", "err", err)
		}
		for _, c := range stale {
			cases[c] = true
		}
	}
}

func (h *hub) update(ctx context.Context, ids []string) {
	if len(ids) == 0 {
		return
	}
	if _, err := h.model.refresh(ctx, ids, nil); err != nil && ctx.Err() == nil {
		h.s.log.Error("live board: update the read model", "err", err)
	}
}

// hook hands cases to hookLoop.
func (h *hub) hook(ids []string) {
	if len(ids) == 0 {
		return
	}
	h.hookMu.Lock()
	for _, id := range ids {
		h.toHook[id] = true
	}
	h.hookMu.Unlock()
	select {
	case h.hookKick <- struct{}{}:
	default:
	}
}

// hookLoop runs the board hooks for the cases handed to it and updates
// them, beside the hub: the hooks' queries over the office's records never
// hold up the rows of a sync.
func (h *hub) hookLoop(ctx context.Context, done chan<- struct{}) {
	defer close(done)
	for {
		select {
		case <-ctx.Done():
			return
		case <-h.hookKick:
		}
		h.hookMu.Lock()
		ids := slices.Collect(maps.Keys(h.toHook))
		clear(h.toHook)
		h.hookMu.Unlock()
		if len(ids) == 0 { // an earlier round took this kick's cases
			continue
		}
		given, err := h.model.runHooks(ctx, ids)
		if err == nil {
			_, err = h.model.refresh(ctx, ids, given)
		}
		if err != nil && ctx.Err() == nil {
			h.s.log.Error("live board: update the office stage and deadlines", "err", err)
		}
	}
}

// publish queues changed rows to the boards that show them and their
// tiles; the model calls it with h.mu held, as it replaces the rows.
func (h *hub) publish(changes []rowChange) {
	if len(h.clients) == 0 {
		return
	}
	rendered := make(map[string]string, len(changes))
	for _, ch := range changes {
		html, err := h.s.RenderFragment("board", "board_row", ch.after)
		if err != nil {
			h.s.log.Error("live board: render row", "err", err)
			continue
		}
		rendered[ch.after.ID] = html
	}
	for c := range h.clients {
		var rows []wireRow
		before := c.sum
		for _, ch := range changes {
			if ch.before != nil && visible(c.sess, ch.before) {
				c.sum.count(ch.before, c.q.Filter, -1)
			}
			r := ch.after
			if !visible(c.sess, r) {
				continue
			}
			c.sum.count(r, c.q.Filter, 1)
			html, ok := rendered[r.ID]
			old, shown := c.sent[r.ID]
			// A row on the board is replaced where it stands; the first
			// page also takes a case newly matching its filter, on top.
			if !ok || old == html || !shown && (c.q.Page != 1 || !c.q.Filter.Match(r)) {
				continue
			}
			c.sent[r.ID] = html
			rows = append(rows, wireRow{ID: r.ID, HTML: html})
		}
		if len(rows) == 0 && c.sum == before {
			continue
		}
		if !c.queue(rows, c.sum) {
			c.close() // too far behind: it reconnects and gets a snapshot
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
	// The model takes in what was synced before this request (as a page).
	if _, err := s.boardRows(r.Context(), nil); err != nil {
		return err
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
	c := &client{sent: map[string]string{}, sess: sess, token: token, q: parseBoardQuery(r.URL.Query()),
		pending: map[string]wireRow{}, kick: make(chan struct{}, 1), done: make(chan struct{})}

	// The board is registered with its page's rows and tiles under the
	// hub's lock, which the model holds as it replaces rows and publishes
	// them: a change is either in the rows taken here or queued for the
	// board after its snapshot. The rows are rendered after the lock.
	h := s.board
	h.mu.Lock()
	select {
	case <-s.closed:
		h.mu.Unlock()
		conn.Close()
		return nil
	default:
	}
	v := viewBoard(sess, h.model.all(), c.q.Filter)
	c.sum = v.summary
	rows, _ := c.q.page(r.URL.Query(), v.matched)
	for _, row := range rows {
		c.sent[row.ID] = "" // on the board, its rendering to come
	}
	h.clients[c] = struct{}{}
	h.wg.Add(1)
	h.mu.Unlock()

	snap := wireMsg{Type: "snapshot", At: s.cfg.Now().UTC().Format(time.RFC3339Nano), Rows: []wireRow{}, Summary: &v.summary}
	for _, row := range rows {
		html, err := s.RenderFragment("board", "board_row", row)
		if err != nil {
			s.log.Error("live board: render row", "err", err)
			continue
		}
		snap.Rows = append(snap.Rows, wireRow{ID: row.ID, HTML: html})
	}
	h.mu.Lock()
	for _, wr := range snap.Rows {
		if c.sent[wr.ID] == "" {
			c.sent[wr.ID] = wr.HTML
		}
	}
	h.mu.Unlock()
	b, _ := json.Marshal(snap)
	go h.serve(conn, c, b)
	return nil
}

// serve runs one board connection: a reader that only keeps the read
// deadline alive and notices the close, and this writer, which sends the
// snapshot and then whatever waits, the newest state of each row.
func (h *hub) serve(conn *websocket.Conn, c *client, snapshot []byte) {
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
	now := func() string { return h.s.cfg.Now().UTC().Format(time.RFC3339Nano) }
	if !write(websocket.TextMessage, snapshot) {
		return
	}
	for {
		select {
		case <-c.done:
			_ = conn.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, ""), time.Now().Add(time.Second))
			return
		case <-c.kick:
			m := c.take()
			if len(m.Rows) == 0 && m.Summary == nil {
				continue
			}
			m.At = now()
			b, _ := json.Marshal(m)
			if !write(websocket.TextMessage, b) {
				return
			}
		case <-ping.C:
			b, _ := json.Marshal(wireMsg{Type: "ping", At: now()})
			if !write(websocket.TextMessage, b) || !write(websocket.PingMessage, nil) {
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
