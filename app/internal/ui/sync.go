package ui

import (
	"context"
	"errors"
	"time"
)

// Sync is what the screens need of the background sync with the backend
// (SPEC S1, S4, S6). main wires the real one (app/internal/fieldsync); tests
// and a build without a server use Offline. Implementations call the
// OnChange callback from any goroutine; the UI moves to the Fyne goroutine
// with fyne.Do before it touches a widget.
type Sync interface {
	// Enroll registers this terminal's key with the server at serverURL
	// using a one-time code, and remembers the server.
	Enroll(ctx context.Context, serverURL, code string) error
	// Start runs sync in the background until ctx is cancelled; it returns
	// at once and reconnects by itself after any drop.
	Start(ctx context.Context)
	// Kick asks for a sync round now (after a step is recorded).
	Kick()
	// State is the current state, for the sync indicator.
	State() SyncState
	// OnChange sets the function called when State changes.
	OnChange(func())
}

// SyncState is what the officer sees of sync besides the counts the field
// core keeps (outbox depth, pending media, last sync, clock offset).
type SyncState struct {
	Enrolled  bool
	Server    string
	Connected bool
	// Phase is what sync is doing: connecting, pushing, uploading,
	// pulling, wiping, waiting (connected, all sent), offline (retrying),
	// revoked, failed, or idle / empty.
	Phase string
	// UploadDone and UploadSize are the progress of the file uploading.
	UploadDone, UploadSize int64
	// LastError is the last failure, cleared by the next success.
	LastError string
	// Retryable says whether sync keeps trying by itself after LastError.
	Retryable bool
	// ErrorKind is what kind of failure LastError is (fieldsync.ErrorKind:
	// network, refused, address, certificate, revoked, not_enrolled,
	// enrol_code, server_busy, version, rejected, server_invalid, other),
	// for the advice shown with it.
	ErrorKind string
	Revoked   bool
	// Skewed says the device clock is off by more than the server allows.
	Skewed   bool
	LastSync time.Time
}

// ErrNoSync is returned by Offline.Enroll.
var ErrNoSync = errors.New("this build of the app has no sync; the terminal works offline")

// Offline is a Sync that never connects: the field app works without a
// server (SPEC F1) and enrolment is refused with ErrNoSync.
type Offline struct{}

// Enroll implements Sync.
func (Offline) Enroll(context.Context, string, string) error { return ErrNoSync }

// Start implements Sync.
func (Offline) Start(context.Context) {}

// Kick implements Sync.
func (Offline) Kick() {}

// State implements Sync.
func (Offline) State() SyncState { return SyncState{} }

// OnChange implements Sync.
func (Offline) OnChange(func()) {}
