package store

import (
	"context"
	"time"
)

// SignInPair is one (account, address) pair of sign-in attempts: the
// username as auth normalises it (trimmed, lower case) and the address as
// auth groups it (an IPv6 /64 as a prefix).
type SignInPair struct{ Username, Addr string }

// SignInFailures is a pair's failed sign-ins since its last success.
type SignInFailures struct {
	SignInPair
	Failures int
	// Last is the pair's latest failure.
	Last time.Time
}

// SignInStore keeps the failed sign-ins per (account, address) in the
// database, so a restart does not forget them and every instance on the
// database shares them (issue 13 finding 5, issue 14; SPEC D1).
type SignInStore interface {
	// RecordSignIn stores the attempt in login_attempts and, in the same
	// transaction, updates its pair: a failure counts one more (from one
	// when the pair's last failure is before forgetBefore), a success
	// clears the pair. Pairs whose last failure is before forgetBefore are
	// deleted.
	RecordSignIn(ctx context.Context, a LoginAttempt, p SignInPair, forgetBefore time.Time) error
	// SignInFailures is a pair's count when its last failure is at or after
	// since (zero Failures otherwise).
	SignInFailures(ctx context.Context, p SignInPair, since time.Time) (SignInFailures, error)
	// AccountSignInFailures lists the pairs of a username with a failure at
	// or after since, the latest first.
	AccountSignInFailures(ctx context.Context, username string, since time.Time) ([]SignInFailures, error)
	// ClearSignInFailures forgets every pair of a username (an
	// administrator's unlock); it reports how many pairs there were.
	ClearSignInFailures(ctx context.Context, username string) (int, error)
}
