package reviewsrv

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"

	"lawtrace/shared/deadline"
	"lawtrace/shared/enforce"
	"lawtrace/shared/paper"
	"lawtrace/shared/review"
)

// DecisionPaper is the 行政处罚决定书 (行政处罚法 §59; SPEC C4) made from the
// office chain: the party of the case, the facts, reasons and basis of the
// prior notice in force, the penalty of the decision (or, before it, of
// the proposal: a draft for approval), the statement, 复核 and hearing, and
// the §59 elements of the decision_draft step. The renderer
// (paper.RenderPenaltyDecision) refuses a document lacking an element.
func (st *State) DecisionPaper(agency string) paper.PenaltyDecision {
	l, x := &st.Life, &st.Exec
	d := paper.PenaltyDecision{Agency: agency, CaseID: st.Case.ID, Party: st.Case.Party, PartyKind: st.Case.PartyKind}
	if l.Notice != nil {
		d.Facts, d.Reasons, d.Basis = l.Notice.Facts, l.Notice.Reasons, l.Notice.Basis
	}
	if x.Draft != nil {
		d.PartyAddress, d.PartyID, d.Evidence = x.Draft.PartyAddress, x.Draft.PartyID, x.Draft.Evidence
		d.PaymentPlace, d.PerformBy, d.ReconOrgan, d.Court = x.Draft.PaymentPlace, x.Draft.PerformBy, x.Draft.ReconOrgan, x.Draft.Court
	}
	p := st.Proposal
	d.Footer = "送审稿，依拟作出的决定生成"
	if st.Decision != nil {
		p = &st.Decision.Proposal
		d.Number, d.Decided = st.Decision.Document.Number, st.Decided
		for _, s := range st.Steps {
			if s.Step == StepDecision {
				d.Footer = fmt.Sprintf("依机关记录第 %d 条（行政处罚决定，服务器签名）生成 · 条目哈希 SHA-256 %s", s.Seq, s.Hash)
			}
		}
	}
	if p != nil {
		for _, m := range p.Measures {
			switch m {
			case "fine":
				d.FineCents = deadline.Cents(p.Fine)
				d.Penalties = append(d.Penalties, "罚款人民币 "+deadline.Yuan(d.FineCents)+" 元")
			default:
				if lbl, ok := review.Measures[m]; ok && slices.Contains(review.PenaltyMeasures, m) {
					d.Penalties = append(d.Penalties, lbl)
				}
			}
		}
	}
	d.Procedure = procedureText(st)
	return d
}

// procedureText tells the notice, the statement and its review, the
// waiver and the hearing as the decision recites them.
func procedureText(st *State) string {
	l := &st.Life
	if l.Notice == nil {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "本机关于 %s 向当事人送达行政处罚事先告知书（%s），告知拟作出的行政处罚内容及事实、理由、依据和当事人依法享有的陈述、申辩", dateZh(l), l.Notice.Number)
	if l.Notice.HearingRight {
		b.WriteString("、要求听证")
	}
	b.WriteString("等权利。")
	switch {
	case l.Waiver != nil:
		b.WriteString("当事人于 " + l.Waiver.SignedOn + " 书面放弃陈述、申辩和听证权利。")
	case len(l.Statements) > 0:
		fmt.Fprintf(&b, "当事人提出陈述、申辩 %d 次，本机关进行了复核：", len(l.Statements))
		var parts []string
		for _, r := range l.Reviews {
			parts = append(parts, ReviewOutcomes[r.Fields.Outcome]+"（"+r.Fields.Reasons+"）")
		}
		b.WriteString(strings.Join(parts, "；") + "。")
	default:
		b.WriteString("当事人在规定期限内未提出陈述、申辩。")
	}
	if h := l.Hearing; h != nil {
		if h.Attendance == "absent" {
			b.WriteString("当事人要求听证后无正当理由未出席，视为放弃听证。")
		} else {
			fmt.Fprintf(&b, "应当事人要求，本机关于 %s 依法举行听证，本决定根据听证笔录作出。", h.HeldAt.In(cst).Format("2006年1月2日"))
		}
	}
	return b.String()
}

func dateZh(l *Lifecycle) string {
	if l.Served == nil {
		return "（未送达）"
	}
	return l.Served.ServedAt.In(cst).Format("2006年1月2日")
}

// DecisionPDF renders the decision document of a case the user may see:
// after the decision the document as decided (number, date), before it a
// draft for the approval. A document lacking an element of §59 is refused
// with the elements named.
func (s *Service) DecisionPDF(ctx context.Context, u User, caseID, agency string) ([]byte, error) {
	st, err := s.StateFor(ctx, u, caseID)
	if err != nil {
		return nil, err
	}
	if st.Case.Procedure != "penalty" {
		return nil, &enforce.Error{Code: enforce.ERefused, Step: StepDecision, Article: "行政处罚法 §59",
			Message: "the decision document of §59 is that of a general-procedure penalty", MessageZh: "本案不是适用普通程序的行政处罚案件"}
	}
	var buf bytes.Buffer
	if err := paper.RenderPenaltyDecision(&buf, st.DecisionPaper(agency)); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
