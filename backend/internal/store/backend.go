package store

import (
	"context"

	"lawtrace/shared/deadline"
	"lawtrace/shared/workday"
)

// Backend is everything a server keeps, the port every adapter (SQLite,
// PostgreSQL) implements and the conformance suite (store/storetest)
// checks: the sync store, the web pages' store, the back office's store,
// and the two hooks the server needs.
type Backend interface {
	Store
	WebStore
	OfficeStore
	// SyncFailures counts, per device, the refused syncs since the last
	// one that delivered an entry.
	SyncFailures(ctx context.Context) (map[string]SyncFailures, error)
	// SetDeadlines gives the upload deadline settings and the holiday
	// calendar in force; media deadlines follow shared/deadline.UploadRule
	// with them (nil: the defaults).
	SetDeadlines(fn func(context.Context) (deadline.Settings, *workday.Calendar))
}
