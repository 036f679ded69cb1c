package server

import (
	"context"
	"crypto/ed25519"
	"errors"
	"net/http"
	"strconv"
	"time"

	"lawtrace/backend/internal/reviewsrv"
	"lawtrace/backend/internal/web"
	"lawtrace/shared/enforce"
	"lawtrace/shared/syncproto"
)

// openWeb builds the web pages over the opened data (issue 5): the
// operator functions they need (enrolment codes, officers) come from this
// package, which imports web.
func (m *Main) openWeb(agency string) error {
	w, boot, err := web.New(web.Config{
		Store: m.Data.Store, Blobs: m.Data.Blobs, Bus: m.Bus, ServerKey: m.Data.Key.Public().(ed25519.PublicKey),
		Logger: m.log, Now: m.cfg.Now, Recent: m.recent, Metrics: m.Metrics, DataDir: m.cfg.DataDir, Demo: m.cfg.Demo, Agency: agency, Options: m.cfg.Web,
		NewEnrolCode: func(ctx context.Context, name string, ttl time.Duration) (web.EnrolCode, error) {
			ec, err := NewEnrolCode(ctx, m.Data, name, ttl, "")
			return web.EnrolCode{Code: ec.Code, DeviceName: ec.DeviceName, ExpiresAt: ec.ExpiresAt, Server: ec.Server,
				ServerFingerprint: ec.ServerFingerprint, Payload: ec.Payload, Command: ec.Command}, err
		},
		PutOfficer: func(ctx context.Context, o enforce.Officer) (syncproto.CatalogItem, bool, error) {
			return PutOfficer(ctx, m.Data.Store, o, m.cfg.Now())
		},
	})
	if err != nil {
		return err
	}
	m.Web, m.FirstAdminFile = w, boot.PasswordFile
	w.SetOnline(m.Sync.Online) // "online" from the live connections, not from events (issue 13)
	// /sync counts clients behind trusted proxies as the web login does (issue 13)
	m.Sync.SetClientIP(w.ClientIP)
	return nil
}

// ReviewAuthenticator lets the review API use the web sessions: the
// signed-in account, and for a state-changing request the session's CSRF
// token (header X-CSRF-Token or form field csrf) from this site's pages.
func (m *Main) ReviewAuthenticator() reviewsrv.Authenticator {
	return reviewsrv.AuthenticatorFunc(func(r *http.Request) (reviewsrv.User, error) {
		sess, err := m.Web.Authenticate(r)
		switch {
		case errors.Is(err, web.ErrForged):
			return reviewsrv.User{}, reviewsrv.ErrForged
		case err != nil:
			return reviewsrv.User{}, reviewsrv.ErrUnauthenticated
		}
		a := sess.Account
		return reviewsrv.User{ID: strconv.FormatInt(a.ID, 10), Username: a.Username, Name: a.Name, Role: sess.Role(), OfficerCert: a.OfficerCert}, nil
	})
}
