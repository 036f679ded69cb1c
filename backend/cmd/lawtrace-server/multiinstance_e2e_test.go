package main

import (
	"context"
	"testing"
	"time"

	"lawtrace/backend/internal/events"
	"lawtrace/backend/internal/server"
	"lawtrace/backend/internal/simdev"
	"lawtrace/backend/internal/store/postgres/pgtest"
	"lawtrace/shared/syncproto"
)

// SPEC S6 X2 D1: two instances on one PostgreSQL database; a device
// connected to B is revoked through A (as the device page does: the store,
// then the event on A's bus). B's bus hears of it from A through the
// fan-out, and B cuts the device's live connection with "revoked".
func TestRevocationAcrossInstances(t *testing.T) {
	dsn := pgtest.Start(t).NewDatabase(t)
	dir := t.TempDir() // the server key, shared by both instances
	var a, b *server.Main
	for _, m := range []**server.Main{&a, &b} {
		var err error
		if *m, err = server.Open(server.Config{DataDir: dir, DB: dsn, Listen: "127.0.0.1:0", Demo: true}); err != nil {
			t.Fatal(err)
		}
		if err := (*m).Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { (*m).Close() })
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	seen, stop := b.Bus.Subscribe(100)
	defer stop()
	fromA := func(kind string) events.Event {
		t.Helper()
		for {
			select {
			case e := <-seen:
				if e.Kind == kind && e.Origin != "" {
					return e
				}
			case <-ctx.Done():
				t.Fatalf("no %s from instance A on B's bus", kind)
			}
		}
	}
	// the bridges listen once started: wait until one of A's events reaches B
	probed := make(chan events.Event, 1)
	go func() { probed <- fromA("fanout_probe") }()
	for waiting := true; waiting; {
		a.Bus.Publish(events.Event{Kind: "fanout_probe"})
		select {
		case <-probed:
			waiting = false
		case <-time.After(100 * time.Millisecond):
		}
	}

	ec, err := server.NewEnrolCode(ctx, b.Data, "patrol", time.Hour, "")
	if err != nil {
		t.Fatal(err)
	}
	d := simdev.New(7)
	c, err := simdev.Connect(ctx, b.SyncURL(), d, ec.Code)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if ack, err := c.Push(ctx, d.Case("R1", 2), 0); err != nil || ack.UpTo != 2 {
		t.Fatalf("push: %+v %v", ack, err)
	}
	if err := a.Data.Store.Revoke(ctx, d.ID, "终端遗失", time.Now()); err != nil {
		t.Fatal(err)
	}
	a.Bus.Publish(events.Event{Kind: events.DeviceRevoked, DeviceID: d.ID})
	if e := fromA(events.DeviceRevoked); e.DeviceID != d.ID {
		t.Fatalf("B heard %+v", e)
	}
	select {
	case <-c.Sess.Done():
	case <-ctx.Done():
		t.Fatal("the revoked device's connection to B is still open")
	}
	var pe *syncproto.Error
	for _, m := range c.Unasked() {
		if e, ok := m.(*syncproto.Error); ok {
			pe = e
		}
	}
	if pe == nil || pe.Code != syncproto.CodeRevoked {
		t.Fatalf("B closed the connection with %+v (%v), want %s", pe, c.Sess.Err(), syncproto.CodeRevoked)
	}
	if _, err := simdev.Connect(ctx, b.SyncURL(), d, ""); syncproto.AsError(err) == nil || syncproto.AsError(err).Code != syncproto.CodeRevoked {
		t.Fatalf("reconnect after revocation: %v", err)
	}
}
