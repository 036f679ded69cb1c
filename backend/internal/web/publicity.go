package web

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"html/template"
	"lawtrace/shared/enforce"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"lawtrace/backend/internal/auth"
	"lawtrace/backend/internal/publicity"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/deadline"
	"lawtrace/shared/ledger"
	"lawtrace/shared/review"
	"lawtrace/shared/workday"
)

// After-the-fact publicity (事后公示, SPEC P2-P5, D5, issue 11): the public
// list of decisions with search, each decision's page (or its notice of
// withdrawal), the Atom feed, the sitemap and the correction request form —
// no sign-in, no cookies, no tracking — and, for reviewers and supervisors,
// the publication queue with the redacted preview and the approve /
// not-publish / withdraw / answer actions. Every public text comes from
// publicity.PublicOf, the one redaction step.

var publicityStaff = []auth.Role{auth.Supervisor, auth.Reviewer}

type publicityPages struct {
	s   *Server
	svc *publicity.Service
	key []byte // signs the public correction form (no cookies)

	mu          sync.Mutex
	lastCollect time.Time
	lastSweep   time.Time
	posts       map[string][]time.Time // correction requests per address
}

func init() {
	AddPages(func(s *Server) []Route {
		p := &publicityPages{s: s, svc: PublicityService(s.st, s.cfg.Now), posts: map[string][]time.Time{}}
		p.key = make([]byte, 32)
		_, _ = rand.Read(p.key)
		return []Route{
			{Method: "GET", Path: "/public/decisions", Public: true, Handler: p.publicList},
			{Method: "GET", Path: "/public/decisions/feed.atom", Public: true, Handler: p.feed},
			{Method: "GET", Path: "/public/decisions/{id}", Public: true, Handler: p.publicDecision},
			{Method: "POST", Path: "/public/decisions/{id}/correction", Public: true, Handler: p.correction},
			{Method: "GET", Path: "/sitemap.xml", Public: true, Handler: p.sitemap},

			{Method: "GET", Path: "/publicity", Roles: publicityStaff, Nav: "决定公示", NavOrder: 24, Handler: p.queue},
			{Method: "GET", Path: "/publicity/{id}", Roles: publicityStaff, Handler: p.item},
			{Method: "POST", Path: "/publicity/{id}/approve", Roles: publicityStaff, Handler: p.approve},
			{Method: "POST", Path: "/publicity/{id}/not-publish", Roles: publicityStaff, Handler: p.notPublish},
			{Method: "POST", Path: "/publicity/{id}/edit", Roles: publicityStaff, Handler: p.edit},
			{Method: "POST", Path: "/publicity/{id}/withdraw", Roles: publicityStaff, Handler: p.withdraw},
			{Method: "POST", Path: "/publicity/corrections/{id}/answer", Roles: publicityStaff, Handler: p.answer},
		}
	})
}

// PublicityService is the publication workflow over the store: a decision
// of a case that leaves the queue is recorded in the case's office chain
// (step decision_published), which ends its publication deadline on the
// monitor. The operator commands use it too.
func PublicityService(st store.Store, now func() time.Time) *publicity.Service {
	svc := &publicity.Service{Repo: st, Now: now}
	if os, ok := st.(store.OfficeStore); ok {
		svc.OnPublished = func(ctx context.Context, d publicity.Decision, by publicity.Actor) error {
			return recordOfficePublished(ctx, os, d, by, now())
		}
	}
	return svc
}

// officeNote is the payload of an office decision_published entry, as the
// review service writes and reads it (reviewsrv.NoteFields).
type officeNote struct {
	By   officeActor `json:"by"`
	Note string      `json:"note,omitempty"`
	URL  string      `json:"url,omitempty"`
}

type officeActor struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Name     string `json:"name"`
	Role     string `json:"role"`
}

// StepDecisionPublished is the office step of a publication (reviewsrv.StepPublished).
const StepDecisionPublished = "decision_published"

