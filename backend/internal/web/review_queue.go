package web

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"lawtrace/backend/internal/reviewsrv"
	"lawtrace/backend/internal/store"
)

// The review queue (法制审核, issue 15): the cases with an office chain the
// account may see, a filtered page at a time from the queue's read model
// (party, case number, officer, days opened, state), and a CSV of the
// filtered cases, which is a row of the access register like every export
// of case data.

type reviewQueueData struct {
	Items  []reviewsrv.QueueItem
	Types  map[string]string // procedure names by id
	States []option
	Filter reviewQueueFilter
	Pager  pager
	CSV    template.URL
	Label  func(string) string
}

// reviewQueueFilter is the queue's query as the form shows it.
type reviewQueueFilter struct{ State, Party, Case, Officer, From, To string }

func (f reviewQueueFilter) query() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"state": f.State, "party": f.Party, "case": f.Case, "officer": f.Officer, "from": f.From, "to": f.To} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// describe says in words what the filter selects, for the register.
func (f reviewQueueFilter) describe() string {
	var parts []string
	for _, p := range []struct{ label, value string }{{"审核状态", reviewStateLabel(f.State)}, {"当事人含", f.Party}, {"案件编号含", f.Case},
		{"执法人员", f.Officer}, {"开始日期自", f.From}, {"开始日期至", f.To}} {
		if p.value != "" {
			parts = append(parts, p.label+printable(p.value))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "（" + strings.Join(parts, "，") + "）"
}

func reviewQueueQuery(q url.Values) (reviewQueueFilter, reviewsrv.QueueFilter, error) {
	f := reviewQueueFilter{State: q.Get("state"), Party: clip(strings.TrimSpace(q.Get("party")), 100), Case: clip(strings.TrimSpace(q.Get("case")), 100),
		Officer: clip(strings.TrimSpace(q.Get("officer")), store.MaxCertChars), From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to"))}
	qf := reviewsrv.QueueFilter{State: f.State, Party: f.Party, Case: f.Case, Officer: f.Officer}
	var err error
	qf.From, qf.To, err = dayRange(f.From, f.To)
	return f, qf, err
}

func (p *reviewPages) queue(w http.ResponseWriter, r *http.Request) error {
	p.s.learnReviewRules(r.Context())
	q := r.URL.Query()
	f, qf, err := reviewQueueQuery(q)
	if err != nil {
		return err
	}
	u := userOf(SessionOf(r))
	if q.Get("format") == "csv" {
		return p.queueCSV(w, r, f, qf)
	}
	pg := newPager(q, 0, 50)
	offset, limit := pg.offset()
	items, total, err := p.svc.QueuePage(r.Context(), u, qf, store.Page{Offset: offset, Limit: limit})
	if err != nil {
		return pageError(err)
	}
	pg = newPager(q, total, 50)
	if last, _ := pg.offset(); last != offset { // asked past the last page: show the last one
		if items, _, err = p.svc.QueuePage(r.Context(), u, qf, store.Page{Offset: last, Limit: limit}); err != nil {
			return pageError(err)
		}
	}
	types, err := p.procedureNames(r, items)
	if err != nil {
		return err
	}
	csvQuery := f.query()
	csvQuery.Set("format", "csv")
	return p.s.Render(w, r, "review", "法制审核", reviewQueueData{Items: items, Types: types, States: reviewStates, Filter: f, Pager: pg,
		CSV: template.URL("/review?" + csvQuery.Encode()), Label: reviewStateLabel})
}

// procedureNames names the procedures of the listed cases.
func (p *reviewPages) procedureNames(r *http.Request, items []reviewsrv.QueueItem) (map[string]string, error) {
	cat, err := p.s.catalog(r.Context())
	if err != nil {
		return nil, err
	}
	types := map[string]string{}
	for _, it := range items {
		types[it.Procedure] = cat.procedureName(it.Procedure)
	}
	return types, nil
}

// queueCSV exports every case of the queue the filter selects.
func (p *reviewPages) queueCSV(w http.ResponseWriter, r *http.Request, f reviewQueueFilter, qf reviewsrv.QueueFilter) error {
	items, _, err := p.svc.QueuePage(r.Context(), userOf(SessionOf(r)), qf, store.Page{})
	if err != nil {
		return pageError(err)
	}
	types, err := p.procedureNames(r, items)
	if err != nil {
		return err
	}
	if _, err := p.s.logAccess(r, store.AccessRecord{Action: store.AccessExport,
		Reason: "导出法制审核案件 " + itoa(int64(len(items))) + " 件" + f.describe()}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="review-queue-`+p.s.cfg.Now().In(chinaTime).Format("20060102-150405")+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := newCSV(w)
	cw.row("案件编号", "当事人", "执法类型", "审核状态", "送审次数", "拟作出的决定", "审核期限", "已逾期", "已延长", "期限已按节假日核实")
	yes := func(b bool) string {
		if b {
			return "是"
		}
		return "否"
	}
	for _, it := range items {
		cw.row(it.CaseID, it.Party, types[it.Procedure], reviewStateLabel(it.State), itoa(int64(it.Rounds)), reviewText(it.Summary), it.Due,
			yes(it.Overdue), yes(it.Extended), yes(it.Due == "" || it.DueVerified))
	}
	return cw.flush()
}
