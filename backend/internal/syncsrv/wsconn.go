package syncsrv

import (
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
// from a goroutine and the read deadline renewed by pongs. Frames are read
// through a limit so an oversized one is refused with a reason instead of
// gorilla's bare close.
type wsConn struct {
	ws          *websocket.Conn
	readTimeout time.Duration
	mu          sync.Mutex
	closed      bool
	done        chan struct{}
}

// errTooLarge is what ReadMessage returns for an oversized frame.
var errTooLarge = syncproto.Errorf(syncproto.CodeTooLarge, "frame is over the %d-byte limit", syncproto.MaxFrameSize)

// errTextFrame is what ReadMessage returns for a text message.
var errTextFrame = syncproto.Errorf(syncproto.CodeBadFrame, "text messages are not frames; the protocol uses binary messages")

func newWSConn(ws *websocket.Conn) *wsConn {
	c := &wsConn{ws: ws, readTimeout: pongWait, done: make(chan struct{})}
	ws.SetPongHandler(func(string) error { return ws.SetReadDeadline(time.Now().Add(c.readTimeout)) })
	go c.pinger()
	return c
}

func (c *wsConn) pinger() {
	t := time.NewTicker(pingPeriod)
	defer t.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-t.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(writeWait)); err != nil {
				return
			}
		}
	}
}

func (c *wsConn) ReadMessage() ([]byte, error) {
	if err := c.ws.SetReadDeadline(time.Now().Add(c.readTimeout)); err != nil {
		return nil, err
	}
	typ, r, err := c.ws.NextReader()
	if err != nil {
		return nil, err
	}
	if typ != websocket.BinaryMessage {
		return nil, errTextFrame
	}
	b, err := io.ReadAll(io.LimitReader(r, syncproto.MaxFrameSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > syncproto.MaxFrameSize {
		return nil, errTooLarge
	}
	return b, nil
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
	close(c.done)
	c.mu.Unlock()
	return c.ws.Close()
}

// isClosed tells ordinary disconnects apart from faults worth logging.
func isClosed(err error) bool {
	return errors.Is(err, syncproto.ErrClosed) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		websocket.IsCloseError(err, websocket.CloseNormalClosure, websocket.CloseGoingAway, websocket.CloseAbnormalClosure)
}
