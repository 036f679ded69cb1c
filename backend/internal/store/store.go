// Package store defines what the backend keeps — devices, enrolment codes, entries, the transparency log, media bookkeeping, the down-sync catalog and security events — as one interface with SQLite (store/sqlite) as the embedded default and room for PostgreSQL (SPEC X1, X2).
package store

import (
	"context"
	"crypto/ed25519"
	"errors"
	"time"
	"unicode/utf8"

	"lawtrace/shared/ledger"
	"lawtrace/shared/syncproto"
)

// ErrNotFound is returned when a device, code, entry or upload does not exist.
var ErrNotFound = errors.New("not found")

// Store is what the sync server persists. Methods that refuse for a
// reason the terminal must see return a *Refusal: errors.Is finds its
// sentinel (ErrConflict, ErrGap, …), syncproto.AsError its wire error.
type Store interface {
	Close() error
	Ping(ctx context.Context) error

	// Setting and SetSetting keep small server facts (public URL, agency).
	Setting(ctx context.Context, key string) (string, error)
	SetSetting(ctx context.Context, key, value string) error
	// Changes is a counter bumped by every change a live connection must
	// react to (revocation, wipe order, catalog item); servers poll it.
	Changes(ctx context.Context) (int64, error)

	// CreateEnrolCode stores a one-time code by its hash (SPEC D3).
	CreateEnrolCode(ctx context.Context, c EnrolCode) error
	// Enrol consumes the code and registers the device in one transaction.
	// Repeating an enrolment of the same device and key with the code it
	// used succeeds again (the answer may have been lost).
	Enrol(ctx context.Context, codeHash string, d Device) (Device, error)
	Device(ctx context.Context, id string) (Device, error)
	Devices(ctx context.Context) ([]Device, error)
	TouchDevice(ctx context.Context, id string, s Seen) error
	Revoke(ctx context.Context, id, reason string, at time.Time) error
	RequestWipe(ctx context.Context, id, reason string, at time.Time) error
	WipeDone(ctx context.Context, id string, report syncproto.WipeDone, at time.Time) error

	// Ingest stores a batch of entries exactly once (SPEC S2): entries at or
	// below the device's last accepted number are skipped if identical and
	// refused as a conflict if not; a batch that does not start right after
	// it is a gap; every new entry must link to its case chain. The entries,
	// the device's last number, the log leaves and the signed tree head are
	// committed in one transaction. Entries must have passed CheckEntries.
	Ingest(ctx context.Context, b Batch) (IngestResult, error)
	TreeHead(ctx context.Context) (syncproto.TreeHead, error)
	// TreeHeads lists every signed tree head, smallest first.
	TreeHeads(ctx context.Context) ([]syncproto.TreeHead, error)
	// TreeHeadAt returns the signed tree head of exactly this size.
	TreeHeadAt(ctx context.Context, size uint64) (syncproto.TreeHead, error)
	// ProofsBySeq proves this device's entries by number in the log of size.
	ProofsBySeq(ctx context.Context, deviceID string, seqs []int64, size uint64) ([]syncproto.InclusionProof, error)
	ProofByEntry(ctx context.Context, entryID string, size uint64) (syncproto.InclusionProof, error)
	Consistency(ctx context.Context, size1, size2 uint64) ([][]byte, error)

	// MediaRef says whether an accepted entry of the device references the
	// file, and the size its payload declared (0 if none).
	MediaRef(ctx context.Context, deviceID, hash string) (referenced bool, declaredSize int64, err error)
	MediaPresent(ctx context.Context, hash string) (bool, error)
	Upload(ctx context.Context, hash string) (Upload, error)
	PutUpload(ctx context.Context, u Upload) error
	DeleteUpload(ctx context.Context, hash string) error
	MediaStored(ctx context.Context, f MediaFile) error

	// PutCatalogItem appends a down-sync item (SPEC S5). With Version 0 the
	// item gets the next version of its key, unless its body equals the
	// latest one; with a Version the item is added unless that version
	// exists. It reports whether anything was added.
	PutCatalogItem(ctx context.Context, it syncproto.CatalogItem, at time.Time) (syncproto.CatalogItem, bool, error)
	CatalogSince(ctx context.Context, since int64, limit int) (items []syncproto.CatalogItem, head int64, err error)
	CatalogLatest(ctx context.Context, kind string) ([]syncproto.CatalogItem, error)

	RecordSecurityEvent(ctx context.Context, ev SecurityEvent) error
	SecurityEvents(ctx context.Context, limit int) ([]SecurityEvent, error)

	Stats(ctx context.Context, now time.Time) (Stats, error)
	CaseIDs(ctx context.Context) ([]string, error)
	CaseEntries(ctx context.Context, caseID string) ([]ledger.Entry, error)
	// Leaves calls fn for every log leaf in index order.
	Leaves(ctx context.Context, fn func(index uint64, entryHash string) error) error
	// Nodes returns stored log node hashes (nil for a node not stored).
	Nodes(ctx context.Context, ids []NodeID) ([][]byte, error)
	MediaFiles(ctx context.Context) ([]MediaFile, error)
	PendingMedia(ctx context.Context, now time.Time) ([]PendingMedia, error)
	// DeviceSeqGaps lists devices whose accepted numbers are not exactly
	// 1..last_seq, as "device: problem" lines; empty when exactly-once holds.
	DeviceSeqGaps(ctx context.Context) ([]string, error)

	Publicity // the publication queue of decisions (SPEC P2-P5, store/publicity.go)
}

