// Package reviewsrv is the back office of a case after investigation: the versioned review catalog, the handler's proposed decision, legal review with its working-day deadline and extension, disagreement, the decision entry refused without an agree opinion, approvals, and the deadline monitor — every step a server-signed entry in the case's office chain (SPEC L1-L6, R4, R5, R8, R9, D5, P2).
package reviewsrv

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"sort"
	"strings"
	"sync"
	"time"

	"lawtrace/assets"
	calendarfiles "lawtrace/assets/calendar"
	"lawtrace/backend/internal/events"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/deadline"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
	"lawtrace/shared/review"
	"lawtrace/shared/syncproto"
	"lawtrace/shared/workday"
)

// China Standard Time: working days are days in China.
var cst = time.FixedZone("CST", 8*3600)

// Store is what the service keeps and reads.
type Store interface {
	store.OfficeStore
	MediaPresent(ctx context.Context, hash string) (bool, error)
	MediaStored(ctx context.Context, f store.MediaFile) error
	CaseEntries(ctx context.Context, caseID string) ([]ledger.Entry, error)
	CatalogLatest(ctx context.Context, kind string) ([]syncproto.CatalogItem, error)
}

// Blobs stores uploaded materials by content hash.
type Blobs interface {
	Put(r io.Reader) (hash string, size int64, err error)
	Open(hash string) (io.ReadCloser, error)
}

// Config configures the service; Store is required.
type Config struct {
	Store    Store
	Blobs    Blobs
	Bus      *events.Bus
	Logger   *slog.Logger
	Now      func() time.Time
	ServerID string
	// Upload chooses the A/V upload rule: deadline.UploadHours (24 hours,
	// 000-record §28, the default) or deadline.UploadWorkdays2.
	Upload string
	// MaxUpload caps one uploaded material (default 64 MiB).
	MaxUpload int64
	// ScanInterval is how often Watch re-examines deadlines (default 30s).
	ScanInterval time.Duration
	// Demo records the demo reviewer account's qualification.
	Demo bool
}

// DemoReviewer is the qualification recorded for the demo reviewer account
// (auth.DemoAccounts "reviewer").
var DemoReviewer = store.Reviewer{Username: "reviewer", Name: "周敏", Qualification: "A20191501010001（演示数据）", Unit: "法制审核科", Since: "2020-01-01", Active: true}

// Service runs reviews and decisions and watches deadlines.
type Service struct {
	cfg Config
	st  Store
	log *slog.Logger
	now func() time.Time

	mu       sync.Mutex
	catalogs map[int]CatalogInfo // published versions never change
	cal      *workday.Calendar
	calLoad  int64 // id of the newest loaded year the calendar holds
	calKnown map[int]YearInfo
	states   map[string]string // deadline key -> state, for Scan

	queueMu sync.Mutex // one refresher of the review queue at a time
	// queue is what the queue's rows were last checked at: the log's size
	// and the catalog version and holiday load in force.
	queue struct {
		logSize, calendar int64
		catalog           int
	}
}

