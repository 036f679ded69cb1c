// Package simdev simulates terminals for tests and benchmarks: device keys, sealed and chained entries, and a protocol client over a real websocket.
package simdev

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/gorilla/websocket"

	"lawtrace/shared/ledger"
	"lawtrace/shared/syncproto"
)

// Device is a simulated terminal: its key and its numbering.
type Device struct {
	Key  ed25519.PrivateKey
	ID   string
	Name string
	// Now is the device clock.
	Now func() time.Time

	mu    sync.Mutex
	seq   int64
	heads map[string]head
}

type head struct {
	seq  int64
	hash string
}

// New makes a device whose key derives from seed (deterministic).
func New(seed uint64) *Device {
	var s [32]byte
	binary.BigEndian.PutUint64(s[:], seed)
	sum := sha256.Sum256(s[:])
	key := ed25519.NewKeyFromSeed(sum[:])
	pub := key.Public().(ed25519.PublicKey)
	return &Device{Key: key, ID: syncproto.DeviceIDFor(pub), Name: fmt.Sprintf("sim-%d", seed), Now: time.Now, heads: map[string]head{}}
}

// Public is the device key.
func (d *Device) Public() ed25519.PublicKey { return d.Key.Public().(ed25519.PublicKey) }

// Entry seals the next entry of caseID: numbered, chained and signed.
func (d *Device) Entry(caseID, step string, payload any, media ...string) ledger.Entry {
	d.mu.Lock()
	defer d.mu.Unlock()
	body, err := json.Marshal(payload)
	if err != nil {
		panic(err)
	}
	h, ok := d.heads[caseID]
	if !ok {
		h = head{0, ledger.GenesisHash}
	}
	d.seq++
	e := ledger.Entry{ID: fmt.Sprintf("%s-%d", d.ID, d.seq), CaseID: caseID, Seq: h.seq + 1, DeviceID: d.ID, DeviceSeq: d.seq,
		Step: step, Payload: body, Officers: []string{"15010001", "15010002"}, DeviceTime: ledger.FormatTime(d.Now()),
		Media: media, PrevHash: h.hash}
	if err := e.Seal(d.Key); err != nil {
		panic(err)
	}
	d.heads[caseID] = head{e.Seq, e.Hash}
	return e
}

// Case seals a case of n entries: case_open then n-1 notes.
func (d *Device) Case(caseID string, n int) []ledger.Entry {
	out := []ledger.Entry{d.Entry(caseID, "case_open", map[string]any{"procedure": "inspection", "party": "测试商户"})}
	for i := 1; i < n; i++ {
		out = append(out, d.Entry(caseID, "inspection_notes", map[string]any{"fields": map[string]string{"findings": fmt.Sprintf("第 %d 项检查记录", i)}}))
	}
	return out
}

// MediaEntry seals an entry of caseID that references a file.
func (d *Device) MediaEntry(caseID, kind string, data []byte) ledger.Entry {
	h := ledger.HashBytes(data)
	return d.Entry(caseID, "photo", ledger.Payload{Files: []ledger.File{{Hash: h, Kind: kind, Size: int64(len(data))}}}, h)
}

// Dial opens a websocket message connection.
func Dial(ctx context.Context, url string) (*WSConn, error) {
	ws, _, err := websocket.DefaultDialer.DialContext(ctx, url, nil)
	if err != nil {
		return nil, err
	}
	return &WSConn{WS: ws}, nil
}

// WSConn is a plain websocket MsgConn; WS is exposed so tests can send
// frames the protocol forbids.
type WSConn struct {
	WS   *websocket.Conn
	mu   sync.Mutex
	read bytes.Buffer // the last message read; MsgConn lets the next read reuse it
}

func (c *WSConn) ReadMessage() ([]byte, error) {
	for {
		typ, r, err := c.WS.NextReader()
		if err != nil {
			return nil, err
		}
		if typ != websocket.BinaryMessage {
			continue
		}
		c.read.Reset()
		if _, err := c.read.ReadFrom(r); err != nil {
			return nil, err
		}
		return c.read.Bytes(), nil
	}
}

func (c *WSConn) WriteMessage(b []byte) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.WS.WriteMessage(websocket.BinaryMessage, b)
}

func (c *WSConn) Close() error { return c.WS.Close() }

// Client is an authenticated simulated terminal connection.
type Client struct {
	Dev       *Device
	Conn      *WSConn
	Sess      *syncproto.Session
	Welcome   *syncproto.Welcome
	ServerKey ed25519.PublicKey

	mu      sync.Mutex
	unasked []syncproto.Message
}

