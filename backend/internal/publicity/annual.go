package publicity

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"lawtrace/shared/deadline"
)

// Annual statistics (行政执法数据年度统计, SPEC P6, D5): each year's report is
// generated from the recorded data — counts only, by enforcement type and
// outcome —, reviewed and approved by staff like a decision in the
// publication queue (000-publicity §23), then published as a public page
// and a PDF by the agency's deadline (001: 1月20日前, the default;
// 002-publicity §9: 1月31日前, a setting).

// AnnualDueSetting chooses the day of January (deadline.AnnualJan20 or
// deadline.AnnualJan31).
const AnnualDueSetting = "publicity_annual_due"

// States of an annual report.
const (
	AnnualQueued    = "queued"    // generated, awaiting the internal review
	AnnualPublished = "published" // public page and PDF
)

// StepRecord is one recorded step a year's statistics count: an entry of a
// terminal case (Office false) or of its office chain, with the case's
// procedure and the payload's fields object.
type StepRecord struct {
	CaseID    string          `json:"case_id"`
	Procedure string          `json:"procedure"`
	Step      string          `json:"step"`
	At        time.Time       `json:"at"`
	Office    bool            `json:"office"`
	Fields    json.RawMessage `json:"fields,omitempty"`
}

// AnnualSteps are the step kinds the statistics read.
var AnnualSteps = []string{"case_open", "on_spot_decision", "seizure", "seizure_approval", "seizure_extension", "release",
	"preserve", "inspection_opinion", "recheck", "acceptance", "site_verification",
	"decision", "review_submit", "review_opinion", "review_head_decision", "register_approval", "hearing_record"}

// AnnualLine is one count of the report.
type AnnualLine struct {
	Label string `json:"label"`
	Count int    `json:"count"`
	// Amount is a sum of money in yuan, two decimals (fines), when the line has one.
	Amount string `json:"amount,omitempty"`
	Note   string `json:"note,omitempty"`
	Sub    bool   `json:"sub,omitempty"` // a breakdown of the line above
}

// AnnualSection is one table of the report.
type AnnualSection struct {
	Title string       `json:"title"`
	Basis string       `json:"basis,omitempty"`
	Lines []AnnualLine `json:"lines"`
	Note  string       `json:"note,omitempty"`
}

// AnnualStats is what a year's report says.
type AnnualStats struct {
	Year     int             `json:"year"`
	Agency   string          `json:"agency"`
	Sections []AnnualSection `json:"sections"`
	// NotRecorded says what the system does not record, so the report
	// cannot count it.
	NotRecorded []string  `json:"not_recorded"`
	Computed    time.Time `json:"computed"`
}

// AnnualReport is one year's report through review and publication.
type AnnualReport struct {
	Year  int         `json:"year"`
	State string      `json:"state"`
	Stats AnnualStats `json:"stats"`
	// Note is the agency's explanation (free text), published redacted.
	Note        string    `json:"note,omitempty"`
	GeneratedBy string    `json:"generated_by"`
	GeneratedAt time.Time `json:"generated_at"`
	// Public is what the public page and the PDF show, frozen at approval,
	// every text through Redact.
	Public      *AnnualStats `json:"public,omitempty"`
	PublicNote  string       `json:"public_note,omitempty"`
	ReviewedBy  string       `json:"reviewed_by,omitempty"`
	PublishedAt time.Time    `json:"published_at,omitzero"`
	History     []Action     `json:"history"`
}

// AnnualRepo is the storage of the annual reports; store.Publicity
// implements it next to Repo.
type AnnualRepo interface {
	// AnnualReport reads a year's report; ErrNotFound when none.
	AnnualReport(ctx context.Context, year int) (AnnualReport, error)
	// PutAnnualReport stores a year's report, replacing the stored one.
	PutAnnualReport(ctx context.Context, r AnnualReport) error
	// AnnualReports lists every stored report, newest year first.
	AnnualReports(ctx context.Context) ([]AnnualReport, error)
	// YearSteps lists the entries of the given step kinds recorded in
	// [from, to), terminal and office chains, oldest first.
	YearSteps(ctx context.Context, from, to time.Time, steps []string) ([]StepRecord, error)
	// FirstActivity is when the agency's first case was opened or its
	// first decision made (zero when there is none).
	FirstActivity(ctx context.Context) (time.Time, error)
}

