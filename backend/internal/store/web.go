package store

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
)

// ErrExists is returned when a unique name (an account's username) is taken.
var ErrExists = errors.New("already exists")

// WebStore is what the web pages keep besides Store: accounts, sessions,
// login attempts, the access register with its grants and approval
// requests, the audit log, and the read models of the case board,
// timelines and statistics (SPEC D1-D4, D6, R7). store/sqlite implements it.
type WebStore interface {
	CreateAccount(ctx context.Context, a Account) (Account, error)
	Account(ctx context.Context, id int64) (Account, error)
	AccountByUsername(ctx context.Context, username string) (Account, error)
	Accounts(ctx context.Context) ([]Account, error)
	// UpdateAccount writes name, role, officer, disabled and must-change;
	// disabling an account ends its sessions.
	UpdateAccount(ctx context.Context, a Account) error
	// SetPassword replaces the password hash and ends every session of the
	// account.
	SetPassword(ctx context.Context, id int64, hash string, mustChange bool, at time.Time) error
	CountAccounts(ctx context.Context) (int, error)

	CreateSession(ctx context.Context, s WebSession) error
	// Session returns the session and its account; ErrNotFound if unknown.
	Session(ctx context.Context, idHash string) (WebSession, Account, error)
	TouchSession(ctx context.Context, idHash string, at time.Time) error
	DeleteSession(ctx context.Context, idHash string) error
	DeleteExpiredSessions(ctx context.Context, now time.Time) error

	RecordLogin(ctx context.Context, a LoginAttempt) error
	SignInStore
	// FailedLogins counts failed attempts since a time, for a username and
	// for a remote address, each counted after the last success of that
	// username.
	FailedLogins(ctx context.Context, username, remote string, since time.Time) (byUser, byRemote int, err error)

	// AppendAccess writes a row of the access register, chained to the
	// previous row; the register can be neither changed nor shortened.
	AppendAccess(ctx context.Context, r AccessRecord) (AccessRecord, error)
	AccessRecords(ctx context.Context, f AccessFilter) ([]AccessRecord, error)
	// AccessLogged reports whether the grant already logged this action on
	// this file (a video's range requests are logged once).
	AccessLogged(ctx context.Context, grantID int64, action, mediaHash string) (bool, error)

	CreateGrant(ctx context.Context, g AccessGrant) (AccessGrant, error)
	// ActiveGrant is the newest grant of the account for the case valid at now.
	ActiveGrant(ctx context.Context, accountID int64, caseID string, now time.Time) (AccessGrant, error)

	CreateAccessRequest(ctx context.Context, r AccessRequest) (AccessRequest, error)
	AccessRequest(ctx context.Context, id int64) (AccessRequest, error)
	AccessRequests(ctx context.Context, f RequestFilter) ([]AccessRequest, error)
	// DecideAccessRequest moves a pending request to approved or denied;
	// a request already decided is ErrNotFound.
	DecideAccessRequest(ctx context.Context, r AccessRequest) error

	AppendAudit(ctx context.Context, r AuditRecord) error
	AuditRecords(ctx context.Context, limit int) ([]AuditRecord, error)

	// SecurityEventPage reads one page of the security events the filter
	// selects, newest first (by their latest repeat), and how many it
	// selects in all (issue 15).
	SecurityEventPage(ctx context.Context, f SecurityFilter, page Page) ([]SecurityEvent, int, error)

	// CaseRows reads the board rows of the given cases, of every case when
	// ids is nil.
	CaseRows(ctx context.Context, ids []string, now time.Time) ([]CaseRow, error)
	// CaseRecords reads a case's entries in order with what the server
	// recorded about each (calibrated time, skew, log position).
	CaseRecords(ctx context.Context, caseID string) ([]CaseRecord, error)
	// CaseMedia lists the files a case's entries reference and whether each
	// is stored.
	CaseMedia(ctx context.Context, caseID string, now time.Time) ([]CaseMediaFile, error)
	// CasesOfMedia lists the cases whose entries reference a file.
	CasesOfMedia(ctx context.Context, hash string) ([]string, error)
	// CatalogVersions lists every version of every item of a kind, oldest
	// first per key, with when it was published.
	CatalogVersions(ctx context.Context, kind string) ([]CatalogVersion, error)
	// DailyActivity counts entries (by calibrated time) and stored files per
	// day in China time since a day.
	DailyActivity(ctx context.Context, since time.Time) ([]DayCount, error)
}

