package web

import (
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"lawtrace/backend/internal/auth"
	"lawtrace/backend/internal/store"
)

// Accounts with roles, created and changed by an administrator; every
// change is in the audit log. The last enabled administrator cannot be
// disabled or demoted.

type accountsData struct {
	Accounts []store.Account
	Officers []OfficerView
	Error    string
	Form     auth.NewAccount
	// NewPassword is shown once after a reset or a generated password.
	NewPassword string
	NewFor      string
	Done        string
	// Locks are the addresses backing off from signing in to each account
	// (by username), which an administrator may clear.
	Locks map[string][]auth.Lock
}

func (s *Server) accountsData(r *http.Request) (accountsData, error) {
	accts, err := s.st.Accounts(r.Context())
	if err != nil {
		return accountsData{}, err
	}
	officers, err := s.officerViews(r)
	if err != nil {
		return accountsData{}, err
	}
	locks := map[string][]auth.Lock{}
	for _, a := range accts {
		l, err := s.auth.Locks(r.Context(), a.Username)
		if err != nil {
			return accountsData{}, err
		}
		if len(l) > 0 {
			locks[a.Username] = l
		}
	}
	return accountsData{Accounts: accts, Officers: officers, Form: auth.NewAccount{Role: auth.Officer}, Locks: locks}, nil
}

func (s *Server) accountsPage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.accountsData(r)
	if err != nil {
		return err
	}
	return s.Render(w, r, "accounts", "账号与角色", d)
}

func (s *Server) createAccount(w http.ResponseWriter, r *http.Request) error {
	role, _ := auth.ParseRole(r.PostFormValue("role"))
	na := auth.NewAccount{Username: strings.TrimSpace(r.PostFormValue("username")), Name: strings.TrimSpace(r.PostFormValue("name")), Role: role,
		OfficerCert: strings.TrimSpace(r.PostFormValue("officer_cert")), Password: r.PostFormValue("password"), MustChange: true}
	generated := false
	if na.Password == "" {
		pw, err := auth.NewPassword()
		if err != nil {
			return err
		}
		na.Password, generated = pw, true
	}
	if role == "" {
		na.Role = auth.Role(r.PostFormValue("role"))
	}
	if err := checkAccountFields(na.Username, na.Name, na.OfficerCert); err != nil {
		d, derr := s.accountsData(r)
		if derr != nil {
			return derr
		}
		d.Error, d.Form = errText(err), na
		d.Form.Password = ""
		d.Form.Username, d.Form.Name, d.Form.OfficerCert = clip(na.Username, store.MaxUsernameChars), clip(na.Name, store.MaxPersonNameChars), clip(na.OfficerCert, store.MaxCertChars)
		return s.renderStatus(w, r, http.StatusBadRequest, "accounts", "账号与角色", d)
	}
	a, err := s.auth.CreateAccount(r.Context(), na)
	var pe *auth.PasswordError
	if errors.As(err, &pe) || errors.Is(err, store.ErrExists) {
		d, derr := s.accountsData(r)
		if derr != nil {
			return derr
		}
		d.Error, d.Form = err.Error(), na
		d.Form.Password = ""
		if errors.Is(err, store.ErrExists) {
			d.Error = "用户名 " + na.Username + " 已被使用。"
		}
		return s.renderStatus(w, r, http.StatusBadRequest, "accounts", "账号与角色", d)
	}
	if err != nil {
		return err
	}
	s.audit(r, "account_create", a.Username, string(a.Role))
	d, err := s.accountsData(r)
	if err != nil {
		return err
	}
	if generated {
		d.NewPassword, d.NewFor = na.Password, a.Username
	}
	d.Done = "已创建账号 " + a.Username + "（" + auth.Role(a.Role).Label() + "），首次登录须修改密码。"
	return s.Render(w, r, "accounts", "账号与角色", d)
}

func (s *Server) accountFromPath(r *http.Request) (store.Account, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return store.Account{}, errNotFound("账号")
	}
	a, err := s.st.Account(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return a, errNotFound("账号")
	}
	return a, err
}

// otherAdmins counts enabled administrators other than a.
func (s *Server) otherAdmins(r *http.Request, a store.Account) (int, error) {
	accts, err := s.st.Accounts(r.Context())
	if err != nil {
		return 0, err
	}
	n := 0
	for _, o := range accts {
		if o.ID != a.ID && o.Role == string(auth.Admin) && !o.Disabled {
			n++
		}
	}
	return n, nil
}