// Hello builds the device's Hello.
func (d *Device) Hello(enrolCode string) *syncproto.Hello {
	h := &syncproto.Hello{Protocol: syncproto.ProtocolVersion, DeviceID: d.ID, AppVersion: "simdev", DeviceTime: d.Now().UnixNano()}
	if enrolCode != "" {
		h.Enrol = &syncproto.EnrolRequest{Code: enrolCode, PublicKey: d.Public(), Name: d.Name}
	}
	return h
}

// Handshake runs Hello/Challenge/Auth/Welcome on sess.
func (d *Device) Handshake(sess *syncproto.Session, hello *syncproto.Hello) (*syncproto.Welcome, ed25519.PublicKey, error) {
	if err := sess.Send(1, hello); err != nil {
		return nil, nil, err
	}
	_, ch, err := syncproto.Expect[*syncproto.Challenge](sess)
	if err != nil {
		return nil, nil, err
	}
	auth := &syncproto.Auth{Signature: ed25519.Sign(d.Key, syncproto.AuthMessage(ch.Nonce, d.ID, ch.ServerID)), ChallengeReceived: d.Now().UnixNano()}
	if err := sess.Send(2, auth); err != nil {
		return nil, nil, err
	}
	_, w, err := syncproto.Expect[*syncproto.Welcome](sess)
	return w, ch.ServerKey, err
}

// Connect dials url and authenticates, enrolling first when enrolCode is set.
func Connect(ctx context.Context, url string, d *Device, enrolCode string) (*Client, error) {
	conn, err := Dial(ctx, url)
	if err != nil {
		return nil, err
	}
	sess := syncproto.NewSession(conn)
	w, key, err := d.Handshake(sess, d.Hello(enrolCode))
	if err != nil {
		conn.Close()
		return nil, err
	}
	c := &Client{Dev: d, Conn: conn, Sess: sess, Welcome: w, ServerKey: key}
	go sess.Run(func(_ uint32, m syncproto.Message) {
		c.mu.Lock()
		c.unasked = append(c.unasked, m)
		c.mu.Unlock()
	})
	return c, nil
}

// Unasked returns the messages the server sent unasked so far.
func (c *Client) Unasked() []syncproto.Message {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]syncproto.Message(nil), c.unasked...)
}

// Close closes the connection.
func (c *Client) Close() error { return c.Sess.Close() }

// Push sends a batch and waits for its Ack.
func (c *Client) Push(ctx context.Context, entries []ledger.Entry, known uint64) (*syncproto.Ack, error) {
	m, err := c.Sess.Call(ctx, &syncproto.Push{Entries: entries, KnownTreeSize: known})
	if err != nil {
		return nil, err
	}
	ack, ok := m.(*syncproto.Ack)
	if !ok {
		return nil, fmt.Errorf("expected ack, got %s", m.Type())
	}
	return ack, nil
}

// Upload offers data and sends it from the server's offset in chunks, with
// up to window chunks in flight; it returns the bytes sent.
func (c *Client) Upload(ctx context.Context, data []byte, chunk, window int) (int64, error) {
	return c.UploadHashed(ctx, ledger.HashBytes(data), data, chunk, window)
}

// UploadHashed is Upload with the hash already known (a terminal hashes a
// file once, when it is stored).
func (c *Client) UploadHashed(ctx context.Context, hash string, data []byte, chunk, window int) (int64, error) {
	m, err := c.Sess.Call(ctx, &syncproto.MediaOffer{Hash: hash, Size: int64(len(data))})
	if err != nil {
		return 0, err
	}
	st := m.(*syncproto.MediaStatus)
	if st.Present {
		return 0, nil
	}
	var sent int64
	var calls []*syncproto.Call
	off := st.Offset
	for off < int64(len(data)) || len(calls) > 0 {
		for off < int64(len(data)) && len(calls) < window {
			end := min(off+int64(chunk), int64(len(data)))
			call, err := c.Sess.Start(&syncproto.MediaChunk{Hash: hash, Offset: off, Data: data[off:end]})
			if err != nil {
				return sent, err
			}
			calls = append(calls, call)
			sent += end - off
			off = end
		}
		m, err := calls[0].Wait(ctx)
		calls = calls[1:]
		if err != nil {
			return sent, err
		}
		if ack := m.(*syncproto.MediaAck); ack.Complete {
			return sent, nil
		}
	}
	return sent, fmt.Errorf("upload of %.12s ended without completion", hash)
}
