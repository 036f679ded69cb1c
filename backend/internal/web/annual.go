package web

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"lawtrace/shared/enforce"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"lawtrace/backend/internal/publicity"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/deadline"
	"lawtrace/shared/paper"
)

// The annual statistics (行政执法数据年度统计, SPEC P6, D5, issue 11): staff
// generate a year's report from the data on /publicity/annual, a reviewer
// or supervisor approves what they previewed (000-publicity §23), and the
// public reads it at /public/statistics/{year} and as a PDF, by the
// agency's deadline (1月20日前 by 001, or 1月31日前 by 002-publicity §9 as a
// setting). The administrator's publicity settings — the withdrawal
// period of natural persons' penalties and that day — are on
// /admin/publicity-settings, recorded in the audit log.

type annualPages struct {
	s   *Server
	svc *publicity.Service

	mu   sync.Mutex
	pdfs map[string][]byte // year|published-at -> PDF
}

func init() {
	AddPages(func(s *Server) []Route {
		a := &annualPages{s: s, svc: PublicityService(s.st, s.cfg.Now), pdfs: map[string][]byte{}}
		return []Route{
			{Method: "GET", Path: "/public/statistics", Public: true, Handler: a.publicList},
			{Method: "GET", Path: "/public/statistics/{year}", Public: true, Handler: a.publicPage},
			{Method: "GET", Path: "/public/statistics/{year}/report.pdf", Public: true, Handler: a.publicPDF},

			{Method: "GET", Path: "/publicity/annual", Roles: publicityStaff, Nav: "年度统计", NavOrder: 25, Handler: a.queue},
			{Method: "GET", Path: "/publicity/annual/{year}", Roles: publicityStaff, Handler: a.item},
			{Method: "POST", Path: "/publicity/annual/{year}/generate", Roles: publicityStaff, Handler: a.generate},
			{Method: "POST", Path: "/publicity/annual/{year}/approve", Roles: publicityStaff, Handler: a.approve},

			{Method: "GET", Path: "/admin/publicity-settings", Roles: admins, Nav: "公示设置", NavOrder: 76, Handler: a.settings},
			{Method: "POST", Path: "/admin/publicity-settings", Roles: admins, Handler: a.saveSettings},
		}
	})
	// the monitor's filter knows the publicity deadlines it now lists
	deadlineKinds = append(deadlineKinds, option{publicity.CorrectionKind, "公示信息更正申请答复"}, option{deadline.AnnualReport, "年度统计数据公开"})
}

func yearOf(r *http.Request) (int, error) {
	y, err := strconv.Atoi(r.PathValue("year"))
	if err != nil || y < 1990 || y > 9999 {
		return 0, &Error{Status: http.StatusNotFound, Msg: "没有这一年度的统计。"}
	}
	return y, nil
}

func (a *annualPages) repo() publicity.AnnualRepo { return a.s.st }

// ---- public ----

type annualListData struct {
	Agency  string
	Reports []publicity.AnnualReport
}

func (a *annualPages) publicList(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	all, err := a.repo().AnnualReports(ctx)
	if err != nil {
		return err
	}
	d := annualListData{Agency: a.s.agencyName(ctx)}
	for _, x := range all {
		if x.State == publicity.AnnualPublished && x.Public != nil {
			d.Reports = append(d.Reports, x)
		}
	}
	return (&publicityPages{s: a.s}).renderPublic(w, http.StatusOK, "annual_public", d)
}

// published reads a year's published report; anything else is a 404.
func (a *annualPages) published(r *http.Request) (publicity.AnnualReport, error) {
	y, err := yearOf(r)
	if err != nil {
		return publicity.AnnualReport{}, err
	}
	rep, err := a.repo().AnnualReport(r.Context(), y)
	if errors.Is(err, store.ErrNotFound) || err == nil && (rep.State != publicity.AnnualPublished || rep.Public == nil) {
		return rep, &Error{Status: http.StatusNotFound, Msg: fmt.Sprintf("%d 年度的统计尚未公开。", y)}
	}
	return rep, err
}

type annualPageData struct {
	Agency string
	R      publicity.AnnualReport
	Stats  publicity.AnnualStats
}

func (a *annualPages) publicPage(w http.ResponseWriter, r *http.Request) error {
	rep, err := a.published(r)
	if err != nil {
		return err
	}
	return (&publicityPages{s: a.s}).renderPublic(w, http.StatusOK, "annual_public_item", annualPageData{Agency: a.s.agencyName(r.Context()), R: rep, Stats: *rep.Public})
}