// NodeID names a transparency log node.
type NodeID struct {
	Level uint
	Index uint64
}

// Device is an enrolled terminal as the backend knows it (SPEC D3).
type Device struct {
	ID                string            `json:"id"`
	Name              string            `json:"name"`
	PublicKey         ed25519.PublicKey `json:"-"`
	Fingerprint       string            `json:"fingerprint"`
	EnrolledAt        time.Time         `json:"enrolled_at"`
	LastSeq           int64             `json:"last_seq"`
	LastSeen          time.Time         `json:"last_seen,omitzero"`
	AppVersion        string            `json:"app_version,omitempty"`
	Outbox            int               `json:"outbox"`
	PendingMediaBytes int64             `json:"pending_media_bytes"`
	ClockOffsetMs     int64             `json:"clock_offset_ms"`
	ClockSkewed       bool              `json:"clock_skewed"`
	Remote            string            `json:"remote,omitempty"`
	RevokedAt         time.Time         `json:"revoked_at,omitzero"`
	RevokeReason      string            `json:"revoke_reason,omitempty"`
	WipeRequestedAt   time.Time         `json:"wipe_requested_at,omitzero"`
	WipeReason        string            `json:"wipe_reason,omitempty"`
	WipedAt           time.Time         `json:"wiped_at,omitzero"`
	WipeReport        string            `json:"wipe_report,omitempty"`
}

// Revoked reports whether the device was revoked.
func (d Device) Revoked() bool { return !d.RevokedAt.IsZero() }

// WipePending reports whether a wipe was ordered and not yet reported done.
func (d Device) WipePending() bool {
	return !d.WipeRequestedAt.IsZero() && (d.WipedAt.IsZero() || d.WipedAt.Before(d.WipeRequestedAt))
}

// EnrolCode is a one-time enrolment code, stored only by its hash.
type EnrolCode struct {
	Hash       string
	DeviceName string
	CreatedAt  time.Time
	ExpiresAt  time.Time
}

// Seen is what a connection tells about a device.
type Seen struct {
	At            time.Time
	AppVersion    string
	Outbox        int
	PendingBytes  int64
	ClockOffsetMs int64
	Skewed        bool
	Remote        string
}

// Batch is a pushed batch of one device's entries, in device order.
type Batch struct {
	DeviceID      string
	Entries       []ledger.Entry
	ClockOffsetMs int64
	Skewed        bool
	ReceivedAt    time.Time
	// Anchor is the connection's own clock measurement with the
	// terminal's monotonic reading (nil from terminals that send none);
	// SkewThreshold is the server's skew threshold (SPEC S4).
	Anchor        *ledger.ClockSync
	SkewThreshold time.Duration
}

// IngestResult says what a batch changed.
type IngestResult struct {
	UpTo       int64
	Accepted   int
	Duplicates int
	TreeHead   syncproto.TreeHead
	Cases      []string
}

