package web

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"lawtrace/assets"
	"lawtrace/assets/publicity"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/credential"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
	"lawtrace/shared/review"
	"lawtrace/shared/syncproto"
)

// The public portal, "before" and "during" (事前、事中公示; SPEC P1, P7, F3;
// 000-publicity §6-15; issue 11): the agency, its officers, the powers list,
// the procedures as flowcharts drawn from their definitions, the review
// catalog, the permit service guides and the forms; and the page each
// officer's credential QR code opens, which says live whether the credential
// is valid and checks the server's signature over it.
//
// Public pages need no sign-in and set no cookie; they load one stylesheet
// from this server and nothing else (no script, font, image or tracker from
// anywhere). They are rendered by their own small layout
// (templates/public_layout.html), not the staff layout.

// publicRoutes are the portal's pages; routes.go adds them to the table.
func (s *Server) publicRoutes() []Route {
	r := func(path string, h HandlerFunc) Route {
		return Route{Method: "GET", Path: path, Public: true, Handler: h}
	}
	return []Route{
		r("/public/", s.publicHome), // the home page, and a Chinese 404 for anything unknown under /public/
		r("/public/agency", s.publicAgency),
		r("/public/officers", s.publicOfficers),
		r("/public/officers/{cert}", s.publicOfficer),
		r("/public/powers", s.publicPowers),
		r("/public/procedures", s.publicProcedures),
		r("/public/procedures/{id}", s.publicProcedure),
		r("/public/review-catalog", s.publicReviewCatalog),
		r("/public/guides", s.publicGuides),
		r("/public/forms", s.publicForms),
		r("/public/verify", s.publicVerify),
	}
}

// ---- rendering ----

var (
	publicOnce sync.Once
	publicTmpl *template.Template
	publicErr  error
)

// publicFiles are this file's templates (templates/public_NAME.html); the
// "after" pages have their own.
var publicFiles = []string{"layout", "notfound", "home", "agency", "officers", "officer", "verify", "powers", "procedures", "procedure", "review", "guides", "forms"}

func publicTemplates() (*template.Template, error) {
	publicOnce.Do(func() {
		files := make([]string, len(publicFiles))
		for i, f := range publicFiles {
			files[i] = "templates/public_" + f + ".html"
		}
		publicTmpl, publicErr = template.New("public").Funcs(funcs).ParseFS(templateFS, files...)
	})
	return publicTmpl, publicErr
}

type publicPage struct {
	Title  string
	Agency string
	Path   string
	Now    time.Time
	Body   template.HTML
	// After are the pages of the "after" half (事后公示) that are
	// registered on this server, for the footer.
	After []publicLink
}

type publicLink struct {
	Path, Label, Note string
}

// publicRender renders a public page (template name) in the public layout.
// live pages (officers) are never cached; catalog pages for a minute.
func (s *Server) publicRender(w http.ResponseWriter, r *http.Request, status int, name, title string, data any, live bool) error {
	t, err := publicTemplates()
	if err != nil {
		return err
	}
	var body bytes.Buffer
	if err := t.ExecuteTemplate(&body, name, data); err != nil {
		return err
	}
	p := publicPage{Title: title, Agency: s.publicAgencyName(r.Context()), Path: r.URL.Path, Now: s.cfg.Now(),
		Body: template.HTML(body.String()), After: s.afterLinks()}
	var out bytes.Buffer
	if err := t.ExecuteTemplate(&out, "public_layout", p); err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	if live {
		h.Set("Cache-Control", "no-store")
	} else {
		h.Set("Cache-Control", "public, max-age=60")
	}
	w.WriteHeader(status)
	_, err = w.Write(out.Bytes())
	return err
}

// publicNotFound is the portal's 404: a page in Chinese, not a bare 404.
func (s *Server) publicNotFound(w http.ResponseWriter, r *http.Request, what, detail string) error {
	return s.publicRender(w, r, http.StatusNotFound, "public_notfound", "未找到", map[string]string{"What": what, "Detail": detail}, true)
}

// knownAfter labels the "after" pages (issue 11, the other half) when they
// are registered; any other public page without a wildcard is listed by path.
var knownAfter = map[string]string{
	"/public/decisions":           "行政执法决定公示",
	"/public/search":              "公示信息查询",
	"/public/statistics":          "年度行政执法统计",
	"/public/stats":               "年度行政执法统计",
	"/public/corrections":         "申请更正公示信息",
	"/public/withdrawn":           "撤下公示的说明",
	"/public/feed.atom":           "订阅新公示",
	"/public/decisions/feed.atom": "订阅新公示",
	"/public/feed":                "订阅新公示",
	"/public/inspections":         "行政检查结果公示",
}