func recordOfficePublished(ctx context.Context, os store.OfficeStore, d publicity.Decision, by publicity.Actor, now time.Time) error {
	note := officeNote{By: officeActor{ID: "publicity", Username: by.Username, Name: by.Name, Role: by.Role}}
	switch d.State {
	case publicity.StatePublished:
		note.URL = fmt.Sprintf("/public/decisions/%d", d.ID)
		note.Note = "经内部审核公开（" + enforce.Cite("000-publicity §23") + "）"
	case publicity.StateNotPublished:
		note.Note = "经内部审核不予公开：" + publicity.Label(publicity.Grounds, d.Ground) + "。" + d.Note
	default:
		return nil
	}
	_, _, err := os.AppendOffice(ctx, d.CaseID, func(oc store.OfficeCase) (store.OfficeDraft, error) {
		for _, e := range oc.Chain {
			if e.Step == StepDecisionPublished {
				return store.OfficeDraft{}, errAlreadyRecorded
			}
		}
		fields, err := json.Marshal(note)
		if err != nil {
			return store.OfficeDraft{}, err
		}
		payload, err := json.Marshal(ledger.Payload{Fields: fields})
		if err != nil {
			return store.OfficeDraft{}, err
		}
		return store.OfficeDraft{Step: StepDecisionPublished, Payload: payload, Officers: []string{}, At: now}, nil
	})
	if errors.Is(err, errAlreadyRecorded) {
		return nil
	}
	return err
}

var errAlreadyRecorded = errors.New("publication already in the office chain")

// CollectPublications queues the decisions of cases not queued yet: the
// on-the-spot penalty decisions terminals recorded (step on_spot_decision)
// and the decisions recorded after legal review (office step decision).
func CollectPublications(ctx context.Context, st store.Store, svc *publicity.Service, agency string) (int, error) {
	os, ok := st.(store.OfficeStore)
	if !ok {
		return 0, nil
	}
	recs, err := os.DeadlineCases(ctx, nil)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, rec := range recs {
		d, ok := decisionOfCase(rec, agency)
		if !ok {
			continue
		}
		if _, err := st.PublicationByCase(ctx, rec.Case.ID); err == nil {
			continue
		}
		if _, err := svc.Queue(ctx, d, publicity.System); err != nil {
			if errors.Is(err, publicity.ErrExists) || errors.Is(err, publicity.ErrRefused) {
				continue
			}
			return n, err
		}
		n++
	}
	return n, nil
}

func decisionOfCase(rec store.DeadlineCase, agency string) (publicity.Decision, bool) {
	c := rec.Case
	d := publicity.Decision{CaseID: c.ID, Party: c.Party, PartyKind: c.PartyKind, Agency: agency}
	if d.PartyKind != "org" {
		d.PartyKind = "person"
	}
	for _, e := range rec.Office {
		if e.Step != "decision" {
			continue
		}
		var p ledger.Payload
		var f struct {
			Document struct{ Number string } `json:"document"`
			Proposal review.Proposal         `json:"proposal"`
			Summary  string                  `json:"summary"`
		}
		if json.Unmarshal(e.Payload, &p) != nil || json.Unmarshal(p.Fields, &f) != nil || f.Document.Number == "" {
			continue
		}
		at, _ := ledger.ParseTime(e.DeviceTime)
		d.Source, d.Number, d.Facts = publicity.SourceReview, f.Document.Number, f.Summary
		d.Kind = kindOfProcedure(c.Procedure)
		d.Basis = "见行政执法决定书 " + f.Document.Number
		var ms []string
		for _, m := range f.Proposal.Measures {
			ms = append(ms, review.Measures[m])
		}
		d.Result = strings.Join(ms, "、")
		if f.Proposal.Fine > 0 {
			d.Result += fmt.Sprintf("（罚款 %.2f 元）", f.Proposal.Fine)
		}
		if d.Facts == "" {
			d.Facts = "见行政执法决定书"
		}
		if d.Result == "" {
			d.Result = "见行政执法决定书"
		}
		d.DecidedAt = at.In(publicity.ChinaTime).Format(time.DateOnly)
		return d, true
	}
	for _, st := range rec.Steps {
		if st.Kind != "on_spot_decision" || st.Fields["decision_number"] == "" {
			continue
		}
		f := st.Fields
		d.Source, d.Number, d.Kind = publicity.SourceTerminal, f["decision_number"], publicity.KindPenalty
		d.Facts, d.Basis = f["facts"], f["basis"]
		d.Result = map[string]string{"warning": "警告", "fine": "罚款"}[f["penalty"]]
		if f["penalty"] == "fine" && f["amount"] != "" {
			d.Result += " " + f["amount"] + " 元"
		}
		if f["agency"] != "" {
			d.Agency = f["agency"]
		}
		d.DecidedAt = st.At.In(publicity.ChinaTime).Format(time.DateOnly)
		return d, true
	}
	return d, false
}

