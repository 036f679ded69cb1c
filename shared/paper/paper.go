package paper

import (
	"bytes"
	"encoding/json"
	"fmt"
	"image"
	"image/draw"
	"image/png"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/go-pdf/fpdf"

	"lawtrace/assets/fonts"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
)

// China Standard Time, in which documents show times.
var cst = time.FixedZone("CST", 8*3600)

// Titles of the documents a step prints as, where the step label is not the
// document's customary name.
var titles = map[string]string{
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

// renderers lay out the body of the documents whose form the law or custom
// fixes; every other step prints as a record (its fields in order).
var renderers = map[string]func(p *page, d Document, r record) error{
	"on_spot_decision": onSpotDecision,
	"seizure":          seizure,
	"rectify_order":    rectifyOrder,
}

// Roles of people who sign, as printed under their signature.
var roles = map[string]string{
	"party": "当事人", "officer": "执法人员", "witness": "见证人", "recipient": "受送达人",
	"server": "送达人", "person": "被询问人",
}

// Document is everything one printed record needs.
type Document struct {
	Agency    string
	CaseID    string
	Procedure *enforce.Procedure
	Party     string
	PartyKind string            // "person" or "org" (as the case was opened); "" when unknown
	Officers  []enforce.Officer // the crew; entry officers are looked up here
	Recorder  *enforce.Officer  // the officer who made the record (000-record §4), if named
	Entry     ledger.Entry
	Rights    *enforce.RightsText // for notify_rights: the text that was shown
	// Image returns the bytes of a stored PNG (signature renders).
	Image func(hash string) ([]byte, error)
}

// record is a step entry decoded for printing.
type record struct {
	def     *enforce.StepDef
	payload ledger.Payload
	fields  fieldValues
	when    time.Time
}

// text is a field's value as printed: a choice by its label, a flag as 是/否.
func (r record) text(name string) string {
	v := r.fields.text[name]
	if f, ok := r.def.Field(name); ok {
		switch f.Type {
		case enforce.FieldChoice:
			v = f.OptionLabel(v, false)
		case enforce.FieldBool:
			v = map[string]string{"true": "是", "false": "否"}[v]
		}
	}
	return v
}

// Render writes the PDF of one step entry. The same document always gives
// the same bytes (creation date = the entry's device time).
func Render(w io.Writer, d Document) error {
	def, ok := d.Procedure.Step(d.Entry.Step)
	if !ok {
		return enforce.Errorf(enforce.EInvalid, "entry %s is a %s entry, which has no printed form in procedure %s", d.Entry.ID, d.Entry.Step, d.Procedure.ID)
	}
	payload, err := ledger.DecodePayload(d.Entry.Payload)
	if err != nil {
		return err
	}
	fields, err := decodeFields(payload.Fields)
	if err != nil {
		return err
	}
	when, err := ledger.ParseTime(d.Entry.DeviceTime)
	if err != nil {
		return fmt.Errorf("entry %s device time: %w", d.Entry.ID, err)
	}
	r := record{def: def, payload: payload, fields: fields, when: when}

	pdf := fpdf.New("P", "mm", "A4", "")
	pdf.SetCreationDate(when)
	pdf.SetModificationDate(when)
	pdf.SetCatalogSort(true)
	pdf.SetCompression(true)
	pdf.AddUTF8FontFromBytes("cjk", "", fonts.CJKTrueType)
	pdf.SetTitle(title(def), true)
	pdf.SetCreator("LawTrace 执法留痕", true)
	pdf.SetMargins(18, 16, 18)
	pdf.SetAutoPageBreak(true, 22)
	pdf.SetFooterFunc(func() {
		pdf.SetY(-18)
		pdf.SetFont("cjk", "", 7)
		pdf.SetTextColor(90, 90, 90)
		multiCell(pdf, 0, 3.4, fmt.Sprintf("案件 %s · 记录第 %d 条 · 设备 %s · 条目哈希 SHA-256 %s\n本文书由执法记录终端生成，与电子记录一致，可用 lawtrace verify 核验。第 %d 页",
			d.CaseID, d.Entry.Seq, d.Entry.DeviceID, d.Entry.Hash, pdf.PageNo()), "C")
		pdf.SetTextColor(0, 0, 0)
	})
	pdf.AddPage()
	width, _ := pdf.GetPageSize()
	left, _, right, _ := pdf.GetMargins()
	p := &page{pdf: pdf, body: width - left - right}

	body := generic
	if f, ok := renderers[def.Kind]; ok {
		body = f
	}
	if err := body(p, d, r); err != nil {
		return err
	}
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("entry %s: %w", d.Entry.ID, err)
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// generic prints a step as a record: who, when and where, the rights text
// shown, its fields in the procedure's order, evidence and signatures.
func generic(p *page, d Document, r record) error {
	p.header(d.Agency, title(r.def))
	p.particulars(d, r)
	p.rule()
	if d.Rights != nil {
		p.heading(d.Rights.Title, 13, 8)
		p.para(d.Rights.Text, 11, 6.5)
		p.note(fmt.Sprintf("告知书版本 %s · 依据 %s", d.Rights.Ref(), d.Rights.Basis))
		p.rule()
	}
	p.fields(r)
	return p.closing(d, r)
}

func title(def *enforce.StepDef) string {
	if t, ok := titles[def.Kind]; ok {
		return t
	}
	return def.Label
}

// page is a document being laid out: the PDF and the width between margins.
// Its methods are the layout every document shares.
type page struct {
	pdf  *fpdf.Fpdf
	body float64
}

// header prints the agency's name and the document's title, centred.
func (p *page) header(agency, title string) {
	if agency != "" {
		p.pdf.SetFont("cjk", "", 12)
		p.pdf.CellFormat(p.body, 7, agency, "", 1, "C", false, 0, "")
	}
	p.pdf.SetFont("cjk", "", 18)
	p.pdf.CellFormat(p.body, 11, title, "", 1, "C", false, 0, "")
	p.pdf.Ln(2)
}

// number prints a document number flush right under the title.
func (p *page) number(label, number string) {
	if strings.TrimSpace(number) == "" {
		return
	}
	p.pdf.SetFont("cjk", "", 10.5)
	p.pdf.CellFormat(p.body, 6.5, label+number, "", 1, "R", false, 0, "")
}

// row prints a label and its value, the value wrapping beside the label;
// an empty value prints nothing.
func (p *page) row(label, value string) {
	if strings.TrimSpace(value) == "" {
		return
	}
	p.pdf.SetFont("cjk", "", 10.5)
	x := p.pdf.GetX()
	if p.pdf.GetStringWidth(label)+2*p.pdf.GetCellMargin() > 33 {
		// A label too long for its column takes a line of its own.
		multiCell(p.pdf, p.body, 6.5, label, "L")
	} else {
		p.pdf.CellFormat(34, 6.5, label, "", 0, "L", false, 0, "")
	}
	p.pdf.SetX(x + 34)
	multiCell(p.pdf, p.body-34, 6.5, value, "L")
}

// heading prints a section heading at size pt in a line h mm high.
func (p *page) heading(text string, size, h float64) {
	p.pdf.SetFont("cjk", "", size)
	p.pdf.CellFormat(p.body, h, text, "", 1, "L", false, 0, "")
}

// para prints running text at size pt, lines h mm apart, across the full width.
func (p *page) para(text string, size, h float64) {
	if strings.TrimSpace(text) == "" {
		return
	}
	p.pdf.SetFont("cjk", "", size)
	multiCell(p.pdf, p.body, h, text, "L")
}

// note prints a line of small print.
func (p *page) note(text string) {
	p.pdf.SetFont("cjk", "", 8)
	p.pdf.CellFormat(p.body, 5, text, "", 1, "L", false, 0, "")
}

// rule draws a thin line across the page.
func (p *page) rule() {
	p.pdf.Ln(1.5)
	x, y := p.pdf.GetXY()
	p.pdf.SetDrawColor(160, 160, 160)
	p.pdf.Line(x, y, x+p.body, y)
	p.pdf.Ln(2.5)
}

// particulars prints who, when and where of a record.
func (p *page) particulars(d Document, r record) {
	p.row("案件编号", d.CaseID)
	p.row("执法类别", d.Procedure.Name)
	p.row("当事人", d.Party)
	p.row("执法人员", crew(d.Officers, d.Entry.Officers))
	p.row("时间", r.when.In(cst).Format("2006年01月02日 15:04"))
	p.row("地点", place(d.Entry.Place))
	if d.Recorder != nil {
		p.row("记录人", fmt.Sprintf("%s（执法证号 %s）", d.Recorder.Name, d.Recorder.Cert))
	}
}

// fields prints the step's fields in the procedure's order, item lists as
// tables, leaving out the named ones (printed elsewhere).
func (p *page) fields(r record, except ...string) {
	for _, f := range r.def.Fields {
		if contains(except, f.Name) {
			continue
		}
		if f.Type == enforce.FieldItems {
			if rows := r.fields.items[f.Name]; len(rows) > 0 {
				p.itemTable(f, rows)
			}
			continue
		}
		p.row(f.Label, r.text(f.Name))
	}
}

// closing prints what ends every document: the evidence files, the
// handwritten signatures, and a party's refusal to sign where recorded.
func (p *page) closing(d Document, r record) error {
	if ev := evidence(r.payload.Files); len(ev) > 0 {
		p.rule()
		p.heading("附：证据文件（原件以电子记录为准）", 11, 7)
		p.pdf.SetFont("cjk", "", 8)
		for _, f := range ev {
			multiCell(p.pdf, p.body, 4.5, fmt.Sprintf("%s %s %s，%d 字节，SHA-256 %s", kindName(f.Kind), f.Name, f.Caption, f.Size, f.Hash), "L")
		}
	}
	if len(r.payload.Signatures) > 0 {
		p.rule()
		return p.signatures(r.payload.Signatures, d.Image)
	}
	return nil
}

func place(pl *ledger.Place) string {
	if pl == nil {
		return ""
	}
	s := pl.Address
	if pl.Lat != 0 || pl.Lon != 0 {
		s = strings.TrimSpace(fmt.Sprintf("%s（%.5f, %.5f）", s, pl.Lat, pl.Lon))
	}
	return s
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func crew(officers []enforce.Officer, certs []string) string {
	byCert := map[string]enforce.Officer{}
	for _, o := range officers {
		byCert[o.Cert] = o
	}
	var parts []string
	for _, c := range certs {
		if o, ok := byCert[c]; ok {
			parts = append(parts, fmt.Sprintf("%s（执法证号 %s）", o.Name, c))
		} else {
			parts = append(parts, "执法证号 "+c)
		}
	}
	return strings.Join(parts, "、")
}

type fieldValues struct {
	text  map[string]string
	items map[string][]map[string]string
}

// decodeFields splits the canonical fields object into text values and item lists.
func decodeFields(raw []byte) (fieldValues, error) {
	v := fieldValues{text: map[string]string{}, items: map[string][]map[string]string{}}
	if len(raw) == 0 {
		return v, nil
	}
	var all map[string]any
	if err := json.Unmarshal(raw, &all); err != nil {
		return v, fmt.Errorf("fields: %w", err)
	}
	for k, val := range all {
		switch x := val.(type) {
		case string:
			v.text[k] = x
		case []any:
			for _, r := range x {
				row := map[string]string{}
				if m, ok := r.(map[string]any); ok {
					for ck, cv := range m {
						row[ck] = fmt.Sprint(cv)
					}
				}
				v.items[k] = append(v.items[k], row)
			}
		default:
			v.text[k] = fmt.Sprint(x)
		}
	}
	return v, nil
}

func (p *page) itemTable(f enforce.FieldDef, rows []map[string]string) {
	pdf, body := p.pdf, p.body
	pdf.SetFont("cjk", "", 11)
	pdf.CellFormat(body, 7, f.Label, "", 1, "L", false, 0, "")
	pdf.SetFont("cjk", "", 9)
	n := len(f.Items) + 1
	w := (body - 10) / float64(n-1)
	pdf.SetFillColor(235, 235, 235)
	pdf.CellFormat(10, 7, "序号", "1", 0, "C", true, 0, "")
	for _, c := range f.Items {
		pdf.CellFormat(w, 7, c.Label, "1", 0, "C", true, 0, "")
	}
	pdf.Ln(-1)
	for i, r := range rows {
		pdf.CellFormat(10, 7, fmt.Sprint(i+1), "1", 0, "C", false, 0, "")
		for _, c := range f.Items {
			pdf.CellFormat(w, 7, fit(pdf, r[c.Name], w-1), "1", 0, "C", false, 0, "")
		}
		pdf.Ln(-1)
	}
	pdf.Ln(2)
}

// multiCell prints text wrapped to w mm (0: up to the right margin), lines
// h mm apart, then returns to the left margin, as fpdf's MultiCell does but
// without its loss of the character where a line breaks between Chinese
// characters (fpdf's MultiCell and SplitText treat that character as a
// space and drop it).
func multiCell(pdf *fpdf.Fpdf, w, h float64, text, align string) {
	left, _, right, _ := pdf.GetMargins()
	x := pdf.GetX()
	if w == 0 {
		pageW, _ := pdf.GetPageSize()
		w = pageW - right - x
	}
	for _, line := range wrap(pdf, text, w-2*pdf.GetCellMargin()) {
		pdf.SetX(x)
		pdf.CellFormat(w, h, line, "", 2, align, false, 0, "")
	}
	pdf.SetX(left)
}

// closers are the marks a line must not start with (避头点): they stay at
// the end of the line before, even a little past its width.
const closers = "，。、；：？！）》」』”’〕】…,.;:?!)%"

// wrap breaks text into lines no wider than width mm in the current font:
// at any character in Chinese text, at the last space in a run of Latin
// letters and digits, at each newline.
func wrap(pdf *fpdf.Fpdf, text string, width float64) []string {
	var out []string
	for _, para := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		var line []rune
		used := 0.0
		for _, r := range para {
			rw := pdf.GetStringWidth(string(r))
			if len(line) > 0 && used+rw > width && !strings.ContainsRune(closers, r) {
				var next []rune
				if latin(r) {
					if k := lastIndex(line, ' '); k > 0 && allLatin(line[k+1:]) {
						next = append(next, line[k+1:]...)
						line = line[:k]
					}
				}
				out = append(out, string(line))
				line, used = next, pdf.GetStringWidth(string(next))
				if r == ' ' {
					continue
				}
			}
			line = append(line, r)
			used += rw
		}
		out = append(out, string(line))
	}
	return out
}

func latin(r rune) bool { return r < 0x2E80 && r != ' ' }

func allLatin(rs []rune) bool {
	for _, r := range rs {
		if !latin(r) {
			return false
		}
	}
	return true
}

func lastIndex(rs []rune, r rune) int {
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i] == r {
			return i
		}
	}
	return -1
}