func (s *Server) updateAccount(w http.ResponseWriter, r *http.Request) error {
	a, err := s.accountFromPath(r)
	if err != nil {
		return err
	}
	if r.PostFormValue("action") == "unlock" {
		return s.unlockAccount(w, r, a)
	}
	role, ok := auth.ParseRole(r.PostFormValue("role"))
	if !ok {
		return errBad("未知角色。")
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	if name == "" {
		return errBad("请填写姓名。")
	}
	cert := strings.TrimSpace(r.PostFormValue("officer_cert"))
	if err := checkAccountFields(a.Username, name, cert); err != nil {
		return s.redirect(w, r, "/admin/accounts", errText(err))
	}
	if role == auth.Officer && cert == "" {
		return s.redirect(w, r, "/admin/accounts", "执法人员账号须关联执法证号。")
	}
	disabled := r.PostFormValue("disabled") == "yes"
	if a.Role == string(auth.Admin) && !a.Disabled && (role != auth.Admin || disabled) {
		n, err := s.otherAdmins(r, a)
		if err != nil {
			return err
		}
		if n == 0 {
			return s.redirect(w, r, "/admin/accounts", "不能停用或降级最后一个系统管理员账号。")
		}
	}
	before := a
	a.Name, a.Role, a.OfficerCert, a.Disabled = name, string(role), cert, disabled
	a.UpdatedAt = s.cfg.Now()
	if err := s.st.UpdateAccount(r.Context(), a); err != nil {
		return err
	}
	detail := "role " + before.Role + " → " + a.Role
	if before.Disabled != a.Disabled {
		detail += ", disabled=" + strconv.FormatBool(a.Disabled)
	}
	s.audit(r, "account_update", a.Username, detail)
	return s.redirect(w, r, "/admin/accounts", "已更新账号 "+a.Username+"。")
}

// unlockAccount clears the sign-in backoff of an account from every
// address (issue 13 finding 5): a security event and an audit row.
func (s *Server) unlockAccount(w http.ResponseWriter, r *http.Request, a store.Account) error {
	locks, err := s.auth.Locks(r.Context(), a.Username)
	if err != nil {
		return err
	}
	n, err := s.auth.Unlock(r.Context(), a.Username)
	if err != nil {
		return err
	}
	var addrs []string
	for _, l := range locks {
		addrs = append(addrs, l.Remote)
	}
	detail := fmt.Sprintf("管理员 %s 解除了账号 %s 的登录锁定，清除 %d 个来源地址：%s", SessionOf(r).Account.Username, a.Username, n, strings.Join(addrs, "、"))
	s.security(r, "web_login_unlock", detail)
	s.audit(r, "account_unlock", a.Username, strings.Join(addrs, " "))
	if n == 0 {
		return s.redirect(w, r, "/admin/accounts", "账号 "+a.Username+" 当前没有登录限制。")
	}
	return s.redirect(w, r, "/admin/accounts", fmt.Sprintf("已解除账号 %s 的登录限制（%d 个地址）。", a.Username, n))
}

func (s *Server) resetPassword(w http.ResponseWriter, r *http.Request) error {
	a, err := s.accountFromPath(r)
	if err != nil {
		return err
	}
	pw, err := auth.NewPassword()
	if err != nil {
		return err
	}
	if err := s.auth.SetPassword(r.Context(), a, pw, true); err != nil {
		return err
	}
	s.audit(r, "account_password_reset", a.Username, "")
	d, err := s.accountsData(r)
	if err != nil {
		return err
	}
	d.NewPassword, d.NewFor = pw, a.Username
	return s.Render(w, r, "accounts", "账号与角色", d)
}

// removeBootstrapFile deletes the first administrator's one-time password
// file once that administrator chose a password.
func (s *Server) removeBootstrapFile(sess *auth.Session) {
	if s.cfg.DataDir == "" || sess.Role() != auth.Admin || !sess.Account.MustChange {
		return
	}
	path := filepath.Join(s.cfg.DataDir, auth.BootstrapFile)
	if err := os.Remove(path); err == nil {
		s.log.Info("first administrator chose a password; one-time password file removed", "file", path)
	}
}

type settingsData struct {
	Policy Policy
}

func (s *Server) settingsPage(w http.ResponseWriter, r *http.Request) error {
	p, err := s.policy(r.Context())
	if err != nil {
		return err
	}
	return s.Render(w, r, "settings", "调阅审批规则", settingsData{Policy: p})
}

func (s *Server) saveSettings(w http.ResponseWriter, r *http.Request) error {
	val := func(on bool) string {
		if on {
			return "1"
		}
		return "0"
	}
	p := Policy{Download: r.PostFormValue("download") == "yes", AV: r.PostFormValue("av") == "yes"}
	if err := s.st.SetSetting(r.Context(), settingApproveDownload, val(p.Download)); err != nil {
		return err
	}
	if err := s.st.SetSetting(r.Context(), settingApproveAV, val(p.AV)); err != nil {
		return err
	}
	s.audit(r, "settings_access_policy", "", "download="+val(p.Download)+" av="+val(p.AV))
	return s.redirect(w, r, "/admin/settings", "调阅审批规则已保存。")
}

// checkAccountFields applies the limits on what an administrator enters
// (issue 13 finding 3) to an account's sign-in name, name and credential
// number.
func checkAccountFields(username, name, cert string) error {
	if err := store.CheckText("用户名", username, store.MaxUsernameChars); err != nil {
		return err
	}
	if err := store.CheckText("姓名", name, store.MaxPersonNameChars); err != nil {
		return err
	}
	return store.CheckText("执法证号", cert, store.MaxCertChars)
}
