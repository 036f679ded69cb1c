package reviewsrv

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"lawtrace/shared/deadline"
	"lawtrace/shared/enforce"
	"lawtrace/shared/paper"
)

// The documents of the coercion, permit and inspection steps printed from
// their office entries (issue 10): what the entry recorded, in the words of
// the law that requires the document.

// remedyText is the remedy paragraph of a decision (行政复议法 §20,
// 行政诉讼法 §46); without the organs named, the routes in general.
func remedyText(organ, court string) string {
	if organ != "" && court != "" {
		return fmt.Sprintf("如不服本决定，可以自收到本决定书之日起六十日内向%s申请行政复议，或者自收到本决定书之日起六个月内向%s提起行政诉讼（%s、%s）。",
			organ, court, enforce.Cite("行政复议法 §20"), enforce.Cite("行政诉讼法 §46"))
	}
	return "如不服本决定，可以依法申请行政复议或者提起行政诉讼（" + enforce.Cite("行政复议法 §20") + "、" + enforce.Cite("行政诉讼法 §46") + "）。"
}

// officePaper is the document an office entry stands for; ok is false
// for a step that prints none.
func officePaper(st *State, s Step, f OfficeFields, agency string) (paper.OfficeDocument, bool) {
	d := paper.OfficeDocument{Agency: agency, Number: f.Number, CaseID: st.Case.ID, Party: st.Case.Party,
		PartyKind: st.Case.PartyKind, Date: f.At, Footer: fmt.Sprintf("依机关记录第 %d 条（服务器签名）生成 · 条目哈希 SHA-256 %s", s.Seq, s.Hash)}
	cite := enforce.Cite
	switch s.Step {
	case StepSeizureExtend:
		d.Title = "延长查封（扣押）期限通知书"
		d.Body = []string{fmt.Sprintf("因%s，经本机关负责人批准，依据%s，决定将对你（单位）实施的查封（扣押）期限延长 %d 日，至 %s 止。",
			f.Reasons, cite("行政强制法 §25"), f.Days, f.Due.Add(-1).In(cst).Format("2006年1月2日"))}
	case StepSeizureDisposal:
		d.Title = "查封（扣押）财物处理决定书"
		d.Body = []string{fmt.Sprintf("依据%s和%s，本机关决定对查封（扣押）的财物%s。", f.Basis, cite("行政强制法 §27"), DisposalOutcomes[f.Outcome])}
		d.Remedy = remedyText("", "")
	case StepSeizureRelease:
		d.Title = "解除查封（扣押）决定书"
		d.Body = []string{fmt.Sprintf("因%s，依据%s，本机关决定解除对你（单位）实施的查封（扣押），退还下列财物，由 %s 签收。", ReleaseGrounds[f.Outcome], cite("行政强制法 §28"), f.Recipient)}
		d.ListTitle, d.Items = "退还财物清单", f.Objects
	case StepCoercionReminder:
		d.Title = "催告书"
		ob := st.Office.Coercion.Obligation
		text := "你（单位）未在规定期限内履行"
		if ob != nil {
			text = fmt.Sprintf("本机关于 %s 作出行政决定（%s），要求你（单位）%s，履行期限至 %s。你（单位）未在该期限内履行", ob.At.In(cst).Format("2006年1月2日"), ob.Number, ob.Content, ob.LastDay)
		}
		d.Body = []string{text + fmt.Sprintf("。依据%s，现催告你（单位）于 %s 前以%s履行上述义务。", cite("行政强制法 §35"), f.LastDay, f.Content)}
		if f.AmountCents > 0 {
			d.Body = append(d.Body, "涉及金钱给付的金额：人民币 "+deadline.Yuan(f.AmountCents)+" 元。")
		}
		d.Body = append(d.Body, "你（单位）收到本催告书后有权进行陈述和申辩（"+cite("行政强制法 §35(4), §36")+"）。逾期仍不履行且无正当理由的，本机关将依法强制执行。")
	case StepCoerciveExecution:
		d.Title = map[string]string{"coercive_decision": "行政强制执行决定书", "substitute": "代履行决定书", "court_application": "强制执行申请书"}[f.Outcome]
		switch f.Outcome {
		case "coercive_decision":
			d.Body = []string{fmt.Sprintf("你（单位）经催告逾期仍不履行行政决定。依据%s和%s，本机关决定强制执行，方式和时间：%s。", f.Basis, cite("行政强制法 §37"), f.Content)}
			d.Remedy = remedyText(f.ReconOrgan, f.Court)
		case "substitute":
			d.Body = []string{fmt.Sprintf("你（单位）经催告逾期仍不履行行政决定。依据%s，本机关决定代履行：代履行人 %s，代履行时间 %s，代履行费用人民币 %s 元，由你（单位）承担。",
				cite("行政强制法 §50, §51"), f.Institution, f.LastDay, deadline.Yuan(f.AmountCents))}
			d.Remedy = remedyText(f.ReconOrgan, f.Court)
		default:
			d.Rows = [][2]string{{"受理法院", f.Court}}
			d.Body = []string{fmt.Sprintf("被申请人在法定期限内不申请行政复议或者提起行政诉讼，又不履行行政决定，经催告仍未履行。依据%s，本机关申请人民法院强制执行。", cite("行政强制法 §53, §54, §55"))}
		}
	case StepPermitAcceptance:
		switch f.Outcome {
		case "accepted":
			d.Title, d.Body = "行政许可受理通知书", []string{"你（单位）提出的行政许可申请，申请材料齐全、符合法定形式，本机关决定受理（" + cite("行政许可法 §32") + "）。"}
		case "supplement":
			d.Title, d.Body = "补正申请材料通知书", []string{"你（单位）提出的行政许可申请，申请材料不齐全或者不符合法定形式，请补正下列全部内容（" + cite("行政许可法 §32(4)") + "）：" + f.Content}
		default:
			d.Title, d.Body = "不予受理行政许可申请决定书", []string{"你（单位）提出的行政许可申请，因" + f.Reasons + "，本机关决定不予受理（" + cite("行政许可法 §32") + "）。"}
			d.Remedy = remedyText("", "")
		}
	case StepPermitDecision:
		if f.Outcome == "grant" {
			d.Title, d.Body = "准予行政许可决定书", []string{"经审查，你（单位）的申请符合法定条件、标准，依据" + cite("行政许可法 §38") + "，本机关决定准予行政许可：" + f.Content + "。"}
		} else {
			d.Title, d.Body = "不予行政许可决定书", []string{"经审查，你（单位）的申请因" + f.Reasons + "，依据" + cite("行政许可法 §38") + "，本机关决定不予行政许可。"}
			d.Remedy = remedyText(f.ReconOrgan, f.Court)
		}
	case StepInspectionRectify:
		d.Title = "责令改正通知书"
		d.Body = []string{"经检查，你（单位）存在下列问题：" + f.Content + "。依据" + f.Basis + "，责令你（单位）于 " + f.LastDay + " 前改正。本机关将于期限届满后复查（" + cite("003 §3") + "）；逾期不改正的，依法处理。"}
	default:
		return d, false
	}
	return d, true
}

