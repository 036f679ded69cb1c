package syncproto

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/transparency-dev/merkle/rfc6962"

	"lawtrace/shared/ledger"
)

func sampleMessages() []Message {
	e := ledger.Entry{ID: "E1", CaseID: "C1", Seq: 1, DeviceID: "D1", DeviceSeq: 1, Step: "case_open", Payload: []byte(`{"a":"中文"}`),
		Officers: []string{"15010001"}, DeviceTime: "2026-05-07T09:00:00.000000000Z", PrevHash: ledger.GenesisHash, Hash: "ab", Signature: "cd"}
	return []Message{
		&Hello{Protocol: ProtocolVersion, DeviceID: "D1", DeviceTime: 42, Outbox: 3, Enrol: &EnrolRequest{Code: "AAAA-BBBB-CCCC", PublicKey: []byte{1, 2}, Name: "t"}},
		&Challenge{Protocol: 1, Nonce: []byte{9}, ServerID: "S1", ServerKey: []byte{3}, ServerSig: []byte{4}, Received: 5, Sent: 6},
		&Auth{Signature: []byte{7}, ChallengeReceived: 8},
		&Welcome{DeviceID: "D1", LastSeq: 9, TreeHead: &TreeHead{Size: 2, Root: []byte{1}}, ClockOffsetMs: -3, Skewed: true},
		Errorf(CodeGap, "missing"),
		&Push{Entries: []ledger.Entry{e}, KnownTreeSize: 7},
		&Ack{UpTo: 1, Accepted: 1, TreeHead: TreeHead{Size: 1}, Proofs: []InclusionProof{{EntryID: "E1", DeviceSeq: 1, Hashes: [][]byte{{1}}}}},
		&ProofRequest{DeviceSeqs: []int64{1, 2}},
		&Proofs{TreeHead: TreeHead{Size: 3}},
		&MediaOffer{Hash: strings.Repeat("a", 64), Size: 10},
		&MediaStatus{Hash: "h", Offset: 4},
		&MediaChunk{Hash: "h", Offset: 4, Data: []byte("chunk bytes")},
		&MediaAck{Hash: "h", Offset: 15, Complete: true},
		&Pull{Since: 3},
		&Updates{Items: []CatalogItem{{Seq: 4, Kind: KindOfficer, Key: "15010001", Version: 2, Body: []byte(`{"name":"王强"}`)}}, Head: 4},
		&WipeOrder{Reason: "lost"},
		&WipeDone{Entries: 3},
		&OK{},
		&Notice{CatalogHead: 5},
	}
}

// SPEC S1: every message survives a round trip through a frame.
func TestFrameRoundTrip(t *testing.T) {
	for _, m := range sampleMessages() {
		b, err := Encode(77, m)
		if err != nil {
			t.Fatalf("%s: %v", m.Type(), err)
		}
		id, got, err := Decode(b)
		if err != nil {
			t.Fatalf("%s: %v", m.Type(), err)
		}
		if id != 77 || !reflect.DeepEqual(got, m) {
			t.Fatalf("%s: got %#v, want %#v", m.Type(), got, m)
		}
	}
}

func frame(typ byte, body string, data []byte) []byte {
	b := []byte{'L', 'T', FrameFormat, typ, 0, 0, 0, 1, 0, 0, 0, 0}
	binary.BigEndian.PutUint32(b[8:], uint32(len(body)))
	return append(append(b, body...), data...)
}