func (s *Service) annualRepo() (AnnualRepo, error) {
	r, ok := s.Repo.(AnnualRepo)
	if !ok {
		return nil, errors.New("publicity: the store keeps no annual reports")
	}
	return r, nil
}

// YearBounds are the first instant of the year and of the next, China time.
func YearBounds(year int) (time.Time, time.Time) {
	return time.Date(year, 1, 1, 0, 0, 0, 0, ChinaTime), time.Date(year+1, 1, 1, 0, 0, 0, 0, ChinaTime)
}

// AnnualSettings are the agency's deadline settings.
func (s *Service) AnnualSettings(ctx context.Context) deadline.Settings {
	v, _ := s.Repo.Setting(ctx, AnnualDueSetting)
	if strings.TrimSpace(v) == deadline.AnnualJan31 {
		return deadline.Settings{AnnualDue: deadline.AnnualJan31}
	}
	return deadline.Settings{AnnualDue: deadline.AnnualJan20}
}

// ComputeAnnual counts a year's recorded data. steps are the year's
// entries of AnnualSteps; pubs every decision of the publication queue;
// cs every correction request.
func ComputeAnnual(year int, agency string, steps []StepRecord, pubs []Decision, cs []Correction, now time.Time) AnnualStats {
	from, to := YearBounds(year)
	in := func(t time.Time) bool { return !t.IsZero() && !t.Before(from) && t.Before(to) }
	st := AnnualStats{Year: year, Agency: agency, Computed: now}

	procNames := []struct{ id, name string }{{"penalty", "行政处罚（普通程序）"}, {"penalty-simple", "行政处罚（简易程序，当场处罚）"},
		{"inspection", "行政检查"}, {"coercion", "行政强制（查封、扣押）"}, {"permit", "行政许可（现场核查）"}}
	opened := map[string]int{}
	// counters
	var (
		spotN, spotWarn, spotFine         int
		spotCents                         int64
		decN, decFineN                    int
		decCents                          int64
		measures                          = map[string]int{}
		seizures, seizEmerg, seizNotAppr  int
		seizExt, releases                 int
		preserves                         int
		inspOpinion                       = map[string]int{}
		recheck                           = map[string]int{}
		acceptance                        = map[string]int{}
		siteVer                           = map[string]int{}
		permitGranted, permitDenied       int
		submitted, heads                  int
		opinions                          = map[string]int{}
		registered, notRegistered, hearns int
	)
	for _, r := range steps {
		if !in(r.At) {
			continue
		}
		f := fieldsOf(r.Fields)
		switch r.Step {
		case "case_open":
			if !r.Office {
				opened[r.Procedure]++
			}
		case "on_spot_decision":
			spotN++
			switch f.text("penalty") {
			case "warning":
				spotWarn++
			case "fine":
				spotFine++
				spotCents += cents(f.text("amount"))
			}
		case "seizure":
			seizures++
			if f.text("approval") == "emergency" {
				seizEmerg++
			}
		case "seizure_approval":
			if f.text("result") == "not_approved" {
				seizNotAppr++
			}
		case "seizure_extension":
			seizExt++
		case "release":
			releases++
		case "preserve":
			preserves++
		case "inspection_opinion":
			inspOpinion[f.text("conclusion")]++
		case "recheck":
			recheck[f.text("result")]++
		case "acceptance":
			acceptance[f.text("outcome")]++
		case "site_verification":
			siteVer[f.text("conclusion")]++
		case "decision":
			if !r.Office {
				continue
			}
			var p struct {
				Proposal struct {
					Measures []string `json:"measures"`
					Fine     float64  `json:"fine"`
				} `json:"proposal"`
			}
			_ = json.Unmarshal(r.Fields, &p)
			if r.Procedure == "permit" {
				if contains(p.Proposal.Measures, "deny_permit") {
					permitDenied++
				} else {
					permitGranted++
				}
				continue
			}
			decN++
			for _, m := range p.Proposal.Measures {
				measures[m]++
			}
			if p.Proposal.Fine > 0 {
				decFineN++
				decCents += int64(math.Round(p.Proposal.Fine * 100))
			}
		case "review_submit":
			submitted++
		case "review_opinion":
			var o struct {
				Opinion struct{ Kind string } `json:"opinion"`
			}
			_ = json.Unmarshal(r.Fields, &o)
			opinions[o.Opinion.Kind]++
		case "review_head_decision":
			heads++
		case "register_approval":
			if f.text("outcome") == "not_register" {
				notRegistered++
			} else {
				registered++
			}
		case "hearing_record":
			hearns++
		}
	}

	// 1. cases by type
	sec := AnnualSection{Title: "一、执法案件（按执法类型，以在执法终端立案的时间计）", Basis: "001, 002-publicity §9"}
	total := 0
	for _, p := range procNames {
		total += opened[p.id]
	}
	sec.Lines = append(sec.Lines, AnnualLine{Label: "执法案件合计", Count: total})
	for _, p := range procNames {
		sec.Lines = append(sec.Lines, AnnualLine{Label: p.name, Count: opened[p.id], Sub: true})
	}
	st.Sections = append(st.Sections, sec)

	// 2. penalties
	sec = AnnualSection{Title: "二、行政处罚", Basis: "行政处罚法 §9, §51, §57"}
	sec.Lines = append(sec.Lines,
		AnnualLine{Label: "简易程序当场作出的行政处罚决定", Count: spotN},
		AnnualLine{Label: "警告", Count: spotWarn, Sub: true},
		AnnualLine{Label: "罚款", Count: spotFine, Amount: yuan(spotCents), Sub: true},
		AnnualLine{Label: "普通程序作出的行政处罚决定", Count: decN},
	)
	for _, m := range sortedKeys(measures) {
		if m == "deny_permit" || m == "detain_property" {
			continue
		}
		l := AnnualLine{Label: measureName(m), Count: measures[m], Sub: true}
		if m == "fine" {
			l.Amount = yuan(decCents)
		}
		sec.Lines = append(sec.Lines, l)
	}
	if measures["fine"] == 0 && decFineN > 0 {
		sec.Lines = append(sec.Lines, AnnualLine{Label: "罚款", Count: decFineN, Amount: yuan(decCents), Sub: true})
	}
	sec.Lines = append(sec.Lines, AnnualLine{Label: "罚款金额合计", Count: spotFine + max(measures["fine"], decFineN), Amount: yuan(spotCents + decCents)},
		AnnualLine{Label: "立案审批：批准立案", Count: registered}, AnnualLine{Label: "立案审批：不予立案", Count: notRegistered},
		AnnualLine{Label: "举行听证", Count: hearns})
	sec.Note = "一件决定可并处多种处罚，分项之和可大于决定件数。"
	st.Sections = append(st.Sections, sec)

	// 3. coercive measures
	st.Sections = append(st.Sections, AnnualSection{Title: "三、行政强制措施", Basis: "行政强制法 §9, §19, §25", Lines: []AnnualLine{
		{Label: "实施查封、扣押", Count: seizures},
		{Label: "其中情况紧急、当场实施后补办批准", Count: seizEmerg, Sub: true},
		{Label: "补办批准未获批准", Count: seizNotAppr, Sub: true},
		{Label: "延长查封、扣押期限", Count: seizExt},
		{Label: "解除查封、扣押", Count: releases},
		{Label: "先行登记保存证据", Count: preserves},
	}})

	// 4. inspections
	st.Sections = append(st.Sections, AnnualSection{Title: "四、行政检查", Basis: "000-record §7", Lines: []AnnualLine{
		{Label: "出具检查意见", Count: sum(inspOpinion)},
		{Label: "未发现违法问题", Count: inspOpinion["compliant"], Sub: true},
		{Label: "责令改正", Count: inspOpinion["rectify"], Sub: true},
		{Label: "立案查处", Count: inspOpinion["case"], Sub: true},
		{Label: "移送", Count: inspOpinion["transfer"], Sub: true},
		{Label: "复查", Count: sum(recheck)},
		{Label: "已改正", Count: recheck["corrected"], Sub: true},
		{Label: "部分改正", Count: recheck["partly"], Sub: true},
		{Label: "未改正", Count: recheck["not_corrected"], Sub: true},
	}})

	// 5. permits
	st.Sections = append(st.Sections, AnnualSection{Title: "五、行政许可", Basis: "行政许可法 §32, §38", Lines: []AnnualLine{
		{Label: "申请处理（受理环节）", Count: sum(acceptance)},
		{Label: "受理", Count: acceptance["accepted"] + acceptance["corrected"], Sub: true},
		{Label: "一次性告知补正", Count: acceptance["supplement"], Sub: true},
		{Label: "不予受理", Count: acceptance["not_accepted"], Sub: true},
		{Label: "现场核查", Count: sum(siteVer)},
		{Label: "符合条件", Count: siteVer["meets"], Sub: true},
		{Label: "不符合条件", Count: siteVer["does_not_meet"], Sub: true},
		{Label: "需整改", Count: siteVer["needs_correction"], Sub: true},
		{Label: "准予许可（经决定环节记录）", Count: permitGranted},
		{Label: "不予许可（经决定环节记录）", Count: permitDenied},
	}, Note: "许可决定只统计在本系统决定环节记录的；由旧系统导入的许可决定见“七、执法决定公示”。"})

	// 6. legal review
	sec = AnnualSection{Title: "六、重大执法决定法制审核", Basis: "000-review §9, §11-13", Lines: []AnnualLine{
		{Label: "送审", Count: submitted}, {Label: "出具审核意见", Count: sum(opinions)}}}
	for _, k := range []string{"agree", "change", "correct", "supplement", "continue_investigation", "do_not_decide", "transfer"} {
		sec.Lines = append(sec.Lines, AnnualLine{Label: opinionNames[k], Count: opinions[k], Sub: true})
	}
	sec.Lines = append(sec.Lines, AnnualLine{Label: "意见分歧报负责人决定", Count: heads})
	st.Sections = append(st.Sections, sec)

	// 7. publicity
	byKind, published, notPub, withdrawn := map[string]int{}, 0, map[string]int{}, map[string]int{}
	imported := 0
	for _, d := range pubs {
		if !in(d.Decided()) {
			continue
		}
		byKind[d.Kind]++
		if d.Source == SourceImport {
			imported++
		}
		if !d.PublishedAt.IsZero() {
			published++
		}
		if d.State == StateNotPublished {
			notPub[d.Ground]++
		}
	}
	for _, d := range pubs {
		if d.State == StateWithdrawn && in(d.WithdrawnAt) {
			withdrawn[d.WithdrawReason]++
		}
	}
	sec = AnnualSection{Title: "七、执法决定公示（以决定日期计）", Basis: "002-publicity §8, §12-13, 000-publicity §18, §21"}
	sec.Lines = append(sec.Lines, AnnualLine{Label: "进入公示审核的执法决定", Count: sum(byKind)})
	for _, k := range []string{KindPenalty, KindPermit, KindCoercion, KindInspection, KindOther} {
		sec.Lines = append(sec.Lines, AnnualLine{Label: KindNames[k], Count: byKind[k], Sub: true})
	}
	sec.Lines = append(sec.Lines, AnnualLine{Label: "其中由旧系统导入", Count: imported, Sub: true},
		AnnualLine{Label: "经审核公开", Count: published}, AnnualLine{Label: "依法不予公开", Count: sum(notPub)})
	for _, g := range Grounds {
		if notPub[g.Value] > 0 {
			sec.Lines = append(sec.Lines, AnnualLine{Label: shortLabel(g.Label), Count: notPub[g.Value], Sub: true})
		}
	}
	sec.Lines = append(sec.Lines, AnnualLine{Label: "撤下（以撤下时间计）", Count: sum(withdrawn)})
	for _, r := range WithdrawReasons {
		sec.Lines = append(sec.Lines, AnnualLine{Label: shortLabel(r.Label), Count: withdrawn[r.Value], Sub: true})
	}
	req, answered, corrected := 0, 0, 0
	for _, c := range cs {
		if in(c.At) {
			req++
		}
		if c.State == "answered" && in(c.AnsweredAt) {
			answered++
			if c.Corrected {
				corrected++
			}
		}
	}
	sec.Lines = append(sec.Lines, AnnualLine{Label: "收到更正申请", Count: req}, AnnualLine{Label: "书面答复", Count: answered},
		AnnualLine{Label: "其中予以更正", Count: corrected, Sub: true})
	st.Sections = append(st.Sections, sec)

	st.NotRecorded = []string{
		"行政复议、行政诉讼：本系统不记录当事人申请行政复议、提起行政诉讼的情况及其结果，本报告不含此项数据，应由机关另行统计。",
		"行政处罚的执行（罚款缴纳、强制执行）和行政强制执行：本系统只记录当场收缴罚款的交付，不记录缴款和强制执行结果。",
		"由旧系统导入的执法决定：只有文书编号、种类、决定日期等公示字段，不分处罚种类、不计罚款金额，只计入“七、执法决定公示”。",
		"行政许可的准予、不予：只计在本系统决定环节记录的决定；未经本系统作出的许可决定不计入第五项。",
		"行政征收、行政给付、行政确认等其他执法类型：本系统未设相应程序，不统计。",
	}
	return st
}

