package syncproto

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// A frame is one websocket binary message:
//
//	offset 0  2 bytes  magic "LT"
//	       2  1 byte   FrameFormat
//	       3  1 byte   MsgType
//	       4  4 bytes  request id, big endian (0: not a request or its answer)
//	       8  4 bytes  length N of the JSON body, big endian
//	      12  N bytes  the message as a JSON object
//	    12+N  rest     raw data (MediaChunk only)
//
// Requests carry an id chosen by the sender; the answer (or an Error)
// carries the same id. Messages sent unasked carry id 0.
const (
	HeaderSize   = 12
	MaxBodySize  = 4 << 20
	MaxChunkSize = 4 << 20
	MaxFrameSize = HeaderSize + MaxBodySize + MaxChunkSize
)

var magic = [2]byte{'L', 'T'}

// Encode renders m as a frame with request id id.
func Encode(id uint32, m Message) ([]byte, error) {
	if m == nil {
		return nil, fmt.Errorf("encode: nil message")
	}
	if _, ok := newMessage[m.Type()]; !ok {
		return nil, fmt.Errorf("encode: unknown message type %d", m.Type())
	}
	body, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("encode %s: %w", m.Type(), err)
	}
	var data []byte
	if c, ok := m.(*MediaChunk); ok {
		data = c.Data
	}
	if len(body) > MaxBodySize {
		return nil, Errorf(CodeTooLarge, "%s body of %d bytes is over the %d-byte limit", m.Type(), len(body), MaxBodySize)
	}
	if len(data) > MaxChunkSize {
		return nil, Errorf(CodeTooLarge, "chunk of %d bytes is over the %d-byte limit", len(data), MaxChunkSize)
	}
	b := make([]byte, HeaderSize, HeaderSize+len(body)+len(data))
	b[0], b[1], b[2], b[3] = magic[0], magic[1], FrameFormat, byte(m.Type())
	binary.BigEndian.PutUint32(b[4:8], id)
	binary.BigEndian.PutUint32(b[8:12], uint32(len(body)))
	b = append(b, body...)
	return append(b, data...), nil
}

// Decode reads one frame. Any problem is an *Error (bad_frame,
// frame_too_large or protocol_version) that says exactly what is wrong, so
// the server can refuse with a reason; Decode never panics on any input.
func Decode(b []byte) (uint32, Message, error) {
	if len(b) > MaxFrameSize {
		return 0, nil, Errorf(CodeTooLarge, "frame of %d bytes is over the %d-byte limit", len(b), MaxFrameSize)
	}
	if len(b) < HeaderSize {
		return 0, nil, Errorf(CodeBadFrame, "frame of %d bytes is shorter than the %d-byte header", len(b), HeaderSize)
	}
	if b[0] != magic[0] || b[1] != magic[1] {
		return 0, nil, Errorf(CodeBadFrame, "frame does not start with the LawTrace magic (got %q)", b[:2])
	}
	if b[2] != FrameFormat {
		return 0, nil, Errorf(CodeVersion, "frame format %d is not supported (this side reads format %d)", b[2], FrameFormat)
	}
	typ := MsgType(b[3])
	mk, ok := newMessage[typ]
	if !ok {
		return 0, nil, Errorf(CodeBadFrame, "unknown message type %d", b[3])
	}
	id := binary.BigEndian.Uint32(b[4:8])
	n := binary.BigEndian.Uint32(b[8:12])
	if n > MaxBodySize {
		return 0, nil, Errorf(CodeTooLarge, "%s body of %d bytes is over the %d-byte limit", typ, n, MaxBodySize)
	}
	if uint64(n) > uint64(len(b)-HeaderSize) {
		return 0, nil, Errorf(CodeBadFrame, "%s body length %d runs past the end of the %d-byte frame", typ, n, len(b))
	}
	body, data := b[HeaderSize:HeaderSize+int(n)], b[HeaderSize+int(n):]
	m := mk()
	if err := decodeBody(body, m); err != nil {
		return 0, nil, Errorf(CodeBadFrame, "%s body: %v", typ, err)
	}
	if c, ok := m.(*MediaChunk); ok {
		if len(data) > MaxChunkSize {
			return 0, nil, Errorf(CodeTooLarge, "chunk of %d bytes is over the %d-byte limit", len(data), MaxChunkSize)
		}
		c.Data = data // not copied: the reader handles the chunk before it reads on
	} else if len(data) > 0 {
		return 0, nil, Errorf(CodeBadFrame, "%s carries %d bytes of data after its body; only media chunks carry data", typ, len(data))
	}
	return id, m, nil
}

// decodeBody reads exactly one JSON object into m, in place (json.Unmarshal
// does not copy the body as a json.Decoder would).
func decodeBody(body []byte, m Message) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return fmt.Errorf("not a JSON object")
	}
	err := json.Unmarshal(trimmed, m)
	if se := (*json.SyntaxError)(nil); errors.As(err, &se) && strings.HasSuffix(se.Error(), "after top-level value") {
		return fmt.Errorf("trailing data after the JSON object at byte %d", se.Offset)
	}
	return err
}
