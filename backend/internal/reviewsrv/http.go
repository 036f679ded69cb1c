package reviewsrv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"lawtrace/backend/internal/auth"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/enforce"
	"lawtrace/shared/review"
)

// maxJSON caps a JSON request body.
const maxJSON = 1 << 20

// Register adds the JSON API to mux. The review catalog (and its versions)
// and the reference lists are public (SPEC P1); everything else needs a
// signed-in user with the right role, checked by the service.
//
//	GET  /api/review/catalog[/{version}]     the catalog in force, or a version (public)
//	GET  /api/review/catalogs                every version (public)
//	POST /api/review/catalog                 publish a new version (admin)
//	GET  /api/review/reference               materials, checklist, opinions, explanation items (public)
//	GET  /api/review/cases[?state=S]         cases with an office chain and their review state
//	GET  /api/review/cases/{case}            one case's review, decision and steps
//	POST /api/review/cases/{case}/proposal   propose a decision → whether review is required, which rules matched
//	POST /api/review/cases/{case}/files      upload a material (multipart "file", or the raw body with ?name=)
//	POST /api/review/cases/{case}/submit     submit with materials and the explanation
//	POST /api/review/cases/{case}/extend     the head extends the review
//	POST /api/review/cases/{case}/opinion    the reviewer's opinion
//	POST /api/review/cases/{case}/objection  the handler disagrees
//	POST /api/review/cases/{case}/head-decision
//	POST /api/review/cases/{case}/decision   record the decision (refused without agree where review is required)
//	POST /api/review/cases/{case}/emergency-approval | published | end | archived | filing
//	POST /api/review/cases/{case}/{step}     a step of the general procedure (LifeSteps: register_request,
//	                                         register_approval, prior_notice, prior_notice_served, statement,
//	                                         statement_review, rights_waiver, hearing_request, hearing_notice,
//	                                         hearing_record, decision_term_extend, decision_served) with a LifeRequest
//	GET  /api/review/reviewers, POST /api/review/reviewers (admin), GET /api/review/staffing
//	GET  /api/deadlines[?case=&kind=&state=] every deadline with due, remaining and state
//	GET  /api/calendar, POST /api/calendar[?replace=1] (admin)
func (s *Service) Register(mux *http.ServeMux, a Authenticator) {
	for _, rt := range s.APIRoutes(a) {
		mux.HandleFunc(rt.Method+" "+rt.Path, rt.Handler)
	}
}

// APIRoute is one endpoint of the JSON API. Public ones need no user; the
// others call the Authenticator and the service checks the role of the
// action, so a router that adds its own session and CSRF checks (the web
// package) can mount them as they are.
type APIRoute struct {
	Method  string
	Path    string
	Public  bool
	Handler http.HandlerFunc
}

// APIRoutes lists the JSON API's endpoints (see Register).
func (s *Service) APIRoutes(a Authenticator) []APIRoute {
	h := &api{s: s, auth: a}
	return []APIRoute{
		{"GET", "/api/review/catalog", true, h.catalog},
		{"GET", "/api/review/catalog/{version}", true, h.catalog},
		{"GET", "/api/review/catalogs", true, h.catalogs},
		{"POST", "/api/review/catalog", false, h.user(h.publishCatalog)},
		{"GET", "/api/review/reference", true, h.reference},
		{"GET", "/api/review/cases", false, h.user(h.queue)},
		{"GET", "/api/review/cases/{case}", false, h.user(h.state)},
		{"POST", "/api/review/cases/{case}/files", false, h.user(h.upload)},
		{"POST", "/api/review/cases/{case}/{action}", false, h.user(h.action)},
		{"GET", "/api/review/reviewers", false, h.user(h.reviewers)},
		{"POST", "/api/review/reviewers", false, h.user(h.putReviewer)},
		{"GET", "/api/review/staffing", false, h.user(h.staffing)},
		{"GET", "/api/deadlines", false, h.user(h.deadlines)},
		{"GET", "/api/calendar", false, h.user(h.calendar)},
		{"POST", "/api/calendar", false, h.user(h.loadYear)},
	}
}