var opinionNames = map[string]string{
	"agree": "同意", "change": "变更（定性、法律适用或裁量基准不当）", "correct": "纠正（程序不合法）", "supplement": "补充材料",
	"continue_investigation": "继续调查", "do_not_decide": "不予作出行政执法决定", "transfer": "移送",
}

var measureNames = map[string]string{
	"fine": "罚款", "confiscate": "没收违法所得、非法财物", "suspend_business": "责令停产停业", "revoke_license": "吊销许可证件",
	"lower_grade": "降低资质等级", "close": "责令关闭", "restrict_trade": "限制从业", "warning": "警告",
}

func measureName(m string) string {
	if n, ok := measureNames[m]; ok {
		return n
	}
	return "其他（" + m + "）"
}

// shortLabel drops the article in brackets from an option's label.
func shortLabel(s string) string {
	if i := strings.Index(s, "（"); i > 0 {
		return s[:i]
	}
	return s
}

type stepFields map[string]json.RawMessage

func fieldsOf(raw json.RawMessage) stepFields {
	var m stepFields
	_ = json.Unmarshal(raw, &m)
	return m
}

func (f stepFields) text(k string) string {
	v, ok := f[k]
	if !ok {
		return ""
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		s = string(v)
	}
	return strings.TrimSpace(s)
}

