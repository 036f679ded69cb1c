// Package auth keeps the web pages' accounts: roles, bcrypt password hashes, sessions with idle and absolute expiry, per-session CSRF tokens, login rate limiting, and the first administrator on first start (SPEC D1-D4, R7).
package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/bcrypt"

	"lawtrace/backend/internal/store"
)

// Role is what an account may do. Each account has exactly one.
type Role string

// The roles.
const (
	// Supervisor is an agency head or law-enforcement supervisor (机关负责人
	// / 执法监督): the live board, every case, the access register,
	// statistics, approvals.
	Supervisor Role = "supervisor"
	// Reviewer is a legal reviewer (法制审核人员): the board and every case.
	Reviewer Role = "reviewer"
	// Officer is an enforcement officer: the cases they are on.
	Officer Role = "officer"
	// Admin manages devices, officers, procedures and accounts; it does not
	// read case records.
	Admin Role = "admin"
)

// AllRoles lists the roles in the order pages show them.
var AllRoles = []Role{Supervisor, Reviewer, Officer, Admin}

// Label is the role's Chinese name.
func (r Role) Label() string {
	switch r {
	case Supervisor:
		return "执法监督/机关负责人"
	case Reviewer:
		return "法制审核人员"
	case Officer:
		return "执法人员"
	case Admin:
		return "系统管理员"
	}
	return string(r)
}

// ParseRole reads a role name.
func ParseRole(s string) (Role, bool) {
	for _, r := range AllRoles {
		if string(r) == s {
			return r, true
		}
	}
	return "", false
}

// Errors of signing in. The message never says whether the username exists.
var (
	ErrBadCredentials = errors.New("用户名或密码错误")
	ErrNoSession      = errors.New("未登录或会话已过期")
)

// LockedError refuses a sign-in after too many failures (rate limiting).
type LockedError struct{ Retry time.Duration }

func (e *LockedError) Error() string {
	if e.Retry < time.Minute {
		return fmt.Sprintf("登录失败次数过多，请 %d 秒后再试", int(e.Retry.Seconds()+0.999))
	}
	return fmt.Sprintf("登录失败次数过多，请 %d 分钟后再试", int(e.Retry.Minutes()+0.999))
}

// PasswordError says why a new password is refused.
type PasswordError struct{ Msg string }

func (e *PasswordError) Error() string { return e.Msg }

// Config configures the service; Store is required.
type Config struct {
	Store store.WebStore
	Now   func() time.Time
	// Cost is the bcrypt cost (default 12; tests use bcrypt.MinCost).
	Cost int
	// IdleTimeout ends a session unused this long (default 30 minutes).
	IdleTimeout time.Duration
	// MaxAge ends any session this long after sign-in (default 12 hours).
	MaxAge time.Duration
	// Sign-in failures count per (account, address): FreeFailures failed
	// attempts for one username from one address are free; after that the
	// address must wait BackoffBase before its next attempt on that
	// username, doubling with each further failure up to BackoffMax (no
	// hard lock: an attacker's guesses slow only the attacker's address,
	// never the account's owner elsewhere). A pair's failures are
	// forgotten after FailureMemory without one, on a successful sign-in,
	// or when an administrator unlocks the account (defaults 5, 30s, 15m,
	// 24h). IPv6 addresses count per /64. The failures are kept in the
	// store, shared by every instance on its database.
	FreeFailures  int
	BackoffBase   time.Duration
	BackoffMax    time.Duration
	FailureMemory time.Duration
}

// Service signs people in and keeps their sessions.
type Service struct {
	cfg Config

	dummyOnce sync.Once
	dummy     []byte
}

