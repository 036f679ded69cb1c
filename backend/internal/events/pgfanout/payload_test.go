package pgfanout

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"lawtrace/backend/internal/events"
)

// SPEC X2: a notification stays under PostgreSQL's 8000 bytes whatever
// the event; every case of a batch reaches the other instances.
func TestPayloads(t *testing.T) {
	var many []string
	for i := range 1000 {
		many = append(many, fmt.Sprintf("case-%04d-2026-执法", i))
	}
	for _, tc := range []struct {
		name      string
		e         events.Event
		parts     int // 0: more than one
		detailCut bool
	}{
		{"small", events.Event{Kind: events.BatchIngested, DeviceID: "d1", Cases: []string{"C1", "C2"}, Entries: 3, Origin: "a"}, 1, false},
		{"many cases", events.Event{Kind: events.BatchIngested, DeviceID: "d1", Cases: many, Entries: 1000, Origin: "a"}, 0, false},
		{"long detail", events.Event{Kind: events.SecurityEvent, Detail: strings.Repeat("签名无效", 2000), Origin: "a"}, 1, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ps := payloads(tc.e)
			if tc.parts != 0 && len(ps) != tc.parts || tc.parts == 0 && len(ps) < 2 {
				t.Fatalf("%d notifications", len(ps))
			}
			var cases []string
			for _, p := range ps {
				if len(p) > maxPayload {
					t.Fatalf("notification of %d bytes", len(p))
				}
				var e events.Event
				if err := json.Unmarshal([]byte(p), &e); err != nil {
					t.Fatal(err)
				}
				if e.Kind != tc.e.Kind || e.Origin != tc.e.Origin || e.DeviceID != tc.e.DeviceID {
					t.Fatalf("part %+v of %+v", e, tc.e)
				}
				if !utf8.ValidString(e.Detail) || tc.detailCut != (e.Detail != tc.e.Detail) || !strings.HasPrefix(tc.e.Detail, e.Detail) {
					t.Fatalf("detail %q", e.Detail)
				}
				cases = append(cases, e.Cases...)
			}
			if !slices.Equal(cases, tc.e.Cases) {
				t.Fatalf("cases %v, want %v", cases, tc.e.Cases)
			}
		})
	}
}
