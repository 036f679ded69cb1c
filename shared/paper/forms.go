package paper

import (
	"fmt"
	"strings"
	"time"

	"lawtrace/shared/enforce"
)

// The documents whose form the law fixes, one renderer each, laid out with
// the shared page helpers (SPEC F12, F14, F15).

// remedy is the remedy route of an on-the-spot penalty: reconsideration
// first (行政复议法 2023 §23(1)(1)), then suit.
func remedy(organ string) string {
	return "如不服本决定，应当自收到本决定书之日起六十日内向" + organ + "申请行政复议；对行政复议决定不服的，可以自收到行政复议决定书之日起十五日内依法向人民法院提起行政诉讼。" +
		"（" + enforce.Cite("行政复议法 §23") + "第一款第（一）项）"
}

// onSpotDecision prints the 当场行政处罚决定书 with everything 行政处罚法 §52
// requires: the party, the illegal act, the kind of penalty and its basis,
// the fine, the time and place, the remedy route and deadline, the agency,
// the officers' signatures, and the party's signature or refusal; with the
// statement or its waiver (§44-45) and the payment terms (§67-72).
func onSpotDecision(p *page, d Document, r record) error {
	f := r.fields.text
	agency := firstOf(f["agency"], d.Agency)
	fine := f["penalty"] == "fine"
	var yuan, capital string
	if fine {
		cents, err := parseYuan(f["amount"])
		if err != nil {
			return enforce.Errorf(enforce.EInvalid, "entry %s: fine amount %q: %v", d.Entry.ID, f["amount"], err)
		}
		yuan, capital = figures(cents), capitalYuan(cents)
	}

	p.header(agency, title(r.def))
	p.number("编号：", f["decision_number"])
	p.rule()
	p.row(partyLabel(d.PartyKind), d.Party)
	p.row("代签人", agentText(f["party_agent"]))
	p.row("案件编号", d.CaseID)
	p.row("执法人员", crew(d.Officers, d.Entry.Officers)+"，已向当事人出示执法证件")
	p.row("违法事实", f["facts"])
	p.row("处罚依据", f["basis"])
	p.row("处罚种类", r.text("penalty"))
	if fine {
		p.row("罚款金额", fmt.Sprintf("人民币 %s 元（大写：%s）", yuan, capital))
	}
	p.row("决定时间", r.when.In(cst).Format("2006年01月02日 15:04"))
	p.row("决定地点", firstOf(f["place"], place(d.Entry.Place)))
	p.rule()

	p.heading("当事人陈述、申辩", 11, 7)
	switch f["statement_made"] {
	case "made":
		p.para("作出本决定前，已告知当事人拟作出的行政处罚内容及事实、理由、依据，当事人进行了陈述、申辩。", 10.5, 6.5)
		p.row("陈述、申辩内容", f["statement"])
		p.row("复核情况", f["statement_review"])
		p.row("复核结论", r.text("statement_adopted"))
		p.row("理由", f["adoption_reason"])
	case "waived":
		p.para("作出本决定前，已告知当事人拟作出的行政处罚内容及事实、理由、依据和依法享有的陈述、申辩权利，当事人明确放弃陈述、申辩。", 10.5, 6.5)
	default:
		p.row("陈述、申辩", r.text("statement_made"))
	}

	if fine {
		p.heading("罚款缴纳", 11, 7)
		late := "到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款，加处罚款的数额不得超出罚款的数额（" + enforce.Cite("行政处罚法 §72") + "第一款第（一）项）。"
		switch f["payment"] {
		case "bank":
			p.para(fmt.Sprintf("当事人应当自收到本决定书之日起十五日内，到%s缴纳罚款人民币 %s 元（%s）（%s）。%s",
				f["bank"], yuan, capital, enforce.Cite("行政处罚法 §67"), late), 10.5, 6.5)
		case "on_spot":
			p.para(fmt.Sprintf("罚款人民币 %s 元（%s）已由执法人员当场收缴（%s），并向当事人出具省级财政部门统一制发的专用票据，票据编号：%s（%s）。",
				yuan, capital, r.text("on_spot_ground"), f["receipt_number"], enforce.Cite("行政处罚法 §68-70")), 10.5, 6.5)
		default:
			p.row("缴纳方式", r.text("payment"))
			p.para(late, 10.5, 6.5)
		}
	}

	p.heading("救济途径和期限", 11, 7)
	p.para(remedy(f["reconsideration_organ"]), 10.5, 6.5)
	p.para("当事人申请行政复议或者提起行政诉讼的，行政处罚不停止执行，法律另有规定的除外（"+enforce.Cite("行政处罚法 §73")+"）。", 10.5, 6.5)
	p.signOff(agency, r.when)
	if refusal := f["party_refusal"]; refusal != "" {
		p.row("当事人拒绝签收", refusal+"（已在本决定书上注明）")
	}
	p.para("本决定书当场交付当事人；当场作出的行政处罚决定报所属行政机关备案（"+enforce.Cite("行政处罚法 §52")+"）。", 8, 4.5)
	return p.closing(d, r)
}