func (s *Server) afterLinks() []publicLink {
	mine := map[string]bool{}
	for _, rt := range s.publicRoutes() {
		mine[rt.Path] = true
	}
	var out []publicLink
	for _, rt := range s.Routes() {
		if !rt.Public || rt.Method != http.MethodGet || mine[rt.Path] || !strings.HasPrefix(rt.Path, "/public/") ||
			strings.Contains(rt.Path, "{") || strings.HasSuffix(rt.Path, ".xml") {
			continue
		}
		label, ok := knownAfter[rt.Path]
		if !ok {
			continue
		}
		out = append(out, publicLink{Path: rt.Path, Label: label})
	}
	return out
}

// ---- data ----

// publicAgencyInfo is the agency's public particulars (000-publicity §7,
// §11, §12): the agency catalog item, which with --demo carries the demo
// agency's particulars (assets/publicity/agency.demo.json).
type publicAgencyInfo struct {
	Name       string   `json:"name"`
	Code       string   `json:"code"`
	Demo       bool     `json:"demo"`
	Duties     []string `json:"duties"`
	LegalBasis string   `json:"legal_basis"`
	Address    string   `json:"address"`
	Postcode   string   `json:"postcode"`
	Phone      string   `json:"phone"`
	Email      string   `json:"email"`
	Hours      string   `json:"hours"`
	Website    string   `json:"website"`
	Complaints []struct {
		Channel string `json:"channel"`
		Contact string `json:"contact"`
		Scope   string `json:"scope"`
	} `json:"complaints"`
	Remedies string `json:"remedies"`
}

func (s *Server) agencyInfo(ctx context.Context) (publicAgencyInfo, error) {
	var a publicAgencyInfo
	items, err := s.st.CatalogLatest(ctx, syncproto.KindAgency)
	if err != nil {
		return a, err
	}
	for _, it := range items {
		if it.Key == "agency" {
			_ = json.Unmarshal(it.Body, &a)
		}
	}
	if a.Name == "" {
		a.Name = s.cfg.Agency
	}
	return a, nil
}

func (s *Server) publicAgencyName(ctx context.Context) string {
	if s.cfg.Agency != "" {
		return s.cfg.Agency
	}
	a, _ := s.st.Setting(ctx, "agency")
	return a
}

// PublicOfficer is everything the portal shows of an officer (000-publicity
// §8, SPEC P1): nothing else about them leaves the server here.
type PublicOfficer struct {
	Name, Cert, Unit, Category, Area string
}

func publicOfficerOf(o enforce.Officer) PublicOfficer {
	return PublicOfficer{Name: o.Name, Cert: o.Cert, Unit: o.Unit, Category: o.Category, Area: o.Area}
}

// credentialState is a credential's state on a day: valid, suspended or
// expired, in Chinese.
type credentialState struct {
	Code    string // valid, suspended, expired
	Label   string
	Explain string
}

func credentialStateOf(o enforce.Officer, day time.Time) credentialState {
	switch {
	case o.Suspended:
		return credentialState{"suspended", "暂停使用", "该执法证件已被发证机关暂停使用，持证人目前不得从事行政执法活动。如其正在执法，您有权拒绝并向下方监督渠道反映。"}
	case o.CredentialProblem(day) != "":
		return credentialState{"expired", "已过期", "该执法证件已超过有效期（有效期至 " + o.Expires + "），持证人不得凭此证件从事行政执法活动。"}
	}
	return credentialState{"valid", "有效", "该执法证件在有效期内，持证人可以在其执法类别和区域内从事行政执法活动。"}
}

// ---- home, agency ----

type publicHomeData struct {
	Agency      publicAgencyInfo
	Officers    int
	Procedures  int
	Powers      int
	After       []publicLink
	Fingerprint string
}

func (s *Server) publicHome(w http.ResponseWriter, r *http.Request) error {
	if r.URL.Path != "/public/" {
		return s.publicNotFound(w, r, "页面", "地址 "+r.URL.Path+" 不是本机关公示平台上的页面。")
	}
	a, err := s.agencyInfo(r.Context())
	if err != nil {
		return err
	}
	cat, err := s.catalog(r.Context())
	if err != nil {
		return err
	}
	today := s.cfg.Now().In(chinaTime)
	d := publicHomeData{Agency: a, Procedures: len(cat.latest), After: s.afterLinks(), Fingerprint: ledger.KeyFingerprint(s.cfg.ServerKey)}
	for _, o := range cat.officers {
		if o.CredentialProblem(today) == "" {
			d.Officers++
		}
	}
	if pl, err := loadPowers(); err == nil {
		d.Powers = len(pl.Items)
	}
	return s.publicRender(w, r, http.StatusOK, "public_home", "行政执法公示", d, false)
}