func kindOfProcedure(p string) string {
	switch p {
	case "penalty", "penalty-simple":
		return publicity.KindPenalty
	case "permit":
		return publicity.KindPermit
	case "coercion":
		return publicity.KindCoercion
	case "inspection":
		return publicity.KindInspection
	}
	return publicity.KindOther
}

// housekeeping queues new decisions and withdraws expired publications, at
// most every few seconds (the public list also hides expired ones itself).
func (p *publicityPages) housekeeping(ctx context.Context, collect bool) {
	p.mu.Lock()
	now := p.s.cfg.Now()
	doCollect := collect && now.Sub(p.lastCollect) > 5*time.Second
	doSweep := now.Sub(p.lastSweep) > time.Minute
	if doCollect {
		p.lastCollect = now
	}
	if doSweep {
		p.lastSweep = now
	}
	p.mu.Unlock()
	if doCollect {
		if _, err := CollectPublications(ctx, p.s.st, p.svc, p.s.agencyName(ctx)); err != nil {
			p.s.log.Error("publicity: collecting decisions", "err", err)
		}
	}
	if doSweep {
		if _, err := p.svc.Sweep(ctx); err != nil {
			p.s.log.Error("publicity: withdrawing expired publications", "err", err)
		}
	}
}

func (s *Server) agencyName(ctx context.Context) string {
	if s.cfg.Agency != "" {
		return s.cfg.Agency
	}
	a, _ := s.st.Setting(ctx, "agency")
	return a
}

// ---- public pages ----

const publicPageSize = 20

type publicListData struct {
	Agency             string
	Items              []publicItem
	Total, Page, Pages int
	Number, Org, Date  string
	Searched           bool
	PrevURL, NextURL   string
	Now                time.Time
}

type publicItem struct {
	ID int64
	publicity.PublicFields
	Corrected bool
}

func itemOf(d publicity.Decision) publicItem {
	it := publicItem{ID: d.ID, Corrected: len(d.Notices) > 0}
	if d.Public != nil {
		it.PublicFields = *d.Public
	}
	return it
}

// renderPublic writes a public page: no session, no cookie, cacheable for a minute.
func (p *publicityPages) renderPublic(w http.ResponseWriter, status int, page string, data any) error {
	pt, ok := p.s.pages[page]
	if !ok {
		return fmt.Errorf("no page template %q", page)
	}
	var buf bytes.Buffer
	if err := pt.t.ExecuteTemplate(&buf, "doc", data); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=60")
	w.Header().Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

func (p *publicityPages) publicList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p.housekeeping(ctx, false)
	q := r.URL.Query()
	page, _ := strconv.Atoi(q.Get("page"))
	page = max(1, min(page, 10000))
	d := publicListData{Agency: p.s.agencyName(ctx), Number: clip(q.Get("number"), 100), Org: clip(q.Get("org"), 100), Date: clip(q.Get("date"), 10), Page: page}
	if d.Date != "" {
		if _, err := time.Parse(time.DateOnly, d.Date); err != nil {
			d.Date = ""
		}
	}
	d.Searched = d.Number != "" || d.Org != "" || d.Date != ""
	list, total, err := p.s.st.Publications(ctx, publicity.Query{Public: true, Now: p.s.cfg.Now(), Number: d.Number, Org: d.Org, Date: d.Date,
		Limit: publicPageSize, Offset: (page - 1) * publicPageSize})
	if err != nil {
		return err
	}
	for _, x := range list {
		d.Items = append(d.Items, itemOf(x))
	}
	if total == 0 {
		// the query is shown back only when it matched published (redacted)
		// text: a visitor's search for a name or an ID number is not echoed
		d.Number, d.Org = "", ""
	}
	d.Total, d.Pages = total, max(1, (total+publicPageSize-1)/publicPageSize)
	link := func(n int) string {
		v := url.Values{}
		for k, s := range map[string]string{"number": d.Number, "org": d.Org, "date": d.Date} {
			if s != "" {
				v.Set(k, s)
			}
		}
		v.Set("page", strconv.Itoa(n))
		return "/public/decisions?" + v.Encode()
	}
	if page > 1 {
		d.PrevURL = link(page - 1)
	}
	if page < d.Pages {
		d.NextURL = link(page + 1)
	}
	return p.renderPublic(w, http.StatusOK, "public_decisions", d)
}

