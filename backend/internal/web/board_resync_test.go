package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"lawtrace/backend/internal/events"
	"lawtrace/backend/internal/store"
)

// SPEC X2 (issue 14): entries another instance stored while the fan-out
// between instances was down reach no bus; the bridge's resync event after
// it reconnects makes the board read them from the store.
func TestBoardCatchesUpOnResync(t *testing.T) {
	e := start(t, nil)
	tm := e.terminal(61, "一中队 6 号")
	a := tm.d.Case("R1", 2)
	tm.push(t, a...)

	ws, _, err := dialBoard(t, e, e.as("supervisor"), e.url)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if ids := rowIDs(next(t, ws, "snapshot")); len(ids) != 1 {
		t.Fatalf("snapshot %v", ids)
	}
	// as another instance: stored, no event on this instance's bus
	more := tm.d.Entry("R1", "inspection_notes", map[string]any{"fields": map[string]string{"findings": "另一实例写入"}})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := e.m.Data.Store.Ingest(ctx, store.Batch{DeviceID: tm.d.ID, Entries: append(a, more), ReceivedAt: time.Now()}); err != nil {
		t.Fatal(err)
	}
	e.m.Bus.Publish(events.Event{Kind: events.Resync})
	for {
		m := next(t, ws, "rows")
		if ids := rowIDs(m); len(ids) == 1 && ids[0] == "R1" && strings.Contains(m.Rows[0].HTML, "共 3 条") {
			return
		}
	}
}
