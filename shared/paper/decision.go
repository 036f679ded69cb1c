package paper

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"lawtrace/shared/enforce"
)

// PenaltyDecision is the 行政处罚决定书 of the general procedure, made from
// the office chain (proposal, prior notice, statement and hearing, the
// decision and its §59 elements; issue 10, SPEC C4). Amounts are in fen.
type PenaltyDecision struct {
	Agency    string
	Number    string // 文书编号; empty on a draft
	CaseID    string
	Party     string
	PartyKind string // person | org
	// PartyAddress is printed as recorded: the document goes to the party
	// (redaction applies to what is published, 000-publicity §18).
	PartyAddress string
	PartyID      string // 统一社会信用代码 / 身份证件号码, when recorded
	Facts        string
	Evidence     []string
	Reasons      string // why the facts break the law
	Procedure    string // notice, statement and its review, hearing
	Basis        string
	Penalties    []string // each penalty as printed ("警告", "罚款人民币 …")
	FineCents    int64
	PaymentPlace string
	PerformBy    string // how and by when a penalty other than a fine is performed
	ReconOrgan   string
	Court        string
	Decided      time.Time // zero: a draft for the decision's approval
	Footer       string    // the office entry it is made from
}

// decisionMissing lists the elements of 行政处罚法 §59 the document lacks.
func decisionMissing(d PenaltyDecision) []enforce.Item {
	var miss []enforce.Item
	need := func(ok bool, name, zh, article string) {
		if !ok {
			miss = append(miss, enforce.Item{Name: name, Zh: zh, En: name, Article: article})
		}
	}
	blank := func(s string) bool { return strings.TrimSpace(s) == "" }
	need(!blank(d.Agency), "agency", "作出决定的行政机关名称", "行政处罚法 §59(6)")
	need(!blank(d.Party), "party", "当事人的姓名或者名称", "行政处罚法 §59(1)")
	need(!blank(d.PartyAddress), "party_address", "当事人的地址", "行政处罚法 §59(1)")
	need(!blank(d.Facts), "facts", "违反法律、法规、规章的事实", "行政处罚法 §59(2)")
	need(len(d.Evidence) > 0, "evidence", "证据", "行政处罚法 §59(2)")
	need(len(d.Penalties) > 0, "penalty", "行政处罚的种类", "行政处罚法 §59(3)")
	need(!blank(d.Basis), "basis", "行政处罚的依据", "行政处罚法 §59(3)")
	need(d.FineCents == 0 || !blank(d.PaymentPlace), "payment_place", "罚款的履行方式（缴款银行或电子支付）", "行政处罚法 §59(4), §67")
	need(!blank(d.ReconOrgan), "reconsideration_organ", "申请行政复议的途径", "行政处罚法 §59(5)")
	need(!blank(d.Court), "court", "提起行政诉讼的途径", "行政处罚法 §59(5)")
	return miss
}

