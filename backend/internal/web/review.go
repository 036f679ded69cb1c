package web

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"lawtrace/backend/internal/auth"
	"lawtrace/backend/internal/reviewsrv"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/deadline"
	"lawtrace/shared/ledger"
	"lawtrace/shared/review"
)

// The legal review pages (issue 6, SPEC L1-L6, D5): the review queue, the
// reviewer's page — the case record and the submitted materials next to
// the checklist and the opinion form — and the deadline monitor. The pages
// run behind this package's guard (session, role, CSRF). The JSON API of
// reviewsrv is mounted once, by package server (Service.Register on the
// server's mux), on these sessions and CSRF tokens through Authenticate;
// reviewsrv checks who may take each step, so a refusal is the same from a
// page, the API or a test.

var (
	reviewReaders = []auth.Role{auth.Supervisor, auth.Reviewer, auth.Officer}
	reviewHandler = []auth.Role{auth.Officer, auth.Supervisor}
)

type reviewPages struct {
	s   *Server
	svc *reviewsrv.Service
}

// AttachReview adds the review service's pages — /review,
// /review/cases/{id}, /deadlines — and its deadlines on the board's rows.
// (Its JSON API is mounted next to the pages by package server, on these
// sessions through Authenticate.)
func (s *Server) AttachReview(svc *reviewsrv.Service) {
	p := &reviewPages{s: s, svc: svc}
	for _, rt := range []Route{
		{Method: "GET", Path: "/review", Roles: reviewReaders, Nav: "法制审核", NavOrder: 20, Handler: p.queue},
		{Method: "GET", Path: "/review/cases/{id}", Roles: reviewReaders, Handler: p.casePage},
		{Method: "POST", Path: "/review/cases/{id}/access", Roles: reviewReaders, Handler: p.access},
		{Method: "GET", Path: "/review/cases/{id}/files/{hash}", Roles: reviewReaders, Handler: p.file},
		{Method: "POST", Path: "/review/cases/{id}/opinion", Roles: []auth.Role{auth.Reviewer}, Handler: p.opinion},
		{Method: "POST", Path: "/review/cases/{id}/extend", Roles: []auth.Role{auth.Supervisor}, Handler: p.extend},
		{Method: "POST", Path: "/review/cases/{id}/objection", Roles: reviewHandler, Handler: p.objection},
		{Method: "POST", Path: "/review/cases/{id}/head-decision", Roles: []auth.Role{auth.Supervisor}, Handler: p.headDecision},
		{Method: "POST", Path: "/review/cases/{id}/proposal", Roles: reviewHandler, Handler: p.propose},
		{Method: "POST", Path: "/review/cases/{id}/submit", Roles: reviewHandler, Handler: p.submit},
		{Method: "POST", Path: "/review/cases/{id}/decision", Roles: []auth.Role{auth.Supervisor}, Handler: p.decide},
		{Method: "GET", Path: "/review/cases/{id}/lifecycle", Roles: reviewReaders, Handler: p.lifecyclePage},
		{Method: "POST", Path: "/review/cases/{id}/life/{step}", Roles: reviewHandler, Handler: p.lifeStep},
		{Method: "GET", Path: "/deadlines", Roles: reviewReaders, Nav: "期限监控", NavOrder: 22, Handler: p.deadlines},
		{Method: "POST", Path: "/cases/{id}/filing", Roles: []auth.Role{auth.Supervisor}, Handler: p.filing},
	} {
		s.Handle(rt)
	}
	s.filing = true
	s.officeFiles = p.officeFiles
	s.AddBoardHook(p.boardDeadlines)
	p.attachLifecycle() // the §59 decision document, the office state on the board (issue 10)
}

// officeFiles lists the files recorded in a case's office chain.
func (p *reviewPages) officeFiles(ctx context.Context, caseID string) []string {
	st, err := p.svc.State(ctx, caseID)
	if err != nil {
		return nil
	}
	var out []string
	for _, step := range st.Steps {
		out = append(out, step.Files...)
	}
	return out
}

