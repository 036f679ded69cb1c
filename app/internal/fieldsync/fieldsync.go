// Package fieldsync runs the terminal's sync with the backend — enrolment, a single pass, or a background loop that resumes by itself after any drop — and reports state and progress through callbacks, so the Fyne app and lawtrace-fieldctl share it (SPEC S1-S6).
package fieldsync

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"sync"
	"time"

	"lawtrace/app/internal/field"
	"lawtrace/shared/ledger"
	"lawtrace/shared/syncproto"
)

// Options tune a Syncer; the zero value works.
type Options struct {
	AppVersion string
	// BatchSize is the most entries per push (default 200).
	BatchSize int
	// ChunkSize is the media chunk size (default 1 MiB).
	ChunkSize int
	// Window is how many media chunks may be unacknowledged (default 4).
	Window int
	// Dial opens connections (default DialWebsocket).
	Dial   Dialer
	Logger *slog.Logger
	// OnState and OnProgress are called from the sync goroutine; a UI must
	// hand them to its own thread (fyne.Do).
	OnState    func(State)
	OnProgress func(Progress)
	// MinBackoff and MaxBackoff bound the wait between attempts in Run
	// (defaults 1s and 60s); each wait is jittered by ±20%.
	MinBackoff, MaxBackoff time.Duration
	// PollInterval is how often Run looks for entries written by another
	// process while connected (default 1s).
	PollInterval time.Duration
	// RefreshInterval is how often Run repeats a full pass while connected
	// and idle (default 5m).
	RefreshInterval time.Duration
	// CallTimeout bounds each request (default 2m).
	CallTimeout time.Duration
	// Rand returns a number in [0,1) for jitter; tests fix it.
	Rand func() float64
}

// Phase is what the sync loop is doing.
type Phase string

// Phases.
const (
	PhaseIdle       Phase = "idle"
	PhaseConnecting Phase = "connecting"
	PhasePushing    Phase = "pushing"
	PhaseUploading  Phase = "uploading"
	PhasePulling    Phase = "pulling"
	PhaseWiping     Phase = "wiping"
	PhaseWaiting    Phase = "waiting" // connected, everything sent
	PhaseOffline    Phase = "offline" // waiting to retry
	PhaseRevoked    Phase = "revoked" // the server revoked this terminal
	PhaseFailed     Phase = "failed"  // a final error; retrying will not help
)

// State is what an officer sees about sync (SPEC S1).
type State struct {
	Phase        Phase         `json:"phase"`
	Connected    bool          `json:"connected"`
	Err          string        `json:"error,omitempty"`
	Retryable    bool          `json:"retryable,omitempty"`
	NextAttempt  time.Time     `json:"next_attempt,omitzero"`
	Outbox       int           `json:"outbox"`
	PendingBytes int64         `json:"pending_media_bytes"`
	LastSync     string        `json:"last_sync,omitempty"`
	ClockOffset  time.Duration `json:"clock_offset"`
	Skewed       bool          `json:"skewed"`
}

// Progress counts what this Syncer has moved.
type Progress struct {
	EntriesSent         int    `json:"entries_sent"`
	EntriesConfirmed    int    `json:"entries_confirmed"`
	MediaFilesConfirmed int    `json:"media_files_confirmed"`
	MediaBytesSent      int64  `json:"media_bytes_sent"`
	CurrentFile         string `json:"current_file,omitempty"`
	CurrentOffset       int64  `json:"current_offset"`
	CurrentSize         int64  `json:"current_size"`
}

// Result is what one pass did.
type Result struct {
	Confirmed      int                `json:"confirmed"`
	Duplicates     int                `json:"duplicates"`
	MediaFiles     int                `json:"media_files"`
	MediaBytesSent int64              `json:"media_bytes_sent"`
	CatalogItems   int                `json:"catalog_items"`
	Wiped          *field.WipeResult  `json:"wiped,omitempty"`
	ClockOffset    time.Duration      `json:"clock_offset"`
	Skewed         bool               `json:"skewed"`
	Outbox         int                `json:"outbox"`
	PendingMedia   int                `json:"pending_media"`
	FileErrors     []string           `json:"file_errors,omitempty"`
	Status         field.Status       `json:"status"`
	TreeHead       syncproto.TreeHead `json:"-"`
}

