package store

import "time"

// SyncFailures are the syncs of one device refused since the last one
// that delivered an entry (issue 13 finding 10): the device page must not
// call a terminal whose syncs keep failing 正常. They come from the
// security events the sync server records per device, not a log of their
// own.
type SyncFailures struct {
	DeviceID string
	// Count is the number of refusals (with their repeats) after Since.
	Count int
	// Since is when the device's newest accepted entry arrived (zero: none yet).
	Since time.Time
	// Last is the newest refusal: when, its kind and detail.
	Last         time.Time
	Kind, Detail string
}

// NotSyncFailures are device security events that do not refuse a sync.
var NotSyncFailures = []string{"clock_skew"}