// Printable reports whether an office step prints a document.
func Printable(step string) bool {
	switch step {
	case StepSeizureExtend, StepSeizureDisposal, StepSeizureRelease, StepCoercionReminder, StepCoerciveExecution,
		StepPermitAcceptance, StepPermitDecision, StepInspectionRectify:
		return true
	}
	return false
}

// OfficePDF renders the document of the office entry seq of a case the
// user may see.
func (s *Service) OfficePDF(ctx context.Context, u User, caseID string, seq int64, agency string) ([]byte, error) {
	st, err := s.StateFor(ctx, u, caseID)
	if err != nil {
		return nil, err
	}
	oc, err := s.st.Office(ctx, caseID)
	if err != nil {
		return nil, err
	}
	for i, e := range oc.Chain {
		if e.Seq != seq || !Printable(e.Step) {
			continue
		}
		d, err := decodeEntry(e)
		if err != nil {
			return nil, err
		}
		var f OfficeFields
		if err := json.Unmarshal(d.fields, &f); err != nil {
			return nil, err
		}
		doc, _ := officePaper(st, st.Steps[i], f, agency)
		var buf bytes.Buffer
		if err := paper.RenderOfficeDocument(&buf, doc); err != nil {
			return nil, err
		}
		return buf.Bytes(), nil
	}
	return nil, enforce.Errorf(enforce.ENotFound, "case %s has no printable office entry #%d", caseID, seq)
}
