package syncsrv_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"lawtrace/backend/internal/events"
	"lawtrace/backend/internal/server"
	"lawtrace/backend/internal/simdev"
	"lawtrace/shared/syncproto"
)

// SPEC S6 X2: a revocation announced on the bus (the device page, or
// another instance through the fan-out) cuts the device's live connection
// without waiting for the store poll — here an hour, so only the event can
// do it; the store decides, so an event naming a device that is not
// revoked cuts nothing; after a resync every live device is checked; each
// connection is cut and counted once, however many events name it.
func TestRevocationEventCutsWithoutThePoll(t *testing.T) {
	m := start(t, server.Config{PollInterval: time.Hour})
	ctx := ctxT(t)
	lost, other, stolen := enrolled(t, m, 1), enrolled(t, m, 2), enrolled(t, m, 3)

	m.Bus.Publish(events.Event{Kind: events.DeviceRevoked, DeviceID: other.Dev.ID})
	if err := m.Data.Store.Revoke(ctx, lost.Dev.ID, "terminal reported lost", time.Now()); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		m.Bus.Publish(events.Event{Kind: events.DeviceRevoked, DeviceID: lost.Dev.ID, Origin: "instance-a"})
	}
	waitRevoked(t, ctx, lost, "terminal reported lost")
	if _, err := other.Push(ctx, other.Dev.Case("X", 1), 0); err != nil {
		t.Fatalf("a device named in an event but not revoked lost its connection: %v", err)
	}

	// a revocation whose event was lost (the fan-out was down): the resync
	// that follows the fan-out's reconnect finds it
	if err := m.Data.Store.Revoke(ctx, stolen.Dev.ID, "terminal stolen", time.Now()); err != nil {
		t.Fatal(err)
	}
	m.Bus.Publish(events.Event{Kind: events.Resync, Origin: "this-instance"})
	waitRevoked(t, ctx, stolen, "terminal stolen")
	if _, err := other.Push(ctx, other.Dev.Case("Y", 1), 0); err != nil {
		t.Fatalf("a device that is not revoked lost its connection in the resync: %v", err)
	}
	if n := m.Sync.M.Revoked.Value(); n != 2 {
		t.Fatalf("%d revoked connections counted, want 2 (one each)", n)
	}
}

// waitRevoked waits for c's connection to be closed with the revoked
// error naming reason.
func waitRevoked(t *testing.T, ctx context.Context, c *simdev.Client, reason string) {
	t.Helper()
	select {
	case <-c.Sess.Done():
	case <-ctx.Done():
		t.Fatalf("the connection of revoked device %s is still open", c.Dev.ID)
	}
	var pe *syncproto.Error
	for _, msg := range c.Unasked() {
		if e, ok := msg.(*syncproto.Error); ok {
			pe = e
		}
	}
	if pe == nil || pe.Code != syncproto.CodeRevoked || !strings.Contains(pe.Message, reason) {
		t.Fatalf("device %s was cut with %+v (%v), want %s naming %q", c.Dev.ID, pe, c.Sess.Err(), syncproto.CodeRevoked, reason)
	}
}
