package web

import (
	"html/template"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"lawtrace/backend/internal/store"
)

// The security log (安全日志, SPEC S6): the refusals of the sync server and
// of these pages, a filtered page at a time from the store, with a CSV of
// the filtered events (issue 15), and the administrators' recent actions.

func init() { auditActions["security_export"] = "导出安全日志" }

type securityData struct {
	Events []store.SecurityEvent
	Filter securityFilter
	Kinds  []option
	Pager  pager
	CSV    template.URL
	Audit  []store.AuditRecord
}

// securityFilter is the query of the security log: the kind, a part of the
// device id, a part of the source address and the days (China time).
type securityFilter struct{ Kind, Device, Remote, From, To string }

func (f securityFilter) query() url.Values {
	q := url.Values{}
	for k, v := range map[string]string{"kind": f.Kind, "device": f.Device, "remote": f.Remote, "from": f.From, "to": f.To} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

// securityQuery reads the security log's filter from a request.
func securityQuery(q url.Values) (securityFilter, store.SecurityFilter, error) {
	f := securityFilter{Kind: q.Get("kind"), Device: strings.TrimSpace(q.Get("device")), Remote: strings.TrimSpace(q.Get("remote")),
		From: strings.TrimSpace(q.Get("from")), To: strings.TrimSpace(q.Get("to"))}
	for _, v := range []*string{&f.Device, &f.Remote} {
		*v = clip(*v, store.MaxSecurityField)
	}
	sf := store.SecurityFilter{Kind: f.Kind, Device: f.Device, Remote: f.Remote}
	var err error
	sf.From, sf.To, err = dayRange(f.From, f.To)
	return f, sf, err
}

// securityKindOptions are the kinds the filter offers, by their Chinese names.
func securityKindOptions() []option {
	var out []option
	for k, label := range securityKinds {
		out = append(out, option{k, label})
	}
	slices.SortFunc(out, func(a, b option) int { return strings.Compare(a.Label, b.Label) })
	return out
}

func (s *Server) securityPage(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	f, sf, err := securityQuery(q)
	if err != nil {
		return err
	}
	if q.Get("format") == "csv" {
		return s.securityCSV(w, r, sf)
	}
	p := newPager(q, 0, 50)
	offset, limit := p.offset()
	evs, total, err := s.st.SecurityEventPage(r.Context(), sf, store.Page{Offset: offset, Limit: limit})
	if err != nil {
		return err
	}
	p = newPager(q, total, 50)
	if last, _ := p.offset(); last != offset { // asked past the last page: show the last one
		if evs, _, err = s.st.SecurityEventPage(r.Context(), sf, store.Page{Offset: last, Limit: limit}); err != nil {
			return err
		}
	}
	audit, err := s.st.AuditRecords(r.Context(), 200)
	if err != nil {
		return err
	}
	csvQuery := f.query()
	csvQuery.Set("format", "csv")
	return s.Render(w, r, "security", "安全日志", securityData{Events: evs, Filter: f, Kinds: securityKindOptions(), Pager: p,
		CSV: template.URL("/admin/security?" + csvQuery.Encode()), Audit: audit})
}

// securityCSV exports every event the filter selects.
func (s *Server) securityCSV(w http.ResponseWriter, r *http.Request, f store.SecurityFilter) error {
	evs, _, err := s.st.SecurityEventPage(r.Context(), f, store.Page{})
	if err != nil {
		return err
	}
	s.audit(r, "security_export", "", "导出 "+itoa(int64(len(evs)))+" 条安全事件")
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="security-log-`+s.cfg.Now().In(chinaTime).Format("20060102-150405")+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := newCSV(w)
	cw.row("编号", "首次时间", "最近时间", "次数", "类型", "类型代码", "设备", "来源地址", "详情")
	for _, ev := range evs {
		cw.row(itoa(ev.ID), cstText(ev.At), cstText(ev.LastAt), itoa(int64(ev.Repeats)), securityKindLabel(ev.Kind), ev.Kind, ev.DeviceID, ev.Remote, ev.Detail)
	}
	return cw.flush()
}
