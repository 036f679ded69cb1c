package syncsrv

import (
	"bytes"
	"errors"
	"io"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"lawtrace/shared/syncproto"
)

const (
	writeWait  = 10 * time.Second
	pingPeriod = 20 * time.Second
	pongWait   = 60 * time.Second
)

// wsConn adapts a gorilla websocket to syncproto.MsgConn: one reader, writes
// serialised by the Session, a write deadline before every write, pings
// from a timer (no goroutine of its own: an idle connection costs one
// goroutine, its reader; issue 15) and the read deadline renewed by pongs. Frames are read
// through a limit so an oversized one is refused with a reason instead of
// gorilla's bare close.
//
// Before authentication the limit is syncproto.MaxHandshakeFrameSize and
// gorilla's own read limit sits just above it, so a frame that declares a
// larger length is refused when its header arrives (close 1009) and
// nothing beyond a hello-sized buffer is ever held for an unauthenticated
// peer (issue 13). Reads then also share one absolute deadline that pongs
// do not extend. Raise, called once the device is authenticated, lifts the
// limit to syncproto.MaxFrameSize and returns to per-read deadlines.
type wsConn struct {
	ws          *websocket.Conn
	readTimeout time.Duration
	limit       int64     // the largest frame ReadMessage accepts
	deadline    time.Time // while set, every read must end by then (the handshake)
	mu          sync.Mutex
	closed      bool
	ping        *time.Timer   // guarded by mu
	read        *bytes.Buffer // the last frame read, from readPool, until the next read
}

// readPool holds the buffers authenticated connections read frames into
// (a media chunk is up to 1 MiB): a connection takes one when a frame
// starts arriving and gives it back when it reads the next, so an idle
// connection holds none and a chunk is read without growing a new buffer.
var readPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// limitSlack is how far over the limit gorilla still lets a frame through,
// so that a frame a little too large is refused with a reason (an Error
// frame and a close reason) rather than gorilla's bare 1009; only that much
// plus the limit is ever buffered.
const limitSlack = 4 << 10

// errTooLarge is what ReadMessage returns for an oversized frame.
var errTooLarge = syncproto.Errorf(syncproto.CodeTooLarge, "frame is over the %d-byte limit", syncproto.MaxFrameSize)

// errHandshakeTooLarge is what ReadMessage returns for an oversized frame
// before authentication.
var errHandshakeTooLarge = syncproto.Errorf(syncproto.CodeTooLarge, "frame is over the %d-byte limit for frames before authentication", syncproto.MaxHandshakeFrameSize)

// errTextFrame is what ReadMessage returns for a text message.
var errTextFrame = syncproto.Errorf(syncproto.CodeBadFrame, "text messages are not frames; the protocol uses binary messages")

func newWSConn(ws *websocket.Conn) *wsConn {
	c := &wsConn{ws: ws, readTimeout: pongWait}
	c.setLimit(syncproto.MaxHandshakeFrameSize)
	// The pong handler runs inside ReadMessage, on the reader goroutine,
	// like every change of deadline and limit.
	ws.SetPongHandler(func(string) error { return ws.SetReadDeadline(c.nextDeadline()) })
	c.mu.Lock()
	c.ping = time.AfterFunc(pingPeriod, c.pingOnce)
	c.mu.Unlock()
	return c
}

func (c *wsConn) setLimit(n int64) {
	c.limit = n
	c.ws.SetReadLimit(n + limitSlack)
}

// Raise lifts the frame limit to the protocol maximum and ends the
// handshake deadline; it is called from the reader goroutine once the
// device is authenticated.
func (c *wsConn) Raise() {
	c.setLimit(syncproto.MaxFrameSize)
	c.deadline = time.Time{}
	c.readTimeout = pongWait
}

func (c *wsConn) nextDeadline() time.Time {
	if !c.deadline.IsZero() {
		return c.deadline
	}
	return time.Now().Add(c.readTimeout)
}

// pingOnce sends a ping (gorilla allows control frames concurrently with
// other writes) and sets the timer for the next, until the connection is
// closed or a ping cannot be written.
func (c *wsConn) pingOnce() {
	if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.closed {
		c.ping.Reset(pingPeriod)
	}
}

// ReadMessage returns the next frame; its bytes are valid until the next
// call. Before authentication a frame is read into a buffer of its own (at
// most a hello); after it, into one from readPool.
func (c *wsConn) ReadMessage() ([]byte, error) {
	c.releaseRead()
	if err := c.ws.SetReadDeadline(c.nextDeadline()); err != nil {
		return nil, err
	}
	typ, r, err := c.ws.NextReader()
	if err != nil {
		return nil, c.tooLarge(err)
	}
	if typ != websocket.BinaryMessage {
		return nil, errTextFrame
	}
	var b []byte
	if c.limit < syncproto.MaxFrameSize {
		b, err = io.ReadAll(io.LimitReader(r, c.limit+1))
	} else {
		c.read = readPool.Get().(*bytes.Buffer)
		c.read.Reset()
		_, err = c.read.ReadFrom(io.LimitReader(r, c.limit+1))
		b = c.read.Bytes()
	}
	if err != nil {
		return nil, c.tooLarge(err)
	}
	if int64(len(b)) > c.limit {
		if c.limit < syncproto.MaxFrameSize {
			return nil, errHandshakeTooLarge
		}
		return nil, errTooLarge
	}
	return b, nil
}

// releaseRead gives the last frame's buffer back to readPool.
func (c *wsConn) releaseRead() {
	if c.read != nil {
		readPool.Put(c.read)
		c.read = nil
	}
}

// tooLarge turns gorilla's read-limit error (it has already sent close
// 1009) into the protocol's error, so it is counted as a security event.
func (c *wsConn) tooLarge(err error) error {
	if !errors.Is(err, websocket.ErrReadLimit) {
		return err
	}
	if c.limit < syncproto.MaxFrameSize {
		return errHandshakeTooLarge
	}
	return errTooLarge
}

func (c *wsConn) WriteMessage(b []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return syncproto.ErrClosed
	}
	if err := c.ws.SetWriteDeadline(time.Now().Add(writeWait)); err != nil {
		return err
	}
	return c.ws.WriteMessage(websocket.BinaryMessage, b)
}

// CloseWith sends a close frame with a reason, then closes.
func (c *wsConn) CloseWith(code int, reason string) error {
	if len(reason) > 120 {
		reason = reason[:120]
	}
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(code, reason), time.Now().Add(time.Second))
	return c.Close()
}

func (c *wsConn) Close() error {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return nil
	}
	c.closed = true
	c.ping.Stop()
	c.mu.Unlock()
	return c.ws.Close()
}

// isClosed tells ordinary disconnects apart from faults worth logging.
func isClosed(err error) bool {
	return errors.Is(err, syncproto.ErrClosed) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway, websocket.CloseAbnormalClosure)
}
