// Package storetest is the conformance suite every store adapter passes, written against the store.Backend port only (SPEC X2; issue 14).
package storetest

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"testing"
	"time"

	"lawtrace/backend/internal/store"
)

// Config is what the suite opens a store with.
type Config struct {
	// Key signs tree heads and office entries.
	Key ed25519.PrivateKey
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

// serverKey is the server key every suite store signs with.
var serverKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))

var t0 = time.Date(2026, 5, 7, 9, 0, 0, 0, time.UTC)

// openAt opens a fresh store whose clock stands at now.
func openAt(t *testing.T, open Opener, now time.Time) Subject {
	t.Helper()
	return open(t, Config{Key: serverKey, Now: func() time.Time { return now }})
}
