package store

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"lawtrace/shared/deadline"
	"lawtrace/shared/ledger"
	"lawtrace/shared/syncproto"
)

// OfficeChainSuffix makes a case's office chain id: the case id followed by
// "/office". Terminals name cases YYYYMMDD-xxxxxxxx, so no terminal case
// takes such an id by accident; a chain id owned by anyone but the server is
// refused.
const OfficeChainSuffix = "/office"

// OfficeStore keeps what the back office adds to a case — legal review,
// decision, approvals — as server-signed entries in the case's office
// chain, plus the versioned review catalog, the holiday years an admin
// loaded and the reviewers' qualifications (SPEC L1-L6, R8, R9, D5). The
// SQLite store implements it next to Store.
type OfficeStore interface {
	// Office reads a case and its office chain; ErrNotFound for an unknown
	// case (an office chain id is not a case here).
	Office(ctx context.Context, caseID string) (OfficeCase, error)
	// AppendOffice appends one server-signed entry to the case's office
	// chain, creating the chain on first use. build runs inside the write
	// transaction, with the log serialised, on the current state: whatever
	// it checks still holds when the entry commits. An error from build is
	// returned as is and nothing is written. The entry, its log leaf and
	// nodes, the chain head and a new signed tree head commit together.
	AppendOffice(ctx context.Context, caseID string, build func(OfficeCase) (OfficeDraft, error)) (ledger.Entry, syncproto.TreeHead, error)
	// OfficeCases lists every case that has an office chain.
	OfficeCases(ctx context.Context) ([]string, error)
	// DeadlineCases reads, for the given terminal cases (every one when ids
	// is empty; office chains are never cases here), what their deadlines
	// run from.
	DeadlineCases(ctx context.Context, ids []string) ([]DeadlineCase, error)

	// ReviewQueueStale lists the cases with an office chain whose queue row
	// is missing or was made at an older head of the case or of its chain,
	// or with an older catalog version or holiday load (issue 15), and
	// returns the log's size. With since, the log size of an earlier call,
	// it looks only at the cases with an entry appended since (none when
	// the log has not grown); 0 looks at every office case.
	ReviewQueueStale(ctx context.Context, since int64) (ids []string, logSize int64, err error)
	// PutReviewQueue stores queue rows, each replacing its case's.
	PutReviewQueue(ctx context.Context, rows []ReviewQueueRow) error
	// ReviewQueue reads one page of the queue rows the filter selects, the
	// newest case first, and how many it selects.
	ReviewQueue(ctx context.Context, f ReviewQueueFilter, page Page) ([]ReviewQueueRow, int, error)
	// ReviewVersions are the newest review catalog version and holiday year
	// load (0 when none): what the back office's cached catalog and calendar
	// are checked against.
	ReviewVersions(ctx context.Context) (catalog int, calendarLoad int64, err error)

	// PutReviewCatalog publishes a catalog version; a version not above the
	// newest is refused (EConflict through the caller).
	PutReviewCatalog(ctx context.Context, c ReviewCatalog) error
	// ReviewCatalog returns a version, the newest for 0; ErrNotFound if none.
	ReviewCatalog(ctx context.Context, version int) (ReviewCatalog, error)
	// ReviewCatalogs lists every published version, newest first, without bodies.
	ReviewCatalogs(ctx context.Context) ([]ReviewCatalog, error)

	// PutCalendarYear keeps a holiday schedule an admin loaded.
	PutCalendarYear(ctx context.Context, y CalendarYear) error
	// CalendarYears lists every load, oldest first; the newest of a year wins.
	CalendarYears(ctx context.Context) ([]CalendarYear, error)

	// MediaSize returns a stored file's size; ErrNotFound if not stored.
	MediaSize(ctx context.Context, hash string) (int64, error)

	PutReviewer(ctx context.Context, r Reviewer) error
	Reviewers(ctx context.Context) ([]Reviewer, error)
}

// OfficeCase is a terminal case as the back office sees it, with its
// office chain so far.
type OfficeCase struct {
	Case    CaseInfo       `json:"case"`
	ChainID string         `json:"chain_id"`
	Chain   []ledger.Entry `json:"chain"`
}

