package storetest

import (
	"context"
	"sync"
	"testing"
	"time"

	"lawtrace/backend/internal/store"
)

// Sign-in failures per (account, address) live in the database: another
// instance (or a restart) sees them, concurrent failures on two instances
// all count, a success clears its pair only, stale pairs are forgotten,
// and an unlock clears every pair of the account (issue 13 finding 5,
// issue 14; SPEC D1).
func testSignInFailures(t *testing.T, open Opener) {
	ctx := context.Background()
	sub := openAt(t, open, t0)
	a, b := sub.Store, sub.Reopen(t)
	day := 24 * time.Hour
	attacker := store.SignInPair{Username: "admin", Addr: "203.0.113.66"}
	office := store.SignInPair{Username: "admin", Addr: "2001:db8:1:2::/64"}
	rec := func(db store.Backend, p store.SignInPair, at time.Duration, ok bool) {
		t.Helper()
		now := t0.Add(at)
		if err := db.RecordSignIn(ctx, store.LoginAttempt{At: now, Username: "Admin", Remote: p.Addr, OK: ok}, p, now.Add(-day)); err != nil {
			t.Fatal(err)
		}
	}
	get := func(db store.Backend, p store.SignInPair, at time.Duration) store.SignInFailures {
		t.Helper()
		f, err := db.SignInFailures(ctx, p, t0.Add(at-day))
		if err != nil {
			t.Fatal(err)
		}
		return f
	}

	// Failures on two instances at once all count; the latest is kept
	// whatever order they commit in.
	var wg sync.WaitGroup
	for i := range 10 {
		db := []store.Backend{a, b}[i%2]
		wg.Go(func() { rec(db, attacker, time.Duration(i)*time.Second, false) })
	}
	wg.Wait()
	rec(a, office, 20*time.Second, false)
	if f := get(b, attacker, time.Minute); f.Failures != 10 || !f.Last.Equal(t0.Add(9*time.Second)) {
		t.Fatalf("attacker's pair on B: %+v, want 10 failures", f)
	}
	_, byRemote, err := a.FailedLogins(ctx, "admin", "203.0.113.66", t0)
	if err != nil || byRemote != 10 {
		t.Fatalf("login_attempts holds %d failures of the attacker (want 10): %v", byRemote, err)
	}
	fs, err := b.AccountSignInFailures(ctx, "admin", t0.Add(time.Minute-day))
	if err != nil || len(fs) != 2 || fs[0].SignInPair != office || fs[0].Failures != 1 || !fs[0].Last.Equal(t0.Add(20*time.Second)) || fs[1].SignInPair != attacker {
		t.Fatalf("admin's pairs on B: %+v, %v", fs, err)
	}

	// A success clears its own pair only.
	rec(b, office, 30*time.Second, true)
	if f := get(a, office, time.Minute); f.Failures != 0 {
		t.Fatalf("office's pair after its success: %+v", f)
	}
	if f := get(a, attacker, time.Minute); f.Failures != 10 {
		t.Fatalf("attacker's pair after the office's success: %+v", f)
	}

	// A day without a failure forgets the pair; the next failure counts one.
	if f := get(a, attacker, day+10*time.Second); f.Failures != 0 {
		t.Fatalf("attacker's pair a day later: %+v", f)
	}
	rec(a, office, day+10*time.Second, false)
	if fs, err := b.AccountSignInFailures(ctx, "admin", t0); err != nil || len(fs) != 1 || fs[0].SignInPair != office {
		t.Fatalf("pairs a day later, since the start: %+v, %v (the stale pair is deleted)", fs, err)
	}
	rec(b, attacker, day+20*time.Second, false)
	if f := get(a, attacker, day+time.Minute); f.Failures != 1 {
		t.Fatalf("attacker's pair after a day and one failure: %+v, want 1", f)
	}

	// The unlock clears every pair of the account, on every instance.
	rec(a, store.SignInPair{Username: "li", Addr: "10.0.0.1"}, day+30*time.Second, false)
	if n, err := b.ClearSignInFailures(ctx, "admin"); err != nil || n != 2 {
		t.Fatalf("unlock cleared %d pairs (want 2): %v", n, err)
	}
	if fs, err := a.AccountSignInFailures(ctx, "admin", t0); err != nil || len(fs) != 0 {
		t.Fatalf("admin's pairs after the unlock: %+v, %v", fs, err)
	}
	if f := get(a, store.SignInPair{Username: "li", Addr: "10.0.0.1"}, day+time.Minute); f.Failures != 1 {
		t.Fatalf("another account's pair after admin's unlock: %+v", f)
	}
}