// Syncer syncs one terminal.
type Syncer struct {
	t   *field.Terminal
	opt Options
	log *slog.Logger

	nudge chan struct{}

	mu       sync.Mutex
	progress Progress
	state    State
}

// New makes a Syncer for t.
func New(t *field.Terminal, opt Options) *Syncer {
	if opt.BatchSize <= 0 {
		opt.BatchSize = 200
	}
	if opt.ChunkSize <= 0 {
		opt.ChunkSize = 1 << 20
	}
	if opt.ChunkSize > syncproto.MaxChunkSize {
		opt.ChunkSize = syncproto.MaxChunkSize
	}
	if opt.Window <= 0 {
		opt.Window = 4
	}
	if opt.Dial == nil {
		opt.Dial = DialWebsocket
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	if opt.MinBackoff <= 0 {
		opt.MinBackoff = time.Second
	}
	if opt.MaxBackoff <= 0 {
		opt.MaxBackoff = time.Minute
	}
	if opt.PollInterval <= 0 {
		opt.PollInterval = time.Second
	}
	if opt.RefreshInterval <= 0 {
		opt.RefreshInterval = 5 * time.Minute
	}
	if opt.CallTimeout <= 0 {
		opt.CallTimeout = 2 * time.Minute
	}
	if opt.Rand == nil {
		opt.Rand = rand.Float64
	}
	return &Syncer{t: t, opt: opt, log: opt.Logger, nudge: make(chan struct{}, 1)}
}

// Nudge asks a running loop to sync now (the app calls it after a step).
func (s *Syncer) Nudge() {
	select {
	case s.nudge <- struct{}{}:
	default:
	}
}

// Progress returns the counters so far.
func (s *Syncer) Progress() Progress {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.progress
}

// State returns the last reported state.
func (s *Syncer) State() State {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.state
}

func (s *Syncer) setState(phase Phase, connected bool, err error, next time.Time) {
	st := State{Phase: phase, Connected: connected, NextAttempt: next}
	if err != nil {
		st.Err = err.Error()
		st.Retryable = syncproto.IsRetryable(err)
	}
	if fs, e := s.t.Status(); e == nil {
		st.Outbox, st.PendingBytes, st.LastSync = fs.Outbox, fs.PendingBytes, fs.LastSync
		st.ClockOffset = time.Duration(fs.ClockOffsetMs) * time.Millisecond
	}
	s.mu.Lock()
	st.Skewed = s.state.Skewed
	s.state = st
	s.mu.Unlock()
	if s.opt.OnState != nil {
		s.opt.OnState(st)
	}
}

func (s *Syncer) addProgress(fn func(p *Progress)) {
	s.mu.Lock()
	fn(&s.progress)
	p := s.progress
	s.mu.Unlock()
	if s.opt.OnProgress != nil {
		s.opt.OnProgress(p)
	}
}

// session is one authenticated connection.
type session struct {
	*syncproto.Session
	welcome *syncproto.Welcome
	offset  time.Duration
	anchor  ledger.ClockSync // the clock measurement of this connection

	mu     sync.Mutex
	cut    error // an Error the server sent unasked (revoked, shutting down)
	wipe   bool
	notice chan struct{}
}

func (c *session) unasked(_ uint32, m syncproto.Message) {
	c.mu.Lock()
	switch m := m.(type) {
	case *syncproto.Error:
		c.cut = m
	case *syncproto.WipeOrder:
		c.wipe = true
	}
	c.mu.Unlock()
	select {
	case c.notice <- struct{}{}:
	default:
	}
}

// reason prefers the server's stated reason over a bare connection error.
func (c *session) reason(err error) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cut != nil {
		return c.cut
	}
	return err
}

func (c *session) wipeOrdered() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.wipe || c.welcome.Wipe
}

