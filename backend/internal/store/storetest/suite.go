// Package storetest is the conformance suite every store adapter passes, written against the store.Backend port only (SPEC X2; issue 14).
package storetest

import (
	"bytes"
	"context"
	"crypto"
	"crypto/ed25519"
	"errors"
	"io"
	"testing"
	"time"

	"lawtrace/backend/internal/store"
)

// Config is what the suite opens a store with.
type Config struct {
	// Signer signs tree heads and office entries; the suite passes a
	// signer that is not a private key (a key service's), so a store that
	// reached for the key itself would not compile against it.
	Signer crypto.Signer
	// Now is the store's clock.
	Now func() time.Time
}

// Subject is a store opened for one test on a fresh, empty database.
type Subject struct {
	Store store.Backend
	// Exec runs one statement on the database directly: the suite uses it
	// only to check that the database itself refuses to change or delete
	// rows of append-only tables.
	Exec func(ctx context.Context, query string) error
	// Reopen opens another store on the same database: a restart, or a
	// second server instance.
	Reopen func(t testing.TB) store.Backend
}

// Opener opens a fresh, migrated, empty store; the adapter's test closes
// it (t.Cleanup).
type Opener func(t testing.TB, cfg Config) Subject

// Run runs every conformance test on stores opened by open.
func Run(t *testing.T, open Opener) {
	tests := []struct {
		name string
		fn   func(*testing.T, Opener)
	}{
		{"Settings", testSettings},
		{"EnrolmentCodes", testEnrolmentCodes},
		{"DevicesRevokeWipe", testDevicesRevokeWipe},
		{"IngestExactlyOnce", testIngestExactlyOnce},
		{"IngestRefusals", testIngestRefusals},
		{"CaseOwnership", testCaseOwnership},
		{"AppendOnly", testAppendOnly},
		{"CatalogVersions", testCatalogVersions},
		{"Uploads", testUploads},
		{"PendingMediaDeadlines", testPendingMediaDeadlines},
		{"MediaDeadlinesFollowTheConfiguredRule", testMediaDeadlinesFollowTheConfiguredRule},
		{"GroupCommit", testGroupCommit},
		{"SignerUnavailable", testSignerUnavailable},
		{"TwoInstancesOneLog", testTwoInstancesOneLog},
		{"ClockCalibration", testClockCalibration},
		{"AppendOffice", testAppendOffice},
		{"AppendOfficeSquattedChain", testAppendOfficeSquattedChain},
		{"ReviewCatalogVersions", testReviewCatalogVersions},
		{"SecurityEventsCountRepeats", testSecurityEventsCountRepeats},
		{"SyncFailures", testSyncFailures},
		{"AccessRegisterStore", testAccessRegisterStore},
		{"LoginAttemptsAndSessions", testLoginAttemptsAndSessions},
		{"SignInFailures", testSignInFailures},
		{"Accounts", testAccounts},
		{"CaseRows", testCaseRows},
		{"BoardModel", testBoardModel},
		{"Publicity", testPublicity},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, open) })
	}
}

// serverKey is the server key every suite store signs with, through
// keyService.
var serverKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))

// keyService signs with a key it does not hand out, as a hardware module or
// a key service does: the store gets the signer, never the key (issue 14).
type keyService struct {
	key   ed25519.PrivateKey
	fails bool // the service is down: every signature is refused
}

func (k *keyService) Public() crypto.PublicKey { return k.key.Public() }

func (k *keyService) Sign(_ io.Reader, msg []byte, _ crypto.SignerOpts) ([]byte, error) {
	if k.fails {
		return nil, errors.New("key service unavailable")
	}
	return ed25519.Sign(k.key, msg), nil
}

var t0 = time.Date(2026, 5, 7, 9, 0, 0, 0, time.UTC)

// openAt opens a fresh store whose clock stands at now.
func openAt(t *testing.T, open Opener, now time.Time) Subject {
	t.Helper()
	return open(t, Config{Signer: &keyService{key: serverKey}, Now: func() time.Time { return now }})
}
