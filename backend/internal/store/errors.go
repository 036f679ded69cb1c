package store

import (
	"errors"

	"lawtrace/shared/syncproto"
)

// Sentinel errors every adapter returns, so callers decide with errors.Is
// whatever the database; ErrNotFound and ErrExists are in store.go and
// web.go.
var (
	// ErrConflict: a different entry under a number or id already taken.
	ErrConflict = errors.New("conflict")
	// ErrGap: a batch does not start right after the device's last number.
	ErrGap = errors.New("gap")
	// ErrRevoked: the device was revoked.
	ErrRevoked = errors.New("revoked")
	// ErrEnrolCode: an enrolment code unknown, used or expired.
	ErrEnrolCode = errors.New("enrolment code refused")
)

// Refusal is a refusal the terminal must see: it is both one of the
// sentinel errors above (errors.Is) and the *syncproto.Error the sync
// server sends on the wire (syncproto.AsError), so the wire codes stay
// what they were.
type Refusal struct {
	Kind error
	Wire *syncproto.Error
}

// Refuse makes a Refusal of kind from a wire error.
func Refuse(kind error, wire *syncproto.Error) error { return &Refusal{Kind: kind, Wire: wire} }

func (r *Refusal) Error() string { return r.Wire.Error() }

// Unwrap lets errors.Is find the kind and errors.As the wire error.
func (r *Refusal) Unwrap() []error { return []error{r.Kind, r.Wire} }
