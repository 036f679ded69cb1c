package auth

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"lawtrace/backend/internal/store"
	"lawtrace/backend/internal/store/sqlite"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func setup(t *testing.T) (*Service, *sqlite.DB, *clock) {
	t.Helper()
	clk := &clock{t: time.Date(2026, 5, 7, 9, 0, 0, 0, time.UTC)}
	db, err := sqlite.Open(filepath.Join(t.TempDir(), "lawtrace.db"), sqlite.Options{Now: clk.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return New(Config{Store: db, Now: clk.Now, Cost: bcrypt.MinCost}), db, clk
}

func TestPasswordsAreBcryptHashes(t *testing.T) {
	s, db, _ := setup(t)
	ctx := context.Background()
	a, err := s.CreateAccount(ctx, NewAccount{Username: "zhang", Name: "张三", Role: Supervisor, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	stored, err := db.Account(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(stored.PasswordHash, "$2a$") || strings.Contains(stored.PasswordHash, "battery") {
		t.Fatalf("stored hash %q is not a bcrypt hash", stored.PasswordHash)
	}
	if _, err := s.CreateAccount(ctx, NewAccount{Username: "ZHANG", Name: "x", Role: Admin, Password: "another long one"}); !errors.Is(err, store.ErrExists) {
		t.Fatalf("username taken again (case-insensitively): %v", err)
	}
	for _, bad := range []NewAccount{
		{Username: "li", Name: "李四", Role: Admin, Password: "short"},
		{Username: "lisi-long", Name: "李四", Role: Admin, Password: "lisi-long"},
		{Username: "../x", Name: "李四", Role: Admin, Password: "long enough pw"},
		{Username: "li4", Name: "李四", Role: "root", Password: "long enough pw"},
		{Username: "li5", Name: "李四", Role: Officer, Password: "long enough pw"},
		{Username: "li6", Name: "李四", Role: Admin, Password: strings.Repeat("长", 30)},
	} {
		if _, err := s.CreateAccount(ctx, bad); err == nil {
			t.Errorf("account %+v accepted", bad)
		}
	}
}

// Wrong passwords slow down the address they come from, for that
// username: after five failures even the right password is refused until
// the backoff has passed; a success resets the count.
func TestLoginRateLimit(t *testing.T) {
	s, _, clk := setup(t)
	ctx := context.Background()
	if _, err := s.CreateAccount(ctx, NewAccount{Username: "zhang", Name: "张三", Role: Supervisor, Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		if _, err := s.Login(ctx, "zhang", "wrong password", "10.0.0.1", "test"); !errors.Is(err, ErrBadCredentials) {
			t.Fatalf("attempt %d: %v", i, err)
		}
		clk.Add(time.Second)
	}
	var locked *LockedError
	if _, err := s.Login(ctx, "zhang", "correct horse battery", "10.0.0.1", "test"); !errors.As(err, &locked) {
		t.Fatalf("sixth attempt with the right password: %v, want locked", err)
	}
	if !strings.Contains(locked.Error(), "29 秒") {
		t.Fatalf("message %q", locked.Error())
	}
	clk.Add(locked.Retry)
	sess, err := s.Login(ctx, "zhang", "correct horse battery", "10.0.0.1", "test")
	if err != nil {
		t.Fatalf("after the backoff: %v", err)
	}
	if sess.Token == "" || sess.CSRF == "" || sess.Token == sess.CSRF {
		t.Fatalf("session %+v", sess)
	}
	// A success resets the pair's count.
	for i := 0; i < 4; i++ {
		if _, err := s.Login(ctx, "zhang", "wrong password", "10.0.0.1", "test"); !errors.Is(err, ErrBadCredentials) {
			t.Fatal(err)
		}
	}
	if _, err := s.Login(ctx, "zhang", "correct horse battery", "10.0.0.1", "test"); err != nil {
		t.Fatalf("four failures after a success: %v", err)
	}
}

func TestSessionExpiry(t *testing.T) {
	s, db, clk := setup(t)
	ctx := context.Background()
	a, err := s.CreateAccount(ctx, NewAccount{Username: "zhang", Name: "张三", Role: Supervisor, Password: "correct horse battery"})
	if err != nil {
		t.Fatal(err)
	}
	login := func() string {
		sess, err := s.Login(ctx, "zhang", "correct horse battery", "10.0.0.1", "test")
		if err != nil {
			t.Fatal(err)
		}
		return sess.Token
	}
	tok := login()
	if _, err := s.Session(ctx, "not-a-token"); !errors.Is(err, ErrNoSession) {
		t.Fatal(err)
	}
	// Used every 20 minutes the session lives until its absolute expiry.
	start := clk.Now()
	for i := 0; ; i++ {
		clk.Add(20 * time.Minute)
		_, err := s.Session(ctx, tok)
		if err == nil {
			continue
		}
		if !errors.Is(err, ErrNoSession) || clk.Now().Sub(start) < 12*time.Hour {
			t.Fatalf("after %v in use: %v", clk.Now().Sub(start), err)
		}
		break
	}
	// Idle for longer than the timeout.
	tok = login()
	clk.Add(31 * time.Minute)
	if _, err := s.Session(ctx, tok); !errors.Is(err, ErrNoSession) {
		t.Fatalf("idle session: %v", err)
	}
	// A password change ends every session; so does disabling.
	tok = login()
	if err := s.SetPassword(ctx, a, "a new long password", false); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, tok); !errors.Is(err, ErrNoSession) {
		t.Fatalf("after a password change: %v", err)
	}
	sess, err := s.Login(ctx, "zhang", "a new long password", "10.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	a, _ = db.Account(ctx, a.ID)
	a.Disabled = true
	if err := db.UpdateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Session(ctx, sess.Token); !errors.Is(err, ErrNoSession) {
		t.Fatalf("disabled account: %v", err)
	}
	if _, err := s.Login(ctx, "zhang", "a new long password", "10.0.0.1", "test"); !errors.Is(err, ErrBadCredentials) {
		t.Fatalf("disabled account signs in: %v", err)
	}
}

func TestBootstrapFirstAdmin(t *testing.T) {
	s, db, _ := setup(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), BootstrapFile)
	created, err := s.Bootstrap(ctx, path)
	if err != nil || !created {
		t.Fatalf("bootstrap: %v %v", created, err)
	}
	st, err := os.Stat(path)
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("password file: %v %v", st, err)
	}
	pw, _ := os.ReadFile(path)
	sess, err := s.Login(ctx, "admin", strings.TrimSpace(string(pw)), "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	if sess.Role() != Admin || !sess.Account.MustChange {
		t.Fatalf("first admin %+v", sess.Account)
	}
	if again, err := s.Bootstrap(ctx, path+"2"); err != nil || again {
		t.Fatalf("second bootstrap: %v %v", again, err)
	}
	if n, _ := db.CountAccounts(ctx); n != 1 {
		t.Fatalf("%d accounts", n)
	}
	if !sess.CheckCSRF(sess.CSRF) || sess.CheckCSRF("") || sess.CheckCSRF(sess.CSRF+"x") {
		t.Fatal("CSRF check")
	}
}