func userOf(sess *auth.Session) reviewsrv.User {
	a := sess.Account
	return reviewsrv.User{ID: strconv.FormatInt(a.ID, 10), Username: a.Username, Name: a.Name, Role: auth.Role(a.Role), OfficerCert: a.OfficerCert}
}

// pageError turns a service refusal into an error page; a legal refusal
// reads in Chinese with the regulation cited.
func pageError(err error) error {
	status, body := reviewsrv.StatusOf(err)
	if status == http.StatusInternalServerError {
		return err
	}
	_ = body
	return &Error{Status: status, Msg: reviewErrorText(err)}
}

// ---- the queue ----

var reviewStates = []option{
	{"", "全部"},
	{review.StateUnderReview, "审核中"},
	{review.StateReturned, "已退回承办机构"},
	{review.StateEscalated, "报负责人决定"},
	{review.StateAgreed, "审核同意，待决定"},
	{review.StateNotSubmitted, "已拟决定，未送审"},
	{"decided", "已作出决定"},
}

func reviewStateLabel(s string) string {
	for _, o := range reviewStates[1:] {
		if o.Value == s {
			return o.Label
		}
	}
	return s
}

// ---- the reviewer's page ----

type checkRow struct {
	ID, Label string
	Problem   bool
	Note      string
}

type materialView struct {
	ID, Label, Note string
	Files           []ledger.File
	Entries         []string
}

type reviewCaseData struct {
	Row       *BoardRow
	Timeline  *Timeline
	Purposes  []option
	Purpose   string
	St        *reviewsrv.State
	StateName string
	Materials []materialView
	Explain   []option
	Checklist []checkRow
	Kinds     []option
	Kind      string
	Reasons   string
	Error     *reviewsrv.APIError
	Deadlines []reviewsrv.Item
	Due       *reviewsrv.Item
	// What the signed-in role may do now.
	CanOpinion, CanExtend, CanObject, CanHeadDecide bool
	Extension                                       int
	// Handler are the handler's and the head's forms (review_handler.go).
	Handler *handlerForms
}

var opinionOrder = []string{"agree", "change", "correct", "supplement", "continue_investigation", "do_not_decide", "transfer"}

func (p *reviewPages) casePage(w http.ResponseWriter, r *http.Request) error {
	p.s.learnReviewRules(r.Context())
	return p.render(w, r, http.StatusOK, nil, nil, nil)
}

