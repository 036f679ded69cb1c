package web_test

import (
	"strings"
	"testing"
	"time"

	"lawtrace/backend/internal/events"
)

// Issue 13 finding 10, SPEC D1 D3: "online" came from counting connect and
// disconnect events on a bus that drops events for a slow subscriber, so a
// device could show online forever. It now comes from the sync server's
// live connections: a connect event with no connection behind it (as
// when the matching disconnect was dropped) shows nothing online, and a
// closed connection is offline at once.
func TestOnlineComesFromLiveConnections(t *testing.T) {
	e := start(t, nil)
	tm := e.terminal(41, "巡查 41 号")
	admin := e.as("admin")
	rowOf := func() string {
		t.Helper()
		page := admin.get("/admin/devices").body
		i := strings.Index(page, tm.d.ID)
		if i < 0 {
			t.Fatalf("device %s not on the page", tm.d.ID)
		}
		row := page[i:]
		if j := strings.Index(row, "</tr>"); j > 0 {
			row = row[:j]
		}
		return row
	}
	if !strings.Contains(rowOf(), "在线") {
		t.Fatal("a connected terminal is not shown online")
	}
	tm.c.Close()
	// the disconnect's event is lost; a stray connect event arrives instead
	e.m.Bus.Publish(events.Event{Kind: events.DeviceConnected, DeviceID: tm.d.ID})
	deadline := time.Now().Add(5 * time.Second)
	for strings.Contains(rowOf(), "在线") {
		if time.Now().After(deadline) {
			t.Fatal("a terminal without a live connection still shows online")
		}
		time.Sleep(50 * time.Millisecond)
	}
}