func clip(s string, n int) string {
	s = strings.TrimSpace(s)
	if r := []rune(s); len(r) > n {
		return string(r[:n])
	}
	return s
}

type publicDecisionData struct {
	Agency      string
	ID          int64
	Item        publicItem
	Published   time.Time
	Notices     []publicity.Notice
	Withdrawn   bool
	WithdrawnAt time.Time
	Reason      string
	Note        string
	Token       string
	Sent        int64
	SentDue     time.Time
	Error       string
	Text        string
	MaxText     int
}

func (p *publicityPages) publicDecision(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p.housekeeping(ctx, false)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return &Error{Status: http.StatusNotFound, Msg: "没有这条公示信息。"}
	}
	d, err := p.s.st.Publication(ctx, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && d.State != publicity.StatePublished && d.State != publicity.StateWithdrawn {
		return &Error{Status: http.StatusNotFound, Msg: "没有这条公示信息。"}
	}
	if err != nil {
		return err
	}
	data := p.decisionData(ctx, d)
	if sent, _ := strconv.ParseInt(r.URL.Query().Get("sent"), 10, 64); sent > 0 {
		data.Sent = sent
	}
	return p.renderPublic(w, http.StatusOK, "public_decisions_item", data)
}

func (p *publicityPages) decisionData(ctx context.Context, d publicity.Decision) publicDecisionData {
	data := publicDecisionData{Agency: p.s.agencyName(ctx), ID: d.ID, MaxText: publicity.MaxCorrection}
	now := p.s.cfg.Now()
	expired := d.State == publicity.StatePublished && !d.ExpiresAt.IsZero() && !now.Before(d.ExpiresAt)
	if d.State == publicity.StateWithdrawn || expired {
		// the notice of withdrawal: the number and why, nothing about the party
		data.Withdrawn, data.WithdrawnAt = true, d.WithdrawnAt
		if expired {
			data.WithdrawnAt, data.Reason = d.ExpiresAt, "expired"
		} else {
			data.Reason, data.Note = d.WithdrawReason, publicity.RedactPlain(d.WithdrawNote, d.Subject())
		}
		if d.Public != nil {
			data.Item.Number, data.Item.Kind, data.Item.Date = d.Public.Number, d.Public.Kind, d.Public.Date
		}
		return data
	}
	data.Item, data.Published, data.Notices = itemOf(d), d.PublishedAt, d.Notices
	data.Token = p.formToken(d.ID, now)
	return data
}

// formToken signs the correction form of one decision with the time it was
// served: the form works without cookies, and a post from another site
// cannot forge it (it is also refused by its Origin).
func (p *publicityPages) formToken(id int64, at time.Time) string {
	ts := strconv.FormatInt(at.Unix(), 10)
	m := hmac.New(sha256.New, p.key)
	fmt.Fprintf(m, "%d|%s", id, ts)
	return ts + "." + hex.EncodeToString(m.Sum(nil))
}

func (p *publicityPages) tokenOK(id int64, tok string, now time.Time) bool {
	ts, _, ok := strings.Cut(tok, ".")
	if !ok {
		return false
	}
	n, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	age := now.Sub(time.Unix(n, 0))
	if age < 0 || age > 2*time.Hour {
		return false
	}
	return hmac.Equal([]byte(tok), []byte(p.formToken(id, time.Unix(n, 0))))
}

// Correction requests per address: at most this many in the window.
const (
	correctionBurst  = 5
	correctionWindow = time.Hour
)

func (p *publicityPages) allowPost(remote string, now time.Time) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	var keep []time.Time
	for _, t := range p.posts[remote] {
		if now.Sub(t) < correctionWindow {
			keep = append(keep, t)
		}
	}
	if len(p.posts) > 10000 { // forget the oldest addresses rather than grow
		p.posts = map[string][]time.Time{}
	}
	if len(keep) >= correctionBurst {
		p.posts[remote] = keep
		return false
	}
	p.posts[remote] = append(keep, now)
	return true
}

func (p *publicityPages) sameOrigin(r *http.Request) bool {
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil {
			return false
		}
		if u.Host == r.Host {
			return true
		}
		for _, ok := range p.s.cfg.Options.Origins {
			if strings.EqualFold(strings.TrimSuffix(ok, "/"), o) {
				return true
			}
		}
		return false
	}
	return r.Header.Get("Sec-Fetch-Site") != "cross-site"
}