// call sends a request and waits, with the call timeout.
func (s *Syncer) call(ctx context.Context, c *session, m syncproto.Message) (syncproto.Message, error) {
	ctx, cancel := context.WithTimeout(ctx, s.opt.CallTimeout)
	defer cancel()
	resp, err := c.Call(ctx, m)
	if errors.Is(err, context.DeadlineExceeded) && ctx.Err() != nil {
		c.Close()
		return nil, syncproto.Errorf(syncproto.CodeTimeout, "no answer to %s within %s", m.Type(), s.opt.CallTimeout)
	}
	if err != nil {
		return nil, c.reason(err)
	}
	return resp, nil
}

func expectReply[T syncproto.Message](resp syncproto.Message, err error) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	}
	t, ok := resp.(T)
	if !ok {
		return zero, syncproto.Errorf(syncproto.CodeUnexpected, "expected %s, got %s", zero.Type(), resp.Type())
	}
	return t, nil
}

// connect dials, authenticates (enrolling when enrol is set) and starts
// the session's reader.
func (s *Syncer) connect(ctx context.Context, url string, enrol *syncproto.EnrolRequest, fingerprint string) (*session, error) {
	conn, err := s.opt.Dial(ctx, url)
	if err != nil {
		return nil, err
	}
	c := &session{Session: syncproto.NewSession(conn), notice: make(chan struct{}, 1)}
	// The handshake must finish in time; closing the connection ends a stuck read.
	hctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	stop := context.AfterFunc(hctx, func() { conn.Close() })
	err = s.handshake(c, enrol, fingerprint)
	if !stop() || hctx.Err() != nil {
		conn.Close()
		if err == nil || hctx.Err() != nil {
			return nil, syncproto.Errorf(syncproto.CodeTimeout, "handshake with %s timed out", url)
		}
	}
	if err != nil {
		conn.Close()
		return nil, err
	}
	go c.Run(c.unasked)
	return c, nil
}

func (s *Syncer) handshake(c *session, enrol *syncproto.EnrolRequest, fingerprint string) error {
	st, err := s.t.Status()
	if err != nil {
		return err
	}
	deviceID := s.t.DeviceID()
	boot, mono := s.t.Mono() // read with the device time: the measurement's monotonic anchor (SPEC S4)
	hello := &syncproto.Hello{Protocol: syncproto.ProtocolVersion, DeviceID: deviceID, AppVersion: s.opt.AppVersion,
		DeviceTime: s.t.Now().UnixNano(), Boot: boot, MonoMs: mono, Outbox: st.Outbox, PendingBytes: st.PendingBytes, Enrol: enrol}
	if err := c.Send(1, hello); err != nil {
		return err
	}
	_, ch, err := syncproto.Expect[*syncproto.Challenge](c.Session)
	if err != nil {
		return err
	}
	received := s.t.Now()
	serverKey := ed25519.PublicKey(ch.ServerKey)
	if len(serverKey) != ed25519.PublicKeySize || syncproto.ServerIDFor(serverKey) != ch.ServerID {
		return syncproto.Errorf(syncproto.CodeAuth, "the server's identity %s does not match its key", ch.ServerID)
	}
	if enrol == nil {
		srv, ok, err := s.t.Server()
		if err != nil {
			return err
		}
		if !ok {
			return syncproto.Errorf(syncproto.CodeUnknownDevice, "this terminal is not enrolled; run enroll with a code from the administrator")
		}
		if srv.ID != ch.ServerID || !srv.Key.Equal(serverKey) {
			return syncproto.Errorf(syncproto.CodeAuth, "the server at this address is %s, not %s that this terminal enrolled with", ch.ServerID, srv.ID)
		}
	} else if fingerprint != "" && ledger.KeyFingerprint(serverKey) != fingerprint {
		return syncproto.Errorf(syncproto.CodeAuth, "the server key fingerprint is %s, the enrolment code says %s", ledger.KeyFingerprint(serverKey), fingerprint)
	}
	if !ed25519.Verify(serverKey, syncproto.ServerAuthMessage(ch.Nonce, deviceID, ch.ServerID), ch.ServerSig) {
		return syncproto.Errorf(syncproto.CodeAuth, "the server's challenge signature does not verify")
	}
	auth := &syncproto.Auth{Signature: s.t.Sign(syncproto.AuthMessage(ch.Nonce, deviceID, ch.ServerID)), ChallengeReceived: received.UnixNano()}
	if err := c.Send(2, auth); err != nil {
		return err
	}
	w, err := expectWelcome(c)
	if err != nil {
		return err
	}
	c.welcome = w
	c.offset, _ = syncproto.ClockOffset(hello.DeviceTime, ch.Received, ch.Sent, auth.ChallengeReceived)
	c.anchor = ledger.ClockSync{Boot: boot, MonoMs: mono, DeviceTime: ledger.FormatTime(time.Unix(0, hello.DeviceTime)), OffsetMs: c.offset.Milliseconds()}
	if enrol != nil {
		if w.Enrolled == nil || w.Enrolled.ServerID != ch.ServerID {
			return syncproto.Errorf(syncproto.CodeUnexpected, "the server did not confirm the enrolment")
		}
	}
	return nil
}