// SPEC S1 S6: malformed, oversized and wrong-version frames are refused
// with a code and a reason that says what is wrong.
func TestDecodeRefusals(t *testing.T) {
	long := frame(byte(TypePull), `{}`, nil)
	binary.BigEndian.PutUint32(long[8:], 1000)
	huge := frame(byte(TypePull), `{}`, nil)
	binary.BigEndian.PutUint32(huge[8:], MaxBodySize+1)
	tests := []struct {
		name string
		in   []byte
		code Code
		want string
	}{
		{"empty", nil, CodeBadFrame, "shorter than the 12-byte header"},
		{"no magic", []byte("GET / HTTP/1.1\r\n"), CodeBadFrame, "magic"},
		{"frame format", append([]byte{'L', 'T', 9}, make([]byte, 9)...), CodeVersion, "frame format 9"},
		{"unknown type", frame(200, `{}`, nil), CodeBadFrame, "unknown message type 200"},
		{"body past end", long, CodeBadFrame, "runs past the end"},
		{"body over limit", huge, CodeTooLarge, "over the"},
		{"frame over limit", make([]byte, MaxFrameSize+1), CodeTooLarge, "over the"},
		{"not JSON", frame(byte(TypePull), `{"since":`, nil), CodeBadFrame, "pull body"},
		{"not an object", frame(byte(TypePull), `[1]`, nil), CodeBadFrame, "not a JSON object"},
		{"trailing", frame(byte(TypePull), `{}}`, nil), CodeBadFrame, "trailing"},
		{"wrong field type", frame(byte(TypePull), `{"since":"x"}`, nil), CodeBadFrame, "pull body"},
		{"data on a non-chunk", frame(byte(TypePull), `{}`, []byte("x")), CodeBadFrame, "only media chunks carry data"},
		{"chunk over limit", frame(byte(TypeMediaChunk), `{}`, make([]byte, MaxChunkSize+1)), CodeTooLarge, "chunk of"},
	}
	for _, tc := range tests {
		_, _, err := Decode(tc.in)
		e := AsError(err)
		if e == nil || e.Code != tc.code || !strings.Contains(e.Message, tc.want) {
			t.Errorf("%s: got %v, want %s containing %q", tc.name, err, tc.code, tc.want)
		}
		if e != nil && e.Retryable() {
			t.Errorf("%s: a malformed frame must be final", tc.name)
		}
	}
	if _, err := Encode(1, &MediaChunk{Data: make([]byte, MaxChunkSize+1)}); AsError(err) == nil || AsError(err).Code != CodeTooLarge {
		t.Errorf("encoding an oversized chunk: %v", err)
	}
}

// FuzzDecode: no input makes Decode panic, and whatever decodes encodes
// back to a frame that decodes to the same message.
func FuzzDecode(f *testing.F) {
	for _, m := range sampleMessages() {
		b, _ := Encode(1, m)
		f.Add(b)
	}
	f.Add([]byte("LT"))
	f.Add(frame(byte(TypePush), `{"entries":[{"id":"x","payload":{"a":[1,2,{}]}}]}`, nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		id, m, err := Decode(b)
		if err != nil {
			if AsError(err) == nil {
				t.Fatalf("decode error is not a wire error: %v", err)
			}
			return
		}
		again, err := Encode(id, m)
		if err != nil {
			return // e.g. a body that re-encodes larger than the limit
		}
		id2, m2, err := Decode(again)
		if err != nil || id2 != id || m2.Type() != m.Type() {
			t.Fatalf("re-encoded frame does not decode the same: %v", err)
		}
		third, _ := Encode(id2, m2)
		if !bytes.Equal(again, third) {
			t.Fatalf("encoding is not stable")
		}
	})
}