func (s *Server) publicAgency(w http.ResponseWriter, r *http.Request) error {
	a, err := s.agencyInfo(r.Context())
	if err != nil {
		return err
	}
	return s.publicRender(w, r, http.StatusOK, "public_agency", "执法主体", a, false)
}

// ---- officers (P1) and the credential page (P7) ----

type publicOfficersData struct {
	Query    string
	Officers []PublicOfficer
	Total    int
	// NotListed is an officer whose credential number was searched for
	// exactly but who is not on the list of valid credentials.
	NotListed *PublicOfficer
}

func (s *Server) publicOfficers(w http.ResponseWriter, r *http.Request) error {
	cat, err := s.catalog(r.Context())
	if err != nil {
		return err
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	if utf8.RuneCountInString(q) > 40 {
		q = string([]rune(q)[:40])
	}
	today := s.cfg.Now().In(chinaTime)
	d := publicOfficersData{Query: q}
	for _, o := range cat.officers {
		if o.CredentialProblem(today) != "" {
			if q != "" && strings.EqualFold(q, o.Cert) {
				po := publicOfficerOf(o)
				d.NotListed = &po
			}
			continue
		}
		d.Total++
		if q == "" || strings.Contains(o.Name, q) || strings.Contains(strings.ToLower(o.Cert), strings.ToLower(q)) {
			d.Officers = append(d.Officers, publicOfficerOf(o))
		}
	}
	sort.Slice(d.Officers, func(i, j int) bool {
		if d.Officers[i].Unit != d.Officers[j].Unit {
			return d.Officers[i].Unit < d.Officers[j].Unit
		}
		return d.Officers[i].Cert < d.Officers[j].Cert
	})
	return s.publicRender(w, r, http.StatusOK, "public_officers", "执法人员", d, true)
}

type publicOfficerData struct {
	Officer  PublicOfficer
	Expires  string
	State    credentialState
	Checked  time.Time
	HasSig   bool
	SigValid bool
	// QRExpires is the expiry the QR code carried, when it differs from the
	// registered one.
	QRExpires   string
	Message     string // the signed message, as the offline check needs it
	Fingerprint string
}

// SPEC P7: the page a credential QR code opens. It reads the newest
// officer version on every request (the catalog cache reloads as soon as the
// catalog head moves), so a suspension shows at once.
func (s *Server) publicOfficer(w http.ResponseWriter, r *http.Request) error {
	cert := r.PathValue("cert")
	cat, err := s.catalog(r.Context())
	if err != nil {
		return err
	}
	o, ok := cat.officers[cert]
	if !ok || !validCert(cert) {
		shown := cert
		if utf8.RuneCountInString(shown) > 40 {
			shown = string([]rune(shown)[:40]) + "…"
		}
		return s.publicNotFound(w, r, "执法人员",
			"本机关的执法人员名录中没有执法证号为「"+shown+"」的人员。请核对证号；如对方以此证件执法，您有权要求其出示有效证件，并可通过监督投诉渠道反映。")
	}
	now := s.cfg.Now()
	d := publicOfficerData{Officer: publicOfficerOf(o), Expires: o.Expires, State: credentialStateOf(o, now.In(chinaTime)), Checked: now,
		Fingerprint: ledger.KeyFingerprint(s.cfg.ServerKey)}
	q := r.URL.Query()
	exp := q.Get("exp")
	if exp == "" {
		exp = o.Expires
	} else if exp != o.Expires {
		d.QRExpires = exp
	}
	d.Message = string(credential.Message(o.Cert, o.Name, exp))
	if sig := q.Get("sig"); sig != "" {
		d.HasSig = true
		d.SigValid = credential.Verify(s.cfg.ServerKey, o.Cert, o.Name, exp, sig)
	}
	return s.publicRender(w, r, http.StatusOK, "public_officer", o.Name+"（"+o.Cert+"）", d, true)
}

type publicVerifyData struct {
	Fingerprint string
	KeyBase64   string
	KeyHex      string
	KeyPEM      string
	Prefix      string
}

func (s *Server) publicVerify(w http.ResponseWriter, r *http.Request) error {
	pub := s.cfg.ServerKey
	der, err := x509.MarshalPKIXPublicKey(ed25519.PublicKey(pub))
	if err != nil {
		return err
	}
	d := publicVerifyData{Fingerprint: ledger.KeyFingerprint(pub), KeyBase64: base64.StdEncoding.EncodeToString(pub),
		KeyHex: fmt.Sprintf("%x", []byte(pub)), KeyPEM: string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})),
		Prefix: strings.TrimSuffix(credential.Prefix, "\n")}
	return s.publicRender(w, r, http.StatusOK, "public_verify", "如何离线核验执法证件", d, false)
}