// expectWelcome reads the Welcome, remembering a wipe order or notice that
// a server might send around it.
func expectWelcome(c *session) (*syncproto.Welcome, error) {
	for {
		_, m, err := c.Recv()
		if err != nil {
			return nil, err
		}
		switch m := m.(type) {
		case *syncproto.Welcome:
			return m, nil
		case *syncproto.Error:
			return nil, m
		case *syncproto.WipeOrder, *syncproto.Notice:
			c.unasked(0, m)
		default:
			return nil, syncproto.Errorf(syncproto.CodeUnexpected, "expected welcome, got %s", m.Type())
		}
	}
}

// Enrol registers this terminal's key with the server using a one-time
// code (SPEC D3, S6) and stores the server identity. server may be a URL
// or a lawtrace://enrol payload (which may carry the code and the server
// key fingerprint). Enrolling again with the same server is harmless.
func Enrol(ctx context.Context, t *field.Terminal, server, code string, opt Options) (field.ServerIdentity, error) {
	e, err := ParseServer(server)
	if err != nil {
		return field.ServerIdentity{}, err
	}
	if code == "" {
		code = e.Code
	}
	if code == "" {
		return field.ServerIdentity{}, errors.New("an enrolment code is required (--code)")
	}
	s := New(t, opt)
	req := &syncproto.EnrolRequest{Code: code, PublicKey: t.PublicKey(), Name: t.Identity().Name}
	c, err := s.connect(ctx, e.Server, req, e.Fingerprint)
	if err != nil {
		return field.ServerIdentity{}, err
	}
	defer c.Close()
	if old, ok, err := t.Server(); err != nil {
		return field.ServerIdentity{}, err
	} else if ok && old.ID != c.welcome.Enrolled.ServerID {
		return field.ServerIdentity{}, fmt.Errorf("this terminal is enrolled with server %s; it cannot move to %s", old.ID, c.welcome.Enrolled.ServerID)
	}
	id := field.ServerIdentity{URL: e.Server, ID: c.welcome.Enrolled.ServerID, Key: c.welcome.Enrolled.ServerKey, Agency: c.welcome.Enrolled.Agency}
	if err := t.SetServer(id); err != nil {
		return id, err
	}
	if err := t.SetClockAnchor(c.anchor); err != nil {
		return id, err
	}
	return id, nil
}

func (s *Syncer) serverURL() (string, error) {
	srv, ok, err := s.t.Server()
	if err != nil {
		return "", err
	}
	if !ok || srv.URL == "" {
		return "", syncproto.Errorf(syncproto.CodeUnknownDevice, "this terminal is not enrolled; run enroll with a code from the administrator")
	}
	return srv.URL, nil
}

// Once connects, runs one full pass — confirm, push, upload, pull, wipe if
// ordered — and disconnects. The Result says what is still queued.
func (s *Syncer) Once(ctx context.Context) (Result, error) {
	url, err := s.serverURL()
	if err != nil {
		return Result{}, err
	}
	s.setState(PhaseConnecting, false, nil, time.Time{})
	c, err := s.connect(ctx, url, nil, "")
	if err != nil {
		s.fail(err)
		return Result{}, err
	}
	defer c.Close()
	res, err := s.pass(ctx, c)
	if err != nil {
		s.fail(err)
		return res, err
	}
	s.setState(PhaseIdle, false, nil, time.Time{})
	return res, nil
}