// SPEC S1: a Session matches answers to requests by id with several in
// flight, passes unasked messages on, and fails waiting calls when the
// connection closes.
func TestSessionOverPipe(t *testing.T) {
	a, b := Pipe()
	client, server := NewSession(a), NewSession(b)
	var unasked []Message
	var mu sync.Mutex
	runDone := make(chan error, 1)
	go func() {
		runDone <- client.Run(func(id uint32, m Message) { mu.Lock(); unasked = append(unasked, m); mu.Unlock() })
	}()
	go func() {
		_ = server.Send(0, &Notice{CatalogHead: 1})
		var held []uint32
		for {
			id, m, err := server.Recv()
			if err != nil {
				return
			}
			p := m.(*Pull)
			if p.Since == 99 {
				_ = server.Send(id, Errorf(CodeGap, "expect 1"))
				continue
			}
			held = append(held, id)
			if len(held) == 3 { // answer out of order
				for i := len(held) - 1; i >= 0; i-- {
					_ = server.Send(held[i], &Updates{Head: int64(held[i])})
				}
				held = nil
			}
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	var calls []*Call
	for i := 0; i < 3; i++ {
		c, err := client.Start(&Pull{Since: int64(i)})
		if err != nil {
			t.Fatal(err)
		}
		calls = append(calls, c)
	}
	for _, c := range calls {
		m, err := c.Wait(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := m.(*Updates).Head; got != int64(c.id) {
			t.Fatalf("answer for call %d carried head %d", c.id, got)
		}
	}
	if _, err := client.Call(ctx, &Pull{Since: 99}); AsError(err) == nil || AsError(err).Code != CodeGap {
		t.Fatalf("error answer: %v", err)
	}
	pending, err := client.Start(&Pull{Since: 5})
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	if _, err := pending.Wait(ctx); !errors.Is(err, ErrClosed) {
		t.Fatalf("call after close: %v", err)
	}
	if err := <-runDone; !errors.Is(err, ErrClosed) {
		t.Fatalf("Run ended with %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(unasked) != 1 || unasked[0].Type() != TypeNotice {
		t.Fatalf("unasked messages: %v", unasked)
	}
	if _, err := client.Start(&Pull{}); !errors.Is(err, ErrClosed) {
		t.Fatalf("start after end: %v", err)
	}
}

// SPEC R2: a tree head verifies only with the server key and unchanged; an
// inclusion proof verifies only for the right entry and position; a log
// that rewrote history fails consistency.
func TestTreeHeadsAndProofs(t *testing.T) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{1}, 32))
	other := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{2}, 32))
	h := func(s string) string { return ledger.HashBytes([]byte(s)) }
	l0, _ := LeafHash(h("e0"))
	l1, _ := LeafHash(h("e1"))
	l2, _ := LeafHash(h("e2"))
	hc := rfc6962.DefaultHasher.HashChildren
	root1 := l0
	root2 := hc(l0, l1)
	root3 := hc(root2, l2)
	th := TreeHead{Size: 2, Root: root2, Timestamp: 1}
	th.Sign(key)
	if err := th.Verify(key.Public().(ed25519.PublicKey)); err != nil {
		t.Fatal(err)
	}
	if th.Verify(other.Public().(ed25519.PublicKey)) == nil {
		t.Fatal("tree head verified with another key")
	}
	forged := th
	forged.Size = 3
	if forged.Verify(key.Public().(ed25519.PublicKey)) == nil {
		t.Fatal("altered tree head verified")
	}
	good := InclusionProof{EntryID: "e0", EntryHash: h("e0"), LeafIndex: 0, Hashes: [][]byte{l1}}
	if err := VerifyInclusion(th, good); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []InclusionProof{
		{EntryID: "e0", EntryHash: h("e0"), LeafIndex: 1, Hashes: [][]byte{l1}},
		{EntryID: "x", EntryHash: h("x"), LeafIndex: 0, Hashes: [][]byte{l1}},
		{EntryID: "e0", EntryHash: "zz", LeafIndex: 0, Hashes: [][]byte{l1}},
	} {
		if e := AsError(VerifyInclusion(th, bad)); e == nil || e.Code != CodeLogInconsistent {
			t.Fatalf("bad proof %+v accepted: %v", bad, e)
		}
	}
	old := TreeHead{Size: 1, Root: root1}
	newer := TreeHead{Size: 3, Root: root3}
	if err := VerifyConsistency(old, newer, [][]byte{l1, l2}); err != nil {
		t.Fatal(err)
	}
	rewritten := TreeHead{Size: 3, Root: hc(hc(l1, l0), l2)}
	if VerifyConsistency(old, rewritten, [][]byte{l1, l2}) == nil {
		t.Fatal("rewritten log passed consistency")
	}
	if VerifyConsistency(TreeHead{Size: 2, Root: root2}, TreeHead{Size: 2, Root: root1}, nil) == nil {
		t.Fatal("two roots for one size passed")
	}
}

// SPEC S4: the offset is device minus server, independent of the delay.
func TestClockOffset(t *testing.T) {
	// device is 5s ahead; 100ms each way; the server takes 10ms.
	sec := int64(time.Second)
	t0 := 1000 * sec
	t1 := t0 - 5*sec + int64(100*time.Millisecond)
	t2 := t1 + int64(10*time.Millisecond)
	t3 := t2 + 5*sec + int64(100*time.Millisecond)
	off, rtt := ClockOffset(t0, t1, t2, t3)
	if off != 5*time.Second || rtt != 200*time.Millisecond {
		t.Fatalf("offset %v rtt %v", off, rtt)
	}
}