func (p *publicityPages) correction(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	now := p.s.cfg.Now()
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return &Error{Status: http.StatusNotFound, Msg: "没有这条公示信息。"}
	}
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		return &Error{Status: http.StatusRequestEntityTooLarge, Msg: "申请内容过长。"}
	}
	if !p.sameOrigin(r) || !p.tokenOK(id, r.PostFormValue("token"), now) {
		_ = p.s.st.RecordSecurityEvent(ctx, store.SecurityEvent{At: now, Remote: remoteIP(r), Kind: "web_csrf", Detail: "公示更正申请表单缺少令牌或来源无效"})
		return &Error{Status: http.StatusForbidden, Msg: "表单已过期或来源不正确，请刷新页面后重新提交。"}
	}
	if !p.allowPost(remoteIP(r), now) {
		w.Header().Set("Retry-After", "3600")
		return &Error{Status: http.StatusTooManyRequests, Msg: "提交过于频繁，请一小时后再试。"}
	}
	c, err := p.svc.RequestCorrection(ctx, id, r.PostFormValue("text"), r.PostFormValue("contact"), remoteIP(r))
	if errors.Is(err, publicity.ErrNotFound) || errors.Is(err, store.ErrNotFound) {
		return &Error{Status: http.StatusNotFound, Msg: "没有这条公示信息。"}
	}
	if errors.Is(err, publicity.ErrRefused) {
		d, derr := p.s.st.Publication(ctx, id)
		if derr != nil {
			return derr
		}
		data := p.decisionData(ctx, d)
		data.Error = strings.TrimPrefix(err.Error(), publicity.ErrRefused.Error()+": ")
		data.Text = clip(r.PostFormValue("text"), publicity.MaxCorrection)
		return p.renderPublic(w, http.StatusBadRequest, "public_decisions_item", data)
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/public/decisions/%d?sent=%d#correction", id, c.ID), http.StatusSeeOther)
	return nil
}