func (s *Syncer) fail(err error) {
	pe := syncproto.AsError(err)
	switch {
	case pe != nil && pe.Code == syncproto.CodeRevoked:
		if serr := s.t.SetRevoked(pe.Message); serr != nil {
			err = fmt.Errorf("%w (and this terminal could not keep the revocation: %v)", err, serr)
		}
		s.setState(PhaseRevoked, false, err, time.Time{})
	case syncproto.IsRetryable(err):
		s.setState(PhaseOffline, false, err, time.Time{})
	default:
		s.setState(PhaseFailed, false, err, time.Time{})
	}
}

// Run syncs in the background until ctx ends: it connects, passes, stays
// connected and passes again when entries appear (Nudge, or found by
// polling), when the server announces a change, or periodically; after a
// drop it waits with jittered exponential backoff and resumes by itself
// (SPEC S1). It returns nil when ctx ends, or a final error (revoked,
// refused entries, a server that fails verification).
func (s *Syncer) Run(ctx context.Context) error {
	backoff := s.opt.MinBackoff
	for {
		worked, err := s.runConnected(ctx)
		if ctx.Err() != nil {
			s.setState(PhaseIdle, false, nil, time.Time{})
			return nil
		}
		if err != nil && !syncproto.IsRetryable(err) {
			s.fail(err)
			return err
		}
		if worked {
			backoff = s.opt.MinBackoff
		}
		wait := time.Duration(float64(backoff) * (0.8 + 0.4*s.opt.Rand()))
		s.log.Info("sync interrupted; retrying", "err", err, "in", wait.Round(time.Millisecond))
		s.setState(PhaseOffline, false, err, time.Now().Add(wait))
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			s.setState(PhaseIdle, false, nil, time.Time{})
			return nil
		case <-s.nudge:
			timer.Stop()
		case <-timer.C:
		}
		backoff = min(backoff*2, s.opt.MaxBackoff)
	}
}

// runConnected holds one connection; worked says a pass completed.
func (s *Syncer) runConnected(ctx context.Context) (worked bool, err error) {
	url, err := s.serverURL()
	if err != nil {
		return false, err
	}
	s.setState(PhaseConnecting, false, nil, time.Time{})
	c, err := s.connect(ctx, url, nil, "")
	if err != nil {
		return false, err
	}
	defer c.Close()
	poll := time.NewTicker(s.opt.PollInterval)
	defer poll.Stop()
	for {
		_, mark, err := s.t.OutboxMark()
		if err != nil {
			return worked, err
		}
		if _, err := s.pass(ctx, c); err != nil {
			return worked, err
		}
		worked = true
		s.setState(PhaseWaiting, true, nil, time.Time{})
		refresh := time.NewTimer(s.opt.RefreshInterval)
	wait:
		for {
			select {
			case <-ctx.Done():
				refresh.Stop()
				return worked, nil
			case <-c.Done():
				refresh.Stop()
				return worked, c.reason(c.Err())
			case <-s.nudge:
				break wait
			case <-c.notice:
				if c.reason(nil) != nil {
					refresh.Stop()
					return worked, c.reason(nil)
				}
				break wait
			case <-refresh.C:
				break wait
			case <-poll.C:
				_, now, err := s.t.OutboxMark()
				if err != nil {
					refresh.Stop()
					return worked, err
				}
				if now != mark {
					break wait
				}
			}
		}
		refresh.Stop()
	}
}

