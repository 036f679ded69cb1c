package paper

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"lawtrace/assets/fonts"
	"lawtrace/shared/enforce"
)

// OfficeDocument is a document of a coercion, permit or inspection case
// printed from its server-signed office entry (issue 10): 延长查封扣押期限
// 通知书, 查封扣押处理决定书, 解除查封扣押决定书 with the list of goods
// returned, 催告书, 行政强制执行决定书 / 代履行决定书 / 强制执行申请书, 准予 /
// 不予行政许可决定书, 受理通知书, 责令改正通知书.
type OfficeDocument struct {
	Agency    string
	Title     string
	Number    string
	CaseID    string
	Party     string
	PartyKind string
	Rows      [][2]string // label, value
	Body      []string    // paragraphs
	ListTitle string      // a numbered list (the goods returned), when Items
	Items     []string
	Remedy    string // the remedy paragraph, "" when the document gives none
	Date      time.Time
	Footer    string // the office entry it is made from
}

// RenderOfficeDocument writes the document as PDF: the agency and title,
// the number, the party, the rows, the text, the list, the remedy, the
// agency and date with the seal's place. A document without its agency,
// title, party or text is refused. The same input gives the same bytes.
func RenderOfficeDocument(w io.Writer, d OfficeDocument) error {
	var miss []enforce.Item
	need := func(ok bool, name, zh string) {
		if !ok {
			miss = append(miss, enforce.Item{Name: name, Zh: zh, En: name})
		}
	}
	need(strings.TrimSpace(d.Agency) != "", "agency", "行政机关名称")
	need(strings.TrimSpace(d.Title) != "", "title", "文书名称")
	need(strings.TrimSpace(d.Party) != "", "party", "当事人")
	need(len(d.Body) > 0, "body", "文书正文")
	if len(miss) > 0 {
		return &enforce.Error{Code: enforce.ERefused, Step: "office_document", Missing: miss, Message: "the document lacks its elements", MessageZh: "文书缺少必要内容"}
	}
	stamp := d.Date
	if stamp.IsZero() {
		stamp = time.Date(2000, 1, 1, 0, 0, 0, 0, cst)
	}
	pdf, p := officePage(stamp, d.Title, d.CaseID, d.Footer)
	p.header(d.Agency, d.Title)
	p.number("", firstOf(d.Number, "（无文号）"))
	p.rule()
	p.row(partyLabel(d.PartyKind), d.Party)
	p.row("案件编号", d.CaseID)
	for _, r := range d.Rows {
		p.row(r[0], r[1])
	}
	p.rule()
	const size, lh = 10, 5.7
	for _, para := range d.Body {
		p.para(para, size, lh)
	}
	if len(d.Items) > 0 {
		p.heading(d.ListTitle, 11, 7)
		for i, it := range d.Items {
			p.para(fmt.Sprintf("%d. %s", i+1, it), size, lh)
		}
	}
	if d.Remedy != "" {
		p.para(d.Remedy, size, lh)
	}
	p.sealBlock(d.Agency, d.Date, size, lh)
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

// officePage starts an A4 office document (the decision and the office
// steps' documents): the CJK font, fixed dates so the bytes are
// reproducible, the title, margins and the footer naming the case.
func officePage(stamp time.Time, title, caseID, footer string) (*fpdf.Fpdf, *page) {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(stamp)
	pdf.SetModificationDate(stamp)
	pdf.SetCatalogSort(true)
	pdf.SetCompression(true)
	pdf.AddUTF8FontFromBytes("cjk", "", fonts.CJKTrueType)
	pdf.SetTitle(title, true)
	pdf.SetCreator("LawTrace 执法留痕", true)
	pdf.SetMargins(20, 16, 20)
	pdf.SetAutoPageBreak(true, 22)
	pdf.SetFooterFunc(func() {
		pdf.SetY(-17)
		pdf.SetFont("cjk", "", 7)
		pdf.SetTextColor(90, 90, 90)
		multiCell(pdf, 0, 3.4, fmt.Sprintf("案件 %s · %s · 第 %d 页", caseID, footer, pdf.PageNo()), "C")
		pdf.SetTextColor(0, 0, 0)
	})
	pdf.AddPage()
	width, _ := pdf.GetPageSize()
	left, _, right, _ := pdf.GetMargins()
	return pdf, &page{pdf: pdf, body: width - left - right}
}
