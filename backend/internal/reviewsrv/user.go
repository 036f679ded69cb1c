package reviewsrv

import (
	"errors"
	"net/http"
	"slices"

	"lawtrace/backend/internal/auth"
	"lawtrace/backend/internal/store"
)

// User is the person acting, as the review service needs to know them:
// who they are (recorded in every office entry) and their role.
type User struct {
	ID          string    `json:"id"`
	Username    string    `json:"username"`
	Name        string    `json:"name"`
	Role        auth.Role `json:"role"`
	OfficerCert string    `json:"officer_cert,omitempty"`
}

// Who the review steps belong to (SPEC R9: handler → reviewer → approver).
var (
	// Handlers propose decisions, submit them for review, object to an
	// opinion and close cases: the case's officers and their heads.
	Handlers = []auth.Role{auth.Officer, auth.Supervisor}
	// Reviewers give the legal opinion (法制审核机构).
	Reviewers = []auth.Role{auth.Reviewer}
	// Heads approve extensions and emergency starts, decide disagreements
	// under the head setting, and approve decisions (机关负责人).
	Heads = []auth.Role{auth.Supervisor}
	// Admins publish review catalogs, load holiday years and record
	// reviewers' qualifications.
	Admins = []auth.Role{auth.Admin}
	// Readers see review state and deadlines: as in the web pages, admins
	// do not read case records and officers read the cases they are on.
	Readers = []auth.Role{auth.Supervisor, auth.Reviewer, auth.Officer}
	// Staff see the catalog, the calendar and the reviewers.
	Staff = []auth.Role{auth.Supervisor, auth.Reviewer, auth.Officer, auth.Admin}
)

// Sees reports whether the user may read the case: heads and reviewers
// every case, an officer the cases whose crew holds their credential.
func (u User) Sees(ci store.CaseInfo) bool {
	if u.Role != auth.Officer {
		return u.Can(Readers) || u.ID == System.ID
	}
	return u.OfficerCert != "" && slices.Contains(ci.Officers, u.OfficerCert)
}

// System is the server itself acting as admin: seeding the built-in
// catalog, operator commands run on the data directory.
var System = User{ID: "system", Username: "system", Name: "built-in catalog", Role: auth.Admin}

// Can reports whether the user holds one of roles.
func (u User) Can(roles []auth.Role) bool { return u.ID != "" && slices.Contains(roles, u.Role) }

// Authenticator says who sent a request. For a request that changes
// anything it also checks the request is not forged (CSRF). The web
// package's session handling implements it; tests use their own.
type Authenticator interface {
	Authenticate(r *http.Request) (User, error)
}

// AuthenticatorFunc adapts a function.
type AuthenticatorFunc func(r *http.Request) (User, error)

// Authenticate calls f.
func (f AuthenticatorFunc) Authenticate(r *http.Request) (User, error) { return f(r) }

// ErrUnauthenticated is returned by an Authenticator for a request with no
// valid session; ErrForged for a state-changing request failing the CSRF
// check.
var (
	ErrUnauthenticated = errors.New("not signed in or the session expired")
	ErrForged          = errors.New("the request's CSRF token is missing or wrong")
)