// pass does one full round on an open session.
func (s *Syncer) pass(ctx context.Context, c *session) (Result, error) {
	res := Result{ClockOffset: c.offset, Skewed: c.welcome.Skewed}
	s.mu.Lock()
	s.state.Skewed = c.welcome.Skewed
	s.mu.Unlock()
	if err := s.t.SetClockAnchor(c.anchor); err != nil {
		return res, err
	}
	// A restored server first: nothing is wiped or trusted as confirmed
	// before the terminal has re-pinned to the restored log.
	if err := s.checkEpoch(ctx, c); err != nil {
		return res, err
	}
	if c.welcome.Revoked {
		// A revoked terminal with a wipe order may only wipe.
		if err := s.wipe(ctx, c, &res); err != nil {
			return res, err
		}
		return res, syncproto.Errorf(syncproto.CodeRevoked, "this terminal was revoked; confirmed records were wiped as ordered")
	}
	s.setState(PhasePushing, true, nil, time.Time{})
	if err := s.checkLog(ctx, c); err != nil {
		return res, err
	}
	if err := s.confirmHeld(ctx, c, &res); err != nil {
		return res, err
	}
	if err := s.push(ctx, c, &res); err != nil {
		return res, err
	}
	s.setState(PhaseUploading, true, nil, time.Time{})
	if err := s.uploadAll(ctx, c, &res); err != nil {
		return res, err
	}
	s.setState(PhasePulling, true, nil, time.Time{})
	if err := s.pull(ctx, c, &res); err != nil {
		return res, err
	}
	if c.wipeOrdered() {
		if err := s.wipe(ctx, c, &res); err != nil {
			return res, err
		}
	}
	if err := s.t.RecordSync(time.Now(), c.offset); err != nil {
		return res, err
	}
	st, err := s.t.Status()
	if err != nil {
		return res, err
	}
	res.Status, res.Outbox = st, st.Outbox
	pending, err := s.t.MediaToUpload()
	if err != nil {
		return res, err
	}
	res.PendingMedia = len(pending)
	return res, nil
}

func (s *Syncer) knownSize() (uint64, error) {
	th, ok, err := s.t.LatestTreeHead()
	if err != nil || !ok {
		return 0, err
	}
	return th.Size, nil
}

// checkLog holds the server to the log this terminal verified last: when
// the head it announces differs, the server must prove that its log extends
// the verified one, every sync, whether or not anything is to be sent, so
// a fork stays an alarm until someone looks (SPEC R2).
func (s *Syncer) checkLog(ctx context.Context, c *session) error {
	prev, ok, err := s.t.LatestTreeHead()
	if err != nil || !ok || c.welcome.TreeHead == nil {
		return err
	}
	if th := c.welcome.TreeHead; th.Size == prev.Size && bytes.Equal(th.Root, prev.Root) {
		return nil
	}
	p, err := expectReply[*syncproto.Proofs](s.call(ctx, c, &syncproto.ProofRequest{KnownTreeSize: prev.Size}))
	if err != nil {
		return err
	}
	_, err = s.t.ConfirmEntries(p.TreeHead, p.Consistency, nil)
	return err
}

// confirmHeld gets proofs for entries the server already holds but this
// terminal never saw acknowledged (the ack was lost to a drop or a crash).
func (s *Syncer) confirmHeld(ctx context.Context, c *session, res *Result) error {
	seqs, err := s.t.UnconfirmedUpTo(c.welcome.LastSeq)
	if err != nil {
		return err
	}
	for len(seqs) > 0 {
		n := min(len(seqs), 1000)
		known, err := s.knownSize()
		if err != nil {
			return err
		}
		p, err := expectReply[*syncproto.Proofs](s.call(ctx, c, &syncproto.ProofRequest{DeviceSeqs: seqs[:n], KnownTreeSize: known}))
		if err != nil {
			return err
		}
		if len(p.Proofs) != n {
			return syncproto.Errorf(syncproto.CodeConflict, "the server says it holds entries up to #%d but proves only %d of %d of them", c.welcome.LastSeq, len(p.Proofs), n)
		}
		done, err := s.t.ConfirmEntries(p.TreeHead, p.Consistency, p.Proofs)
		if err != nil {
			return err
		}
		res.Confirmed += done
		s.addProgress(func(pr *Progress) { pr.EntriesConfirmed += done })
		seqs = seqs[n:]
	}
	return nil
}