// CaseInfo is what the server knows of a terminal's case.
type CaseInfo struct {
	ID        string    `json:"id"`
	DeviceID  string    `json:"device_id"`
	Procedure string    `json:"procedure"`
	Party     string    `json:"party"`
	PartyKind string    `json:"party_kind"`
	Source    string    `json:"source"`
	Emergency string    `json:"emergency_reason,omitempty"`
	Officers  []string  `json:"officers"`
	Opened    time.Time `json:"opened"`
	LastSeq   int64     `json:"last_seq"`
	LastHash  string    `json:"last_hash"`
	LastStep  string    `json:"last_step"`
	// SceneClosed is when close_scene was recorded (calibrated), zero if not.
	SceneClosed time.Time `json:"scene_closed,omitzero"`
	// OnSpotDecision is when an on-the-spot decision was recorded.
	OnSpotDecision time.Time `json:"on_spot_decision,omitzero"`
}

// OfficeDraft is what AppendOffice seals: the store numbers, chains and
// signs it with the server key.
type OfficeDraft struct {
	Step     string
	Payload  json.RawMessage
	Officers []string
	Media    []string
	At       time.Time
	Corrects string
}

// DeadlineCase is what a case's deadlines run from (SPEC D5).
type DeadlineCase struct {
	Case   CaseInfo
	AV     []AVRecord
	Office []ledger.Entry
	Steps  []deadline.Step // the on-scene entries of deadline.SceneSteps, in order
}

// ReviewQueueRow is a case of the review queue as the back office folded it
// from its office chain (issue 15): what the queue filters on, and the
// row as the queue shows it (Item, JSON).
type ReviewQueueRow struct {
	CaseID string
	// OfficeSeq and CaseSeq are the heads of the office chain and of the
	// case the row was made at, CatalogVersion and CalendarLoad the
	// ReviewVersions it was folded with.
	OfficeSeq, CaseSeq int64
	CatalogVersion     int
	CalendarLoad       int64
	State              string
	Party              string
	Officers           []string
	Opened             time.Time
	// ReviewDue is when a review under way is due, zero otherwise.
	ReviewDue time.Time
	Item      json.RawMessage
}

// ReviewQueueFilter selects queue rows: the state exactly, a part of the
// party's name and of the case number (in any case), an officer of the crew (Officer, and
// Member for an officer's own cases), and the days the case was opened
// [From, To) — empty or zero means any.
type ReviewQueueFilter struct {
	State, Party, Case, Officer, Member string
	From, To                            time.Time
}

// AVRecord is one audio or video file a case's entries reference.
type AVRecord struct {
	Hash     string
	Kind     string
	EntryID  string
	Recorded time.Time // the entry's calibrated time
	Stored   time.Time // zero while not uploaded
}

// ReviewCatalog is one published version of the review catalog.
type ReviewCatalog struct {
	Version     int             `json:"version"`
	Agency      string          `json:"agency"`
	Body        json.RawMessage `json:"body,omitempty"`
	SHA256      string          `json:"sha256"`
	PublishedAt time.Time       `json:"published_at"`
	PublishedBy string          `json:"published_by"`
}

// CalendarYear is a holiday schedule an admin loaded.
type CalendarYear struct {
	ID       int64           `json:"id"`
	Year     int             `json:"year"`
	Body     json.RawMessage `json:"body,omitempty"`
	Source   string          `json:"source"`
	Replaces bool            `json:"replaces"`
	LoadedAt time.Time       `json:"loaded_at"`
	LoadedBy string          `json:"loaded_by"`
}

// Reviewer is a legal reviewer and the qualification they hold (SPEC L6),
// by the username of their web account.
type Reviewer struct {
	Username      string    `json:"username"`
	Name          string    `json:"name"`
	Qualification string    `json:"qualification"`
	Unit          string    `json:"unit,omitempty"`
	Since         string    `json:"since"`
	Active        bool      `json:"active"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// IsServerSigner reports whether a device id is the server's own signer
// (syncproto.ServerIDFor: "S…"), the row of devices the office chains are
// signed by. It is not a terminal: it cannot be revoked or wiped.
func IsServerSigner(deviceID string) bool { return strings.HasPrefix(deviceID, "S") }
