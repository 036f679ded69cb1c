package ui

import (
	"context"
	"errors"
	"sync"
	"time"

	"lawtrace/app/internal/field"
	"lawtrace/app/internal/fieldsync"
	"lawtrace/shared/syncproto"
)

// liveSync is the Sync of a real terminal: enrolment and the background
// loop of app/internal/fieldsync, which reconnects by itself after any
// drop (SPEC S1-S6). This file is the only one in package ui that knows
// fieldsync.
type liveSync struct {
	t   *field.Terminal
	opt fieldsync.Options

	mu       sync.Mutex
	syncer   *fieldsync.Syncer
	onChange func()
	running  bool
	progress fieldsync.Progress
	// lastErr is the last dial's failure, with its type, for the advice
	// shown with it (issue 12 (8)); nil after a dial that connected.
	lastErr error
}

// kindError carries the kind of an enrolment failure to the screens.
type kindError struct {
	kind string
	err  error
}

func (e *kindError) Error() string { return e.err.Error() }
func (e *kindError) Unwrap() error { return e.err }

// errorKind is the kind of a failure a Sync returned ("" if unknown).
func errorKind(err error) string {
	var k *kindError
	if errors.As(err, &k) {
		return k.kind
	}
	return ""
}

// NewLiveSync returns the Sync main wires into the app. opt's OnState and
// OnProgress are taken over to notify the UI.
func NewLiveSync(t *field.Terminal, opt fieldsync.Options) Sync {
	l := &liveSync{t: t}
	opt.OnState = func(fieldsync.State) { l.changed() }
	opt.OnProgress = func(p fieldsync.Progress) {
		l.mu.Lock()
		l.progress = p
		l.mu.Unlock()
		l.changed()
	}
	dial := opt.Dial
	if dial == nil {
		dial = fieldsync.DialWebsocket
	}
	opt.Dial = func(ctx context.Context, url string) (syncproto.MsgConn, error) {
		c, err := dial(ctx, url)
		l.mu.Lock()
		l.lastErr = err // nil once a dial succeeds: a later failure is not the dial's
		l.mu.Unlock()
		return c, err
	}
	l.opt = opt
	l.syncer = fieldsync.New(t, opt)
	return l
}

func (l *liveSync) changed() {
	l.mu.Lock()
	fn := l.onChange
	l.mu.Unlock()
	if fn != nil {
		fn()
	}
}

// Enroll implements Sync; server may be a URL or a lawtrace://enrol payload.
func (l *liveSync) Enroll(ctx context.Context, server, code string) error {
	_, err := fieldsync.Enrol(ctx, l.t, server, code, l.opt)
	l.changed()
	if err != nil {
		return &kindError{kind: string(fieldsync.KindOf(err)), err: err}
	}
	return nil
}

// Start implements Sync: it runs the loop once the terminal is enrolled.
func (l *liveSync) Start(ctx context.Context) {
	if _, ok, err := l.t.Server(); err != nil || !ok {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.running {
		return
	}
	l.running = true
	go func() {
		_ = l.syncer.Run(ctx) // a final error is in State
		l.mu.Lock()
		l.running = false
		l.mu.Unlock()
		l.changed()
	}()
}

// Kick implements Sync.
func (l *liveSync) Kick() { l.syncer.Nudge() }

// OnChange implements Sync.
func (l *liveSync) OnChange(fn func()) {
	l.mu.Lock()
	l.onChange = fn
	l.mu.Unlock()
}

// State implements Sync.
func (l *liveSync) State() SyncState {
	st := l.syncer.State()
	srv, ok, _ := l.t.Server()
	l.mu.Lock()
	p := l.progress
	last := l.lastErr
	l.mu.Unlock()
	out := SyncState{Enrolled: ok, Server: srv.URL, Connected: st.Connected, Phase: string(st.Phase),
		LastError: st.Err, Retryable: st.Retryable, Revoked: st.Phase == fieldsync.PhaseRevoked, Skewed: st.Skewed,
		UploadDone: p.CurrentOffset, UploadSize: p.CurrentSize}
	if t, err := time.Parse(time.RFC3339Nano, st.LastSync); err == nil {
		out.LastSync = t
	}
	switch {
	case st.Err == "":
	case st.Phase == fieldsync.PhaseRevoked:
		out.ErrorKind = string(fieldsync.KindRevoked)
	case last != nil:
		// the last dial failed, which ends the attempt the loop reports:
		// its kind comes from the error value, never from its text
		out.ErrorKind = string(fieldsync.KindOf(last))
	case !st.Retryable:
		out.ErrorKind = string(fieldsync.KindRejected)
	default:
		out.ErrorKind = string(fieldsync.KindNetwork)
	}
	return out
}