// fit shortens s with an ellipsis until it fits in width mm.
func fit(pdf *fpdf.Fpdf, s string, width float64) string {
	if pdf.GetStringWidth(s) <= width {
		return s
	}
	r := []rune(s)
	for len(r) > 0 && pdf.GetStringWidth(string(r)+"…") > width {
		r = r[:len(r)-1]
	}
	return string(r) + "…"
}

func evidence(files []ledger.File) []ledger.File {
	var out []ledger.File
	for _, f := range files {
		if f.Kind != ledger.KindSignStrokes && f.Kind != ledger.KindSignImage {
			out = append(out, f)
		}
	}
	return out
}

func kindName(kind string) string {
	names := map[string]string{ledger.KindPhoto: "照片", ledger.KindVideo: "视频", ledger.KindAudio: "录音", ledger.KindDocument: "文书", ledger.KindFile: "文件"}
	if n, ok := names[kind]; ok {
		return n
	}
	return kind
}

// signatures prints each handwritten signature with its role and name, two
// to a row.
func (p *page) signatures(sigs []ledger.HandSignature, image func(string) ([]byte, error)) error {
	pdf, body := p.pdf, p.body
	sigs = append([]ledger.HandSignature(nil), sigs...)
	sort.SliceStable(sigs, func(i, j int) bool { return roleOrder(sigs[i].Role) < roleOrder(sigs[j].Role) })
	const boxH = 30.0
	colW := body / 2
	left := pdf.GetX()
	widths := map[int]bool{}
	for i, s := range sigs {
		col := i % 2
		if col == 0 && i > 0 {
			pdf.SetY(pdf.GetY() + boxH + 9)
		}
		_, pageH := pdf.GetPageSize()
		if col == 0 && pdf.GetY()+boxH+9 > pageH-22 {
			pdf.AddPage()
		}
		x, y := left+float64(col)*colW, pdf.GetY()
		label := roles[s.Role]
		if label == "" {
			label = s.Role
		}
		pdf.SetXY(x, y)
		pdf.SetFont("cjk", "", 10)
		pdf.CellFormat(colW, 6, fmt.Sprintf("%s签名：%s", label, s.Name), "", 0, "L", false, 0, "")
		if image == nil {
			continue
		}
		name := "sig-" + s.Image
		info := pdf.GetImageInfo(name)
		if info == nil {
			png, err := image(s.Image)
			if err != nil {
				return fmt.Errorf("%s signature image %s: %w", s.Role, s.Image, err)
			}
			if png, err = uniqueWidth(png, widths); err != nil {
				return fmt.Errorf("%s signature image %s: %w", s.Role, s.Image, err)
			}
			info = pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
			if err := pdf.Error(); err != nil {
				return fmt.Errorf("%s signature image: %w", s.Role, err)
			}
		}
		w := boxH * info.Width() / info.Height()
		if w > colW-6 {
			w = colW - 6
		}
		pdf.ImageOptions(name, x, y+6.5, w, 0, false, fpdf.ImageOptions{ImageType: "PNG"}, 0, "")
	}
	pdf.SetXY(left, pdf.GetY()+boxH+9)
	return nil
}