func (p *publicityPages) baseURL(r *http.Request) string {
	if u, _ := p.s.st.Setting(r.Context(), "public_url"); u != "" {
		return strings.TrimSuffix(u, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

type atomFeed struct {
	XMLName xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Title   string      `xml:"title"`
	ID      string      `xml:"id"`
	Updated string      `xml:"updated"`
	Link    []atomLink  `xml:"link"`
	Author  atomAuthor  `xml:"author"`
	Entries []atomEntry `xml:"entry"`
}

type atomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr,omitempty"`
}

type atomAuthor struct {
	Name string `xml:"name"`
}

type atomEntry struct {
	Title   string   `xml:"title"`
	ID      string   `xml:"id"`
	Updated string   `xml:"updated"`
	Link    atomLink `xml:"link"`
	Summary string   `xml:"summary"`
}

func (p *publicityPages) feed(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	list, _, err := p.s.st.Publications(ctx, publicity.Query{Public: true, Now: p.s.cfg.Now(), Limit: 50})
	if err != nil {
		return err
	}
	base := p.baseURL(r)
	agency := p.s.agencyName(ctx)
	f := atomFeed{Title: agency + " 行政执法决定公示", ID: base + "/public/decisions", Author: atomAuthor{Name: agency},
		Link: []atomLink{{Href: base + "/public/decisions/feed.atom", Rel: "self"}, {Href: base + "/public/decisions"}}}
	f.Updated = p.s.cfg.Now().UTC().Format(time.RFC3339)
	for i, d := range list {
		it := itemOf(d)
		at := d.PublishedAt
		if n := len(d.Notices); n > 0 {
			at = d.Notices[n-1].At
		}
		if i == 0 {
			f.Updated = at.UTC().Format(time.RFC3339)
		}
		link := fmt.Sprintf("%s/public/decisions/%d", base, d.ID)
		f.Entries = append(f.Entries, atomEntry{Title: it.Number + " " + it.Party, ID: link, Updated: at.UTC().Format(time.RFC3339), Link: atomLink{Href: link},
			Summary: fmt.Sprintf("%s。%s：%s。依据：%s。结果：%s。%s %s", it.Kind, it.Party, it.Facts, it.Basis, it.Result, it.Agency, it.Date)})
	}
	out, err := xml.MarshalIndent(f, "", " ")
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/atom+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=60")
	_, err = w.Write(append([]byte(xml.Header), out...))
	return err
}

func (p *publicityPages) sitemap(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	list, err := p.s.st.PublishedIndex(ctx, p.s.cfg.Now())
	if err != nil {
		return err
	}
	if len(list) > 49999 { // one sitemap file holds 50,000 addresses
		list = list[:49999]
	}
	base := p.baseURL(r)
	var b strings.Builder
	b.WriteString(xml.Header + `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	fmt.Fprintf(&b, "<url><loc>%s/public/decisions</loc></url>\n", base)
	for _, d := range list {
		fmt.Fprintf(&b, "<url><loc>%s/public/decisions/%d</loc><lastmod>%s</lastmod></url>\n", base, d.ID, d.PublishedAt.In(publicity.ChinaTime).Format(time.DateOnly))
	}
	b.WriteString("</urlset>\n")
	w.Header().Set("Content-Type", "application/xml; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, err = w.Write([]byte(b.String()))
	return err
}

// ---- staff pages ----

var publicityStates = []publicity.Option{
	{Value: publicity.StateQueued, Label: "待审核"},
	{Value: publicity.StatePublished, Label: "已公示"},
	{Value: publicity.StateNotPublished, Label: "不予公开"},
	{Value: publicity.StateWithdrawn, Label: "已撤下"},
	{Value: "all", Label: "全部"},
}

type queueRow struct {
	D        publicity.Decision
	Party    string
	Deadline deadline.Deadline
	State    string // of the deadline
	HasDue   bool
}

type queueData struct {
	State       string
	States      []publicity.Option
	Rows        []queueRow
	Total       int
	Corrections []publicity.Correction
}

func (p *publicityPages) actor(r *http.Request) publicity.Actor {
	a := SessionOf(r).Account
	return publicity.Actor{Username: a.Username, Name: a.Name, Role: string(SessionOf(r).Role())}
}

func (p *publicityPages) queue(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	p.housekeeping(ctx, true)
	state := r.URL.Query().Get("state")
	if state == "" {
		state = publicity.StateQueued
	}
	q := publicity.Query{Limit: 200}
	if state != "all" {
		q.States = []string{state}
	}
	list, total, err := p.s.st.Publications(ctx, q)
	if err != nil {
		return err
	}
	d := queueData{State: state, States: publicityStates, Total: total}
	c := publicityCalendar(ctx, p.svc.Cal)
	now := p.s.cfg.Now()
	for _, x := range list {
		row := queueRow{D: x, Party: publicity.PreviewOf(x).Party.Text}
		if dl, ok := publicity.Deadline(x, c); ok {
			row.Deadline, row.State, row.HasDue = dl, dl.State(now), true
		}
		d.Rows = append(d.Rows, row)
	}
	if d.Corrections, err = p.s.st.Corrections(ctx, 0, true); err != nil {
		return err
	}
	return p.s.Render(w, r, "publicity_queue", "决定公示", d)
}

func publicityCalendar(ctx context.Context, f func(context.Context) *workday.Calendar) *workday.Calendar {
	if f == nil {
		return workday.Default()
	}
	return f(ctx)
}

type itemData struct {
	D           publicity.Decision
	Preview     publicity.Preview
	Deadline    deadline.Deadline
	DueState    string
	HasDue      bool
	Grounds     []publicity.Option
	Reasons     []publicity.Option
	Corrections []publicity.Correction
	Kinds       map[string]string
}

func (p *publicityPages) item(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	d, err := p.load(r)
	if err != nil {
		return err
	}
	data := itemData{D: d, Preview: publicity.PreviewOf(d), Grounds: publicity.Grounds, Reasons: publicity.WithdrawReasons, Kinds: publicity.KindLabels}
	if dl, ok := publicity.Deadline(d, publicityCalendar(ctx, p.svc.Cal)); ok {
		data.Deadline, data.DueState, data.HasDue = dl, dl.State(p.s.cfg.Now()), true
	}
	if data.Corrections, err = p.s.st.Corrections(ctx, d.ID, false); err != nil {
		return err
	}
	return p.s.Render(w, r, "publicity_item", "公示审核 "+d.Number, data)
}

func (p *publicityPages) load(r *http.Request) (publicity.Decision, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return publicity.Decision{}, &Error{Status: http.StatusNotFound, Msg: "没有这条公示记录。"}
	}
	d, err := p.s.st.Publication(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return d, &Error{Status: http.StatusNotFound, Msg: "没有这条公示记录。"}
	}
	return d, err
}

func publicityError(err error) error {
	switch {
	case errors.Is(err, publicity.ErrRefused):
		return &Error{Status: http.StatusConflict, Msg: "未执行：" + strings.TrimPrefix(err.Error(), publicity.ErrRefused.Error()+": ")}
	case errors.Is(err, publicity.ErrRole):
		return &Error{Status: http.StatusForbidden, Msg: "无权执行此操作。"}
	case errors.Is(err, store.ErrNotFound):
		return &Error{Status: http.StatusNotFound, Msg: "没有这条公示记录。"}
	}
	return err
}

func (p *publicityPages) act(w http.ResponseWriter, r *http.Request, done string, fn func(ctx context.Context, id int64, by publicity.Actor) error) error {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return &Error{Status: http.StatusNotFound, Msg: "没有这条公示记录。"}
	}
	if err := fn(r.Context(), id, p.actor(r)); err != nil {
		return publicityError(err)
	}
	return p.s.redirect(w, r, fmt.Sprintf("/publicity/%d", id), done)
}

func (p *publicityPages) approve(w http.ResponseWriter, r *http.Request) error {
	return p.act(w, r, "已审核并公开", func(ctx context.Context, id int64, by publicity.Actor) error {
		_, err := p.svc.Approve(ctx, id, by, r.PostFormValue("note"))
		return err
	})
}

func (p *publicityPages) notPublish(w http.ResponseWriter, r *http.Request) error {
	return p.act(w, r, "已记录不予公开", func(ctx context.Context, id int64, by publicity.Actor) error {
		_, err := p.svc.NotPublish(ctx, id, r.PostFormValue("ground"), r.PostFormValue("note"), by)
		return err
	})
}

func (p *publicityPages) edit(w http.ResponseWriter, r *http.Request) error {
	return p.act(w, r, "摘要已保存", func(ctx context.Context, id int64, by publicity.Actor) error {
		_, err := p.svc.Edit(ctx, id, r.PostFormValue("facts"), r.PostFormValue("basis"), r.PostFormValue("result"), by)
		return err
	})
}

func (p *publicityPages) withdraw(w http.ResponseWriter, r *http.Request) error {
	return p.act(w, r, "已撤下，公示页面保留撤下说明", func(ctx context.Context, id int64, by publicity.Actor) error {
		_, err := p.svc.Withdraw(ctx, id, r.PostFormValue("reason"), r.PostFormValue("note"), by)
		return err
	})
}

func (p *publicityPages) answer(w http.ResponseWriter, r *http.Request) error {
	cid, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return &Error{Status: http.StatusNotFound, Msg: "没有这条更正申请。"}
	}
	c, err := p.svc.AnswerCorrection(r.Context(), cid, r.PostFormValue("answer"), r.PostFormValue("corrected") == "1",
		r.PostFormValue("facts"), r.PostFormValue("basis"), r.PostFormValue("result"), r.PostFormValue("notice"), p.actor(r))
	if err != nil {
		return publicityError(err)
	}
	return p.s.redirect(w, r, fmt.Sprintf("/publicity/%d", c.DecisionID), "已书面答复更正申请")
}

// ---- template helpers ----

func init() {
	funcs["pubKind"] = func(k string) string { return publicity.KindNames[k] }
	funcs["pubState"] = func(s string) string { return publicity.StateNames[s] }
	funcs["pubGround"] = func(g string) string { return publicity.Label(publicity.Grounds, g) }
	funcs["pubReason"] = func(g string) string { return publicity.Label(publicity.WithdrawReasons, g) }
	funcs["removedKind"] = func(k string) string { return publicity.KindLabels[k] }
	funcs["segments"] = func(r publicity.Redacted) template.HTML {
		var b strings.Builder
		for _, s := range r.Segments {
			if s.Kind == "" {
				b.WriteString(template.HTMLEscapeString(s.Text))
				continue
			}
			fmt.Fprintf(&b, `<mark class="removed" title="已隐去的%s"><del>%s</del> → <ins>%s</ins></mark>`,
				template.HTMLEscapeString(publicity.KindLabels[s.Kind]), template.HTMLEscapeString(s.Original), template.HTMLEscapeString(s.Text))
		}
		return template.HTML(b.String())
	}
	funcs["removedCount"] = func(pv publicity.Preview) int {
		n := 0
		for _, r := range []publicity.Redacted{pv.Number, pv.Party, pv.Facts, pv.Basis, pv.Result, pv.Agency} {
			n += len(r.Removed())
		}
		return n
	}
}
