package pgfanout

import (
	"context"
	"database/sql"
	"strings"
	"testing"
	"time"

	"lawtrace/backend/internal/events"
	"lawtrace/backend/internal/store/postgres/pgtest"
)

// instance is one bridge on its own bus, as in one server process.
type instance struct {
	bus    events.Bus
	bridge *Bridge
	seen   <-chan events.Event
}

func start(t *testing.T, dsn, name string, peerCheck time.Duration) *instance {
	t.Helper()
	in := &instance{}
	in.bridge = New(Config{DSN: dsn, Bus: &in.bus, Instance: name, PeerCheck: peerCheck})
	sub := in.bus.Subscribe(100)
	in.seen = sub.Events
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); in.bridge.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done; sub.Close() })
	<-in.bridge.Ready()
	return in
}

// next is the next event the instance's subscriber sees; a generous wait.
func (in *instance) next(t *testing.T) events.Event {
	t.Helper()
	select {
	case e := <-in.seen:
		return e
	case <-time.After(30 * time.Second):
		t.Fatal("no event")
		return events.Event{}
	}
}

// SPEC X2 S6 D1: an event published on one instance reaches the others
// once, marked with its origin, and never comes back to where it began;
// after the listening connection is lost the bridge reconnects, publishes
// a resync locally and carries events again. (The others do not look
// for lost instances here: TestLostInstance.)
func TestFanOut(t *testing.T) {
	dsn := pgtest.Start(t).NewDatabase(t)
	a, b, c := start(t, dsn, "a", time.Hour), start(t, dsn, "b", time.Hour), start(t, dsn, "c", time.Hour)

	a.bus.Publish(events.Event{Kind: events.DeviceRevoked, DeviceID: "dev-1"})
	if e := a.next(t); e.Origin != "" || e.DeviceID != "dev-1" {
		t.Fatalf("a's own event: %+v", e)
	}
	for _, in := range []*instance{b, c} {
		if e := in.next(t); e.Kind != events.DeviceRevoked || e.DeviceID != "dev-1" || e.Origin != "a" {
			t.Fatalf("at %s: %+v", in.bridge.Instance(), e)
		}
	}
	// the next event on a's bus is b's own, not an echo of dev-1
	b.bus.Publish(events.Event{Kind: events.BatchIngested, DeviceID: "dev-2", Cases: []string{"C9"}})
	b.next(t)
	for _, in := range []*instance{a, c} {
		if e := in.next(t); e.Kind != events.BatchIngested || e.Origin != "b" || len(e.Cases) != 1 {
			t.Fatalf("at %s: %+v", in.bridge.Instance(), e)
		}
	}

	// c's listening connection dies (as in a database restart)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var killed int
	if err := db.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
		WHERE application_name = 'lawtrace fan-out listen c'`).Scan(&killed); err != nil || killed != 1 {
		t.Fatalf("terminate c's listener: %d %v", killed, err)
	}
	if e := c.next(t); e.Kind != events.Resync || e.Origin != "c" {
		t.Fatalf("after the reconnect c saw %+v, want a resync", e)
	}
	a.bus.Publish(events.Event{Kind: events.MediaStored, Hash: "h1"})
	a.next(t)
	for _, in := range []*instance{b, c} {
		if e := in.next(t); e.Kind != events.MediaStored || e.Origin != "a" {
			t.Fatalf("at %s after the reconnect: %+v", in.bridge.Instance(), e)
		}
	}
	// the resync stayed local: a and b saw nothing more
	for _, in := range []*instance{a, b} {
		select {
		case e := <-in.seen:
			t.Fatalf("at %s: %+v", in.bridge.Instance(), e)
		default:
		}
	}
}

// SPEC X2 D1: when another instance stops listening — killed, or cut off
// from the database, here its listening connection terminated — the
// events it had not sent are lost with it, so the bridge publishes a
// resync locally, naming the instance, and sends it nowhere.
func TestLostInstance(t *testing.T) {
	dsn := pgtest.Start(t).NewDatabase(t)
	a, b := start(t, dsn, "a", 20*time.Millisecond), start(t, dsn, "b", time.Hour)
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	// until a has looked while b listened: b's listener is cut again
	// (b reconnects each time) until a notices one going
	deadline := time.After(30 * time.Second)
	cut := 0
	for noticed := false; !noticed; {
		var n int
		if err := db.QueryRow(`SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE application_name = 'lawtrace fan-out listen b'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		cut += n
		select {
		case e := <-a.seen:
			if e.Kind != events.Resync || e.Origin != "a" || !strings.HasSuffix(e.Detail, " b") {
				t.Fatalf("a saw %+v, want its own resync naming b", e)
			}
			noticed = true
		case <-time.After(time.Second):
		case <-deadline:
			t.Fatal("a never noticed b's listener going")
		}
	}
	// the resync stayed on a: b, listening again after as many resyncs of
	// its own as its listener was cut, hears a's next event and nothing
	// before it (a sends in the order of its bus)
	for range cut {
		if e := b.next(t); e.Kind != events.Resync || e.Origin != "b" {
			t.Fatalf("b saw %+v, want its own resync", e)
		}
	}
	a.bus.Publish(events.Event{Kind: events.MediaStored, Hash: "marker"})
	if e := b.next(t); e.Kind != events.MediaStored || e.Origin != "a" {
		t.Fatalf("b saw %+v, want a's next event", e)
	}
}