// AnnualPDF prints a published report (its public, redacted form).
func AnnualPDF(rep publicity.AnnualReport, url string) ([]byte, error) {
	if rep.Public == nil {
		return nil, errors.New("the report is not published")
	}
	st := rep.Public
	doc := paper.AnnualReport{Agency: st.Agency, Year: rep.Year, Note: rep.PublicNote, Missing: st.NotRecorded, Published: rep.PublishedAt, URL: url}
	for _, sec := range st.Sections {
		ps := paper.AnnualSection{Title: sec.Title, Basis: sec.Basis, Note: sec.Note}
		for _, l := range sec.Lines {
			ps.Lines = append(ps.Lines, paper.AnnualLine{Label: l.Label, Count: l.Count, Amount: l.Amount, Sub: l.Sub})
		}
		doc.Sections = append(doc.Sections, ps)
	}
	var buf bytes.Buffer
	if err := paper.RenderAnnual(&buf, doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (a *annualPages) publicPDF(w http.ResponseWriter, r *http.Request) error {
	rep, err := a.published(r)
	if err != nil {
		return err
	}
	url := (&publicityPages{s: a.s}).baseURL(r) + fmt.Sprintf("/public/statistics/%d", rep.Year)
	key := fmt.Sprintf("%d|%d|%s", rep.Year, rep.PublishedAt.UnixNano(), url)
	a.mu.Lock()
	pdf, ok := a.pdfs[key]
	a.mu.Unlock()
	if !ok {
		if pdf, err = AnnualPDF(rep, url); err != nil {
			return err
		}
		a.mu.Lock()
		if len(a.pdfs) > 64 {
			a.pdfs = map[string][]byte{}
		}
		a.pdfs[key] = pdf
		a.mu.Unlock()
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="annual-statistics-%d.pdf"`, rep.Year))
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Header().Set("Referrer-Policy", "no-referrer")
	_, err = w.Write(pdf)
	return err
}

// ---- staff ----

type annualRow struct {
	Year     int
	Deadline deadline.Deadline
	State    string // of the deadline
	Report   *publicity.AnnualReport
}

type annualQueueData struct {
	Rows    []annualRow
	Setting deadline.Settings
	Day     int
}

func (a *annualPages) queue(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	dls, err := a.svc.AnnualDeadlines(ctx)
	if err != nil {
		return err
	}
	reports, err := a.repo().AnnualReports(ctx)
	if err != nil {
		return err
	}
	byYear := map[int]*publicity.AnnualReport{}
	for i := range reports {
		byYear[reports[i].Year] = &reports[i]
	}
	set := a.svc.AnnualSettings(ctx)
	d := annualQueueData{Setting: set, Day: deadline.AnnualDay(set.AnnualDue)}
	now := a.s.cfg.Now()
	seen := map[int]bool{}
	for i := len(dls) - 1; i >= 0; i-- { // newest year first
		dl := dls[i]
		y, _ := strconv.Atoi(dl.Subject)
		seen[y] = true
		d.Rows = append(d.Rows, annualRow{Year: y, Deadline: dl, State: dl.State(now), Report: byYear[y]})
	}
	if last := now.In(publicity.ChinaTime).Year() - 1; !seen[last] { // no data yet: the year can still be reported
		dl := deadline.Annual(last, set, time.Time{})
		d.Rows = append([]annualRow{{Year: last, Deadline: dl, State: dl.State(now), Report: byYear[last]}}, d.Rows...)
		seen[last] = true
	}
	for _, rep := range reports {
		if !seen[rep.Year] {
			dl := deadline.Annual(rep.Year, set, rep.PublishedAt)
			d.Rows = append(d.Rows, annualRow{Year: rep.Year, Deadline: dl, State: dl.State(now), Report: byYear[rep.Year]})
		}
	}
	return a.s.Render(w, r, "annual_queue", "年度统计", d)
}

type annualItemData struct {
	Year     int
	R        *publicity.AnnualReport
	Preview  *publicity.AnnualStats
	Deadline deadline.Deadline
	DueState string
	Over     bool
}

func (a *annualPages) item(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	y, err := yearOf(r)
	if err != nil {
		return err
	}
	d := annualItemData{Year: y}
	rep, err := a.repo().AnnualReport(ctx, y)
	switch {
	case err == nil:
		d.R = &rep
		pv := publicity.PublicAnnual(rep.Stats)
		d.Preview = &pv
	case !errors.Is(err, store.ErrNotFound):
		return err
	}
	now := a.s.cfg.Now()
	d.Deadline = deadline.Annual(y, a.svc.AnnualSettings(ctx), rep.PublishedAt)
	d.DueState, d.Over = d.Deadline.State(now), !now.Before(d.Deadline.Start)
	return a.s.Render(w, r, "annual_item", fmt.Sprintf("%d 年度统计", y), d)
}

func (a *annualPages) generate(w http.ResponseWriter, r *http.Request) error {
	y, err := yearOf(r)
	if err != nil {
		return err
	}
	pa := &publicityPages{s: a.s}
	if _, err := a.svc.GenerateAnnual(r.Context(), y, a.s.agencyName(r.Context()), r.PostFormValue("note"), pa.actor(r)); err != nil {
		return publicityError(err)
	}
	return a.s.redirect(w, r, fmt.Sprintf("/publicity/annual/%d", y), "统计已生成，待审核")
}

func (a *annualPages) approve(w http.ResponseWriter, r *http.Request) error {
	y, err := yearOf(r)
	if err != nil {
		return err
	}
	pa := &publicityPages{s: a.s}
	if _, err := a.svc.ApproveAnnual(r.Context(), y, pa.actor(r), r.PostFormValue("note")); err != nil {
		return publicityError(err)
	}
	return a.s.redirect(w, r, fmt.Sprintf("/publicity/annual/%d", y), "已审核并公开")
}

// ---- the administrator's publicity settings ----

type publicitySettingsData struct {
	PersonYears int
	AnnualDue   string
	Years       []int
}

func (a *annualPages) settings(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	d := publicitySettingsData{PersonYears: PublicityPersonYears(ctx, a.s.st), AnnualDue: a.svc.AnnualSettings(ctx).AnnualDue, Years: []int{1, 2, 3, 4, 5}}
	return a.s.Render(w, r, "publicity_settings", "公示设置", d)
}

// PublicityPersonYears is the withdrawal period of natural persons'
// penalties in force (publicity.PersonYearsSetting, 1-5, default 2).
func PublicityPersonYears(ctx context.Context, st store.Store) int {
	v, _ := st.Setting(ctx, publicity.PersonYearsSetting)
	if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && n >= 1 && n <= publicity.Years {
		return n
	}
	return publicity.PersonYearsDefault
}

// SetPublicitySettings validates and stores the publicity settings; an
// empty value leaves a setting as it is. It returns the audit detail.
func SetPublicitySettings(ctx context.Context, st store.Store, personYears, annualDue string) (string, error) {
	var detail []string
	if personYears = strings.TrimSpace(personYears); personYears != "" {
		n, err := strconv.Atoi(personYears)
		if err != nil || n < 1 || n > publicity.Years {
			return "", fmt.Errorf("%w: 自然人行政处罚信息的公开期限为 1 至 %d 年（%s）", publicity.ErrRefused, publicity.Years, enforce.Cite("000-publicity §21"))
		}
		if err := st.SetSetting(ctx, publicity.PersonYearsSetting, strconv.Itoa(n)); err != nil {
			return "", err
		}
		detail = append(detail, fmt.Sprintf("%s=%d", publicity.PersonYearsSetting, n))
	}
	if annualDue = strings.TrimSpace(annualDue); annualDue != "" {
		if annualDue != deadline.AnnualJan20 && annualDue != deadline.AnnualJan31 {
			return "", fmt.Errorf("%w: 年度统计公开日期只能是 1 月 20 日（%s）或 1 月 31 日（%s）", publicity.ErrRefused, enforce.Cite("001"), enforce.Cite("002-publicity §9"))
		}
		if err := st.SetSetting(ctx, publicity.AnnualDueSetting, annualDue); err != nil {
			return "", err
		}
		detail = append(detail, fmt.Sprintf("%s=%s", publicity.AnnualDueSetting, annualDue))
	}
	return strings.Join(detail, " "), nil
}

func (a *annualPages) saveSettings(w http.ResponseWriter, r *http.Request) error {
	detail, err := SetPublicitySettings(r.Context(), a.s.st, r.PostFormValue("person_years"), r.PostFormValue("annual_due"))
	if err != nil {
		return publicityError(err)
	}
	a.s.audit(r, "settings_publicity", "", detail)
	return a.s.redirect(w, r, "/admin/publicity-settings", "公示设置已保存。")
}