// New builds the service.
func New(cfg Config) *Service {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Cost == 0 {
		cfg.Cost = 12
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.MaxAge == 0 {
		cfg.MaxAge = 12 * time.Hour
	}
	if cfg.FreeFailures == 0 {
		cfg.FreeFailures = 5
	}
	if cfg.BackoffBase == 0 {
		cfg.BackoffBase = 30 * time.Second
	}
	if cfg.BackoffMax == 0 {
		cfg.BackoffMax = 15 * time.Minute
	}
	if cfg.FailureMemory == 0 {
		cfg.FailureMemory = 24 * time.Hour
	}
	return &Service{cfg: cfg}
}

// Session is a signed-in browser. Token is set only when the session is
// created (it is the cookie value; the store keeps its hash).
type Session struct {
	Token string
	store.WebSession
	Account store.Account
}

// Role is the session account's role.
func (s *Session) Role() Role { return Role(s.Account.Role) }

// CheckCSRF reports whether token is this session's CSRF token.
func (s *Session) CheckCSRF(token string) bool {
	return token != "" && subtle.ConstantTimeCompare([]byte(token), []byte(s.CSRF)) == 1
}

// NewAccount is what creating an account needs.
type NewAccount struct {
	Username    string
	Name        string
	Role        Role
	OfficerCert string
	Password    string
	MustChange  bool
}

func validUsername(u string) bool {
	if len(u) < 2 || len(u) > 32 {
		return false
	}
	for _, c := range u {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// Hash hashes a password with bcrypt.
func (s *Service) Hash(password string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(password), s.cfg.Cost)
	return string(h), err
}

// CreateAccount checks and stores a new account.
func (s *Service) CreateAccount(ctx context.Context, na NewAccount) (store.Account, error) {
	return s.createAccount(ctx, na, s.cfg.Cost)
}

func (s *Service) createAccount(ctx context.Context, na NewAccount, cost int) (store.Account, error) {
	na.Username, na.Name = strings.TrimSpace(na.Username), strings.TrimSpace(na.Name)
	if !validUsername(na.Username) {
		return store.Account{}, &PasswordError{"用户名为 2–32 个字母、数字、点、下划线或连字符"}
	}
	if na.Name == "" {
		return store.Account{}, &PasswordError{"请填写姓名"}
	}
	if _, ok := ParseRole(string(na.Role)); !ok {
		return store.Account{}, &PasswordError{"未知角色 " + string(na.Role)}
	}
	if na.Role == Officer && strings.TrimSpace(na.OfficerCert) == "" {
		return store.Account{}, &PasswordError{"执法人员账号须关联执法证号"}
	}
	if err := CheckPassword(na.Username, na.Password); err != nil {
		return store.Account{}, err
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(na.Password), cost)
	if err != nil {
		return store.Account{}, err
	}
	return s.cfg.Store.CreateAccount(ctx, store.Account{Username: na.Username, Name: na.Name, Role: string(na.Role),
		OfficerCert: strings.TrimSpace(na.OfficerCert), PasswordHash: string(hash), MustChange: na.MustChange, CreatedAt: s.cfg.Now()})
}

// SetPassword replaces an account's password (ending its sessions).
func (s *Service) SetPassword(ctx context.Context, a store.Account, password string, mustChange bool) error {
	if err := CheckPassword(a.Username, password); err != nil {
		return err
	}
	hash, err := s.Hash(password)
	if err != nil {
		return err
	}
	return s.cfg.Store.SetPassword(ctx, a.ID, hash, mustChange, s.cfg.Now())
}

// ChangePassword changes the signed-in account's own password after
// checking the current one; the caller signs in again.
func (s *Service) ChangePassword(ctx context.Context, a store.Account, current, next string) error {
	if bcrypt.CompareHashAndPassword([]byte(a.PasswordHash), []byte(current)) != nil {
		return &PasswordError{"当前密码不正确"}
	}
	if current == next {
		return &PasswordError{"新密码不能与当前密码相同"}
	}
	return s.SetPassword(ctx, a, next, false)
}

func (s *Service) dummyHash() []byte {
	s.dummyOnce.Do(func() {
		s.dummy, _ = bcrypt.GenerateFromPassword([]byte("lawtrace-no-such-account"), s.cfg.Cost)
	})
	return s.dummy
}

// Login checks a username and password and opens a session. An address
// backing off after failures for this username is refused with
// *LockedError before the password is even looked at (the right password
// too); failures from other addresses do not matter. An unknown username
// or a disabled account costs the same bcrypt work as a wrong password,
// against a dummy hash of the configured cost; a stored hash of another
// cost is replaced at the configured cost when its password is given.
func (s *Service) Login(ctx context.Context, username, password, remote, userAgent string) (*Session, error) {
	now := s.cfg.Now()
	username = strings.TrimSpace(username)
	retry, err := s.backoff(ctx, username, remote, now)
	if err != nil {
		return nil, err
	}
	if retry > 0 {
		return nil, &LockedError{Retry: retry}
	}
	a, err := s.cfg.Store.AccountByUsername(ctx, username)
	ok := false
	switch {
	case errors.Is(err, store.ErrNotFound):
		_ = bcrypt.CompareHashAndPassword(s.dummyHash(), []byte(password))
	case err != nil:
		return nil, err
	case a.Disabled:
		_ = bcrypt.CompareHashAndPassword([]byte(a.PasswordHash), []byte(password))
	default:
		ok = bcrypt.CompareHashAndPassword([]byte(a.PasswordHash), []byte(password)) == nil
	}
	attempt := store.LoginAttempt{At: now, Username: username, Remote: remote, OK: ok}
	if err := s.cfg.Store.RecordSignIn(ctx, attempt, pairOf(username, remote), now.Add(-s.cfg.FailureMemory)); err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrBadCredentials
	}
	if c, err := bcrypt.Cost([]byte(a.PasswordHash)); err == nil && c != s.cfg.Cost {
		// Before the session exists: SetPassword ends the account's sessions.
		if hash, err := s.Hash(password); err == nil {
			if err := s.cfg.Store.SetPassword(ctx, a.ID, hash, a.MustChange, now); err != nil {
				return nil, err
			}
			a.PasswordHash = hash
		}
	}
	token, err := randomToken()
	if err != nil {
		return nil, err
	}
	csrf, err := randomToken()
	if err != nil {
		return nil, err
	}
	if len(userAgent) > 200 {
		userAgent = userAgent[:200]
	}
	ws := store.WebSession{IDHash: TokenHash(token), AccountID: a.ID, CSRF: csrf, CreatedAt: now, ExpiresAt: now.Add(s.cfg.MaxAge),
		LastSeen: now, Remote: remote, UserAgent: userAgent}
	if err := s.cfg.Store.CreateSession(ctx, ws); err != nil {
		return nil, err
	}
	_ = s.cfg.Store.DeleteExpiredSessions(ctx, now)
	return &Session{Token: token, WebSession: ws, Account: a}, nil
}

// Session returns the live session of a cookie token: not past its
// absolute expiry, used within the idle timeout, its account enabled.
func (s *Service) Session(ctx context.Context, token string) (*Session, error) {
	if token == "" || len(token) > 100 {
		return nil, ErrNoSession
	}
	id := TokenHash(token)
	ws, a, err := s.cfg.Store.Session(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, err
	}
	now := s.cfg.Now()
	if a.Disabled || !now.Before(ws.ExpiresAt) || now.Sub(ws.LastSeen) > s.cfg.IdleTimeout {
		_ = s.cfg.Store.DeleteSession(ctx, id)
		return nil, ErrNoSession
	}
	if now.Sub(ws.LastSeen) > time.Minute {
		if err := s.cfg.Store.TouchSession(ctx, id, now); err != nil {
			return nil, err
		}
		ws.LastSeen = now
	}
	return &Session{WebSession: ws, Account: a}, nil
}

// Logout ends the session of a token.
func (s *Service) Logout(ctx context.Context, token string) error {
	if token == "" {
		return nil
	}
	return s.cfg.Store.DeleteSession(ctx, TokenHash(token))
}

// TokenHash is how a session token is stored.
func TokenHash(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// NewPassword makes a random password people can type: 16 characters from
// an alphabet without look-alikes, about 90 bits.
func NewPassword() (string, error) {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:4]) + "-" + string(b[4:8]) + "-" + string(b[8:12]) + "-" + string(b[12:]), nil
}

