package paper

import (
	"bytes"
	"encoding/json"
	"fmt"
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
	enforce.StepShowID:       "出示执法证件记录",
	"refusal":                "当事人拒绝配合情况记录",
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
	Officers  []enforce.Officer // the crew; entry officers are looked up here
	Entry     ledger.Entry
	Rights    *enforce.RightsText // for notify_rights: the text that was shown
	// Image returns the bytes of a stored PNG (signature renders).
	Image func(hash string) ([]byte, error)
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
		pdf.MultiCell(0, 3.4, fmt.Sprintf("案件 %s · 记录第 %d 条 · 设备 %s · 条目哈希 SHA-256 %s\n本文书由执法记录终端生成，与电子记录一致，可用 lawtrace verify 核验。第 %d 页",
			d.CaseID, d.Entry.Seq, d.Entry.DeviceID, d.Entry.Hash, pdf.PageNo()), "", "C", false)
		pdf.SetTextColor(0, 0, 0)
	})
	pdf.AddPage()
	width, _ := pdf.GetPageSize()
	left, _, right, _ := pdf.GetMargins()
	body := width - left - right

	if d.Agency != "" {
		pdf.SetFont("cjk", "", 12)
		pdf.CellFormat(body, 7, d.Agency, "", 1, "C", false, 0, "")
	}
	pdf.SetFont("cjk", "", 18)
	pdf.CellFormat(body, 11, title(def), "", 1, "C", false, 0, "")
	pdf.Ln(2)

	pdf.SetFont("cjk", "", 10.5)
	row := func(label, value string) {
		if strings.TrimSpace(value) == "" {
			return
		}
		pdf.SetFont("cjk", "", 10.5)
		x := pdf.GetX()
		pdf.CellFormat(34, 6.5, label, "", 0, "L", false, 0, "")
		pdf.SetX(x + 34)
		pdf.MultiCell(body-34, 6.5, value, "", "L", false)
	}
	row("案件编号", d.CaseID)
	row("执法类别", d.Procedure.Name)
	row("当事人", d.Party)
	row("执法人员", crew(d.Officers, d.Entry.Officers))
	row("时间", when.In(cst).Format("2006年01月02日 15:04"))
	if d.Entry.Place != nil {
		place := d.Entry.Place.Address
		if d.Entry.Place.Lat != 0 || d.Entry.Place.Lon != 0 {
			place = strings.TrimSpace(fmt.Sprintf("%s（%.5f, %.5f）", place, d.Entry.Place.Lat, d.Entry.Place.Lon))
		}
		row("地点", place)
	}
	rule(pdf, body)

	if d.Rights != nil {
		pdf.SetFont("cjk", "", 13)
		pdf.CellFormat(body, 8, d.Rights.Title, "", 1, "L", false, 0, "")
		pdf.SetFont("cjk", "", 11)
		pdf.MultiCell(body, 6.5, d.Rights.Text, "", "L", false)
		pdf.SetFont("cjk", "", 8)
		pdf.CellFormat(body, 5, fmt.Sprintf("告知书版本 %s · 依据 %s", d.Rights.Ref(), d.Rights.Basis), "", 1, "L", false, 0, "")
		rule(pdf, body)
	}

	for _, f := range def.Fields {
		if f.Type == enforce.FieldItems {
			if rows := fields.items[f.Name]; len(rows) > 0 {
				itemTable(pdf, body, f, rows)
			}
			continue
		}
		v := fields.text[f.Name]
		if f.Type == enforce.FieldChoice {
			v = f.OptionLabel(v, false)
		}
		if f.Type == enforce.FieldBool {
			v = map[string]string{"true": "是", "false": "否"}[v]
		}
		row(f.Label, v)
	}

	if ev := evidence(payload.Files); len(ev) > 0 {
		rule(pdf, body)
		pdf.SetFont("cjk", "", 11)
		pdf.CellFormat(body, 7, "附：证据文件（原件以电子记录为准）", "", 1, "L", false, 0, "")
		pdf.SetFont("cjk", "", 8)
		for _, f := range ev {
			pdf.MultiCell(body, 4.5, fmt.Sprintf("%s %s %s，%d 字节，SHA-256 %s", kindName(f.Kind), f.Name, f.Caption, f.Size, f.Hash), "", "L", false)
		}
	}

	if len(payload.Signatures) > 0 {
		rule(pdf, body)
		if err := signatures(pdf, body, payload.Signatures, d.Image); err != nil {
			return err
		}
	}
	var buf bytes.Buffer
	if err := pdf.Output(&buf); err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}

func title(def *enforce.StepDef) string {
	if t, ok := titles[def.Kind]; ok {
		return t
	}
	return def.Label
}

func rule(pdf *fpdf.Fpdf, body float64) {
	pdf.Ln(1.5)
	x, y := pdf.GetXY()
	pdf.SetDrawColor(160, 160, 160)
	pdf.Line(x, y, x+body, y)
	pdf.Ln(2.5)
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

func itemTable(pdf *fpdf.Fpdf, body float64, f enforce.FieldDef, rows []map[string]string) {
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
func signatures(pdf *fpdf.Fpdf, body float64, sigs []ledger.HandSignature, image func(string) ([]byte, error)) error {
	sort.SliceStable(sigs, func(i, j int) bool { return roleOrder(sigs[i].Role) < roleOrder(sigs[j].Role) })
	const boxH = 30.0
	colW := body / 2
	left := pdf.GetX()
	for i, s := range sigs {
		col := i % 2
		if col == 0 && i > 0 {
			pdf.SetY(pdf.GetY() + boxH + 9)
		}
		_, pageH := pdf.GetPageSize()
		if pdf.GetY()+boxH+9 > pageH-22 {
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
		png, err := image(s.Image)
		if err != nil {
			return fmt.Errorf("%s signature image %s: %w", s.Role, s.Image, err)
		}
		name := "sig-" + s.Image
		info := pdf.RegisterImageOptionsReader(name, fpdf.ImageOptions{ImageType: "PNG"}, bytes.NewReader(png))
		if err := pdf.Error(); err != nil {
			return fmt.Errorf("%s signature image: %w", s.Role, err)
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

func roleOrder(role string) int {
	for i, r := range []string{"party", "person", "recipient", "witness", "server", "officer"} {
		if r == role {
			return i
		}
	}
	return 99
}
