package auth

import (
	"net/netip"
	"sort"
	"strings"
	"time"
)

// Sign-in backoff per (account, address) (issue 13 finding 5): the state
// is kept in memory, bounded by Config.MaxTracked; a restart forgets it
// (the attempts themselves are in the store's login_attempts).

type pairKey struct{ user, addr string }

type failures struct {
	n    int
	last time.Time
}

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

func keyOf(username, remote string) pairKey {
	return pairKey{user: strings.ToLower(strings.TrimSpace(username)), addr: addrKey(remote)}
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
func (s *Service) backoff(username, remote string, now time.Time) time.Duration {
	s.failMu.Lock()
	defer s.failMu.Unlock()
	k := keyOf(username, remote)
	f := s.fails[k]
	if f == nil {
		return 0
	}
	if now.Sub(f.last) >= s.cfg.FailureMemory {
		delete(s.fails, k)
		return 0
	}
	until := f.last.Add(s.delay(f.n))
	if now.Before(until) {
		return until.Sub(now)
	}
	return 0
}

func (s *Service) failed(username, remote string, now time.Time) {
	s.failMu.Lock()
	defer s.failMu.Unlock()
	k := keyOf(username, remote)
	f := s.fails[k]
	if f == nil {
		if len(s.fails) >= s.cfg.MaxTracked {
			s.evictLocked(now)
		}
		f = &failures{}
		s.fails[k] = f
	}
	f.n++
	f.last = now
}

// evictLocked drops forgotten pairs, then the stalest until there is room.
func (s *Service) evictLocked(now time.Time) {
	for k, f := range s.fails {
		if now.Sub(f.last) >= s.cfg.FailureMemory {
			delete(s.fails, k)
		}
	}
	for len(s.fails) >= s.cfg.MaxTracked {
		var oldest pairKey
		var at time.Time
		first := true
		for k, f := range s.fails {
			if first || f.last.Before(at) {
				oldest, at, first = k, f.last, false
			}
		}
		delete(s.fails, oldest)
	}
}

func (s *Service) succeeded(username, remote string) {
	s.failMu.Lock()
	defer s.failMu.Unlock()
	delete(s.fails, keyOf(username, remote))
}

func (s *Service) tracked() int {
	s.failMu.Lock()
	defer s.failMu.Unlock()
	return len(s.fails)
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

// Locks lists the addresses currently backing off from an account, the
// latest first.
func (s *Service) Locks(username string) []Lock {
	now := s.cfg.Now()
	user := strings.ToLower(strings.TrimSpace(username))
	s.failMu.Lock()
	defer s.failMu.Unlock()
	var out []Lock
	for k, f := range s.fails {
		if k.user != user {
			continue
		}
		until := f.last.Add(s.delay(f.n))
		if f.n >= s.cfg.FreeFailures && now.Sub(f.last) < s.cfg.FailureMemory {
			out = append(out, Lock{Remote: k.addr, Failures: f.n, Last: f.last, Until: until})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Last.After(out[j].Last) })
	return out
}

// Unlock forgets every failure of an account from every address (an
// administrator's action); it reports how many addresses were cleared.
func (s *Service) Unlock(username string) int {
	user := strings.ToLower(strings.TrimSpace(username))
	s.failMu.Lock()
	defer s.failMu.Unlock()
	n := 0
	for k := range s.fails {
		if k.user == user {
			delete(s.fails, k)
			n++
		}
	}
	return n
}