type api struct {
	s    *Service
	auth Authenticator
}

// APIError is the JSON body of every refusal.
type APIError struct {
	Code    string `json:"error"`
	Message string `json:"message"`
	// MessageZh is the refusal in Chinese where the rule gives one.
	MessageZh string         `json:"message_zh,omitempty"`
	Step      string         `json:"step,omitempty"`
	Missing   []enforce.Item `json:"missing,omitempty"`
	Article   string         `json:"article,omitempty"`
}

// StatusOf maps an error to its HTTP status and JSON body.
func StatusOf(err error) (int, APIError) {
	var fe *ForbiddenError
	var ee *enforce.Error
	switch {
	case errors.Is(err, ErrUnauthenticated):
		return http.StatusUnauthorized, APIError{Code: "unauthenticated", Message: err.Error()}
	case errors.Is(err, ErrForged):
		return http.StatusForbidden, APIError{Code: "forbidden", Message: err.Error()}
	case errors.As(err, &fe):
		return http.StatusForbidden, APIError{Code: "forbidden", Message: fe.Error()}
	case errors.As(err, &ee):
		body := APIError{Code: ee.Code, Message: ee.Message, MessageZh: ee.MessageZh, Step: ee.Step, Missing: ee.Missing, Article: ee.Article}
		switch ee.Code {
		case enforce.EInvalid:
			return http.StatusBadRequest, body
		case enforce.ENotFound:
			return http.StatusNotFound, body
		case enforce.ERefused, enforce.EConflict:
			return http.StatusConflict, body
		}
		return http.StatusInternalServerError, body
	}
	return http.StatusInternalServerError, APIError{Code: "internal", Message: "internal error"}
}

func (h *api) fail(w http.ResponseWriter, r *http.Request, err error) {
	status, body := StatusOf(err)
	if status == http.StatusInternalServerError {
		h.s.log.Error("review api", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}

func (h *api) user(fn func(http.ResponseWriter, *http.Request, User)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if h.auth == nil {
			h.fail(w, r, ErrUnauthenticated)
			return
		}
		u, err := h.auth.Authenticate(r)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		if !u.Can(Staff) {
			h.fail(w, r, &ForbiddenError{Action: "the review API", Role: u.Role, Need: Staff})
			return
		}
		fn(w, r, u)
	}
}

func decode(r *http.Request, v any) error {
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct != "application/json" {
		return enforce.Errorf(enforce.EInvalid, "send JSON (Content-Type: application/json)")
	}
	dec := json.NewDecoder(io.LimitReader(r.Body, maxJSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return enforce.Errorf(enforce.EInvalid, "the request is not valid JSON for this action: %v", err)
	}
	return nil
}

func (h *api) catalog(w http.ResponseWriter, r *http.Request) {
	v := 0
	if s := r.PathValue("version"); s != "" {
		n, err := strconv.Atoi(strings.TrimPrefix(s, "v"))
		if err != nil || n < 1 {
			h.fail(w, r, enforce.Errorf(enforce.EInvalid, "a catalog version is a number ≥ 1"))
			return
		}
		v = n
	}
	c, err := h.s.Catalog(r.Context(), v)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Catalog-Version", strconv.Itoa(c.Version))
	w.Header().Set("X-Catalog-SHA256", c.SHA256)
	_, _ = w.Write(c.Body)
}

func (h *api) catalogs(w http.ResponseWriter, r *http.Request) {
	list, err := h.s.Catalogs(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, list)
}

func (h *api) publishCatalog(w http.ResponseWriter, r *http.Request, u User) {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxJSON))
	if err != nil {
		h.fail(w, r, enforce.Errorf(enforce.EInvalid, "%v", err))
		return
	}
	c, err := h.s.PublishCatalog(r.Context(), u, data)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, c)
}