// render shows the reviewer's page; after a refused opinion it keeps what
// the reviewer entered (form) and shows why (fail).
// A refused handler form (in) is shown again the same way.
func (p *reviewPages) render(w http.ResponseWriter, r *http.Request, status int, form *reviewsrv.OpinionRequest, fail *reviewsrv.APIError, in *handlerInput) error {
	row, err := p.s.caseFor(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	sess := SessionOf(r)
	u := userOf(sess)
	st, err := p.svc.StateFor(ctx, u, row.ID)
	if err != nil {
		return pageError(err)
	}
	d := reviewCaseData{Row: row, St: st, StateName: reviewStateLabel(stateOf(st)), Purposes: purposes, Purpose: defaultPurpose(sess.Role()), Error: fail,
		Extension: st.Settings.ExtensionWorkdays}
	grant, err := p.s.st.ActiveGrant(ctx, sess.Account.ID, row.ID, p.s.cfg.Now())
	switch {
	case err == nil:
		if d.Timeline, err = p.s.Timeline(ctx, row, grant, sess); err != nil {
			return err
		}
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	if sub := st.Submission; sub != nil {
		for _, m := range sub.Materials {
			mv := materialView{ID: m.ID, Label: m.Label, Note: m.Note, Entries: m.Entries}
			for _, h := range m.Files {
				mv.Files = append(mv.Files, ledger.File{Hash: h, Name: fileName(st, h)})
			}
			d.Materials = append(d.Materials, mv)
		}
		ex := sub.Explanation
		for i, v := range []string{ex.BasicFacts, ex.LawAndDiscretion, ex.OfficerQualification, ex.InvestigationAndHearing, ex.Other} {
			d.Explain = append(d.Explain, option{Value: v, Label: reviewsrv.ExplanationItems[i].Label})
		}
	}
	for _, c := range review.Checklist {
		cr := checkRow{ID: c.ID, Label: c.Label}
		if form != nil {
			for _, f := range form.Findings {
				if f.Item == c.ID {
					cr.Problem, cr.Note = !f.OK, f.Note
				}
			}
		}
		d.Checklist = append(d.Checklist, cr)
	}
	for _, k := range opinionOrder {
		d.Kinds = append(d.Kinds, option{Value: k, Label: review.Opinions[k]})
	}
	if form != nil {
		d.Kind, d.Reasons = form.Kind, form.Reasons
	}
	if d.Deadlines, err = p.svc.Deadlines(ctx, reviewsrv.Filter{Case: row.ID}); err != nil {
		return err
	}
	for i := range d.Deadlines {
		if d.Deadlines[i].Kind == deadline.Review {
			d.Due = &d.Deadlines[i]
		}
	}
	state := st.Review.State
	open := st.Decision == nil
	d.CanOpinion = open && state == review.StateUnderReview && u.Can(reviewsrv.Reviewers)
	d.CanExtend = open && state == review.StateUnderReview && !st.Review.Extended && !st.Overdue && u.Can(reviewsrv.Heads) && st.Settings.ExtensionWorkdays > 0
	d.CanObject = open && state == review.StateReturned && !st.Review.HeadDecided && u.Can(reviewsrv.Handlers)
	d.CanHeadDecide = open && state == review.StateEscalated && u.Can(reviewsrv.Heads)
	if d.Handler, err = p.handlerForms(ctx, r, st, row, in); err != nil {
		return err
	}
	return p.s.renderStatus(w, r, status, "review_case", "法制审核 "+row.ID, d)
}

func stateOf(st *reviewsrv.State) string {
	if st.Decision != nil {
		return "decided"
	}
	return st.Review.State
}

// fileName finds the name a file was submitted under, from the chain.
func fileName(st *reviewsrv.State, hash string) string {
	if st.Submission != nil {
		for _, m := range st.Submission.Materials {
			if slices.Contains(m.Files, hash) {
				return m.Label
			}
		}
	}
	return hash[:12]
}

// access takes the reason for reading the case (the access register,
// SPEC R7) exactly as the case page does, and comes back to this page.
func (p *reviewPages) access(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	rw := &locationRewriter{ResponseWriter: w, from: "/cases/" + id, to: "/review/cases/" + id}
	return p.s.caseAccess(rw, r)
}

// locationRewriter sends a redirect to the case page to this page instead.
type locationRewriter struct {
	http.ResponseWriter
	from, to string
}

func (l *locationRewriter) WriteHeader(status int) {
	if loc := l.Header().Get("Location"); status == http.StatusSeeOther && loc == l.from {
		l.Header().Set("Location", l.to)
	}
	l.ResponseWriter.WriteHeader(status)
}

// file serves a submitted material, after the access register (R7): only
// files of this case's office chain, only under an open access grant.
func (p *reviewPages) file(w http.ResponseWriter, r *http.Request) error {
	hash := r.PathValue("hash")
	if !validHash(hash) {
		p.s.security(r, "web_bad_path", "异常的审核材料路径 "+printable(r.URL.EscapedPath()))
		return errNotFound("文件")
	}
	row, err := p.s.caseFor(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	sess := SessionOf(r)
	st, err := p.svc.StateFor(ctx, userOf(sess), row.ID)
	if err != nil {
		return pageError(err)
	}
	found := false
	for _, step := range st.Steps {
		found = found || slices.Contains(step.Files, hash)
	}
	if !found {
		p.s.security(r, "web_bad_path", "文件 "+hash[:12]+" 不是案件 "+row.ID+" 的审核材料")
		return errNotFound("文件")
	}
	g, err := p.s.st.ActiveGrant(ctx, sess.Account.ID, row.ID, p.s.cfg.Now())
	if errors.Is(err, store.ErrNotFound) {
		return &Error{Status: http.StatusForbidden, Msg: "请先在审核页面填写调阅事由。"}
	}
	if err != nil {
		return err
	}
	// What the browser shows is 查看; anything else hands over the
	// original, which is a copy (R7, 003 §28, issue 13 finding 4).
	f := ledger.File{Hash: hash, Name: fileName(st, hash)}
	ctype, inline, err := p.s.previewType(f)
	if err != nil {
		return err
	}
	if !inline {
		if err := p.s.registerCopy(r, row.ID, hash, g); err != nil {
			return err
		}
		return p.s.serveBlob(w, r, f, "application/octet-stream", "attachment")
	}
	if _, err := p.s.logAccess(r, store.AccessRecord{Action: store.AccessPlay, CaseID: row.ID, MediaHash: hash, Purpose: g.Purpose, Reason: g.Reason,
		Approver: g.Approver, RequestID: g.RequestID, GrantID: g.ID}); err != nil {
		return err
	}
	return p.s.serveBlob(w, r, f, ctype, "inline")
}

func (p *reviewPages) opinion(w http.ResponseWriter, r *http.Request) error {
	req := reviewsrv.OpinionRequest{Kind: r.PostFormValue("kind"), Reasons: r.PostFormValue("reasons")}
	for _, c := range review.Checklist {
		v := r.PostFormValue("item_" + c.ID)
		if v == "" {
			continue // an item not examined: the service lists it
		}
		req.Findings = append(req.Findings, review.Finding{Item: c.ID, OK: v == "ok", Note: strings.TrimSpace(r.PostFormValue("note_" + c.ID))})
	}
	id := r.PathValue("id")
	if _, err := p.svc.GiveOpinion(r.Context(), userOf(SessionOf(r)), id, req); err != nil {
		status, body := reviewsrv.StatusOf(err)
		if status == http.StatusInternalServerError {
			return err
		}
		return p.render(w, r, status, &req, &body, nil)
	}
	return p.s.redirect(w, r, "/review/cases/"+id, "审核意见已记录："+review.Opinions[req.Kind])
}

func (p *reviewPages) step(w http.ResponseWriter, r *http.Request, done string, fn func(ctx context.Context, u reviewsrv.User, id string) (*reviewsrv.State, error)) error {
	id := r.PathValue("id")
	if _, err := fn(r.Context(), userOf(SessionOf(r)), id); err != nil {
		return pageError(err)
	}
	return p.s.redirect(w, r, "/review/cases/"+id, done)
}

// filing records a head's confirmation, on the case page, that the
// on-the-spot decision was reported to the agency and filed (备案,
// 行政处罚法 §52; SPEC F14).
func (p *reviewPages) filing(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if _, err := p.svc.ConfirmFiling(r.Context(), userOf(SessionOf(r)), id, r.PostFormValue("note")); err != nil {
		return pageError(err)
	}
	return p.s.redirect(w, r, "/cases/"+id, "已确认当场处罚决定报所属行政机关备案。")
}

func (p *reviewPages) extend(w http.ResponseWriter, r *http.Request) error {
	return p.step(w, r, "已批准延长审核期限", func(ctx context.Context, u reviewsrv.User, id string) (*reviewsrv.State, error) {
		return p.svc.Extend(ctx, u, id, r.PostFormValue("reason"))
	})
}

func (p *reviewPages) objection(w http.ResponseWriter, r *http.Request) error {
	return p.step(w, r, "异议已记录", func(ctx context.Context, u reviewsrv.User, id string) (*reviewsrv.State, error) {
		return p.svc.Object(ctx, u, id, r.PostFormValue("reason"))
	})
}

func (p *reviewPages) headDecision(w http.ResponseWriter, r *http.Request) error {
	return p.step(w, r, "负责人决定已记录", func(ctx context.Context, u reviewsrv.User, id string) (*reviewsrv.State, error) {
		return p.svc.HeadDecide(ctx, u, id, r.PostFormValue("outcome"), r.PostFormValue("reason"))
	})
}

// ---- the deadline monitor ----

var deadlineKinds = append([]option{{"", "全部"}}, deadlineLabels...) // labels.go: one label per kind

var deadlineStates = []option{
	{"open", "进行中与逾期"},
	{"", "全部"},
	{deadline.StateOverdue, "已逾期"},
	{deadline.StateRunning, "进行中"},
	{deadline.StateMissed, "逾期完成"},
	{deadline.StateMet, "按期完成"},
}

type deadlineData struct {
	Items         []reviewsrv.Item
	Kinds, States []option
	Filter        reviewsrv.Filter
	Years         []reviewsrv.YearInfo
	Note          string
	Overdue       int
	Unverified    int
}

func (p *reviewPages) deadlines(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f := reviewsrv.Filter{Kind: q.Get("kind"), State: q.Get("state"), Case: q.Get("case")}
	if !q.Has("state") {
		f.State = "open"
	}
	ctx := r.Context()
	items, err := p.svc.DeadlinesFor(ctx, userOf(SessionOf(r)), f)
	if err != nil {
		return pageError(err)
	}
	years, err := p.svc.Years(ctx)
	if err != nil {
		return err
	}
	d := deadlineData{Items: items, Kinds: deadlineKinds, States: deadlineStates, Filter: f, Years: years, Note: reviewsrv.UnverifiedNote}
	for _, it := range items {
		if it.State == deadline.StateOverdue {
			d.Overdue++
		}
		if it.Unverified {
			d.Unverified++
		}
	}
	return p.s.Render(w, r, "deadlines", "期限监控", d)
}

// boardDeadlines adds each case's running review, approval, publication
// and archive deadlines to its board row (uploads the board shows itself).
func (p *reviewPages) boardDeadlines(ctx context.Context, rows []*BoardRow) error {
	if len(rows) == 0 {
		return nil
	}
	f := reviewsrv.Filter{State: "open"}
	if len(rows) <= 200 {
		for _, row := range rows {
			f.Cases = append(f.Cases, row.ID)
		}
	}
	items, err := p.svc.Deadlines(ctx, f)
	if err != nil {
		return err
	}
	byCase := map[string][]Deadline{}
	for _, it := range items {
		if it.Kind == deadline.Upload {
			continue
		}
		label := deadlineLabel(it.Kind)
		if it.Unverified {
			label += "（日历未核实）"
		}
		byCase[it.CaseID] = append(byCase[it.CaseID], Deadline{Label: label, Due: it.Due, Overdue: it.State == deadline.StateOverdue, Article: it.Article})
	}
	for _, row := range rows {
		row.Deadlines = append(row.Deadlines, byCase[row.ID]...)
	}
	return nil
}

// reviewDue renders a deadline for the pages.
func reviewDue(it *reviewsrv.Item) string {
	if it == nil {
		return "—"
	}
	return dueText(it.Due) + " 前"
}

// dueText shows a deadline that ends with a day as that day's 24:00, the
// way a period of days is read, and any other as its time.
func dueText(t time.Time) string {
	t = t.In(chinaTime)
	if t.Hour() == 0 && t.Minute() == 0 && t.Second() == 0 {
		return t.Add(-time.Nanosecond).Format("2006-01-02") + " 24:00"
	}
	return t.Format("2006-01-02 15:04")
}

func init() {
	funcs["reviewDue"] = reviewDue
	funcs["dueText"] = dueText
	funcs["reviewState"] = reviewStateLabel
	funcs["deadlineState"] = func(s string) string {
		for _, o := range deadlineStates {
			if o.Value == s {
				return o.Label
			}
		}
		return s
	}
	funcs["opinionLabel"] = func(k string) string { return review.Opinions[k] }
	funcs["measureLabel"] = func(k string) string { return review.Measures[k] }
	funcs["flagLabel"] = func(k string) string { return review.Flags[k] }
	funcs["isChosen"] = isChosen
	funcs["mediaKindLabel"] = mediaKindLabel
	funcs["hasString"] = func(list []string, s string) bool { return slices.Contains(list, s) }
	funcs["dueTime"] = func(t time.Time) string { return t.In(chinaTime).Format("2006-01-02 15:04") }
}