// New builds the service and, on first use, publishes the built-in review
// catalog (assets/review/catalog.v1.json) as version 1.
func New(ctx context.Context, cfg Config) (*Service, error) {
	if cfg.Store == nil {
		return nil, errors.New("reviewsrv: a store is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Upload == "" {
		cfg.Upload = deadline.UploadHours
	}
	if cfg.MaxUpload == 0 {
		cfg.MaxUpload = 64 << 20
	}
	if cfg.ScanInterval == 0 {
		cfg.ScanInterval = 30 * time.Second
	}
	s := &Service{cfg: cfg, st: cfg.Store, log: cfg.Logger, now: cfg.Now, catalogs: map[int]CatalogInfo{}, calLoad: -1}
	if _, err := s.st.ReviewCatalog(ctx, 0); errors.Is(err, store.ErrNotFound) {
		data, err := fs.ReadFile(assets.FS, "review/catalog.v1.json")
		if err != nil {
			return nil, err
		}
		// Another process starting at the same time may have published it.
		if _, err := s.PublishCatalog(ctx, System, data); err != nil && enforce.ErrorCode(err) != enforce.EConflict {
			return nil, fmt.Errorf("built-in review catalog: %w", err)
		}
	} else if err != nil {
		return nil, err
	}
	if cfg.Demo {
		list, err := s.st.Reviewers(ctx)
		if err != nil {
			return nil, err
		}
		if len(list) == 0 {
			if _, err := s.PutReviewer(ctx, System, DemoReviewer); err != nil {
				return nil, err
			}
		}
	}
	return s, nil
}

func (s *Service) publish(kind string, cases []string, detail string) {
	if s.cfg.Bus != nil {
		s.cfg.Bus.Publish(events.Event{Kind: kind, At: s.now(), Cases: cases, Detail: detail})
	}
}

// ---- the review catalog (SPEC L1, P1) ----

// CatalogInfo is a published catalog version.
type CatalogInfo struct {
	store.ReviewCatalog
	Catalog *review.Catalog `json:"catalog,omitempty"`
}

// PublishCatalog validates a catalog with review.ParseCatalog and
// publishes it as a new version; versions only go up.
func (s *Service) PublishCatalog(ctx context.Context, u User, data []byte) (CatalogInfo, error) {
	if err := allow(u, Admins, "publishing a review catalog"); err != nil {
		return CatalogInfo{}, err
	}
	c, err := review.ParseCatalog(data)
	if err != nil {
		return CatalogInfo{}, err
	}
	var body bytes.Buffer
	if err := json.Compact(&body, data); err != nil {
		return CatalogInfo{}, enforce.Errorf(enforce.EInvalid, "review catalog: %v", err)
	}
	by := u.Name
	if u.Username != "" {
		by = u.Username + " " + u.Name
	}
	rc := store.ReviewCatalog{Version: c.Version, Agency: c.Agency, Body: body.Bytes(), SHA256: ledger.HashBytes(body.Bytes()),
		PublishedAt: s.now(), PublishedBy: strings.TrimSpace(by)}
	if err := s.st.PutReviewCatalog(ctx, rc); err != nil {
		return CatalogInfo{}, err
	}
	info := CatalogInfo{ReviewCatalog: rc, Catalog: c}
	s.mu.Lock()
	s.catalogs[c.Version] = info
	s.mu.Unlock()
	s.log.Info("review catalog published", "version", c.Version, "by", rc.PublishedBy, "rules", len(c.Rules))
	s.publish(EventCatalog, nil, fmt.Sprintf("review catalog v%d", c.Version))
	return info, nil
}

// Catalog returns a published version, the one in force for 0. A version
// is read and parsed once (issue 15: the review hooks loaded the catalog
// on every call); the one in force is the newest the store names, so a
// version another process published is read when it appears.
func (s *Service) Catalog(ctx context.Context, version int) (CatalogInfo, error) {
	if version == 0 {
		newest, _, err := s.st.ReviewVersions(ctx)
		if err != nil {
			return CatalogInfo{}, err
		}
		if newest == 0 {
			return CatalogInfo{}, enforce.Errorf(enforce.ENotFound, "no review catalog published")
		}
		version = newest
	}
	s.mu.Lock()
	info, ok := s.catalogs[version]
	s.mu.Unlock()
	if ok {
		return info, nil
	}
	rc, err := s.st.ReviewCatalog(ctx, version)
	if errors.Is(err, store.ErrNotFound) {
		return CatalogInfo{}, enforce.Errorf(enforce.ENotFound, "no review catalog version %d", version)
	}
	if err != nil {
		return CatalogInfo{}, err
	}
	c, err := review.ParseCatalog(rc.Body)
	if err != nil {
		return CatalogInfo{}, fmt.Errorf("stored review catalog v%d: %w", rc.Version, err)
	}
	info = CatalogInfo{ReviewCatalog: rc, Catalog: c}
	s.mu.Lock()
	s.catalogs[version] = info
	s.mu.Unlock()
	return info, nil
}

// catalogFn returns the catalog of a version (0 = in force) for folding;
// the version in force is looked up once per fn.
func (s *Service) catalogFn(ctx context.Context) func(int) (*review.Catalog, error) {
	inForce := 0
	return func(v int) (*review.Catalog, error) {
		if v == 0 && inForce > 0 {
			v = inForce
		}
		ci, err := s.Catalog(ctx, v)
		if err == nil && v == 0 {
			inForce = ci.Version
		}
		return ci.Catalog, err
	}
}

// Catalogs lists every published version, newest first.
func (s *Service) Catalogs(ctx context.Context) ([]store.ReviewCatalog, error) {
	list, err := s.st.ReviewCatalogs(ctx)
	if list == nil {
		list = []store.ReviewCatalog{}
	}
	return list, err
}

// ---- the working-day calendar (SPEC D5) ----

// YearInfo says where a year of the calendar comes from.
type YearInfo struct {
	Year     int       `json:"year"`
	Source   string    `json:"source"`
	Origin   string    `json:"origin"` // "shipped" or "loaded"
	LoadedAt time.Time `json:"loaded_at,omitzero"`
	LoadedBy string    `json:"loaded_by,omitempty"`
}

// Calendar returns the working-day calendar: the shipped years of
// assets/calendar and every year an admin loaded (the newest load of a
// year wins). It is rebuilt when a load is added, also by another process.
func (s *Service) Calendar(ctx context.Context) (*workday.Calendar, map[int]YearInfo, error) {
	_, last, err := s.st.ReviewVersions(ctx)
	if err != nil {
		return nil, nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cal != nil && s.calLoad == last {
		return s.cal, s.calKnown, nil
	}
	loads, err := s.st.CalendarYears(ctx)
	if err != nil {
		return nil, nil, err
	}
	if len(loads) > 0 {
		last = loads[len(loads)-1].ID
	}
	cal := workday.Default()
	known := map[int]YearInfo{}
	for _, y := range cal.Years() {
		known[y] = YearInfo{Year: y, Origin: "shipped"}
	}
	shipped, _ := fs.Glob(calendarfiles.Files, "*.json")
	for _, name := range shipped {
		data, _ := fs.ReadFile(calendarfiles.Files, name)
		if y, err := workday.ParseYear(data); err == nil {
			known[y.Year] = YearInfo{Year: y.Year, Source: y.Source, Origin: "shipped"}
		}
	}
	for _, l := range loads {
		y, err := workday.ParseYear(l.Body)
		if err != nil {
			s.log.Error("stored holiday year does not parse; skipped", "year", l.Year, "id", l.ID, "err", err)
			continue
		}
		if err := cal.Replace(y); err != nil {
			s.log.Error("stored holiday year refused; skipped", "year", l.Year, "id", l.ID, "err", err)
			continue
		}
		known[y.Year] = YearInfo{Year: y.Year, Source: y.Source, Origin: "loaded", LoadedAt: l.LoadedAt, LoadedBy: l.LoadedBy}
	}
	s.cal, s.calLoad, s.calKnown = cal, last, known
	return cal, known, nil
}

// Years lists the calendar's years in order.
func (s *Service) Years(ctx context.Context) ([]YearInfo, error) {
	_, known, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]YearInfo, 0, len(known))
	for _, y := range known {
		out = append(out, y)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Year < out[j].Year })
	return out, nil
}