// Reference is what pages need to build the forms.
type Reference struct {
	Materials   []review.Material  `json:"materials"`
	Explanation []ExplanationItem  `json:"explanation"`
	Checklist   []review.CheckItem `json:"checklist"`
	Opinions    map[string]string  `json:"opinions"`
	Measures    map[string]string  `json:"measures"`
	Flags       map[string]string  `json:"flags"`
}

// ReferenceLists returns the fixed lists of 000-review and 002-review.
func ReferenceLists() Reference {
	return Reference{Materials: review.Materials, Explanation: ExplanationItems, Checklist: review.Checklist, Opinions: review.Opinions,
		Measures: review.Measures, Flags: review.Flags}
}

func (h *api) reference(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, ReferenceLists())
}

// QueueItem is one case in the review queue.
type QueueItem struct {
	CaseID      string `json:"case_id"`
	Party       string `json:"party"`
	Procedure   string `json:"procedure"`
	State       string `json:"state"`
	Required    bool   `json:"review_required"`
	Rounds      int    `json:"rounds"`
	Due         string `json:"due,omitempty"`
	DueVerified bool   `json:"due_verified"`
	Overdue     bool   `json:"overdue"`
	Extended    bool   `json:"extended"`
	Summary     string `json:"summary"`
}

// Queue lists the cases with an office chain the user may see; state
// narrows it (under_review, returned, escalated, agreed, not_submitted,
// decided).
func (s *Service) Queue(ctx context.Context, u User, state string) ([]QueueItem, error) {
	items, _, err := s.QueuePage(ctx, u, QueueFilter{State: state}, store.Page{})
	return items, err
}

// QueueFilter selects cases of the review queue (issue 15): the state, a
// part of the party's name and of the case number, an officer of the crew
// (credential number) and the days the case was opened [From, To).
type QueueFilter struct {
	State, Party, Case, Officer string
	From, To                    time.Time
}

// QueuePage reads one page of the review queue the user may see, the
// newest case first, and how many cases the filter selects. The queue is a
// read model (store.ReviewQueue): the rows behind their case or office
// chain are folded again first, so a read costs the cases changed since
// the last one, not every office chain.
func (s *Service) QueuePage(ctx context.Context, u User, f QueueFilter, page store.Page) ([]QueueItem, int, error) {
	if err := allow(u, Readers, "the review queue"); err != nil {
		return nil, 0, err
	}
	if err := s.refreshQueue(ctx); err != nil {
		return nil, 0, err
	}
	sf := store.ReviewQueueFilter{State: f.State, Party: f.Party, Case: f.Case, Officer: f.Officer, From: f.From, To: f.To}
	if u.Role == auth.Officer {
		if u.OfficerCert == "" {
			return []QueueItem{}, 0, nil
		}
		sf.Member = u.OfficerCert
	}
	rows, total, err := s.st.ReviewQueue(ctx, sf, page)
	if err != nil {
		return nil, 0, err
	}
	now := s.now()
	out := make([]QueueItem, 0, len(rows))
	for _, row := range rows {
		var it QueueItem
		if err := json.Unmarshal(row.Item, &it); err != nil {
			return nil, 0, fmt.Errorf("review queue row of %s: %w", row.CaseID, err)
		}
		it.Overdue = !row.ReviewDue.IsZero() && !now.Before(row.ReviewDue)
		out = append(out, it)
	}
	return out, total, nil
}

// refreshQueue folds again the queue rows behind their case, office chain,
// catalog or calendar, one refresher at a time. It looks only at the cases
// with entries appended since its last look (the log's size then), at
// every case when the catalog or calendar moved: while nothing was
// appended a read of the queue costs three small queries.
func (s *Service) refreshQueue(ctx context.Context) error {
	s.queueMu.Lock()
	defer s.queueMu.Unlock()
	catalog, calendar, err := s.st.ReviewVersions(ctx)
	if err != nil {
		return err
	}
	since := s.queue.logSize
	if catalog != s.queue.catalog || calendar != s.queue.calendar {
		since = 0 // every row was made with other rules: look at all
	}
	ids, size, err := s.st.ReviewQueueStale(ctx, since)
	if err != nil {
		return err
	}
	var rows []store.ReviewQueueRow
	for i, id := range ids {
		oc, err := s.st.Office(ctx, id)
		if err != nil {
			return err
		}
		st, err := s.stateOf(ctx, oc)
		if err != nil {
			return err
		}
		row, err := queueRow(oc, st)
		if err != nil {
			return err
		}
		row.CatalogVersion, row.CalendarLoad = catalog, calendar
		if rows = append(rows, row); len(rows) == 500 || i == len(ids)-1 {
			if err := s.st.PutReviewQueue(ctx, rows); err != nil {
				return err
			}
			rows = rows[:0]
		}
	}
	s.queue.logSize, s.queue.catalog, s.queue.calendar = size, catalog, calendar
	return nil
}

