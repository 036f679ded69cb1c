package casefile

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"time"

	"github.com/go-pdf/fpdf"

	"lawtrace/assets/fonts"
	"lawtrace/shared/casedoc"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
)

// China Standard Time: dates in the case file are dates in China.
var cst = time.FixedZone("CST", 8*3600)

// TOCRow is one line of the table of contents (卷内目录).
type TOCRow struct {
	No    int
	Group string
	Title string
	Chain string
	Seq   int64
	Entry string
	Date  string
	File  string // the document's path, else the entries file and number
	Media int
}

// tocInput is what the table of contents is made from; Write and Verify
// build it from the same data, so Verify can print it again and compare.
type tocInput struct {
	Header    casedoc.Header
	Procedure *enforce.Procedure
	Agency    string
	Entries   []ledger.Entry
	Office    []ledger.Entry
	Documents map[string]string // entry id -> document path
	Created   time.Time
	ServerKey []byte
	TreeSize  uint64
}

// rows orders every entry of both chains the way the archive rules file a
// case: by group (Groups), then by recording time, then chain and number.
func (in tocInput) rows() []TOCRow {
	type item struct {
		row   TOCRow
		group int
		at    string
		chain int
	}
	var items []item
	add := func(chain string, ci int, e ledger.Entry) {
		title := ""
		if chain == ChainOffice {
			title = casedoc.OfficeSteps[e.Step].Title
		} else if t, ok := terminalTitles[e.Step]; ok {
			title = t
		} else {
			title = casedoc.Title(in.Procedure, e.Step)
		}
		if title == "" {
			title = e.Step
		}
		file := PathEntries
		if chain == ChainOffice {
			file = PathOffice
		}
		file = fmt.Sprintf("%s #%d", file, e.Seq)
		if p, ok := in.Documents[e.ID]; ok {
			file = p
		}
		if chain == ChainOffice {
			if doc, ok := casedoc.OfficeDocuments[e.Step]; ok {
				title = doc // the document the entry stands for
			}
			if h := officeDocumentFile(e); h != "" {
				file = DirMedia + h // the document the step stored, filed under media/ by its hash
			}
		}
		date := e.DeviceTime
		if t, err := ledger.ParseTime(e.DeviceTime); err == nil {
			date = t.In(cst).Format("2006-01-02 15:04")
		}
		g := groupOf(chain, e.Step)
		items = append(items, item{row: TOCRow{Group: Groups[g], Title: title, Chain: chain, Seq: e.Seq, Entry: e.ID, Date: date, File: file, Media: len(e.Media)},
			group: g, at: e.DeviceTime, chain: ci})
	}
	for _, e := range in.Entries {
		add(ChainTerminal, 0, e)
	}
	for _, e := range in.Office {
		add(ChainOffice, 1, e)
	}
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if a.group != b.group {
			return a.group < b.group
		}
		if a.at != b.at {
			return a.at < b.at
		}
		if a.chain != b.chain {
			return a.chain < b.chain
		}
		return a.row.Seq < b.row.Seq
	})
	out := make([]TOCRow, len(items))
	for i, it := range items {
		it.row.No = i + 1
		out[i] = it.row
	}
	return out
}

// newPDF starts an A4 document in the bundled CJK font, dated at, so the
// same input always gives the same bytes.
func newPDF(at time.Time, title string) *fpdf.Fpdf {
	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(at)
	pdf.SetModificationDate(at)
	pdf.SetCatalogSort(true)
	pdf.SetCompression(true)
	pdf.AddUTF8FontFromBytes("cjk", "", fonts.CJKTrueType)
	pdf.SetTitle(title, true)
	pdf.SetCreator("LawTrace 执法留痕", true)
	pdf.SetMargins(18, 16, 18)
	pdf.SetAutoPageBreak(true, 20)
	pdf.AliasNbPages("{nb}")
	return pdf
}

// fitText cuts s to width, ending in … when cut.
func fitText(pdf *fpdf.Fpdf, s string, width float64) string {
	if pdf.GetStringWidth(s) <= width {
		return s
	}
	rs := []rune(s)
	for len(rs) > 0 && pdf.GetStringWidth(string(rs)+"…") > width {
		rs = rs[:len(rs)-1]
	}
	return string(rs) + "…"
}

// wrapText breaks s into lines no wider than width, between any two
// characters (Chinese has no spaces to break at), keeping every character.
func wrapText(pdf *fpdf.Fpdf, s string, width float64) []string {
	var lines []string
	for _, para := range splitLines(s) {
		var cur []rune
		for _, r := range para {
			if len(cur) > 0 && pdf.GetStringWidth(string(append(cur, r))) > width {
				lines = append(lines, string(cur))
				cur = cur[:0]
			}
			cur = append(cur, r)
		}
		lines = append(lines, string(cur))
	}
	return lines
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}

var chainNames = map[string]string{ChainTerminal: "现场", ChainOffice: "机关"}