// LoadYear validates a year's holiday schedule with workday.ParseYear and
// adds it to the calendar. A year the calendar already holds is refused
// unless replace is set (a corrected notice); the shipped files are never
// changed, the load is kept in the database with who loaded it.
func (s *Service) LoadYear(ctx context.Context, u User, data []byte, replace bool) (YearInfo, error) {
	if err := allow(u, Admins, "loading a holiday year"); err != nil {
		return YearInfo{}, err
	}
	y, err := workday.ParseYear(data)
	if err != nil {
		return YearInfo{}, enforce.Errorf(enforce.EInvalid, "%v", err)
	}
	_, known, err := s.Calendar(ctx)
	if err != nil {
		return YearInfo{}, err
	}
	if old, ok := known[y.Year]; ok && !replace {
		return YearInfo{}, enforce.Errorf(enforce.EConflict, "the calendar already holds %d (%s, %s); load it with replace to correct it", y.Year, old.Origin, old.Source)
	}
	var body bytes.Buffer
	if err := json.Compact(&body, data); err != nil {
		return YearInfo{}, enforce.Errorf(enforce.EInvalid, "%v", err)
	}
	by := strings.TrimSpace(u.Username + " " + u.Name)
	cy := store.CalendarYear{Year: y.Year, Body: body.Bytes(), Source: y.Source, Replaces: replace, LoadedAt: s.now(), LoadedBy: by}
	if err := s.st.PutCalendarYear(ctx, cy); err != nil {
		return YearInfo{}, err
	}
	s.log.Info("holiday year loaded", "year", y.Year, "source", y.Source, "by", by, "replace", replace)
	s.publish(EventCalendar, nil, fmt.Sprintf("holiday calendar %d loaded", y.Year))
	return YearInfo{Year: y.Year, Source: y.Source, Origin: "loaded", LoadedAt: cy.LoadedAt, LoadedBy: by}, nil
}

