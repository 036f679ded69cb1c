package paper

import (
	"bytes"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/go-pdf/fpdf"

	"lawtrace/assets/fonts"
)

// AnnualReport is a year's enforcement statistics as published (SPEC P6):
// counts only, every text already redacted by the caller.
type AnnualReport struct {
	Agency    string
	Year      int
	Sections  []AnnualSection
	Note      string   // the agency's explanation
	Missing   []string // what the system does not record
	Published time.Time
	Reviewed  string // who approved it
	URL       string // where the page is
}

// AnnualSection is one table of the report.
type AnnualSection struct {
	Title, Basis, Note string
	Lines              []AnnualLine
}

// AnnualLine is one count; Amount is yuan with two decimals or empty.
type AnnualLine struct {
	Label  string
	Count  int
	Amount string
	Sub    bool
}

// RenderAnnual prints the report on A4: title, one table per section
// (item, count, amount), the notes, what is not recorded, and who
// approved it and when.
func RenderAnnual(w io.Writer, r AnnualReport) error {
	title := fmt.Sprintf("%d 年度行政执法数据统计", r.Year)
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(r.Published)
	pdf.SetModificationDate(r.Published)
	pdf.SetCatalogSort(true)
	pdf.SetCompression(true)
	pdf.AddUTF8FontFromBytes("cjk", "", fonts.CJKTrueType)
	pdf.SetTitle(r.Agency+" "+title, true)
	pdf.SetCreator("LawTrace 执法留痕", true)
	pdf.SetMargins(18, 16, 18)
	pdf.SetAutoPageBreak(true, 20)
	pdf.SetFooterFunc(func() {
		pdf.SetY(-15)
		pdf.SetFont("cjk", "", 7.5)
		pdf.SetTextColor(90, 90, 90)
		pdf.CellFormat(0, 4, fmt.Sprintf("%s · %s · 第 %d 页", r.Agency, title, pdf.PageNo()), "", 0, "C", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	})
	pdf.AddPage()
	width, _ := pdf.GetPageSize()
	left, _, right, _ := pdf.GetMargins()
	p := &page{pdf: pdf, body: width - left - right}
	p.header(r.Agency, title)
	p.pdf.SetFont("cjk", "", 9.5)
	p.pdf.CellFormat(p.body, 5.5, fmt.Sprintf("统计期间：%d年1月1日至%d年12月31日　公开日期：%s", r.Year, r.Year, r.Published.In(cst).Format("2006年01月02日")), "", 1, "C", false, 0, "")
	p.pdf.Ln(2)

	countW, amountW := 24.0, 38.0
	labelW := p.body - countW - amountW
	for _, sec := range r.Sections {
		// keep a heading with at least three lines of its table
		if _, y := pdf.GetXY(); y > 297-20-7-6.5*4 {
			pdf.AddPage()
		}
		p.heading(sec.Title, 11.5, 8)
		pdf.SetFont("cjk", "", 9)
		pdf.SetFillColor(238, 238, 238)
		pdf.CellFormat(labelW, 6, "项目", "1", 0, "L", true, 0, "")
		pdf.CellFormat(countW, 6, "件数", "1", 0, "R", true, 0, "")
		pdf.CellFormat(amountW, 6, "金额（元）", "1", 1, "R", true, 0, "")
		pdf.SetFont("cjk", "", 10)
		for _, l := range sec.Lines {
			label := l.Label
			if l.Sub {
				label = "　　" + label
			}
			pdf.CellFormat(labelW, 6.2, fit(pdf, label, labelW-2), "1", 0, "L", false, 0, "")
			pdf.CellFormat(countW, 6.2, strconv.Itoa(l.Count), "1", 0, "R", false, 0, "")
			pdf.CellFormat(amountW, 6.2, l.Amount, "1", 1, "R", false, 0, "")
		}
		if sec.Note != "" || sec.Basis != "" {
			pdf.SetFont("cjk", "", 8)
			note := sec.Note
			if sec.Basis != "" {
				note += "（依据 " + sec.Basis + "）"
			}
			multiCell(pdf, p.body, 4.2, note, "L")
		}
		pdf.Ln(2.5)
	}
	if r.Note != "" {
		p.heading("说明", 11.5, 8)
		p.para(r.Note, 10, 5.8)
		pdf.Ln(2)
	}
	if len(r.Missing) > 0 {
		p.heading("未纳入统计的事项", 11.5, 8)
		pdf.SetFont("cjk", "", 9.5)
		for _, m := range r.Missing {
			multiCell(pdf, p.body, 5.4, "· "+m, "L")
		}
		pdf.Ln(2)
	}
	p.rule()
	pdf.SetFont("cjk", "", 9)
	multiCell(pdf, p.body, 5, fmt.Sprintf("本统计由执法记录数据自动生成，经本机关内部审核（审核人：%s）后于 %s 公开。数据只含件数和金额，不含任何个人信息。", r.Reviewed, r.Published.In(cst).Format("2006年01月02日 15:04")), "L")
	if r.URL != "" {
		multiCell(pdf, p.body, 5, "网页版："+r.URL, "L")
	}
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
