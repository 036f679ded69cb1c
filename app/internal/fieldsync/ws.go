package fieldsync

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"lawtrace/shared/syncproto"
)

// Dialer opens a message connection to a sync URL.
type Dialer func(ctx context.Context, url string) (syncproto.MsgConn, error)

const (
	clientWriteWait = 30 * time.Second
	clientReadWait  = 90 * time.Second // the server pings every 20s
)

// DialWebsocket is the default Dialer: gorilla/websocket with a handshake
// timeout, a read limit, a write deadline before every write, and the read
// deadline renewed by every message and server ping.
func DialWebsocket(ctx context.Context, u string) (syncproto.MsgConn, error) {
	d := websocket.Dialer{HandshakeTimeout: 15 * time.Second, ReadBufferSize: 64 << 10, WriteBufferSize: 64 << 10, Proxy: http.ProxyFromEnvironment}
	ws, resp, err := d.DialContext(ctx, u, nil)
	if err != nil {
		if resp != nil {
			return nil, fmt.Errorf("connect %s: %s: %w", u, resp.Status, err)
		}
		return nil, fmt.Errorf("connect %s: %w", u, err)
	}
	ws.SetReadLimit(syncproto.MaxFrameSize)
	c := &clientConn{ws: ws}
	ws.SetPingHandler(func(data string) error {
		_ = ws.SetReadDeadline(time.Now().Add(clientReadWait))
		err := ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
		if errors.Is(err, websocket.ErrCloseSent) {
			return nil
		}
		return err
	})
	return c, nil
}

type clientConn struct {
	ws *websocket.Conn
	mu sync.Mutex
}

func (c *clientConn) ReadMessage() ([]byte, error) {
	if err := c.ws.SetReadDeadline(time.Now().Add(clientReadWait)); err != nil {
		return nil, err
	}
	for {
		typ, b, err := c.ws.ReadMessage()
		if err != nil {
			if ce := closeReason(err); ce != nil {
				return nil, ce
			}
			return nil, err
		}
		if typ == websocket.BinaryMessage {
			return b, nil
		}
	}
}

// closeReason turns a close frame with a policy reason into a wire error,
// so a terminal cut off without a readable Error frame still says why.
func closeReason(err error) error {
	var ce *websocket.CloseError
	if !errors.As(err, &ce) || ce.Text == "" {
		return nil
	}
	code, msg, ok := strings.Cut(ce.Text, ": ")
	if !ok {
		return nil
	}
	pe := syncproto.Errorf(syncproto.Code(code), "%s", msg)
	if ce.Code == websocket.CloseGoingAway {
		pe.Retry = true
	}
	return pe
}

func (c *clientConn) WriteMessage(b []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if err := c.ws.SetWriteDeadline(time.Now().Add(clientWriteWait)); err != nil {
		return err
	}
	return c.ws.WriteMessage(websocket.BinaryMessage, b)
}

func (c *clientConn) Close() error {
	c.mu.Lock()
	_ = c.ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseNormalClosure, ""), time.Now().Add(time.Second))
	c.mu.Unlock()
	return c.ws.Close()
}

// Enrolment is what an enrolment code or QR payload says.
type Enrolment struct {
	Server      string // the websocket sync URL
	Code        string
	Fingerprint string // the server key fingerprint, when the payload carries it
}

// ParseServer reads what an officer pastes or scans: a lawtrace://enrol?
// payload (server, code, fp), a ws(s):// or http(s):// URL, or host:port.
// It returns the websocket sync URL.
func ParseServer(s string) (Enrolment, error) {
	s = strings.TrimSpace(s)
	var e Enrolment
	if strings.HasPrefix(s, "lawtrace://") {
		u, err := url.Parse(s)
		if err != nil {
			return e, fmt.Errorf("enrolment payload: %w", err)
		}
		q := u.Query()
		e.Code, e.Fingerprint = q.Get("code"), q.Get("fp")
		s = q.Get("server")
		if s == "" {
			return e, fmt.Errorf("enrolment payload names no server")
		}
	}
	if !strings.Contains(s, "://") {
		s = "ws://" + s
	}
	u, err := url.Parse(s)
	if err != nil || u.Host == "" {
		return e, fmt.Errorf("%q is not a server address", s)
	}
	switch u.Scheme {
	case "http", "ws":
		u.Scheme = "ws"
	case "https", "wss":
		u.Scheme = "wss"
	default:
		return e, fmt.Errorf("%q: the server address must be ws://, wss://, http:// or https://", s)
	}
	if u.Path == "" || u.Path == "/" {
		u.Path = "/sync"
	}
	e.Server = u.String()
	return e, nil
}
