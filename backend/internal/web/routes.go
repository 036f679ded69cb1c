package web

import (
	"net/http"
	"strings"

	"lawtrace/backend/internal/auth"
)

// Who may use what. Admins manage devices, officers, procedures and
// accounts but do not read case records; officers read the cases they
// are on; supervisors (heads) read everything, keep the register and
// approve; reviewers read the board and cases.
var (
	caseReaders = []auth.Role{auth.Supervisor, auth.Reviewer, auth.Officer}
	registerers = []auth.Role{auth.Supervisor, auth.Admin}
	approvers   = []auth.Role{auth.Supervisor}
	statsUsers  = []auth.Role{auth.Supervisor, auth.Reviewer, auth.Admin}
	admins      = []auth.Role{auth.Admin}
)

// coreRoutes is the route table of this pages. Every route is
// checked by TestRouteAccess for every role.
func (s *Server) coreRoutes() []Route {
	return []Route{
		{Method: "GET", Path: "/static/", Public: true, Handler: func(w http.ResponseWriter, r *http.Request) error {
			if strings.HasSuffix(r.URL.Path, "/") {
				http.NotFound(w, r) // no directory listings
				return nil
			}
			w.Header().Set("Cache-Control", "public, max-age=300")
			staticHandler().ServeHTTP(w, r)
			return nil
		}},
		{Method: "GET", Path: "/{$}", Public: true, Handler: s.home},
		{Method: "GET", Path: "/login", Public: true, Handler: s.loginPage},
		{Method: "POST", Path: "/login", Public: true, Handler: s.login},
		{Method: "POST", Path: "/logout", Handler: s.logout},
		{Method: "GET", Path: "/account/password", Handler: s.passwordPage},
		{Method: "POST", Path: "/account/password", Handler: s.changePassword},

		{Method: "GET", Path: "/board", Roles: caseReaders, Nav: "案件看板", NavOrder: 10, Handler: s.boardPage},
		{Method: "GET", Path: "/board/ws", Roles: caseReaders, Handler: s.boardSocket},

		{Method: "GET", Path: "/cases/{id}", Roles: caseReaders, Handler: s.casePage},
		{Method: "POST", Path: "/cases/{id}/access", Roles: caseReaders, Handler: s.caseAccess},
		{Method: "POST", Path: "/cases/{id}/requests", Roles: caseReaders, Handler: s.caseRequest},
		{Method: "GET", Path: "/cases/{id}/media/{hash}", Roles: caseReaders, Handler: s.caseMedia},
		{Method: "GET", Path: "/cases/{id}/media/{hash}/download", Roles: caseReaders, Handler: s.caseDownload},

		{Method: "GET", Path: "/access", Roles: registerers, Nav: "调阅登记", NavOrder: 30, Handler: s.registerPage},
		{Method: "GET", Path: "/access/export.csv", Roles: registerers, Handler: s.registerCSV},
		{Method: "GET", Path: "/access/requests", Roles: approvers, Nav: "调阅审批", NavOrder: 35, Handler: s.requestsPage},
		{Method: "POST", Path: "/access/requests/{id}", Roles: approvers, Handler: s.decideRequest},

		{Method: "GET", Path: "/stats", Roles: statsUsers, Nav: "统计", NavOrder: 40, Handler: s.statsPage},

		{Method: "GET", Path: "/admin/devices", Roles: admins, Nav: "终端设备", NavOrder: 50, Handler: s.devicesPage},
		{Method: "POST", Path: "/admin/devices/enrol", Roles: admins, Handler: s.enrolDevice},
		{Method: "POST", Path: "/admin/devices/{id}/revoke", Roles: admins, Handler: s.revokeDevice},
		{Method: "POST", Path: "/admin/devices/{id}/wipe", Roles: admins, Handler: s.wipeDevice},

		{Method: "GET", Path: "/admin/officers", Roles: admins, Nav: "执法人员", NavOrder: 55, Handler: s.officersPage},
		{Method: "POST", Path: "/admin/officers", Roles: admins, Handler: s.addOfficer},
		{Method: "GET", Path: "/admin/officers/{cert}", Roles: admins, Handler: s.officerPage},
		{Method: "POST", Path: "/admin/officers/{cert}", Roles: admins, Handler: s.saveOfficer},

		{Method: "GET", Path: "/admin/procedures", Roles: admins, Nav: "程序与告知书", NavOrder: 60, Handler: s.proceduresPage},
		{Method: "GET", Path: "/admin/procedures/{kind}/{key}/{version}", Roles: admins, Handler: s.procedureVersionPage},
		{Method: "POST", Path: "/admin/procedures", Roles: admins, Handler: s.publishProcedure},

		{Method: "GET", Path: "/admin/accounts", Roles: admins, Nav: "账号", NavOrder: 65, Handler: s.accountsPage},
		{Method: "POST", Path: "/admin/accounts", Roles: admins, Handler: s.createAccount},
		{Method: "POST", Path: "/admin/accounts/{id}", Roles: admins, Handler: s.updateAccount},
		{Method: "POST", Path: "/admin/accounts/{id}/password", Roles: admins, Handler: s.resetPassword},

		{Method: "GET", Path: "/admin/security", Roles: admins, Nav: "安全日志", NavOrder: 70, Handler: s.securityPage},
		{Method: "GET", Path: "/admin/settings", Roles: admins, Nav: "调阅规则", NavOrder: 75, Handler: s.settingsPage},
		{Method: "POST", Path: "/admin/settings", Roles: admins, Handler: s.saveSettings},
	}
}

func init() { AddPages((*Server).publicRoutes) } // the public portal, 事前与事中公示 (issue 11, SPEC P1 P7): public.go

// home sends a signed-in account to its first page, anyone else to sign in.
func (s *Server) home(w http.ResponseWriter, r *http.Request) error {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	sess, err := s.auth.Session(r.Context(), c.Value)
	if err != nil {
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, homeOf(sess.Role()), http.StatusSeeOther)
	return nil
}

func homeOf(role auth.Role) string {
	if role == auth.Admin {
		return "/admin/devices"
	}
	return "/board"
}