// ---- reviewers (SPEC L6) ----

// PutReviewer records a reviewer's legal professional qualification
// (002-review §3).
func (s *Service) PutReviewer(ctx context.Context, u User, r store.Reviewer) (store.Reviewer, error) {
	if err := allow(u, Admins, "recording a reviewer's qualification"); err != nil {
		return r, err
	}
	r.Username, r.Name, r.Qualification = strings.TrimSpace(r.Username), strings.TrimSpace(r.Name), strings.TrimSpace(r.Qualification)
	if r.Username == "" || r.Name == "" {
		return r, enforce.Errorf(enforce.EInvalid, "a reviewer needs the username of their account and a name")
	}
	if r.Active && r.Qualification == "" {
		return r, &enforce.Error{Code: enforce.EInvalid, Message: "an active reviewer needs the number of the legal professional qualification certificate (法律职业资格证书)", Article: "002-review §3"}
	}
	if r.Since == "" {
		r.Since = s.now().In(cst).Format(time.DateOnly)
	} else if _, err := time.Parse(time.DateOnly, r.Since); err != nil {
		return r, enforce.Errorf(enforce.EInvalid, "since must be YYYY-MM-DD, got %q", r.Since)
	}
	r.UpdatedAt = s.now()
	return r, s.st.PutReviewer(ctx, r)
}

// reviewer finds the qualification of a user.
func (s *Service) reviewer(ctx context.Context, u User) (store.Reviewer, bool, error) {
	list, err := s.st.Reviewers(ctx)
	if err != nil {
		return store.Reviewer{}, false, err
	}
	for _, r := range list {
		if r.Username == u.Username && r.Active {
			return r, true, nil
		}
	}
	return store.Reviewer{}, false, nil
}

// Staffing is the ratio of active qualified reviewers to officers with a
// valid credential (SPEC L6: at least 5%, seed 001 and 004).
type Staffing struct {
	Reviewers []store.Reviewer `json:"reviewers"`
	Officers  int              `json:"officers"`
	Ratio     float64          `json:"ratio"`
	Required  float64          `json:"required"`
	OK        bool             `json:"ok"`
}

// Staffing compares the active reviewers with the officers whose
// credential is valid today.
func (s *Service) Staffing(ctx context.Context) (Staffing, error) {
	list, err := s.st.Reviewers(ctx)
	if err != nil {
		return Staffing{}, err
	}
	items, err := s.st.CatalogLatest(ctx, syncproto.KindOfficer)
	if err != nil {
		return Staffing{}, err
	}
	officers := 0
	for _, it := range items {
		var o enforce.Officer
		if json.Unmarshal(it.Body, &o) == nil && o.CredentialProblem(s.now()) == "" {
			officers++
		}
	}
	st := Staffing{Reviewers: []store.Reviewer{}, Officers: officers, Required: 0.05}
	for _, r := range list {
		if r.Active {
			st.Reviewers = append(st.Reviewers, r)
		}
	}
	if officers > 0 {
		st.Ratio = float64(len(st.Reviewers)) / float64(officers)
	}
	st.OK = officers == 0 || st.Ratio >= st.Required
	return st, nil
}
