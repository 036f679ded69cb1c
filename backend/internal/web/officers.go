package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strings"
	"time"

	"lawtrace/backend/internal/store"
	"lawtrace/shared/enforce"
	"lawtrace/shared/syncproto"
)

// Officers and credentials (SPEC D4): each change is published as a new
// version of the officer in the down-sync catalog, so terminals get it on
// their next sync (a live terminal is told at once); an expired or
// suspended credential cannot be used on a new case.

// OfficerView is an officer with the credential's state today.
type OfficerView struct {
	enforce.Officer
	Version   int
	Problem   string
	Expiring  bool // expires within 30 days
	Published time.Time
}

type unitView struct {
	Name           string
	Officers       int
	Valid          int
	ExpiringOrGone int
}

type officersData struct {
	Officers []OfficerView
	Units    []unitView
	UnitList []string
	Filter   string
	Error    string
	Form     enforce.Officer
}

func (s *Server) officerViews(r *http.Request) ([]OfficerView, error) {
	vs, err := s.st.CatalogVersions(r.Context(), syncproto.KindOfficer)
	if err != nil {
		return nil, err
	}
	latest := map[string]OfficerView{}
	today := s.cfg.Now().In(chinaTime)
	for _, v := range vs {
		var o enforce.Officer
		if json.Unmarshal(v.Body, &o) != nil {
			continue
		}
		ov := OfficerView{Officer: o, Version: v.Version, Published: v.CreatedAt, Problem: credentialProblem(o, today)}
		if exp, err := time.ParseInLocation(enforce.DateLayout, o.Expires, chinaTime); err == nil && ov.Problem == "" && exp.Sub(today) < 30*24*time.Hour {
			ov.Expiring = true
		}
		if old, ok := latest[v.Key]; !ok || old.Version < v.Version {
			latest[v.Key] = ov
		}
	}
	out := make([]OfficerView, 0, len(latest))
	for _, o := range latest {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Unit != out[j].Unit {
			return out[i].Unit < out[j].Unit
		}
		return out[i].Cert < out[j].Cert
	})
	return out, nil
}

func (s *Server) officersData(r *http.Request) (officersData, error) {
	all, err := s.officerViews(r)
	if err != nil {
		return officersData{}, err
	}
	d := officersData{Filter: r.URL.Query().Get("unit")}
	units := map[string]*unitView{}
	for _, o := range all {
		u := units[o.Unit]
		if u == nil {
			u = &unitView{Name: o.Unit}
			units[o.Unit] = u
			d.UnitList = append(d.UnitList, o.Unit)
		}
		u.Officers++
		if o.Problem == "" {
			u.Valid++
		}
		if o.Problem != "" || o.Expiring {
			u.ExpiringOrGone++
		}
		if d.Filter == "" || d.Filter == o.Unit {
			d.Officers = append(d.Officers, o)
		}
	}
	sort.Strings(d.UnitList)
	for _, name := range d.UnitList {
		d.Units = append(d.Units, *units[name])
	}
	return d, nil
}

func (s *Server) officersPage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.officersData(r)
	if err != nil {
		return err
	}
	return s.Render(w, r, "officers", "执法人员与执法证", d)
}

func officerFromForm(r *http.Request) enforce.Officer {
	return enforce.Officer{
		Name: strings.TrimSpace(r.PostFormValue("name")), Cert: strings.TrimSpace(r.PostFormValue("cert")),
		Unit: strings.TrimSpace(r.PostFormValue("unit")), Category: strings.TrimSpace(r.PostFormValue("category")),
		Area: strings.TrimSpace(r.PostFormValue("area")), Expires: strings.TrimSpace(r.PostFormValue("expires")),
		Suspended: r.PostFormValue("suspended") == "yes",
	}
}

func validCert(c string) bool {
	if c == "" || len(c) > 40 {
		return false
	}
	for _, ch := range c {
		if !(ch >= '0' && ch <= '9' || ch >= 'A' && ch <= 'Z' || ch >= 'a' && ch <= 'z' || ch == '-') {
			return false
		}
	}
	return true
}

func (s *Server) addOfficer(w http.ResponseWriter, r *http.Request) error {
	o := officerFromForm(r)
	fail := func(msg string) error {
		d, err := s.officersData(r)
		if err != nil {
			return err
		}
		d.Error, d.Form = msg, clipOfficer(o)
		return s.renderStatus(w, r, http.StatusBadRequest, "officers", "执法人员与执法证", d)
	}
	if !validCert(o.Cert) {
		return fail("执法证号只能由字母、数字和连字符组成。")
	}
	cat, err := s.catalog(r.Context())
	if err != nil {
		return err
	}
	if _, ok := cat.officers[o.Cert]; ok {
		return fail("执法证号 " + o.Cert + " 已存在，请在列表中编辑。")
	}
	it, err := s.putOfficer(r, o)
	if err != nil {
		var ee *enforce.Error
		if errors.As(err, &ee) {
			return fail(ee.Message)
		}
		return err
	}
	s.audit(r, "officer_add", o.Cert, o.Name+" v"+itoa(int64(it.Version)))
	return s.redirect(w, r, "/admin/officers", "已添加 "+o.Name+"（"+o.Cert+"），终端下次同步时获取。")
}

