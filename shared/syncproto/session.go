package syncproto

import (
	"context"
	"errors"
	"io"
	"sync"
	"sync/atomic"
)

// MsgConn is a connection that carries whole messages: a websocket in
// production, an in-memory Pipe in tests. ReadMessage is called from one
// goroutine, and the bytes it returns may be reused by its next call (a
// decoded MediaChunk's Data points into them); WriteMessage calls are
// serialised by Session.
type MsgConn interface {
	ReadMessage() ([]byte, error)
	WriteMessage([]byte) error
	Close() error
}

// ErrClosed is returned by a closed Pipe and by calls on a finished Session.
var ErrClosed = errors.New("syncproto: connection closed")

// Session runs the protocol over a MsgConn. Servers read requests with Recv
// and answer with Send using the request's id; clients start Run in a
// goroutine and use Call, which matches answers to requests by id so
// several requests can be in flight (media chunks are pipelined).
type Session struct {
	conn MsgConn
	wmu  sync.Mutex
	ids  atomic.Uint32

	mu      sync.Mutex
	pending map[uint32]chan reply
	err     error
	done    chan struct{}

	// OnFrame, when set before use, sees the type and size of every frame
	// read or written (sent is true for writes), for metrics and tests.
	OnFrame func(t MsgType, size int, sent bool)
}

type reply struct {
	m   Message
	err error
}

// NewSession wraps conn.
func NewSession(conn MsgConn) *Session {
	return &Session{conn: conn, pending: map[uint32]chan reply{}, done: make(chan struct{})}
}

// Send writes m with request id id (0 for a message sent unasked).
func (s *Session) Send(id uint32, m Message) error {
	b, err := Encode(id, m)
	if err != nil {
		return err
	}
	s.wmu.Lock()
	defer s.wmu.Unlock()
	if err := s.conn.WriteMessage(b); err != nil {
		return err
	}
	if s.OnFrame != nil {
		s.OnFrame(m.Type(), len(b), true)
	}
	return nil
}

// Recv reads and decodes one frame. A frame that does not decode is an
// *Error saying why; connection failures are returned as they are.
func (s *Session) Recv() (uint32, Message, error) {
	b, err := s.conn.ReadMessage()
	if err != nil {
		return 0, nil, err
	}
	id, m, err := Decode(b)
	if err == nil && s.OnFrame != nil {
		s.OnFrame(m.Type(), len(b), false)
	}
	return id, m, err
}

// Run reads frames until the connection fails or closes, delivering each
// answer to the Call waiting for its id; other messages (id 0, or an id no
// one waits for) go to unasked, which may be nil. A frame that does not
// decode ends the session. Run returns the error that ended it.
func (s *Session) Run(unasked func(id uint32, m Message)) error {
	var err error
	for {
		var id uint32
		var m Message
		id, m, err = s.Recv()
		if err != nil {
			break
		}
		s.mu.Lock()
		ch, ok := s.pending[id]
		if ok {
			delete(s.pending, id)
		}
		s.mu.Unlock()
		switch {
		case ok && id != 0:
			if e, isErr := m.(*Error); isErr {
				ch <- reply{err: e}
			} else {
				ch <- reply{m: m}
			}
		case unasked != nil:
			unasked(id, m)
		}
	}
	if errors.Is(err, io.EOF) {
		err = ErrClosed
	}
	s.mu.Lock()
	s.err = err
	for id, ch := range s.pending {
		ch <- reply{err: err}
		delete(s.pending, id)
	}
	s.mu.Unlock()
	close(s.done)
	return err
}

// Call is a request in flight.
type Call struct {
	s  *Session
	id uint32
	ch chan reply
}

// Start sends m as a request and returns without waiting for the answer.
func (s *Session) Start(m Message) (*Call, error) {
	id := s.ids.Add(1)
	if id == 0 {
		id = s.ids.Add(1)
	}
	c := &Call{s: s, id: id, ch: make(chan reply, 1)}
	s.mu.Lock()
	if s.err != nil {
		err := s.err
		s.mu.Unlock()
		return nil, err
	}
	s.pending[id] = c.ch
	s.mu.Unlock()
	if err := s.Send(id, m); err != nil {
		s.mu.Lock()
		delete(s.pending, id)
		s.mu.Unlock()
		return nil, err
	}
	return c, nil
}

// Wait returns the answer; an Error answer is returned as the error.
func (c *Call) Wait(ctx context.Context) (Message, error) {
	select {
	case r := <-c.ch:
		return r.m, r.err
	case <-ctx.Done():
		c.s.mu.Lock()
		delete(c.s.pending, c.id)
		c.s.mu.Unlock()
		return nil, ctx.Err()
	}
}

// Call sends m and waits for its answer.
func (s *Session) Call(ctx context.Context, m Message) (Message, error) {
	c, err := s.Start(m)
	if err != nil {
		return nil, err
	}
	return c.Wait(ctx)
}

// Done is closed when Run has returned.
func (s *Session) Done() <-chan struct{} { return s.done }

// Err is the error that ended Run, nil while it runs.
func (s *Session) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close closes the connection; Run returns soon after.
func (s *Session) Close() error { return s.conn.Close() }

// Expect reads the next frame and requires it to be of type T; an Error
// frame is returned as the error. It is for handshakes, before Run.
func Expect[T Message](s *Session) (uint32, T, error) {
	var zero T
	id, m, err := s.Recv()
	if err != nil {
		return 0, zero, err
	}
	if e, ok := m.(*Error); ok {
		return id, zero, e
	}
	t, ok := m.(T)
	if !ok {
		return id, zero, Errorf(CodeUnexpected, "expected %s, got %s", zero.Type(), m.Type())
	}
	return id, t, nil
}

// Pipe returns the two ends of an in-memory message connection. Messages
// written before Close are still delivered; after either end closes, reads
// return ErrClosed once drained and writes fail.
func Pipe() (MsgConn, MsgConn) {
	ab, ba := make(chan []byte, 64), make(chan []byte, 64)
	done := make(chan struct{})
	once := new(sync.Once)
	return &pipeEnd{in: ba, out: ab, done: done, once: once}, &pipeEnd{in: ab, out: ba, done: done, once: once}
}

type pipeEnd struct {
	in   <-chan []byte
	out  chan<- []byte
	done chan struct{}
	once *sync.Once
}

func (p *pipeEnd) ReadMessage() ([]byte, error) {
	select {
	case b := <-p.in:
		return b, nil
	default:
	}
	select {
	case b := <-p.in:
		return b, nil
	case <-p.done:
		select {
		case b := <-p.in:
			return b, nil
		default:
			return nil, ErrClosed
		}
	}
}

func (p *pipeEnd) WriteMessage(b []byte) error {
	select {
	case <-p.done:
		return ErrClosed
	default:
	}
	select {
	case p.out <- append([]byte(nil), b...):
		return nil
	case <-p.done:
		return ErrClosed
	}
}

func (p *pipeEnd) Close() error {
	p.once.Do(func() { close(p.done) })
	return nil
}