// ---- powers (权责清单, 000-publicity §9) ----

type powerList struct {
	Title     string `json:"title"`
	Agency    string `json:"agency"`
	Version   int    `json:"version"`
	Published string `json:"published"`
	Note      string `json:"note"`
	Items     []struct {
		Code      string `json:"code"`
		Kind      string `json:"kind"`
		Name      string `json:"name"`
		Basis     string `json:"basis"`
		Duty      string `json:"duty"`
		Procedure string `json:"procedure"`
	} `json:"items"`
}

func loadPowers() (*powerList, error) {
	var p powerList
	if err := json.Unmarshal(publicity.Powers, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

type powerGroup struct {
	Kind  string
	Items []powerItemView
}

type powerItemView struct {
	Code, Name, Basis, Duty string
	Procedure, ProcName     string
}

func (s *Server) publicPowers(w http.ResponseWriter, r *http.Request) error {
	pl, err := loadPowers()
	if err != nil {
		return err
	}
	cat, err := s.catalog(r.Context())
	if err != nil {
		return err
	}
	var groups []powerGroup
	for _, it := range pl.Items {
		if len(groups) == 0 || groups[len(groups)-1].Kind != it.Kind {
			groups = append(groups, powerGroup{Kind: it.Kind})
		}
		v := powerItemView{Code: it.Code, Name: it.Name, Basis: it.Basis, Duty: it.Duty}
		if p, ok := cat.latest[it.Procedure]; ok {
			v.Procedure, v.ProcName = p.ID, p.Name
		}
		g := &groups[len(groups)-1]
		g.Items = append(g.Items, v)
	}
	// the demo list's note names its file in the repository; the public reads the list
	pl.Note = strings.ReplaceAll(pl.Note, "assets/publicity/powers.json", "本平台的权责清单数据")
	return s.publicRender(w, r, http.StatusOK, "public_powers", "权责清单", map[string]any{"List": pl, "Groups": groups}, false)
}

// ---- procedures as flowcharts (000-publicity §10) ----

// procedureOrder is the order the portal lists the enforcement types in.
var procedureOrder = []string{"penalty", "penalty-simple", "inspection", "coercion", "permit"}

func sortedProcedures(latest map[string]*enforce.Procedure) []*enforce.Procedure {
	out := make([]*enforce.Procedure, 0, len(latest))
	for _, p := range latest {
		out = append(out, p)
	}
	rank := func(id string) int {
		if i := slices.Index(procedureOrder, id); i >= 0 {
			return i
		}
		return len(procedureOrder)
	}
	sort.Slice(out, func(i, j int) bool {
		if rank(out[i].ID) != rank(out[j].ID) {
			return rank(out[i].ID) < rank(out[j].ID)
		}
		return out[i].ID < out[j].ID
	})
	return out
}

type procSummary struct {
	ID, Name, Basis string
	Version         int
	MinOfficers     int
	Steps           int
	Mandatory       int
	AV              int
}

func (s *Server) publicProcedures(w http.ResponseWriter, r *http.Request) error {
	cat, err := s.catalog(r.Context())
	if err != nil {
		return err
	}
	var list []procSummary
	for _, p := range sortedProcedures(cat.latest) {
		ps := procSummary{ID: p.ID, Name: p.Name, Basis: enforce.Cite(p.Basis), Version: p.Version, MinOfficers: p.MinOfficers, Steps: len(p.Steps)}
		for _, st := range p.Steps {
			if st.Mandatory {
				ps.Mandatory++
			}
			if st.Evidence.AV {
				ps.AV++
			}
		}
		list = append(list, ps)
	}
	return s.publicRender(w, r, http.StatusOK, "public_procedures", "执法流程图", list, false)
}

type flowStep struct {
	N          int
	Kind       string
	Label      string
	Stage      string
	Mandatory  bool
	AV         bool
	AVUnless   bool
	Repeatable bool
	AfterClose bool
	After      []string
	Basis      string
	AVBasis    string
}

type flowData struct {
	Proc    *enforce.Procedure
	Basis   string
	SVG     template.HTML
	Steps   []flowStep
	Rights  string
	Updated string
}

func (s *Server) publicProcedure(w http.ResponseWriter, r *http.Request) error {
	cat, err := s.catalog(r.Context())
	if err != nil {
		return err
	}
	p, ok := cat.latest[r.PathValue("id")]
	if !ok {
		return s.publicNotFound(w, r, "执法流程", "没有名为「"+r.PathValue("id")+"」的执法程序。")
	}
	steps := flowSteps(p)
	d := flowData{Proc: p, Basis: enforce.Cite(p.Basis), Steps: steps, SVG: template.HTML(flowchartSVG(p, steps))}
	if rt, ok := cat.rights[p.RightsText]; ok {
		best := 0
		for v := range rt {
			best = max(best, v)
		}
		d.Rights = rt[best].Title
	}
	return s.publicRender(w, r, http.StatusOK, "public_procedure", p.Name+" 流程图", d, false)
}

// flowSteps orders a procedure's steps stage by stage (the stages' order),
// keeping the definition's order within a stage, and numbers them.
func flowSteps(p *enforce.Procedure) []flowStep {
	labels := map[string]string{}
	for _, st := range p.Steps {
		labels[st.Kind] = st.Label
	}
	var out []flowStep
	for _, stage := range p.Stages {
		for _, st := range p.Steps {
			if st.Stage != stage.ID {
				continue
			}
			fs := flowStep{Kind: st.Kind, Label: st.Label, Stage: stage.ID, Mandatory: st.Mandatory, AV: st.Evidence.AV,
				AVUnless: st.Evidence.AVUnless != "", Repeatable: st.Repeatable, AfterClose: st.AfterClose, Basis: enforce.Cite(st.Article)}
			if st.Evidence.AV && st.Evidence.Article != "" && st.Evidence.Article != st.Article {
				fs.AVBasis = enforce.Cite(st.Evidence.Article)
			}
			for _, a := range st.After {
				if l, ok := labels[a]; ok {
					fs.After = append(fs.After, l)
				}
			}
			out = append(out, fs)
		}
	}
	for i := range out {
		out[i].N = i + 1
	}
	return out
}

// ---- review catalog (000-review §3, 000-publicity §6) ----

type reviewRuleView struct {
	Title, Basis, Procedures, Conditions string
}

type reviewCatalogData struct {
	Agency, Published string
	Version           int
	Deadline, Extend  int
	Disagreement      string
	Rules             []reviewRuleView
	AllPenalties      bool
}

func (s *Server) currentReviewCatalog(ctx context.Context) (*review.Catalog, error) {
	if rs, ok := s.st.(interface {
		ReviewCatalog(context.Context, int) (store.ReviewCatalog, error)
	}); ok {
		rc, err := rs.ReviewCatalog(ctx, 0)
		if err == nil {
			c, err := review.ParseCatalog(rc.Body)
			learnReviewRules(c)
			return c, err
		}
		if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	files, _ := assetsGlob("review/*.json")
	var best *review.Catalog
	for _, f := range files {
		b, err := assets.FS.ReadFile(f)
		if err != nil {
			continue
		}
		if c, err := review.ParseCatalog(b); err == nil && (best == nil || c.Version > best.Version) {
			best = c
		}
	}
	if best == nil {
		return nil, errNotFound("法制审核目录")
	}
	learnReviewRules(best)
	return best, nil
}

func (s *Server) publicReviewCatalog(w http.ResponseWriter, r *http.Request) error {
	c, err := s.currentReviewCatalog(r.Context())
	if err != nil {
		return err
	}
	cat, err := s.catalog(r.Context())
	if err != nil {
		return err
	}
	d := reviewCatalogData{Agency: c.Agency, Published: c.Published, Version: c.Version, Deadline: c.Settings.DeadlineWorkdays,
		Extend: c.Settings.ExtensionWorkdays, AllPenalties: c.Settings.ReviewAllPenalties}
	switch c.Settings.Disagreement {
	case review.LegalOfficePrevails:
		d.Disagreement = "承办机构与法制审核机构意见不一致的，以法制审核机构意见为准（" + enforce.Cite("000-review §13") + "）。"
	case review.HeadDecides:
		d.Disagreement = "承办机构与法制审核机构意见不一致的，报本机关负责人决定（" + enforce.Cite("002-review §10") + "）。"
	}
	for _, rule := range c.Rules {
		v := reviewRuleView{Title: rule.Title, Basis: enforce.Cite(rule.Article), Procedures: "各类执法决定"}
		if len(rule.Procedures) > 0 {
			var names []string
			for _, id := range rule.Procedures {
				names = append(names, cat.procedureName(id))
			}
			v.Procedures = strings.Join(names, "、")
		}
		var cond []string
		if n, ok := rule.FineAtLeast["person"]; ok {
			cond = append(cond, fmt.Sprintf("对个人罚款 %s 元以上", yuan(n)))
		}
		if n, ok := rule.FineAtLeast["org"]; ok {
			cond = append(cond, fmt.Sprintf("对单位罚款 %s 元以上", yuan(n)))
		}
		var ms []string
		for _, m := range rule.Measures {
			if l, ok := review.Measures[m]; ok {
				ms = append(ms, l)
			}
		}
		if len(ms) > 0 {
			cond = append(cond, "拟作出"+strings.Join(ms, "、"))
		}
		if rule.Hearing {
			cond = append(cond, "经过听证程序")
		}
		var fl []string
		for _, f := range rule.Flags {
			if l, ok := review.Flags[f]; ok {
				fl = append(fl, l)
			}
		}
		if len(fl) > 0 {
			cond = append(cond, strings.Join(fl, "；"))
		}
		v.Conditions = strings.Join(cond, "；")
		d.Rules = append(d.Rules, v)
	}
	return s.publicRender(w, r, http.StatusOK, "public_review", "重大执法决定法制审核目录", d, false)
}

func yuan(n float64) string {
	if n >= 10000 && int64(n)%10000 == 0 {
		return fmt.Sprintf("%d 万", int64(n)/10000)
	}
	return fmt.Sprintf("%.0f", n)
}

// ---- permit service guides (000-publicity §15) ----

type guideFile struct {
	Note   string `json:"note"`
	Guides []struct {
		Matter     string   `json:"matter"`
		Power      string   `json:"power"`
		Basis      string   `json:"basis"`
		Conditions []string `json:"conditions"`
		Materials  []string `json:"materials"`
		TimeLimit  string   `json:"time_limit"`
		Fee        string   `json:"fee"`
		Window     string   `json:"window"`
	} `json:"guides"`
}

// acceptanceView is what the permit procedure's acceptance step says about
// accepting an application: its outcomes, what is recorded when materials
// are to be supplemented (一次性告知补正), and the articles.
type acceptanceView struct {
	Procedure, ProcName string
	Outcomes            []string
	Supplement          []string
	Basis               string
	Fields              []string
}

func permitAcceptance(p *enforce.Procedure) *acceptanceView {
	if p == nil {
		return nil
	}
	def, ok := p.Step("acceptance")
	if !ok {
		return nil
	}
	a := &acceptanceView{Procedure: p.ID, ProcName: p.Name, Basis: enforce.Cite(def.Article)}
	for _, f := range def.Fields {
		switch {
		case f.Name == "outcome":
			for _, o := range f.Options {
				a.Outcomes = append(a.Outcomes, f.OptionLabel(o, false))
			}
		case strings.HasPrefix(f.Name, "supplement"):
			a.Supplement = append(a.Supplement, f.Label)
		default:
			a.Fields = append(a.Fields, f.Label)
		}
	}
	return a
}

func (s *Server) publicGuides(w http.ResponseWriter, r *http.Request) error {
	var g guideFile
	if err := json.Unmarshal(publicity.Guides, &g); err != nil {
		return err
	}
	cat, err := s.catalog(r.Context())
	if err != nil {
		return err
	}
	a, err := s.agencyInfo(r.Context())
	if err != nil {
		return err
	}
	d := map[string]any{"Guides": g.Guides, "Note": g.Note, "Acceptance": permitAcceptance(cat.latest["permit"]), "Agency": a,
		"Rule32": enforce.Cite("行政许可法 §32")}
	return s.publicRender(w, r, http.StatusOK, "public_guides", "行政许可办事指南", d, false)
}

// ---- forms ----

// formTitles are the customary names of the documents the terminal prints
// (shared/paper titles); other steps print as "<step>记录".
var formTitles = map[string]string{
	enforce.StepNotifyRights: "权利告知书",
	"sample":                 "抽样物品清单",
	"serve":                  "送达回证",
	"preserve":               "先行登记保存证据通知书",
	"seizure":                "查封（扣押）现场笔录",
	"on_spot_decision":       "当场行政处罚决定书",
	"rectify_order":          "责令改正通知书",
	"inspection_opinion":     "检查意见书",
	enforce.StepShowID:       "出示执法证件记录",
	"refusal":                "当事人拒绝配合情况记录",
}

type formView struct {
	Name, Step, Basis string
	Procs             []string
}

func formName(st enforce.StepDef) string {
	if t, ok := formTitles[st.Kind]; ok {
		return t
	}
	if strings.HasSuffix(st.Label, "笔录") || strings.HasSuffix(st.Label, "书") || strings.HasSuffix(st.Label, "记录") {
		return st.Label
	}
	return st.Label + "记录"
}

func (s *Server) publicForms(w http.ResponseWriter, r *http.Request) error {
	cat, err := s.catalog(r.Context())
	if err != nil {
		return err
	}
	byName := map[string]*formView{}
	var order []string
	for _, p := range sortedProcedures(cat.latest) {
		for _, st := range p.Steps {
			if st.Kind == enforce.StepCloseScene {
				continue
			}
			n := formName(st)
			f, ok := byName[n]
			if !ok {
				f = &formView{Name: n, Step: st.Label, Basis: enforce.Cite(st.Article)}
				byName[n] = f
				order = append(order, n)
			}
			if !slices.Contains(f.Procs, p.Name) {
				f.Procs = append(f.Procs, p.Name)
			}
		}
	}
	var forms []formView
	for _, n := range order {
		forms = append(forms, *byName[n])
	}
	return s.publicRender(w, r, http.StatusOK, "public_forms", "执法文书式样", forms, false)
}

func assetsGlob(pattern string) ([]string, error) { return fs.Glob(assets.FS, pattern) }

// ---- the flowchart ----

// flowchartSVG draws a procedure as an SVG flowchart from its definition:
// one swimlane per stage in the stages' order, the steps of the stage as
// boxes in order, each with its number, label, whether it is mandatory
// (必经), needs audio/video (音像) or may repeat, what it must follow, and its
// legal basis as enforce.Cite renders it. Narrow (360 units) so that it
// reads on a phone without zooming; styled by public.css.
func flowchartSVG(p *enforce.Procedure, steps []flowStep) string {
	const (
		W      = 360.0
		boxX   = 12.0
		boxW   = W - 2*boxX
		pad    = 10.0
		small  = 12.0
		lineH  = 16.0
		title  = 15.0
		laneH  = 30.0
		gap    = 20.0
		textW  = boxW - 2*pad
		badgeH = 20.0
	)
	var b strings.Builder
	esc := template.HTMLEscapeString
	y := 0.0
	type box struct{ top, bottom float64 }
	var boxes []box
	var body strings.Builder // lanes and boxes; arrows are drawn under boxes
	for si, stage := range p.Stages {
		laneTop := y
		var lane strings.Builder
		y += laneH
		n := 0
		for _, st := range steps {
			if st.Stage != stage.ID {
				continue
			}
			n++
			y += gap / 2
			top := y
			// badges and lines
			type badge struct{ text, class string }
			var badges []badge
			if st.Mandatory {
				badges = append(badges, badge{"必经", "fc-must"})
			} else {
				badges = append(badges, badge{"视情", "fc-opt"})
			}
			if st.AV {
				badges = append(badges, badge{"音像", "fc-av"})
			}
			if st.Repeatable {
				badges = append(badges, badge{"可多次", "fc-rep"})
			}
			var notes []string
			if st.AV {
				if st.AVUnless {
					notes = append(notes, "须全程音像记录；紧急情况无法录制的，书面说明理由")
				} else {
					notes = append(notes, "须全程音像记录")
				}
			}
			if len(st.After) > 0 {
				notes = append(notes, "在「"+strings.Join(st.After, "」「")+"」之后")
			}
			if st.AfterClose {
				notes = append(notes, "可在现场执法结束后办理")
			}
			var lines []string
			for _, n := range notes {
				lines = append(lines, wrapText(n, textW, small)...)
			}
			basisLines := wrapText("依据："+st.Basis, textW, small)
			if st.AVBasis != "" {
				basisLines = append(basisLines, wrapText("音像依据："+st.AVBasis, textW, small)...)
			}
			head := fmt.Sprintf("%d  %s", st.N, st.Label)
			badgeW := 0.0
			for _, bd := range badges {
				badgeW += textWidth(bd.text, small) + 12 + 4
			}
			badgeLine := textWidth(head, title)+pad+12 > boxW-pad-badgeW
			h := pad + title + 6
			if badgeLine {
				h += badgeH + 4
			}
			h += float64(len(lines)+len(basisLines))*lineH + pad
			class := "fc-box"
			if st.Mandatory {
				class += " fc-box-must"
			}
			fmt.Fprintf(&lane, `<g class="fc-step" data-step="%s"><title>%s</title>`, esc(st.Kind), esc(head))
			fmt.Fprintf(&lane, `<rect class="%s" x="%g" y="%g" width="%g" height="%g" rx="8"/>`, class, boxX, top, boxW, h)
			fmt.Fprintf(&lane, `<text class="fc-title" x="%g" y="%g">%s</text>`, boxX+pad, top+pad+title-2, esc(head))
			bx, by := boxX+boxW-pad-badgeW+4, top+pad-2
			if badgeLine {
				bx, by = boxX+pad, top+pad+title+6
			}
			for _, bd := range badges {
				w := textWidth(bd.text, small) + 12
				fmt.Fprintf(&lane, `<rect class="fc-badge %s" x="%g" y="%g" width="%g" height="%g" rx="4"/><text class="fc-badge-t %s" x="%g" y="%g">%s</text>`,
					bd.class, bx, by, w, badgeH, bd.class, bx+6, by+badgeH-6, esc(bd.text))
				bx += w + 4
			}
			ty := top + pad + title + 6
			if badgeLine {
				ty += badgeH + 4
			}
			for _, l := range lines {
				ty += lineH
				fmt.Fprintf(&lane, `<text class="fc-note" x="%g" y="%g">%s</text>`, boxX+pad, ty-4, esc(l))
			}
			for _, l := range basisLines {
				ty += lineH
				fmt.Fprintf(&lane, `<text class="fc-basis" x="%g" y="%g">%s</text>`, boxX+pad, ty-4, esc(l))
			}
			lane.WriteString(`</g>`)
			y = top + h
			boxes = append(boxes, box{top, top + h})
			y += gap / 2
		}
		if n == 0 {
			fmt.Fprintf(&lane, `<text class="fc-empty" x="%g" y="%g">本阶段在机关内办理，不在现场终端记录</text>`, boxX+pad, y+22)
			y += 34
		}
		y += 6
		fmt.Fprintf(&body, `<g class="fc-lane" data-stage="%s"><rect class="fc-lane-b fc-lane-%d" x="0" y="%g" width="%g" height="%g"/>`, esc(stage.ID), si%2, laneTop, W, y-laneTop)
		fmt.Fprintf(&body, `<rect class="fc-lane-h" x="0" y="%g" width="%g" height="%g"/><text class="fc-lane-t" x="%g" y="%g">第%s阶段 · %s</text>`,
			laneTop, W, laneH, pad, laneTop+20, chineseNumber(si+1), esc(stage.Name))
		body.WriteString(lane.String())
		body.WriteString(`</g>`)
	}
	fmt.Fprintf(&b, `<svg class="flowchart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %g %g" role="img" aria-labelledby="fc-title">`, W, y)
	fmt.Fprintf(&b, `<title id="fc-title">%s（第 %d 版）流程图：%d 个阶段，%d 个现场环节</title>`, esc(p.Name), p.Version, len(p.Stages), len(steps))
	b.WriteString(`<defs><marker id="fc-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path class="fc-arrowhead" d="M0,0 L10,5 L0,10 z"/></marker></defs>`)
	b.WriteString(body.String())
	for i := 1; i < len(boxes); i++ {
		fmt.Fprintf(&b, `<line class="fc-flow" x1="%g" y1="%g" x2="%g" y2="%g" marker-end="url(#fc-arrow)"/>`, W-40, boxes[i-1].bottom, W-40, boxes[i].top)
	}
	b.WriteString(`</svg>`)
	return b.String()
}

// textWidth estimates the width of s in a CJK font of size: full width for
// Chinese, about half for Latin letters and digits.
func textWidth(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		switch {
		case r >= 0x2E80 || r == '《' || r == '》':
			w += size
		case r == ' ':
			w += size * 0.3
		default:
			w += size * 0.58
		}
	}
	return w
}

// wrapText breaks s into lines no wider than width, between any two
// characters (Chinese wraps anywhere) but not before closing punctuation.
func wrapText(s string, width, size float64) []string {
	var lines []string
	var cur []rune
	w := 0.0
	for _, r := range s {
		rw := textWidth(string(r), size)
		if w+rw > width && len(cur) > 0 && !strings.ContainsRune("，。、；：）》」", r) {
			lines = append(lines, string(cur))
			cur, w = nil, 0
		}
		cur = append(cur, r)
		w += rw
	}
	if len(cur) > 0 {
		lines = append(lines, string(cur))
	}
	return lines
}

func chineseNumber(n int) string {
	digits := []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}
	if n <= 10 {
		return digits[n]
	}
	if n < 20 {
		return "十" + digits[n-10]
	}
	return fmt.Sprint(n)
}