// push sends entries from the server's last accepted number on, in
// batches, each confirmed by its Ack with proofs before the next.
func (s *Syncer) push(ctx context.Context, c *session, res *Result) error {
	next := c.welcome.LastSeq + 1
	gaps := 0
	for {
		entries, err := s.t.EntriesFrom(next, s.opt.BatchSize)
		if err != nil {
			return err
		}
		if len(entries) == 0 {
			return nil
		}
		if entries[0].DeviceSeq != next {
			return syncproto.Errorf(syncproto.CodeConflict, "the server needs entries from #%d, but this terminal holds only from #%d (wiped?)", next, entries[0].DeviceSeq)
		}
		entries = limitBytes(entries, syncproto.MaxBodySize/2)
		known, err := s.knownSize()
		if err != nil {
			return err
		}
		s.addProgress(func(p *Progress) { p.EntriesSent += len(entries) })
		ack, err := expectReply[*syncproto.Ack](s.call(ctx, c, &syncproto.Push{Entries: entries, KnownTreeSize: known}))
		if pe := syncproto.AsError(err); pe != nil && pe.Code == syncproto.CodeGap && pe.Expect > 0 && gaps < 3 {
			gaps++
			next = pe.Expect
			continue
		}
		if err != nil {
			return err
		}
		done, err := s.t.ConfirmEntries(ack.TreeHead, ack.Consistency, ack.Proofs)
		if err != nil {
			return err
		}
		res.Confirmed += done
		res.Duplicates += ack.Duplicates
		res.TreeHead = ack.TreeHead
		c.welcome.LastSeq = max(c.welcome.LastSeq, ack.UpTo)
		s.addProgress(func(p *Progress) { p.EntriesConfirmed += done })
		if ack.UpTo < entries[len(entries)-1].DeviceSeq {
			return syncproto.Errorf(syncproto.CodeConflict, "the server acknowledged up to #%d of a batch ending at #%d", ack.UpTo, entries[len(entries)-1].DeviceSeq)
		}
		next = ack.UpTo + 1
	}
}

// limitBytes keeps a prefix of entries whose encoded size fits the budget
// (always at least one).
func limitBytes(entries []ledger.Entry, budget int) []ledger.Entry {
	total := 0
	for i, e := range entries {
		total += len(e.Payload) + 1024
		if i > 0 && total > budget {
			return entries[:i]
		}
	}
	return entries
}

func (s *Syncer) uploadAll(ctx context.Context, c *session, res *Result) error {
	files, err := s.t.MediaToUpload()
	if err != nil {
		return err
	}
	for _, f := range files {
		err := s.upload(ctx, c, f, res)
		pe := syncproto.AsError(err)
		switch {
		case err == nil:
		case pe != nil && (pe.Code == syncproto.CodeMediaMismatch || pe.Code == syncproto.CodeUnknownMedia):
			// This file is refused for good; the others still go.
			s.log.Error("media refused", "hash", f.Hash, "err", err)
			res.FileErrors = append(res.FileErrors, fmt.Sprintf("%.12s: %v", f.Hash, err))
		default:
			return err
		}
	}
	return nil
}

// upload sends one file from the server's confirmed offset (SPEC S3),
// keeping up to Window chunks in flight.
func (s *Syncer) upload(ctx context.Context, c *session, f field.PendingFile, res *Result) error {
	for attempt := 0; ; attempt++ {
		st, err := expectReply[*syncproto.MediaStatus](s.call(ctx, c, &syncproto.MediaOffer{Hash: f.Hash, Size: f.Size}))
		if err != nil {
			return err
		}
		if st.Present {
			return s.mediaDone(f, res)
		}
		err = s.sendFrom(ctx, c, f, st.Offset, res)
		pe := syncproto.AsError(err)
		if err == nil {
			return s.mediaDone(f, res)
		}
		if pe != nil && pe.Code == syncproto.CodeOffset && attempt < 3 {
			continue // offer again: the server says where to resume
		}
		return err
	}
}

func (s *Syncer) mediaDone(f field.PendingFile, res *Result) error {
	if err := s.t.ConfirmMedia(f.Hash); err != nil {
		return err
	}
	res.MediaFiles++
	s.addProgress(func(p *Progress) { p.MediaFilesConfirmed++; p.CurrentFile = ""; p.CurrentOffset, p.CurrentSize = 0, 0 })
	return nil
}

