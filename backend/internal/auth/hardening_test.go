package auth

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"lawtrace/backend/internal/store"
	"lawtrace/backend/internal/store/postgres"
	"lawtrace/backend/internal/store/postgres/pgtest"
	"lawtrace/backend/internal/store/sqlite"
)

// Issue 13 finding 5: twenty failures from one address (a reverse proxy,
// an office NAT) refused every account from it. Failures now count per
// (account, address): strangers' unknown usernames from the same address
// do not keep anybody else out.
func TestOneAddressDoesNotLockEveryone(t *testing.T) {
	s, _, clk := setup(t)
	ctx := context.Background()
	if _, err := s.CreateAccount(ctx, NewAccount{Username: "zhang", Name: "张三", Role: Supervisor, Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 40; i++ {
		if _, err := s.Login(ctx, "nobody"+string(rune('a'+i%26))+string(rune('a'+i/26)), "x", "10.9.9.9", "test"); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("unknown user %d: %v", i, err)
		}
		clk.Add(time.Second)
	}
	if _, err := s.Login(ctx, "zhang", "correct horse battery", "10.9.9.9", "test"); err != nil {
		t.Fatalf("an account nobody guessed, from the busy address: %v", err)
	}
}

// Issue 13 finding 5: five guesses from anywhere locked the administrator
// out for everyone. Now the guesser's address backs off exponentially (no
// hard lock), the administrator signs in from elsewhere, and an unlock
// clears the backoff.
func TestGuessesSlowOnlyTheGuesser(t *testing.T) {
	s, _, clk := setup(t)
	ctx := context.Background()
	if _, err := s.CreateAccount(ctx, NewAccount{Username: "admin", Name: "管理员", Role: Admin, Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	const attacker, office = "203.0.113.66", "198.51.100.7"
	for i := 0; i < 5; i++ {
		if _, err := s.Login(ctx, "admin", "guess", attacker, "test"); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("guess %d: %v", i, err)
		}
	}
	if _, err := s.Login(ctx, "admin", "correct horse battery", office, "test"); err != nil {
		t.Fatalf("the administrator from the office after five guesses elsewhere: %v", err)
	}
	var locked *LockedError
	if _, err := s.Login(ctx, "Admin", "correct horse battery", attacker, "test"); !errors.As(err, &locked) {
		t.Fatalf("the guesser's address after five failures: %v, want backoff", err)
	}
	// The delay doubles with each further failure, up to the cap.
	var delays []time.Duration
	for i := 0; i < 8; i++ {
		_, err := s.Login(ctx, "admin", "guess", attacker, "test")
		if !errors.As(err, &locked) {
			t.Fatalf("during the backoff: %v", err)
		}
		delays = append(delays, locked.Retry)
		clk.Add(locked.Retry)
		if _, err := s.Login(ctx, "admin", "guess", attacker, "test"); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("after waiting %v: %v", locked.Retry, err)
		}
	}
	for i := 1; i < len(delays); i++ {
		want := min(2*delays[i-1], 15*time.Minute)
		if delays[i] != want {
			t.Fatalf("delays %v: step %d is %v, want %v", delays, i, delays[i], want)
		}
	}
	if delays[0] != 30*time.Second || delays[len(delays)-1] != 15*time.Minute {
		t.Fatalf("delays %v: want 30s doubling to 15m", delays)
	}
	if !strings.Contains(locked.Error(), "登录失败次数过多") {
		t.Fatalf("message %q", locked.Error())
	}
	locks, err := s.Locks(ctx, "ADMIN")
	if err != nil {
		t.Fatal(err)
	}
	if len(locks) != 1 || locks[0].Remote != attacker || locks[0].Failures != 13 {
		t.Fatalf("locks %+v", locks)
	}
	if n, err := s.Unlock(ctx, "admin"); err != nil || n != 1 {
		t.Fatalf("unlock cleared %d: %v", n, err)
	}
	if _, err := s.Login(ctx, "admin", "correct horse battery", attacker, "test"); err != nil {
		t.Fatalf("after the unlock: %v", err)
	}
	// Failures are forgotten after a day without one.
	for i := 0; i < 6; i++ {
		s.Login(ctx, "admin", "guess", attacker, "test")
	}
	clk.Add(25 * time.Hour)
	if _, err := s.Login(ctx, "admin", "correct horse battery", attacker, "test"); err != nil {
		t.Fatalf("a day later: %v", err)
	}
}

// IPv6 addresses of one /64 are one address: rotating through a prefix
// gives no fresh attempts.
func TestIPv6PrefixIsOneAddress(t *testing.T) {
	s, _, _ := setup(t)
	ctx := context.Background()
	if _, err := s.CreateAccount(ctx, NewAccount{Username: "admin", Name: "管理员", Role: Admin, Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		s.Login(ctx, "admin", "guess", "2001:db8:1:2::"+string(rune('a'+i)), "test")
	}
	var locked *LockedError
	if _, err := s.Login(ctx, "admin", "guess", "2001:db8:1:2::ff", "test"); !errors.As(err, &locked) {
		t.Fatalf("another address of the same /64: %v", err)
	}
	if _, err := s.Login(ctx, "admin", "correct horse battery", "2001:db8:1:3::1", "test"); err != nil {
		t.Fatalf("another /64: %v", err)
	}
}

// Issue 14: the backoff was kept in one server's memory, so a restart
// forgot it and each instance behind a load balancer gave an attacker
// fresh guesses. Instance B on the same database — a restart on the same
// SQLite file, a second server on the same PostgreSQL — refuses the
// address that failed five times on instance A, and an unlock on B
// clears it for A (SPEC D1, X2).
func TestBackoffSharedByInstances(t *testing.T) {
	clk := &clock{t: time.Date(2026, 5, 7, 9, 0, 0, 0, time.UTC)}
	path := filepath.Join(t.TempDir(), "lawtrace.db")
	var dsn string
	for _, tc := range []struct {
		name string
		open func(t *testing.T) store.WebStore
	}{
		{"sqlite", func(t *testing.T) store.WebStore {
			db, err := sqlite.Open(path, sqlite.Options{Now: clk.Now})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		}},
		{"postgres", func(t *testing.T) store.WebStore {
			if dsn == "" {
				dsn = pgtest.Start(t).NewDatabase(t)
			}
			db, err := postgres.Open(dsn, sqlite.Options{Now: clk.Now})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := New(Config{Store: tc.open(t), Now: clk.Now, Cost: bcrypt.MinCost})
			b := New(Config{Store: tc.open(t), Now: clk.Now, Cost: bcrypt.MinCost})
			ctx := context.Background()
			if _, err := a.CreateAccount(ctx, NewAccount{Username: "admin", Name: "管理员", Role: Admin, Password: "correct horse battery"}); err != nil {
				t.Fatal(err)
			}
			const attacker = "203.0.113.66"
			for i := 0; i < 5; i++ {
				if _, err := a.Login(ctx, "admin", "guess", attacker, "test"); !errors.Is(err, ErrBadCredentials) {
					t.Fatalf("guess %d on A: %v", i, err)
				}
			}
			var locked *LockedError
			if _, err := b.Login(ctx, "admin", "correct horse battery", attacker, "test"); !errors.As(err, &locked) || locked.Retry != 30*time.Second {
				t.Fatalf("B after five failures on A: %v, want a 30s backoff", err)
			}
			if locks, err := b.Locks(ctx, "admin"); err != nil || len(locks) != 1 || locks[0].Failures != 5 {
				t.Fatalf("B's locks %+v, %v", locks, err)
			}
			if n, err := b.Unlock(ctx, "admin"); err != nil || n != 1 {
				t.Fatalf("unlock on B cleared %d: %v", n, err)
			}
			if _, err := a.Login(ctx, "admin", "correct horse battery", attacker, "test"); err != nil {
				t.Fatalf("A after the unlock on B: %v", err)
			}
		})
	}
}

// Issue 13 finding 8: ten spaces and 1234567890 were accepted. The policy:
// at least 10 characters after trimming, not digits only, not one
// character repeated, not a common password, not the username; refused
// in Chinese.
func TestPasswordPolicy(t *testing.T) {
	bad := map[string]string{
		strings.Repeat(" ", 10): "至少 10 个字符",
		"  short1   ":           "至少 10 个字符",
		"1234567890":            "",
		"13800138000":           "数字",
		"aaaaaaaaaaaa":          "同一个字符",
		"qwertyuiop":            "常见",
		"Password123":           "常见",
		" 1qaz2wsx3edc ":        "常见",
		"zhang.san.2026":        "用户名",
		"ZHANG.SAN.2026 ":       "用户名",
		strings.Repeat("长", 30): "72",
		"abc\x00defghijk":       "控制字符",
		"abcdefghij\nklm":       "控制字符",
	}
	for pw, want := range bad {
		err := CheckPassword("zhang.san.2026", pw)
		var pe *PasswordError
		if !errors.As(err, &pe) {
			t.Errorf("password %q accepted", pw)
			continue
		}
		if !strings.ContainsFunc(pe.Msg, func(r rune) bool { return r >= 0x4e00 && r <= 0x9fff }) || (want != "" && !strings.Contains(pe.Msg, want)) {
			t.Errorf("password %q refused with %q, want a Chinese reason with %q", pw, pe.Msg, want)
		}
	}
	for _, good := range []string{"correct horse battery", "lawtrace-admin", "执法记录仪充电器放在二楼", "Tr0ub4dor&3x", "2026-05-07 巡查"} {
		if err := CheckPassword("zhang", good); err != nil {
			t.Errorf("password %q refused: %v", good, err)
		}
	}
}

// Issue 13 finding 8 (info): demo accounts were hashed at bcrypt cost 4,
// so a wrong password for them answered faster than for an unknown user
// (compared against a cost-12 dummy). Every hash now has the configured
// cost; a hash of another cost is upgraded at the next sign-in.
func TestDemoAccountsUseTheConfiguredCost(t *testing.T) {
	_, db, clk := setup(t)
	ctx := context.Background()
	const cost = bcrypt.MinCost + 1
	s := New(Config{Store: db, Now: clk.Now, Cost: cost})
	if err := s.EnsureDemoAccounts(ctx); err != nil {
		t.Fatal(err)
	}
	for _, d := range DemoAccounts {
		a, err := db.AccountByUsername(ctx, d.Username)
		if err != nil {
			t.Fatal(err)
		}
		if c, _ := bcrypt.Cost([]byte(a.PasswordHash)); c != cost {
			t.Errorf("demo account %s hashed at cost %d, want %d", d.Username, c, cost)
		}
	}
	if c, _ := bcrypt.Cost(s.dummyHash()); c != cost {
		t.Errorf("dummy hash cost %d, want %d", c, cost)
	}
	// An account hashed at another cost (an older demo database) is
	// rehashed when its password is next given.
	old := New(Config{Store: db, Now: clk.Now, Cost: bcrypt.MinCost})
	if _, err := old.CreateAccount(ctx, NewAccount{Username: "li", Name: "李四", Role: Reviewer, Password: "correct horse battery", MustChange: true}); err != nil {
		t.Fatal(err)
	}
	sess, err := s.Login(ctx, "li", "correct horse battery", "10.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	a, _ := db.AccountByUsername(ctx, "li")
	if c, _ := bcrypt.Cost([]byte(a.PasswordHash)); c != cost || !a.MustChange || !sess.Account.MustChange {
		t.Fatalf("after sign-in: cost %d, must change %v", c, a.MustChange)
	}
	if _, err := s.Session(ctx, sess.Token); err != nil {
		t.Fatalf("the session of the sign-in that rehashed: %v", err)
	}
}