func (s *Server) putOfficer(r *http.Request, o enforce.Officer) (syncproto.CatalogItem, error) {
	if s.cfg.PutOfficer == nil {
		return syncproto.CatalogItem{}, errors.New("web: no officer function configured")
	}
	if o.Name == "" {
		return syncproto.CatalogItem{}, enforce.Errorf(enforce.EInvalid, "请填写姓名。")
	}
	if err := store.CheckOfficer(o); err != nil { // issue 13 finding 3: a typo must not stop every terminal's sync
		return syncproto.CatalogItem{}, err
	}
	if _, err := time.Parse(enforce.DateLayout, o.Expires); err != nil {
		return syncproto.CatalogItem{}, enforce.Errorf(enforce.EInvalid, "有效期应为日期 YYYY-MM-DD。")
	}
	it, _, err := s.cfg.PutOfficer(r.Context(), o)
	return it, err
}

type officerData struct {
	Officer  OfficerView
	Versions []officerVersion
	UnitList []string
	Error    string
}

type officerVersion struct {
	Version   int
	Published time.Time
	Officer   enforce.Officer
}

func (s *Server) officerData(r *http.Request, cert string) (officerData, error) {
	vs, err := s.st.CatalogVersions(r.Context(), syncproto.KindOfficer)
	if err != nil {
		return officerData{}, err
	}
	var d officerData
	units := map[string]bool{}
	today := s.cfg.Now().In(chinaTime)
	for _, v := range vs {
		var o enforce.Officer
		if json.Unmarshal(v.Body, &o) != nil {
			continue
		}
		if !units[o.Unit] {
			units[o.Unit] = true
			d.UnitList = append(d.UnitList, o.Unit)
		}
		if v.Key != cert {
			continue
		}
		d.Versions = append(d.Versions, officerVersion{Version: v.Version, Published: v.CreatedAt, Officer: o})
		d.Officer = OfficerView{Officer: o, Version: v.Version, Published: v.CreatedAt, Problem: credentialProblem(o, today)}
	}
	sort.Strings(d.UnitList)
	if len(d.Versions) == 0 {
		return d, errNotFound("执法人员")
	}
	sort.Slice(d.Versions, func(i, j int) bool { return d.Versions[i].Version > d.Versions[j].Version })
	return d, nil
}

func (s *Server) officerPage(w http.ResponseWriter, r *http.Request) error {
	d, err := s.officerData(r, r.PathValue("cert"))
	if err != nil {
		return err
	}
	return s.Render(w, r, "officer", "执法人员 "+d.Officer.Name, d)
}

func (s *Server) saveOfficer(w http.ResponseWriter, r *http.Request) error {
	cert := r.PathValue("cert")
	d, err := s.officerData(r, cert)
	if err != nil {
		return err
	}
	o := officerFromForm(r)
	o.Cert = cert
	it, err := s.putOfficer(r, o)
	if err != nil {
		var ee *enforce.Error
		if errors.As(err, &ee) {
			d.Error = ee.Message
			return s.renderStatus(w, r, http.StatusBadRequest, "officer", "执法人员 "+d.Officer.Name, d)
		}
		return err
	}
	if it.Version == d.Officer.Version {
		return s.redirect(w, r, "/admin/officers/"+cert, "没有改动。")
	}
	detail := "第 " + itoa(int64(it.Version)) + " 版"
	if o.Suspended && !d.Officer.Suspended {
		detail += " suspended"
	}
	s.audit(r, "officer_update", cert, detail)
	return s.redirect(w, r, "/admin/officers/"+cert, "已发布第 "+itoa(int64(it.Version))+" 版，终端下次同步时获取。")
}

// clipOfficer cuts what is shown again in a refused form to the limits, so
// a pasted megabyte is not sent back (issue 13 finding 3).
func clipOfficer(o enforce.Officer) enforce.Officer {
	o.Name, o.Cert = clip(o.Name, store.MaxPersonNameChars), clip(o.Cert, store.MaxCertChars)
	o.Unit, o.Category = clip(o.Unit, store.MaxUnitChars), clip(o.Category, store.MaxCategoryChars)
	o.Area, o.Expires = clip(o.Area, store.MaxAreaChars), clip(o.Expires, 10)
	return o
}