// renderTOC prints the table of contents.
func renderTOC(in tocInput) ([]byte, error) {
	pdf := newPDF(in.Created, "卷内目录")
	pdf.SetFooterFunc(func() {
		pdf.SetY(-14)
		pdf.SetFont("cjk", "", 7)
		pdf.SetTextColor(90, 90, 90)
		pdf.CellFormat(0, 4, fmt.Sprintf("案件 %s · 卷内目录 第 %d 页 共 {nb} 页 · 本卷以 lawtrace-verify 核验（哈希、签名、链接、日志证明）", in.Header.CaseID, pdf.PageNo()), "", 0, "C", false, 0, "")
		pdf.SetTextColor(0, 0, 0)
	})
	pdf.AddPage()
	width, _ := pdf.GetPageSize()
	left, _, right, _ := pdf.GetMargins()
	body := width - left - right

	pdf.SetFont("cjk", "", 11)
	if in.Agency != "" {
		pdf.CellFormat(body, 6, in.Agency, "", 1, "C", false, 0, "")
	}
	pdf.SetFont("cjk", "", 18)
	pdf.CellFormat(body, 11, "卷 内 目 录", "", 1, "C", false, 0, "")
	pdf.Ln(1)
	pdf.SetFont("cjk", "", 9.5)
	procName := in.Header.Open.Procedure
	if in.Procedure != nil && in.Procedure.Name != "" {
		procName = in.Procedure.Name
	}
	party := in.Header.Open.Party
	info := [][2]string{
		{"案件编号", in.Header.CaseID},
		{"执法类别", procName},
		{"当事人", party},
		{"立卷时间", in.Created.In(cst).Format("2006年01月02日 15:04")},
		{"记录条数", fmt.Sprintf("现场执法记录 %d 条，机关记录 %d 条，日志树头大小 %d", len(in.Entries), len(in.Office), in.TreeSize)},
		{"服务器公钥", "SHA-256 指纹 " + ledger.KeyFingerprint(in.ServerKey)},
	}
	for _, kv := range info {
		pdf.CellFormat(22, 5.6, kv[0]+"：", "", 0, "L", false, 0, "")
		pdf.CellFormat(body-22, 5.6, fitText(pdf, kv[1], body-22), "", 1, "L", false, 0, "")
	}
	pdf.Ln(2)

	cols := []struct {
		head  string
		width float64
		align string
	}{{"序号", 9, "C"}, {"类别", 17, "C"}, {"题名", 44, "L"}, {"记录", 14, "C"}, {"日期", 24, "C"}, {"附件", 9, "C"}, {"卷内文件", 0, "L"}}
	used := 0.0
	for _, c := range cols[:len(cols)-1] {
		used += c.width
	}
	cols[len(cols)-1].width = body - used
	header := func() {
		pdf.SetFont("cjk", "", 9)
		pdf.SetFillColor(235, 235, 235)
		for _, c := range cols {
			pdf.CellFormat(c.width, 7, c.head, "1", 0, "C", true, 0, "")
		}
		pdf.Ln(-1)
	}
	header()
	_, pageH := pdf.GetPageSize()
	_, _, _, bottom := pdf.GetMargins()
	group := ""
	for _, r := range in.rows() {
		if pdf.GetY()+6.5 > pageH-bottom {
			pdf.AddPage()
			header()
		}
		g := ""
		if r.Group != group {
			g, group = r.Group, r.Group
		}
		media := ""
		if r.Media > 0 {
			media = fmt.Sprintf("%d", r.Media)
		}
		vals := []string{fmt.Sprintf("%d", r.No), g, r.Title, fmt.Sprintf("%s #%d", chainNames[r.Chain], r.Seq), r.Date, media, r.File}
		for i, c := range cols {
			size := 8.5
			if i == len(cols)-1 || i == 4 {
				size = 7.5
			}
			pdf.SetFont("cjk", "", size)
			pdf.CellFormat(c.width, 6.5, fitText(pdf, vals[i], c.width-1.5), "1", 0, c.align, false, 0, "")
		}
		pdf.Ln(-1)
	}
	pdf.Ln(3)
	pdf.SetFont("cjk", "", 8)
	note := "说明：“现场”为执法记录终端的记录链（设备密钥签名），“机关”为案件办理记录链（服务器密钥签名）；附件为该记录所附音视频、照片、签名等原始文件，以 SHA-256 命名存于 media/ 目录；全部电子记录存于 entries/，公钥存于 keys/，日志树头与包含证明存于 log/，各文件哈希见 manifest.json（由服务器密钥签名）。"
	for _, line := range wrapText(pdf, note, body) {
		pdf.CellFormat(body, 4.6, line, "", 1, "L", false, 0, "")
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

// officeDocumentFile is the hash of the document an office entry approved
// (fields.document.file), "" when it names none.
func officeDocumentFile(e ledger.Entry) string {
	p, err := ledger.DecodePayload(e.Payload)
	if err != nil {
		return ""
	}
	var f struct {
		Document struct {
			File string `json:"file"`
		} `json:"document"`
		File string `json:"file"` // the coercion, permit and inspection steps' document
	}
	if json.Unmarshal(p.Fields, &f) != nil {
		return ""
	}
	if f.Document.File != "" {
		return f.Document.File
	}
	return f.File
}