func (s *Syncer) sendFrom(ctx context.Context, c *session, f field.PendingFile, offset int64, res *Result) error {
	file, err := os.Open(s.t.Media().Path(f.Hash))
	if err != nil {
		return fmt.Errorf("media %.12s: %w", f.Hash, err)
	}
	defer file.Close()
	s.addProgress(func(p *Progress) { p.CurrentFile, p.CurrentOffset, p.CurrentSize = f.Hash, offset, f.Size })
	var inflight []*syncproto.Call
	sendAt := offset
	var firstErr error
	complete := false
	for (sendAt < f.Size && firstErr == nil) || len(inflight) > 0 {
		for firstErr == nil && sendAt < f.Size && len(inflight) < s.opt.Window {
			n := int64(s.opt.ChunkSize)
			if rest := f.Size - sendAt; rest < n {
				n = rest
			}
			buf := make([]byte, n)
			if _, err := file.ReadAt(buf, sendAt); err != nil && !errors.Is(err, io.EOF) {
				firstErr = fmt.Errorf("media %.12s: %w", f.Hash, err)
				break
			}
			call, err := c.Start(&syncproto.MediaChunk{Hash: f.Hash, Offset: sendAt, Data: buf})
			if err != nil {
				firstErr = c.reason(err)
				break
			}
			inflight = append(inflight, call)
			sendAt += n
			res.MediaBytesSent += n
			s.addProgress(func(p *Progress) { p.MediaBytesSent += n })
		}
		if len(inflight) == 0 {
			break
		}
		wctx, cancel := context.WithTimeout(ctx, s.opt.CallTimeout)
		resp, err := inflight[0].Wait(wctx)
		cancel()
		inflight = inflight[1:]
		if err != nil {
			if firstErr == nil {
				if errors.Is(err, context.DeadlineExceeded) {
					c.Close()
					err = syncproto.Errorf(syncproto.CodeTimeout, "no answer to a media chunk within %s", s.opt.CallTimeout)
				}
				firstErr = c.reason(err)
			}
			continue
		}
		ack, ok := resp.(*syncproto.MediaAck)
		if !ok {
			if firstErr == nil {
				firstErr = syncproto.Errorf(syncproto.CodeUnexpected, "expected media_ack, got %s", resp.Type())
			}
			continue
		}
		s.addProgress(func(p *Progress) { p.CurrentOffset = ack.Offset })
		if ack.Complete {
			complete = true
		}
	}
	if firstErr != nil {
		return firstErr
	}
	if !complete {
		return syncproto.Errorf(syncproto.CodeOffset, "media %.12s: all bytes sent but the server did not confirm the file", f.Hash)
	}
	return nil
}

func (s *Syncer) pull(ctx context.Context, c *session, res *Result) error {
	for {
		since, err := s.t.CatalogSeq()
		if err != nil {
			return err
		}
		u, err := expectReply[*syncproto.Updates](s.call(ctx, c, &syncproto.Pull{Since: since}))
		if err != nil {
			return err
		}
		if err := s.t.ApplyCatalog(u.Items); err != nil {
			return err
		}
		res.CatalogItems += len(u.Items)
		if !u.More || len(u.Items) == 0 {
			return nil
		}
	}
}

func (s *Syncer) wipe(ctx context.Context, c *session, res *Result) error {
	s.setState(PhaseWiping, true, nil, time.Time{})
	w, err := s.t.Wipe()
	if err != nil {
		return err
	}
	res.Wiped = &w
	s.log.Warn("remote wipe carried out", "entries", w.Entries, "cases", w.Cases, "media", w.Media, "kept", w.Kept)
	_, err = expectReply[*syncproto.OK](s.call(ctx, c, &syncproto.WipeDone{Entries: w.Entries, Cases: w.Cases, Media: w.Media, MediaBytes: w.MediaBytes, Kept: w.Kept}))
	if err != nil {
		return err
	}
	c.mu.Lock()
	c.wipe = false
	c.welcome.Wipe = false
	c.mu.Unlock()
	return nil
}
