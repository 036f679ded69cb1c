package casefile

import (
	"bytes"
	"fmt"
	"strings"
	"time"
)

// Text is the verification report in Chinese, as lawtrace-verify prints it.
func (r *Report) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "案卷核验报告\n")
	if r.File != "" {
		fmt.Fprintf(&b, "案卷文件：%s\n", r.File)
	}
	fmt.Fprintf(&b, "案件编号：%s\n", r.CaseID)
	if t, err := time.Parse("2006-01-02T15:04:05.000000000Z", r.Created); err == nil {
		fmt.Fprintf(&b, "立卷时间：%s\n", t.In(cst).Format("2006年01月02日 15:04:05"))
	}
	fmt.Fprintf(&b, "服务器：%s，公钥指纹 %s\n", r.ServerID, r.ServerFingerprint)
	fmt.Fprintf(&b, "  （请将此指纹与执法机关公布的服务器公钥指纹核对：案卷只证明其内容出自持有该密钥的服务器。）\n")
	fmt.Fprintf(&b, "日志树头：大小 %d，根哈希 %s\n", r.TreeSize, r.TreeRoot)
	fmt.Fprintf(&b, "内容：文件 %d 个（文书 %d 份，附件 %d 个，共 %d 字节）；现场记录 %d 条，机关记录 %d 条；手写签名 %d 处\n",
		r.Files, r.Documents, r.Media, r.Bytes, r.Entries, r.Office, r.Signatures)
	fmt.Fprintf(&b, "核验项目：\n")
	for _, c := range r.Checks {
		fmt.Fprintf(&b, "  · %s\n", c)
	}
	if r.OK() {
		fmt.Fprintf(&b, "结论：完好。案卷中的每个文件、每条记录、每个签名和每份日志证明均核验通过。\n")
		return b.String()
	}
	fmt.Fprintf(&b, "结论：发现 %d 处问题，案卷不完好：\n", len(r.Findings))
	for i, f := range r.Findings {
		fmt.Fprintf(&b, "  %d. %s\n", i+1, f)
	}
	return b.String()
}

// PDF is the report as a PDF, dated at.
func (r *Report) PDF(at time.Time) ([]byte, error) {
	pdf := newPDF(at, "案卷核验报告")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-14)
		pdf.SetFont("cjk", "", 7)
		pdf.SetTextColor(90, 90, 90)
		pdf.CellFormat(0, 4, fmt.Sprintf("lawtrace-verify · %s 生成 · 第 %d 页 共 {nb} 页", at.In(cst).Format("2006-01-02 15:04:05"), pdf.PageNo()), "", 0, "C", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	})
	pdf.AddPage()
	width, _ := pdf.GetPageSize()
	left, _, right, _ := pdf.GetMargins()
	body := width - left - right
	lines := strings.Split(strings.TrimRight(r.Text(), "\n"), "\n")
	pdf.SetFont("cjk", "", 18)
	pdf.CellFormat(body, 12, lines[0], "", 1, "C", false, 0, "")
	pdf.Ln(2)
	for _, line := range lines[1:] {
		size := 10.0
		if strings.HasPrefix(line, "结论") {
			size = 12
			pdf.Ln(2)
			if r.OK() {
				pdf.SetTextColor(0, 110, 0)
			} else {
				pdf.SetTextColor(170, 0, 0)
			}
		}
		pdf.SetFont("cjk", "", size)
		for _, l := range wrapText(pdf, line, body) {
			pdf.CellFormat(body, size*0.55, l, "", 1, "L", false, 0, "")
		}
		pdf.SetTextColor(0, 0, 0)
	}
	if err := pdf.Error(); err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