// Account is a person who signs in to the web pages, with one role.
type Account struct {
	ID                int64     `json:"id"`
	Username          string    `json:"username"`
	Name              string    `json:"name"`
	Role              string    `json:"role"`
	OfficerCert       string    `json:"officer_cert,omitempty"`
	PasswordHash      string    `json:"-"`
	MustChange        bool      `json:"must_change"`
	Disabled          bool      `json:"disabled"`
	CreatedAt         time.Time `json:"created_at"`
	UpdatedAt         time.Time `json:"updated_at"`
	PasswordChangedAt time.Time `json:"password_changed_at"`
}

// WebSession is a signed-in browser, stored by the hash of its token.
type WebSession struct {
	IDHash    string
	AccountID int64
	CSRF      string
	CreatedAt time.Time
	ExpiresAt time.Time
	LastSeen  time.Time
	Remote    string
	UserAgent string
}

// LoginAttempt is one sign-in attempt.
type LoginAttempt struct {
	At       time.Time
	Username string
	Remote   string
	OK       bool
}

// Access register actions.
const (
	AccessView     = "view"     // the case timeline was opened
	AccessPlay     = "play"     // a file was shown or played
	AccessDownload = "download" // a copy of an original was taken
	AccessExport   = "export"   // the register itself was exported
	AccessAsk      = "request"  // an approval was asked for
	AccessApprove  = "approve"  // an approval was given
	AccessDeny     = "deny"     // an approval was refused
	AccessRefused  = "refused"  // an access was attempted without the right
)

// AccessRecord is one row of the access register (003 §28: 调阅人、复制人、
// 审批人、时间、事由).
type AccessRecord struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	AccountID int64     `json:"account_id"`
	Username  string    `json:"username"`
	Name      string    `json:"name"`
	Role      string    `json:"role"`
	Action    string    `json:"action"`
	CaseID    string    `json:"case_id,omitempty"`
	MediaHash string    `json:"media_hash,omitempty"`
	Purpose   string    `json:"purpose,omitempty"`
	Reason    string    `json:"reason,omitempty"`
	Approver  string    `json:"approver,omitempty"`
	RequestID int64     `json:"request_id,omitempty"`
	GrantID   int64     `json:"grant_id,omitempty"`
	Remote    string    `json:"remote,omitempty"`
	PrevHash  string    `json:"prev_hash"`
	Hash      string    `json:"hash"`
}

// ChainHash is the hash a row must carry: SHA-256 over the previous row's
// hash and every field of the row, so a changed or removed row is found.
func (r AccessRecord) ChainHash() string {
	b, _ := ledger.CanonicalJSON(mustJSON(struct {
		Prev      string `json:"prev"`
		At        string `json:"at"`
		AccountID int64  `json:"account_id"`
		Username  string `json:"username"`
		Name      string `json:"name"`
		Role      string `json:"role"`
		Action    string `json:"action"`
		CaseID    string `json:"case_id"`
		MediaHash string `json:"media_hash"`
		Purpose   string `json:"purpose"`
		Reason    string `json:"reason"`
		Approver  string `json:"approver"`
		RequestID int64  `json:"request_id"`
		GrantID   int64  `json:"grant_id"`
		Remote    string `json:"remote"`
	}{r.PrevHash, ledger.FormatTime(r.At), r.AccountID, r.Username, r.Name, r.Role, r.Action, r.CaseID, r.MediaHash,
		r.Purpose, r.Reason, r.Approver, r.RequestID, r.GrantID, r.Remote}))
	return ledger.HashBytes(b)
}

// AccessFilter selects register rows, newest first.
type AccessFilter struct {
	CaseID    string
	AccountID int64
	Action    string
	From, To  time.Time // To is exclusive; zero means open
	Limit     int       // 0 means all
	// Ascending returns the oldest first (for checking the chain).
	Ascending bool
}