// RenderPenaltyDecision writes the decision document as PDF with every
// element of 行政处罚法 §59: the party's name and address; the facts and
// the evidence; the penalty and its basis; how and by when to perform it
// (the fine within 15 days at the named bank, §67, and the late fee of
// §72(1)); the remedy route and its deadlines (行政复议 within 60 days,
// 行政复议法 §20, or 行政诉讼 within 6 months, 行政诉讼法 §46, execution not
// suspended, §73); the agency's name, the date and the place of its seal.
// A document lacking an element is refused with the element named. The
// same input gives the same bytes.
func RenderPenaltyDecision(w io.Writer, d PenaltyDecision) error {
	if miss := decisionMissing(d); len(miss) > 0 {
		return &enforce.Error{Code: enforce.ERefused, Step: "decision", Article: "行政处罚法 §59", Missing: miss,
			Message: "the decision document lacks elements 行政处罚法 §59 requires", MessageZh: "行政处罚决定书缺少第五十九条规定的事项"}
	}
	stamp := d.Decided
	if stamp.IsZero() {
		stamp = time.Date(2000, 1, 1, 0, 0, 0, 0, cst)
	}
	title := "行政处罚决定书"
	if d.Decided.IsZero() {
		title += "（送审稿）"
	}
	pdf, p := officePage(stamp, title, d.CaseID, d.Footer)

	p.header(d.Agency, title)
	p.number("", firstOf(d.Number, "（文号待决定时填写）"))
	p.rule()
	p.row(partyLabel(d.PartyKind), d.Party)
	idLabel := "统一社会信用代码"
	if d.PartyKind == "person" {
		idLabel = "身份证件号码"
	}
	p.row(idLabel, d.PartyID)
	addrLabel := "住所"
	if d.PartyKind == "person" {
		addrLabel = "住址"
	}
	p.row(addrLabel, d.PartyAddress)
	p.row("案件编号", d.CaseID)
	p.rule()

	const size, lh = 10, 5.7
	p.heading("一、违法事实和证据", 11, 7)
	p.para(d.Facts, size, lh)
	p.para("以上事实有下列证据证明：", size, lh)
	for i, e := range d.Evidence {
		p.para(fmt.Sprintf("%d. %s", i+1, e), size, lh)
	}
	if strings.TrimSpace(d.Reasons) != "" {
		p.para("本机关认为："+d.Reasons, size, lh)
	}
	if strings.TrimSpace(d.Procedure) != "" {
		p.heading("二、告知、陈述申辩和听证情况", 11, 7)
		p.para(d.Procedure, size, lh)
	}
	p.heading(map[bool]string{true: "三", false: "二"}[strings.TrimSpace(d.Procedure) != ""]+"、行政处罚的种类和依据", 11, 7)
	p.para("依据"+d.Basis+"，本机关决定对当事人作出如下行政处罚：", size, lh)
	for i, pen := range d.Penalties {
		p.para(fmt.Sprintf("（%s）%s", listNumeral(i+1), pen), size, lh)
	}
	n := map[bool][]string{true: {"四", "五"}, false: {"三", "四"}}[strings.TrimSpace(d.Procedure) != ""]
	p.heading(n[0]+"、履行方式和期限", 11, 7)
	if d.FineCents > 0 {
		p.para(fmt.Sprintf("当事人应当自收到本决定书之日起十五日内，将罚款人民币 %s 元（大写：%s）缴至%s（%s）。到期不缴纳罚款的，本机关每日按罚款数额的百分之三加处罚款，加处罚款的数额不得超出罚款的数额（%s第一款第（一）项），并依法申请人民法院强制执行。",
			figures(d.FineCents), capitalYuan(d.FineCents), d.PaymentPlace, enforce.Cite("行政处罚法 §67"), enforce.Cite("行政处罚法 §72")), size, lh)
	}
	if strings.TrimSpace(d.PerformBy) != "" {
		p.para(d.PerformBy, size, lh)
	}
	p.heading(n[1]+"、救济途径和期限", 11, 7)
	p.para(fmt.Sprintf("当事人对本决定不服的，可以自收到本决定书之日起六十日内向%s申请行政复议（%s），或者自收到本决定书之日起六个月内向%s提起行政诉讼（%s）。",
		d.ReconOrgan, enforce.Cite("行政复议法 §20"), d.Court, enforce.Cite("行政诉讼法 §46")), size, lh)
	p.para("当事人申请行政复议或者提起行政诉讼的，行政处罚不停止执行，法律另有规定的除外（"+enforce.Cite("行政处罚法 §73")+"）。", size, lh)

	p.sealBlock(d.Agency, d.Decided, size, lh)
	if err := pdf.Error(); err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return err
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// sealBlock prints the agency and the date flush right, with the place of
// the seal over them (落款、盖章); a zero date leaves it blank to fill in.
func (p *page) sealBlock(agency string, decided time.Time, size, lh float64) {
	p.pdf.Ln(3)
	x, y := p.pdf.GetXY()
	if y > 248 {
		p.pdf.AddPage()
		x, y = p.pdf.GetXY()
	}
	cx := x + p.body - 24
	p.pdf.SetDrawColor(190, 60, 60)
	p.pdf.SetDashPattern([]float64{1.2, 1.2}, 0)
	p.pdf.Circle(cx, y+9, 16, "D")
	p.pdf.SetDashPattern([]float64{}, 0)
	p.pdf.SetDrawColor(0, 0, 0)
	p.pdf.SetTextColor(170, 60, 60)
	p.pdf.SetFont("cjk", "", 7)
	p.pdf.SetXY(cx-16, y+17)
	p.pdf.CellFormat(32, 4, "（行政机关印章）", "", 0, "C", false, 0, "")
	p.pdf.SetTextColor(0, 0, 0)
	p.pdf.SetFont("cjk", "", size)
	p.pdf.SetXY(x, y+3)
	p.pdf.CellFormat(p.body, lh, agency, "", 1, "R", false, 0, "")
	date := "    年    月    日"
	if !decided.IsZero() {
		date = decided.In(cst).Format("2006年1月2日")
	}
	p.pdf.CellFormat(p.body, lh, date, "", 1, "R", false, 0, "")
	p.pdf.SetY(y + 27)
}

// listNumeral is 一 … 十 and beyond in figures, for numbered items.
func listNumeral(n int) string {
	if n >= 1 && n <= 10 {
		return []string{"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}[n-1]
	}
	return fmt.Sprint(n)
}
