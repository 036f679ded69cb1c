package syncproto

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"
)

// Issue 13, SPEC S6: every client-chosen string of a Hello is checked
// before the server stores or logs it, and the refusal never repeats it.
func TestHelloCheck(t *testing.T) {
	ok := Hello{Protocol: 1, DeviceID: "D0123456789abcdef", AppVersion: "lawtrace-field 1.2.3 (android)", Enrol: &EnrolRequest{Code: "ABCD-EFGH-JKMN", Name: "巡查 1 号", PublicKey: make([]byte, 32)}}
	if err := ok.Check(); err != nil {
		t.Fatal(err)
	}
	huge := strings.Repeat("a", 4<<20)
	for name, mut := range map[string]func(h *Hello){
		"huge id":        func(h *Hello) { h.DeviceID = "D" + huge },
		"short id":       func(h *Hello) { h.DeviceID = "D0123" },
		"upper-case hex": func(h *Hello) { h.DeviceID = "D0123456789ABCDEF" },
		"escape in id":   func(h *Hello) { h.DeviceID = "D\x1b[31m456789abcdef" },
		"long version":   func(h *Hello) { h.AppVersion = huge },
		"newline":        func(h *Hello) { h.AppVersion = "1.0\nforged log line" },
		"long name":      func(h *Hello) { h.Enrol.Name = strings.Repeat("巡", MaxDeviceNameLen+1) },
		"control name":   func(h *Hello) { h.Enrol.Name = "a\u202eb" },
		"bad utf-8 name": func(h *Hello) { h.Enrol.Name = "a\xffb" },
		"long code":      func(h *Hello) { h.Enrol.Code = huge },
		"code chars":     func(h *Hello) { h.Enrol.Code = "ABCD;DROP" },
		"negative":       func(h *Hello) { h.Outbox = -1 },
	} {
		h := ok
		e := *ok.Enrol
		h.Enrol = &e
		mut(&h)
		err := h.Check()
		pe := AsError(err)
		if pe == nil || pe.Code != CodeBadFrame {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(pe.Message) > 200 || strings.Contains(pe.Message, "aaaa") || strings.ContainsAny(pe.Message, "\x1b\n") {
			t.Errorf("%s: the refusal repeats the value: %q", name, pe.Message)
		}
	}
	// A Hello that fits the handshake frame limit with room to spare.
	b, err := Encode(1, &ok)
	if err != nil || len(b) > MaxHandshakeFrameSize/4 {
		t.Fatalf("hello frame of %d bytes: %v", len(b), err)
	}
}

func TestCleanText(t *testing.T) {
	if got := CleanText("plain 中文", 64); got != "plain 中文" {
		t.Fatal(got)
	}
	in := "a\x1b[31m\n\xff" + strings.Repeat("中", 100)
	got := CleanText(in, 20)
	mark := fmt.Sprintf("…(%d bytes)", len(in))
	if !utf8.ValidString(got) || strings.ContainsAny(got, "\x1b\n") || !strings.HasSuffix(got, mark) || len(got) > 20+len(mark) {
		t.Fatalf("%q", got)
	}
}