// Page is the part of a list a page shows: Limit rows after Offset; a
// Limit of 0 means every row.
type Page struct{ Offset, Limit int }

// SecurityFilter selects security events (issue 15): Kind exactly, a part
// of the device id and of the source address, and the events whose span
// (At to LastAt) meets [From, To) — zero bounds are open.
type SecurityFilter struct {
	Kind, Device, Remote string
	From, To             time.Time
}

// AccessGrant opens a case to an account after it gave a reason.
type AccessGrant struct {
	ID        int64
	AccountID int64
	CaseID    string
	Purpose   string
	Reason    string
	Approver  string
	RequestID int64
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Access request states.
const (
	RequestPending  = "pending"
	RequestApproved = "approved"
	RequestDenied   = "denied"
)

// AccessRequest asks an approver for an access the agency's rules make
// subject to approval.
type AccessRequest struct {
	ID           int64     `json:"id"`
	At           time.Time `json:"at"`
	AccountID    int64     `json:"account_id"`
	Requester    string    `json:"requester"`
	CaseID       string    `json:"case_id"`
	Action       string    `json:"action"`
	MediaHash    string    `json:"media_hash,omitempty"`
	Purpose      string    `json:"purpose"`
	Reason       string    `json:"reason"`
	Status       string    `json:"status"`
	DecidedBy    int64     `json:"decided_by,omitempty"`
	Decider      string    `json:"decider,omitempty"`
	DecidedAt    time.Time `json:"decided_at,omitzero"`
	DecisionNote string    `json:"decision_note,omitempty"`
	ExpiresAt    time.Time `json:"expires_at,omitzero"`
}

// RequestFilter selects access requests, newest first.
type RequestFilter struct {
	Status    string
	AccountID int64
	CaseID    string
	Limit     int
}

// AuditRecord is an administrative action.
type AuditRecord struct {
	ID        int64     `json:"id"`
	At        time.Time `json:"at"`
	AccountID int64     `json:"account_id"`
	Username  string    `json:"username"`
	Action    string    `json:"action"`
	Target    string    `json:"target"`
	Detail    string    `json:"detail"`
	Remote    string    `json:"remote"`
}

// CaseRow is what the server knows of a case for the board.
type CaseRow struct {
	ID               string
	DeviceID         string
	DeviceName       string
	DeviceSkewed     bool
	DeviceRevoked    bool
	Procedure        string
	ProcedureVersion int
	Party            string
	Source           string
	OpenedAt         time.Time
	LastSeq          int64
	LastStep         string
	UpdatedAt        time.Time
	// Steps counts the entries of each step, system steps included.
	Steps map[string]int
	// LastProcStep is the newest entry that is a procedure step (not
	// case_open, officer_join or a correction).
	LastProcStep string
	Officers     []enforce.Officer
	// Skewed counts entries recorded with a clock over the threshold.
	Skewed       int
	PendingMedia int
	OverdueMedia int
	NextDue      time.Time
}

// CaseRecord is a stored entry with what the server recorded about it.
type CaseRecord struct {
	Entry          ledger.Entry
	CalibratedTime time.Time
	ClockOffsetMs  int64
	ClockSkewed    bool
	ClockBasis     string // how CalibratedTime was found: Clock… in clock.go, "" before it was recorded
	ReceivedAt     time.Time
	LeafIndex      uint64
}

// CaseMediaFile is a file referenced by a case's entries.
type CaseMediaFile struct {
	Hash     string
	EntryID  string
	Kind     string
	Size     int64 // the size the entry declared
	DueAt    time.Time
	Stored   bool
	StoredAt time.Time
	Overdue  bool
}

// CatalogVersion is one published version of a down-sync item.
type CatalogVersion struct {
	Seq       int64
	Kind      string
	Key       string
	Version   int
	Body      []byte
	CreatedAt time.Time
}

// DayCount is one day's activity.
type DayCount struct {
	Day        string // YYYY-MM-DD, China time
	Entries    int
	MediaFiles int
	MediaBytes int64
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