// seizure prints the 查封（扣押）现场笔录 with its list of the objects
// (行政强制法 §18, §24-25): approval or the emergency, the term, the party's
// presence or the witness.
func seizure(p *page, d Document, r record) error {
	f := r.fields.text
	p.header(d.Agency, title(r.def))
	p.number("查封（扣押）决定书文号：", f["decision_number"])
	p.particulars(d, r)
	p.rule()
	p.rows(r, "place", "approval", "approver", "approved_at", "approval_means", "emergency_reason")
	if f["approval"] == "emergency" {
		p.para("情况紧急，需要当场实施行政强制措施的，行政执法人员应当在二十四小时内向行政机关负责人报告，并补办批准手续（"+enforce.Cite("行政强制法 §19")+"）。", 9, 5)
	}
	if days := f["term_days"]; days != "" {
		p.row("查封（扣押）期限", days+" 日（不得超过三十日，"+enforce.Cite("行政强制法 §25")+"）")
	}
	p.rule()
	if def, ok := r.def.Field("objects"); ok {
		def.Label = "查封（扣押）清单"
		p.itemTable(def, r.fields.items["objects"])
	}
	p.para("本清单一式二份，由当事人和行政机关分别保存（"+enforce.Cite("行政强制法 §24")+"）。", 9, 5)
	p.rows(r, "party_presence", "witness_name")
	p.row("代签人", agentText(f["party_agent"]))
	if refusal := f["party_refusal"]; refusal != "" {
		p.row("当事人拒绝签名", refusal+"（已在笔录中注明）")
	}
	return p.closing(d, r)
}

// rectifyOrder prints the 责令改正通知书 as a letter to the party.
func rectifyOrder(p *page, d Document, r record) error {
	f := r.fields.text
	you := "你"
	if d.PartyKind == "org" {
		you = "你单位"
	}
	p.header(d.Agency, title(r.def))
	p.number("文号：", f["document_number"])
	p.rule()
	p.para(d.Party+"：", 10.5, 7)
	p.para("　　经检查，"+you+"存在下列问题："+f["problems"], 10.5, 7)
	p.para("　　依据"+f["basis"]+"，现责令"+you+"于"+chineseDate(f["deadline"])+"前改正。改正要求："+f["requirement"], 10.5, 7)
	p.para("　　逾期不改正的，本机关将依法处理。", 10.5, 7)
	p.signOff(d.Agency, r.when)
	p.rule()
	p.particulars(d, r)
	p.row("代签人", agentText(f["party_agent"]))
	if refusal := f["party_refusal"]; refusal != "" {
		p.row("当事人拒绝签名", refusal)
	}
	return p.closing(d, r)
}

// rows prints the named fields of a record, by their labels, in the order given.
func (p *page) rows(r record, names ...string) {
	for _, n := range names {
		if f, ok := r.def.Field(n); ok {
			p.row(f.Label, r.text(n))
		}
	}
}

// signOff prints the issuing agency and the date, flush right, as a
// document is signed off (落款).
func (p *page) signOff(agency string, when time.Time) {
	p.pdf.Ln(3)
	p.pdf.SetFont("cjk", "", 10.5)
	if agency != "" {
		p.pdf.CellFormat(p.body, 6.5, agency, "", 1, "R", false, 0, "")
	}
	p.pdf.CellFormat(p.body, 6.5, when.In(cst).Format("2006年01月02日"), "", 1, "R", false, 0, "")
	p.pdf.Ln(2)
}

func partyLabel(kind string) string {
	switch kind {
	case "org":
		return "当事人（单位）"
	case "person":
		return "当事人（个人）"
	}
	return "当事人"
}

func agentText(agent string) string {
	if agent == "" {
		return ""
	}
	return agent + "（代当事人签名的法定代表人、负责人或委托代理人）"
}

// chineseDate writes a date field (2006-01-02) as 2006年01月02日.
func chineseDate(s string) string {
	t, err := time.Parse("2006-01-02", strings.TrimSpace(s))
	if err != nil {
		return s
	}
	return t.Format("2006年01月02日")
}

func firstOf(values ...string) string {
	for _, v := range values {
		if strings.TrimSpace(v) != "" {
			return v
		}
	}
	return ""
}
