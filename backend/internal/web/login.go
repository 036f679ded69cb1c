package web

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

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

// safeNext keeps a post-login redirect on this site.
func safeNext(next string) string {
	if !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n") {
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
		SameSite: http.SameSiteStrictMode, Secure: s.cfg.Options.SecureCookies, MaxAge: 3600})
	return s.renderStatus(w, r, status, "login", "登录", d)
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	username, password := strings.TrimSpace(r.PostFormValue("username")), r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	c, err := r.Cookie(loginCSRFCookie)
	if err != nil || !s.sameOrigin(r) || subtle.ConstantTimeCompare([]byte(c.Value), []byte(r.PostFormValue("csrf"))) != 1 {
		s.security(r, "web_csrf", "sign-in form posted without its token or from origin "+r.Header.Get("Origin"))
		return s.renderLogin(w, r, http.StatusForbidden, loginData{Username: username, Next: next, Error: "表单已过期，请重新登录。"})
	}
	sess, err := s.auth.Login(r.Context(), username, password, remoteIP(r), r.UserAgent())
	var locked *auth.LockedError
	switch {
	case errors.As(err, &locked):
		s.security(r, "web_login_locked", "sign-in refused for "+printable(username)+": too many failures")
		return s.renderLogin(w, r, http.StatusTooManyRequests, loginData{Username: username, Next: next, Error: locked.Error()})
	case errors.Is(err, auth.ErrBadCredentials):
		s.security(r, "web_login_failed", "wrong username or password for "+printable(username))
		return s.renderLogin(w, r, http.StatusUnauthorized, loginData{Username: username, Next: next, Error: err.Error()})
	case err != nil:
		return err
	}
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: sess.Token, Path: "/", HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.cfg.Options.SecureCookies})
	http.SetCookie(w, &http.Cookie{Name: loginCSRFCookie, Value: "", Path: "/login", MaxAge: -1})
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
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true})
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
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true})
	return s.redirect(w, r, "/login", "密码已修改，请用新密码登录。")
}