// cents reads an amount of yuan ("200", "200.5", "1,000.00"); 0 if it is
// not one.
func cents(s string) int64 {
	s = strings.TrimSuffix(strings.ReplaceAll(strings.TrimSpace(s), ",", ""), "元")
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || v < 0 || math.IsInf(v, 0) || math.IsNaN(v) || v > 1e12 {
		return 0
	}
	return int64(math.Round(v * 100))
}

// yuan writes cents as yuan with two decimals.
func yuan(c int64) string { return fmt.Sprintf("%d.%02d", c/100, c%100) }

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func sortedKeys(m map[string]int) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// GenerateAnnual computes the year's report from the data and puts it in
// the review queue (replacing an earlier draft). A year not over yet, and
// a report already published, are refused.
func (s *Service) GenerateAnnual(ctx context.Context, year int, agency, note string, by Actor) (AnnualReport, error) {
	if err := allowed(by); err != nil {
		return AnnualReport{}, err
	}
	repo, err := s.annualRepo()
	if err != nil {
		return AnnualReport{}, err
	}
	now := s.now()
	from, to := YearBounds(year)
	if year < 1990 || now.Before(to) {
		return AnnualReport{}, refusedf("%d 年度尚未结束，年度统计在次年 1 月 1 日起生成", year)
	}
	old, err := repo.AnnualReport(ctx, year)
	switch {
	case err == nil && old.State == AnnualPublished:
		return old, refusedf("%d 年度统计已于 %s 公开，不再重新生成", year, old.PublishedAt.In(ChinaTime).Format(time.DateOnly))
	case err != nil && !errors.Is(err, ErrNotFound):
		return old, err
	}
	steps, err := repo.YearSteps(ctx, from, to, AnnualSteps)
	if err != nil {
		return AnnualReport{}, err
	}
	pubs, _, err := s.Repo.Publications(ctx, Query{Limit: -1})
	if err != nil {
		return AnnualReport{}, err
	}
	cs, err := s.Repo.Corrections(ctx, 0, false)
	if err != nil {
		return AnnualReport{}, err
	}
	r := AnnualReport{Year: year, State: AnnualQueued, Stats: ComputeAnnual(year, agency, steps, pubs, cs, now),
		Note: strings.TrimSpace(note), GeneratedBy: by.String(), GeneratedAt: now, History: old.History}
	if utf8Len(r.Note) > MaxText {
		return r, refusedf("说明不超过 %d 个字", MaxText)
	}
	act := "generated"
	if len(old.History) > 0 {
		act = "regenerated"
	}
	r.History = append(r.History, Action{At: now, By: by.String(), Role: by.Role, Action: act})
	return r, repo.PutAnnualReport(ctx, r)
}