// queueRow is a case's row of the review queue.
func queueRow(oc store.OfficeCase, st *State) (store.ReviewQueueRow, error) {
	it := QueueItem{CaseID: oc.Case.ID, Party: st.Case.Party, Procedure: st.Case.Procedure, State: stateName(st), Required: st.Required,
		Rounds: st.Review.Rounds, DueVerified: st.DueVerified, Extended: st.Review.Extended}
	if !st.Due.IsZero() {
		it.Due = st.Due.In(cst).Format("2006-01-02 15:04")
	}
	if st.Proposal != nil {
		it.Summary = proposalSummary(*st.Proposal, st.Summary, st.Required, st.Matches)
	}
	item, err := json.Marshal(it)
	row := store.ReviewQueueRow{CaseID: oc.Case.ID, CaseSeq: oc.Case.LastSeq, State: it.State, Party: st.Case.Party, Officers: st.Case.Officers,
		Opened: st.Case.Opened, Item: item}
	if n := len(oc.Chain); n > 0 {
		row.OfficeSeq = oc.Chain[n-1].Seq
	}
	if st.Review.State == review.StateUnderReview && !st.Review.Submitted.IsZero() {
		row.ReviewDue = st.Due
	}
	return row, err
}

func (h *api) queue(w http.ResponseWriter, r *http.Request, u User) {
	q, err := h.s.Queue(r.Context(), u, r.URL.Query().Get("state"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, q)
}

func (h *api) state(w http.ResponseWriter, r *http.Request, u User) {
	st, err := h.s.StateFor(r.Context(), u, r.PathValue("case"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (h *api) upload(w http.ResponseWriter, r *http.Request, u User) {
	r.Body = http.MaxBytesReader(w, r.Body, h.s.cfg.MaxUpload+1<<20)
	name, body := r.URL.Query().Get("name"), io.Reader(r.Body)
	if r.MultipartForm != nil { // a router parsed the form already (its CSRF field)
		fhs := r.MultipartForm.File["file"]
		if len(fhs) == 0 {
			h.fail(w, r, enforce.Errorf(enforce.EInvalid, "the form has no \"file\" part"))
			return
		}
		f, err := fhs[0].Open()
		if err != nil {
			h.fail(w, r, err)
			return
		}
		defer f.Close()
		name, body = fhs[0].Filename, f
	} else if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "multipart/form-data" {
		mr, err := r.MultipartReader()
		if err != nil {
			h.fail(w, r, enforce.Errorf(enforce.EInvalid, "%v", err))
			return
		}
		for {
			p, err := mr.NextPart()
			if err != nil {
				h.fail(w, r, enforce.Errorf(enforce.EInvalid, "the form has no \"file\" part"))
				return
			}
			if p.FormName() == "file" {
				name, body = p.FileName(), p
				break
			}
		}
	}
	f, err := h.s.Upload(r.Context(), u, r.PathValue("case"), name, body)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, f)
}

type reasonBody struct {
	Reason  string `json:"reason"`
	Note    string `json:"note"`
	URL     string `json:"url"`
	Outcome string `json:"outcome"`
}

func (h *api) action(w http.ResponseWriter, r *http.Request, u User) {
	ctx, caseID := r.Context(), r.PathValue("case")
	var st *State
	var err error
	switch r.PathValue("action") {
	case "proposal":
		var req ProposalRequest
		if err = decode(r, &req); err == nil {
			st, err = h.s.Propose(ctx, u, caseID, req)
		}
	case "submit":
		var req SubmitRequest
		if err = decode(r, &req); err == nil {
			st, err = h.s.Submit(ctx, u, caseID, req)
		}
	case "opinion":
		var req OpinionRequest
		if err = decode(r, &req); err == nil {
			st, err = h.s.GiveOpinion(ctx, u, caseID, req)
		}
	case "decision":
		var req DecisionRequest
		if err = decode(r, &req); err == nil {
			st, err = h.s.Decide(ctx, u, caseID, req)
		}
	case "extend", "objection", "head-decision", "emergency-approval", "published", "end", "archived", "filing":
		var b reasonBody
		if err = decode(r, &b); err != nil {
			break
		}
		switch r.PathValue("action") {
		case "extend":
			st, err = h.s.Extend(ctx, u, caseID, b.Reason)
		case "objection":
			st, err = h.s.Object(ctx, u, caseID, b.Reason)
		case "head-decision":
			st, err = h.s.HeadDecide(ctx, u, caseID, b.Outcome, b.Reason)
		case "emergency-approval":
			st, err = h.s.ApproveEmergency(ctx, u, caseID, b.Note)
		case "published":
			st, err = h.s.MarkPublished(ctx, u, caseID, b.URL, b.Note)
		case "end":
			st, err = h.s.EndCase(ctx, u, caseID, b.Reason)
		case "archived":
			st, err = h.s.MarkArchived(ctx, u, caseID, b.Note)
		case "filing":
			st, err = h.s.ConfirmFiling(ctx, u, caseID, b.Note)
		}
	default:
		if step := r.PathValue("action"); slices.Contains(LifeSteps, step) {
			var req LifeRequest
			if err = decode(r, &req); err == nil {
				st, err = h.s.Life(ctx, u, caseID, step, req)
			}
			break
		}
		err = enforce.Errorf(enforce.ENotFound, "no review action %q", r.PathValue("action"))
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (h *api) reviewers(w http.ResponseWriter, r *http.Request, u User) {
	list, err := h.s.st.Reviewers(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if list == nil {
		list = []store.Reviewer{}
	}
	writeJSON(w, http.StatusOK, list)
}

func (h *api) putReviewer(w http.ResponseWriter, r *http.Request, u User) {
	var rv store.Reviewer
	if err := decode(r, &rv); err != nil {
		h.fail(w, r, err)
		return
	}
	rv, err := h.s.PutReviewer(r.Context(), u, rv)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rv)
}

func (h *api) staffing(w http.ResponseWriter, r *http.Request, u User) {
	st, err := h.s.Staffing(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (h *api) deadlines(w http.ResponseWriter, r *http.Request, u User) {
	q := r.URL.Query()
	items, err := h.s.DeadlinesFor(r.Context(), u, Filter{Case: q.Get("case"), Kind: q.Get("kind"), State: q.Get("state")})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, items)
}

// CalendarInfo is what GET /api/calendar answers.
type CalendarInfo struct {
	Years []YearInfo `json:"years"`
	Note  string     `json:"note"`
}

// UnverifiedNote explains dates outside the known years.
const UnverifiedNote = "日期超出已载入的国务院节假日安排年份时，按周一至周五计算工作日，并标记为“未核实”；管理员载入该年安排后自动按官方日历重算。"

func (h *api) calendar(w http.ResponseWriter, r *http.Request, u User) {
	years, err := h.s.Years(r.Context())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, CalendarInfo{Years: years, Note: UnverifiedNote})
}

func (h *api) loadYear(w http.ResponseWriter, r *http.Request, u User) {
	data, err := io.ReadAll(io.LimitReader(r.Body, maxJSON))
	if err != nil {
		h.fail(w, r, enforce.Errorf(enforce.EInvalid, "%v", err))
		return
	}
	y, err := h.s.LoadYear(r.Context(), u, data, r.URL.Query().Get("replace") == "1")
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, y)
}
