package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"lawtrace/backend/internal/auth"
)

// The sign-in form is protected against login CSRF with a double-submit
// token: a random cookie the form repeats.
const loginCSRFCookie = "lt_login"

type loginData struct {
	Username string
	Next     string
	Error    string
	Token    string
}

// safeNext keeps a post-login redirect on this site: an absolute path
// (with an optional query) and nothing a browser could read as another
// host — no control characters or spaces anywhere (browsers drop a tab or
// newline, so "/\t/evil.example" is "//evil.example"), no backslash, no
// "//", and none of these percent-encoded either (issue 13 finding 8).
// Anything else is "" (the account's home page).
func safeNext(next string) string {
	if len(next) > 2000 || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return ""
	}
	for _, c := range next {
		if c < 0x21 || c == 0x7f || c == '\\' || unicode.IsSpace(c) || unicode.Is(unicode.Cf, c) || c == utf8.RuneError {
			return ""
		}
	}
	lower := strings.ToLower(next)
	for i := strings.IndexByte(lower, '%'); i >= 0; i = strings.IndexByte(lower, '%') {
		if i+3 > len(lower) {
			return ""
		}
		b, err := strconv.ParseUint(lower[i+1:i+3], 16, 8)
		if err != nil || b < 0x21 || b == 0x7f || b == '/' || b == '\\' || b == '%' {
			return ""
		}
		lower = lower[i+3:]
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || u.Opaque != "" || !strings.HasPrefix(u.Path, "/") || strings.HasPrefix(u.Path, "//") {
		return ""
	}
	return next
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) error {
	return s.renderLogin(w, r, http.StatusOK, loginData{Next: safeNext(r.URL.Query().Get("next"))})
}

func (s *Server) renderLogin(w http.ResponseWriter, r *http.Request, status int, d loginData) error {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return err
	}
	d.Token = base64.RawURLEncoding.EncodeToString(b)
	http.SetCookie(w, &http.Cookie{Name: loginCSRFCookie, Value: d.Token, Path: "/login", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.secure(r), MaxAge: 3600})
	return s.renderStatus(w, r, status, "login", "登录", d)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	username, password := strings.TrimSpace(r.PostFormValue("username")), r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	c, err := r.Cookie(loginCSRFCookie)
	if err != nil || !s.sameOrigin(r) || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf"))) != 1 {
		s.security(r, "web_csrf", "登录表单缺少令牌或来源无效："+printable(r.Header.Get("Origin")))
		return s.renderLogin(w, r, http.StatusForbidden, loginData{Username: username, Next: next, Error: "表单已过期，请重新登录。"})
	}
	sess, err := s.auth.Login(r.Context(), username, password, remoteIP(r), r.UserAgent())
	var locked *auth.LockedError
	switch {
	case errors.As(err, &locked):
		s.security(r, "web_login_locked", "账号 "+printable(username)+" 失败次数过多，登录被拒绝")
		return s.renderLogin(w, r, http.StatusTooManyRequests, loginData{Username: username, Next: next, Error: locked.Error()})
	case errors.Is(err, auth.ErrBadCredentials):
		s.security(r, "web_login_failed", "账号 "+printable(username)+" 用户名或密码错误")
		return s.renderLogin(w, r, http.StatusUnauthorized, loginData{Username: username, Next: next, Error: err.Error()})
	case err != nil:
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.Token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.secure(r)})
	http.SetCookie(w, &http.Cookie{Name: loginCSRFCookie, Value: "", Path: "/login", MaxAge: -1, HttpOnly: true, Secure: s.secure(r)})
	s.log.Info("web sign-in", "username", sess.Account.Username, "role", sess.Account.Role, "remote", remoteIP(r))
	if sess.Account.MustChange {
		next = "/account/password"
	}
	if next == "" {
		next = homeOf(sess.Role())
	}
	http.Redirect(w, r, next, http.StatusSeeOther)
	return nil
}

// printable cuts a user-typed value for a log line.
func printable(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, s)
	if len([]rune(s)) > 40 {
		s = string([]rune(s)[:40]) + "…"
	}
	return "\"" + s + "\""
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	if c, err := r.Cookie(sessionCookie); err == nil {
		if err := s.auth.Logout(r.Context(), c.Value); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure(r)})
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

type passwordData struct {
	MustChange bool
	Error      string
}

func (s *Server) passwordPage(w http.ResponseWriter, r *http.Request) error {
	return s.Render(w, r, "password", "修改密码", passwordData{MustChange: SessionOf(r).Account.MustChange})
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request) error {
	sess := SessionOf(r)
	current, next, again := r.PostFormValue("current"), r.PostFormValue("new"), r.PostFormValue("again")
	fail := func(msg string) error {
		return s.renderStatus(w, r, http.StatusBadRequest, "password", "修改密码", passwordData{MustChange: sess.Account.MustChange, Error: msg})
	}
	if next != again {
		return fail("两次输入的新密码不一致")
	}
	err := s.auth.ChangePassword(r.Context(), sess.Account, current, next)
	var pe *auth.PasswordError
	if errors.As(err, &pe) {
		return fail(pe.Msg)
	}
	if err != nil {
		return err
	}
	s.audit(r, "password_changed", sess.Account.Username, "")
	s.removeBootstrapFile(sess)
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.secure(r)})
	return s.redirect(w, r, "/login", "密码已修改，请用新密码登录。")
}