func utf8Len(s string) int { return len([]rune(s)) }

// PublicAnnual is what the public sees of the statistics: every text
// through Redact (the report holds counts, but a label, a note or the
// agency's explanation must not carry a person's data either).
func PublicAnnual(st AnnualStats) AnnualStats {
	org := Subject{PartyKind: "org"}
	person := Subject{PartyKind: "person"}
	out := st
	out.Agency = RedactPlain(st.Agency, org)
	out.Sections = make([]AnnualSection, len(st.Sections))
	for i, sec := range st.Sections {
		ps := AnnualSection{Title: RedactPlain(sec.Title, person), Basis: sec.Basis, Note: RedactPlain(sec.Note, person)}
		for _, l := range sec.Lines {
			l.Label, l.Note = RedactPlain(l.Label, person), RedactPlain(l.Note, person)
			ps.Lines = append(ps.Lines, l)
		}
		out.Sections[i] = ps
	}
	out.NotRecorded = nil
	for _, n := range st.NotRecorded {
		out.NotRecorded = append(out.NotRecorded, RedactPlain(n, person))
	}
	return out
}

// ApproveAnnual records the internal review of a generated report and
// publishes it as it was previewed (000-publicity §23).
func (s *Service) ApproveAnnual(ctx context.Context, year int, by Actor, note string) (AnnualReport, error) {
	if err := allowed(by); err != nil {
		return AnnualReport{}, err
	}
	repo, err := s.annualRepo()
	if err != nil {
		return AnnualReport{}, err
	}
	r, err := repo.AnnualReport(ctx, year)
	if err != nil {
		return r, err
	}
	if r.State != AnnualQueued {
		return r, refusedf("%d 年度统计已公开", year)
	}
	now := s.now()
	pub := PublicAnnual(r.Stats)
	r.Public, r.PublicNote = &pub, RedactPlain(r.Note, Subject{PartyKind: "person"})
	r.State, r.ReviewedBy, r.PublishedAt = AnnualPublished, by.String(), now
	r.History = append(r.History, Action{At: now, By: by.String(), Role: by.Role, Action: "approved", Note: strings.TrimSpace(note)})
	return r, repo.PutAnnualReport(ctx, r)
}

// AnnualDeadlines are the deadlines of the annual reports: one per year
// from the agency's first recorded activity up to last year (at most ten),
// done when the report was published.
func (s *Service) AnnualDeadlines(ctx context.Context) ([]deadline.Deadline, error) {
	repo, err := s.annualRepo()
	if err != nil {
		return nil, nil
	}
	first, err := repo.FirstActivity(ctx)
	if err != nil || first.IsZero() {
		return nil, err
	}
	reports, err := repo.AnnualReports(ctx)
	if err != nil {
		return nil, err
	}
	done := map[int]time.Time{}
	for _, r := range reports {
		if r.State == AnnualPublished {
			done[r.Year] = r.PublishedAt
		}
	}
	set := s.AnnualSettings(ctx)
	last := s.now().In(ChinaTime).Year() - 1
	var out []deadline.Deadline
	for y := max(first.In(ChinaTime).Year(), last-9); y <= last; y++ {
		out = append(out, deadline.Annual(y, set, done[y]))
	}
	return out, nil
}