// BootstrapFile is the file, in the data directory, that holds the first
// administrator's one-time password until it is changed.
const BootstrapFile = "initial-admin-password"

// Bootstrap creates the first administrator when no account exists:
// username "admin", a random password written to path (mode 0600) and to
// be changed at first sign-in. It reports whether it created the account.
func (s *Service) Bootstrap(ctx context.Context, path string) (bool, error) {
	n, err := s.cfg.Store.CountAccounts(ctx)
	if err != nil || n > 0 {
		return false, err
	}
	password, err := NewPassword()
	if err != nil {
		return false, err
	}
	if err := os.WriteFile(path, []byte(password+"\n"), 0o600); err != nil {
		return false, err
	}
	if _, err := s.CreateAccount(ctx, NewAccount{Username: "admin", Name: "系统管理员", Role: Admin, Password: password, MustChange: true}); err != nil {
		os.Remove(path)
		return false, err
	}
	return true, nil
}

// DemoAccount is a demo account with its documented password.
type DemoAccount struct {
	Username, Password, Name string
	Role                     Role
	OfficerCert              string
}

// DemoAccounts are the accounts of the demo data, one per role (and a
// second officer in another unit); the passwords are in docs/web.md.
var DemoAccounts = []DemoAccount{
	{"admin", "lawtrace-admin", "系统管理员", Admin, ""},
	{"supervisor", "lawtrace-supervisor", "张建国（大队长）", Supervisor, ""},
	{"reviewer", "lawtrace-reviewer", "周敏", Reviewer, "15010005"},
	{"officer", "lawtrace-officer", "王强", Officer, "15010001"},
	{"officer2", "lawtrace-officer2", "赵丽", Officer, "15010003"},
}

// EnsureDemoAccounts creates the demo accounts that do not exist yet.
// Their passwords are published, but they are hashed at the configured
// cost all the same: a cheaper hash would answer a wrong password faster
// than an unknown username does, telling which usernames exist.
func (s *Service) EnsureDemoAccounts(ctx context.Context) error {
	for _, d := range DemoAccounts {
		_, err := s.cfg.Store.AccountByUsername(ctx, d.Username)
		if err == nil {
			continue
		}
		if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if _, err := s.createAccount(ctx, NewAccount{Username: d.Username, Name: d.Name, Role: d.Role, OfficerCert: d.OfficerCert, Password: d.Password}, s.cfg.Cost); err != nil {
			return fmt.Errorf("demo account %s: %w", d.Username, err)
		}
	}
	return nil
}
