// Package pgfanout carries the live events of one server instance to the others on the same PostgreSQL database through LISTEN/NOTIFY (SPEC X2; issue 14).
package pgfanout

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"

	"lawtrace/backend/internal/events"
)

// Channel is the PostgreSQL notification channel the instances share.
const Channel = "lawtrace_events"

// Config is what a bridge needs.
type Config struct {
	// DSN is the database's address (postgres://…).
	DSN string
	// Bus is this process's event bus.
	Bus *events.Bus
	// Instance names this process among the instances; random when empty.
	Instance string
	// PeerCheck is how often the bridge looks up which instances listen
	// (default 250 ms): one gone — killed, or cut off from the database —
	// may have taken events it had not yet sent with it.
	PeerCheck time.Duration
	Logger    *slog.Logger
}

// Bridge publishes each local event to Channel and republishes the other
// instances' events into the local bus, marked with their Origin; an
// event that carries an Origin is never sent on, so nothing echoes.
type Bridge struct {
	cfg   Config
	ready chan struct{}
	once  sync.Once
}

// New builds a bridge; Run runs it.
func New(cfg Config) *Bridge {
	if cfg.Instance == "" {
		b := make([]byte, 8)
		_, _ = rand.Read(b)
		cfg.Instance = hex.EncodeToString(b)
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.PeerCheck == 0 {
		cfg.PeerCheck = 250 * time.Millisecond
	}
	return &Bridge{cfg: cfg, ready: make(chan struct{})}
}

// Instance is the name this bridge sends as Origin.
func (b *Bridge) Instance() string { return b.cfg.Instance }

// Ready is closed once the bridge listens for the first time.
func (b *Bridge) Ready() <-chan struct{} { return b.ready }

// Run forwards events both ways until ctx ends, reconnecting after the
// connection or the database is lost. After each reconnect it publishes
// an events.Resync locally: what other instances sent meanwhile is lost,
// so live pages and caches reload instead of waiting for the next change.
// It publishes one as well when another instance stops listening
// (watchPeers).
func (b *Bridge) Run(ctx context.Context) {
	sub := b.cfg.Bus.Subscribe(4096)
	var running sync.WaitGroup
	running.Go(func() { b.send(ctx, sub.Events) })
	running.Go(func() { b.watchPeers(ctx) })
	b.listen(ctx)
	sub.Close()
	running.Wait()
}

// connect opens one connection, named for pg_stat_activity
// ("lawtrace fan-out listen <instance>").
func (b *Bridge) connect(ctx context.Context, role string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(b.cfg.DSN)
	if err != nil {
		return nil, err
	}
	cfg.RuntimeParams["application_name"] = "lawtrace fan-out " + role + " " + b.cfg.Instance
	return pgx.ConnectConfig(ctx, cfg)
}

// listen keeps a LISTEN connection open and republishes what arrives.
func (b *Bridge) listen(ctx context.Context) {
	const maxBackoff = 5 * time.Second
	backoff := 100 * time.Millisecond
	listened := false
	for ctx.Err() == nil {
		err := b.listenOnce(ctx, func() {
			backoff = 100 * time.Millisecond
			if listened {
				b.cfg.Logger.Info("event fan-out reconnected; live pages reload", "instance", b.cfg.Instance)
				b.cfg.Bus.Publish(events.Event{Kind: events.Resync, Origin: b.cfg.Instance})
			}
			listened = true
			b.once.Do(func() { close(b.ready) })
		})
		if ctx.Err() != nil {
			return
		}
		b.cfg.Logger.Warn("event fan-out lost its database connection; retrying", "instance", b.cfg.Instance, "err", err, "in", backoff)
		select {
		case <-ctx.Done():
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

func (b *Bridge) listenOnce(ctx context.Context, listening func()) error {
	conn, err := b.connect(ctx, "listen")
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		return err
	}
	listening()
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		var e events.Event
		if err := json.Unmarshal([]byte(n.Payload), &e); err != nil || e.Origin == "" {
			b.cfg.Logger.Warn("event fan-out: a notification that is not an event", "payload", n.Payload)
			continue
		}
		if e.Origin != b.cfg.Instance {
			b.cfg.Bus.Publish(e)
		}
	}
}

// send notifies the other instances of each event that happened here,
// on a connection of its own, reopened once when a notification fails.
func (b *Bridge) send(ctx context.Context, evs <-chan events.Event) {
	var conn *pgx.Conn
	defer func() {
		if conn != nil {
			conn.Close(context.WithoutCancel(ctx))
		}
	}()
	notify := func(payload string) error {
		var err error
		if conn == nil {
			if conn, err = b.connect(ctx, "notify"); err != nil {
				return err
			}
		}
		if _, err = conn.Exec(ctx, "SELECT pg_notify($1, $2)", Channel, payload); err != nil {
			conn.Close(context.WithoutCancel(ctx))
			conn = nil
		}
		return err
	}
	for e := range evs {
		if e.Origin != "" { // from another instance, or the bridge's own resync
			continue
		}
		e.Origin = b.cfg.Instance
		for _, p := range payloads(e) {
			if err := notify(p); err != nil && ctx.Err() == nil {
				if err = notify(p); err != nil {
					b.cfg.Logger.Warn("event fan-out: an event not sent to the other instances", "kind", e.Kind, "err", err)
				}
			}
		}
	}
}

// watchPeers looks up every PeerCheck which instances listen on the
// database. An instance whose listening connection is gone — killed
// (SIGKILL, a lost machine) or cut off from the database — may have
// committed and acknowledged a batch whose event it never sent, so the
// bridge publishes an events.Resync locally and live pages check their
// cases against the store: what a lost instance stored shows up without
// waiting for that case's next change.
func (b *Bridge) watchPeers(ctx context.Context) {
	var conn *pgx.Conn
	defer func() {
		if conn != nil {
			conn.Close(context.WithoutCancel(ctx))
		}
	}()
	var listening map[string]bool // listening connections of the other instances, by pid and name; nil before the first look
	tick := time.NewTicker(b.cfg.PeerCheck)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		var err error
		if conn == nil {
			if conn, err = b.connect(ctx, "peers"); err != nil {
				continue // the listener reports a lost database
			}
		}
		now, err := b.listeners(ctx, conn)
		if err != nil {
			conn.Close(context.WithoutCancel(ctx))
			conn = nil
			continue
		}
		for peer := range listening {
			if !now[peer] {
				b.cfg.Logger.Warn("another instance stopped listening; live pages check against the store", "instance", b.cfg.Instance, "gone", peer)
				b.cfg.Bus.Publish(events.Event{Kind: events.Resync, Origin: b.cfg.Instance, Detail: "instance gone: " + peer})
				break
			}
		}
		listening = now
	}
}

// listeners are the other instances' listening connections to this
// database, each as "pid name".
func (b *Bridge) listeners(ctx context.Context, conn *pgx.Conn) (map[string]bool, error) {
	rows, err := conn.Query(ctx, `SELECT pid, application_name FROM pg_stat_activity
		WHERE datname = current_database() AND application_name LIKE 'lawtrace fan-out listen %' AND application_name <> $1`,
		"lawtrace fan-out listen "+b.cfg.Instance)
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	var pid int32
	var name string
	_, err = pgx.ForEachRow(rows, []any{&pid, &name}, func() error {
		out[fmt.Sprintf("%d %s", pid, strings.TrimPrefix(name, "lawtrace fan-out listen "))] = true
		return nil
	})
	return out, err
}