// Upload is a media upload in progress: the confirmed offset survives
// restarts so an upload resumes where it stopped (SPEC S3).
type Upload struct {
	Hash      string
	DeviceID  string
	Size      int64
	Offset    int64
	StartedAt time.Time
	UpdatedAt time.Time
}

// MediaFile is a stored, hash-verified file.
type MediaFile struct {
	Hash     string    `json:"hash"`
	Size     int64     `json:"size"`
	DeviceID string    `json:"device_id"`
	StoredAt time.Time `json:"stored_at"`
}

// PendingMedia is a file referenced by an accepted entry but not yet
// uploaded; Overdue is set past its upload deadline (SPEC R4).
type PendingMedia struct {
	Hash     string    `json:"hash"`
	DeviceID string    `json:"device_id"`
	CaseID   string    `json:"case_id"`
	Kind     string    `json:"kind"`
	Size     int64     `json:"size"`
	DueAt    time.Time `json:"due_at"`
	Overdue  bool      `json:"overdue"`
}

// SecurityEvent is a refusal worth an operator's attention: a bad
// signature, a forged device id, a broken chain, a media hash mismatch.
//
// One row stands for Repeats occurrences from one source — the same
// Remote, Kind and DeviceID — from At to LastAt: RecordSecurityEvent adds
// to the newest row of the source while it is younger than
// SecurityEventWindow instead of inserting (issue 13). Detail, Evidence and
// the other strings are cut to the Max… bounds below before they are
// stored, whoever records the event.
type SecurityEvent struct {
	ID       int64     `json:"id"`
	At       time.Time `json:"at"`
	LastAt   time.Time `json:"last_at"`
	Repeats  int       `json:"repeats"`
	DeviceID string    `json:"device_id,omitempty"`
	Remote   string    `json:"remote,omitempty"`
	Kind     string    `json:"kind"`
	Detail   string    `json:"detail"`
	Evidence string    `json:"evidence,omitempty"`
}

// Bounds on security events (issue 13): how long repeats of one source
// are counted on one row, how many new rows an hour may bring before
// repeats of a kind are counted on its newest row whatever their source,
// and the longest strings a row keeps.
const (
	SecurityEventWindow      = time.Hour
	MaxNewSecurityEventsHour = 1000
	MaxSecurityDetail        = 1 << 10
	MaxSecurityEvidence      = 64 << 10
	MaxSecurityField         = 128 // device id, remote, kind
)

// Bounded returns the event with every string made valid UTF-8 without
// control characters and cut to its bound, and Repeats at least 1.
func (ev SecurityEvent) Bounded() SecurityEvent {
	ev.DeviceID = syncproto.CleanText(ev.DeviceID, MaxSecurityField)
	ev.Remote = syncproto.CleanText(ev.Remote, MaxSecurityField)
	ev.Kind = syncproto.CleanText(ev.Kind, MaxSecurityField)
	ev.Detail = syncproto.CleanText(ev.Detail, MaxSecurityDetail)
	if len(ev.Evidence) > MaxSecurityEvidence || !utf8.ValidString(ev.Evidence) {
		ev.Evidence = syncproto.CleanText(ev.Evidence, MaxSecurityEvidence)
	}
	ev.Repeats = max(ev.Repeats, 1)
	return ev
}

// Stats are the counts `lawtrace-server stats --json` prints.
type Stats struct {
	Devices          int    `json:"devices"`
	RevokedDevices   int    `json:"revoked_devices"`
	SkewedDevices    int    `json:"skewed_devices"`
	Cases            int    `json:"cases"` // terminal cases; the office chains of the review service are not counted
	Entries          int    `json:"entries"`
	MediaFiles       int    `json:"media_files"`
	MediaBytes       int64  `json:"media_bytes"`
	PendingMedia     int    `json:"pending_media"`
	OverdueMedia     int    `json:"overdue_media"`
	UploadsResumable int    `json:"uploads_in_progress"`
	SecurityEvents   int    `json:"security_events"`
	TreeSize         uint64 `json:"tree_size"`
	CatalogHead      int64  `json:"catalog_head"`
}