// uniqueWidth returns a signature PNG whose pixel width no image already in
// the document has (widths), noting it there: it pads the image on the right
// with columns of its background colour. fpdf writes images of equal width
// in map order (its catalog sort compares widths only), so two signatures
// rendered at the same size would come out in either order and the same
// record would not always print to the same bytes.
func uniqueWidth(data []byte, widths map[int]bool) ([]byte, error) {
	src, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return nil, err
	}
	b := src.Bounds()
	if !widths[b.Dx()] {
		widths[b.Dx()] = true
		return data, nil
	}
	extra := 1
	for widths[b.Dx()+extra] {
		extra++
	}
	widths[b.Dx()+extra] = true
	r := image.Rect(0, 0, b.Dx()+extra, b.Dy())
	var dst draw.Image = image.NewNRGBA(r)
	if _, gray := src.(*image.Gray); gray {
		dst = image.NewGray(r)
	}
	draw.Draw(dst, r, image.NewUniform(src.At(b.Max.X-1, b.Min.Y)), image.Point{}, draw.Src)
	draw.Draw(dst, b.Sub(b.Min), src, b.Min, draw.Src)
	var out bytes.Buffer
	if err := png.Encode(&out, dst); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func roleOrder(role string) int {
	for i, r := range []string{"party", "person", "recipient", "witness", "server", "officer"} {
		if r == role {
			return i
		}
	}
	return 99
}
