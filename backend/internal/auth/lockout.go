package auth

import (
	"context"
	"net/netip"
	"strings"
	"time"

	"lawtrace/backend/internal/store"
)

// Sign-in backoff per (account, address) (issue 13 finding 5): the
// failures of each pair are kept in the store (store.SignInStore), so a
// restart does not forget them and every instance on one database shares
// them (issue 14).

// addrKey groups an address: IPv4 per address, IPv6 per /64 (one host
// gets a whole /64), anything else as given.
func addrKey(remote string) string {
	a, err := netip.ParseAddr(remote)
	if err != nil {
		return remote
	}
	a = a.Unmap()
	if a.Is4() {
		return a.String()
	}
	p, _ := a.WithZone("").Prefix(64)
	return p.String()
}

func userKey(username string) string { return strings.ToLower(strings.TrimSpace(username)) }

func pairOf(username, remote string) store.SignInPair {
	return store.SignInPair{Username: userKey(username), Addr: addrKey(remote)}
}

// delay is how long after its last failure a pair must wait.
func (s *Service) delay(n int) time.Duration {
	if n < s.cfg.FreeFailures {
		return 0
	}
	d := s.cfg.BackoffBase
	for i := s.cfg.FreeFailures; i < n && d < s.cfg.BackoffMax; i++ {
		d *= 2
	}
	return min(d, s.cfg.BackoffMax)
}

// backoff is how long the address must still wait before trying this
// username again (0: it may try now).
func (s *Service) backoff(ctx context.Context, username, remote string, now time.Time) (time.Duration, error) {
	f, err := s.cfg.Store.SignInFailures(ctx, pairOf(username, remote), now.Add(-s.cfg.FailureMemory))
	if err != nil || f.Failures == 0 {
		return 0, err
	}
	return max(f.Last.Add(s.delay(f.Failures)).Sub(now), 0), nil
}

// Lock is an address backing off from signing in to an account.
type Lock struct {
	// Remote is the address (an IPv6 /64 as a prefix).
	Remote   string
	Failures int
	Last     time.Time
	// Until is when the address may try again.
	Until time.Time
}

// Locks lists the addresses backing off from an account (past their free
// failures and not yet forgotten), the latest first.
func (s *Service) Locks(ctx context.Context, username string) ([]Lock, error) {
	now := s.cfg.Now()
	fs, err := s.cfg.Store.AccountSignInFailures(ctx, userKey(username), now.Add(-s.cfg.FailureMemory))
	if err != nil {
		return nil, err
	}
	var out []Lock
	for _, f := range fs {
		if f.Failures >= s.cfg.FreeFailures {
			out = append(out, Lock{Remote: f.Addr, Failures: f.Failures, Last: f.Last, Until: f.Last.Add(s.delay(f.Failures))})
		}
	}
	return out, nil
}

// Unlock forgets every failure of an account from every address (an
// administrator's action); it reports how many addresses were cleared.
func (s *Service) Unlock(ctx context.Context, username string) (int, error) {
	return s.cfg.Store.ClearSignInFailures(ctx, userKey(username))
}
