// Package demo records a complete, realistic inspection case with generated evidence, for `make run`, screenshots and load simulation.
package demo

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"time"

	"lawtrace/app/internal/field"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
	"lawtrace/shared/signature"
)

// Officers are the demo crew; their credentials run to the end of next year.
func Officers(now time.Time) []enforce.Officer {
	expires := fmt.Sprintf("%d-12-31", now.Year()+1)
	return []enforce.Officer{
		{Name: "王强", Cert: "15010001", Unit: "市场监管综合执法大队一中队", Category: "市场监管", Area: "新城区", Expires: expires},
		{Name: "李明", Cert: "15010002", Unit: "市场监管综合执法大队一中队", Category: "市场监管", Area: "新城区", Expires: expires},
	}
}

// Inputs writes the generated evidence files into dir and returns their paths.
type Inputs struct {
	Photo, Video, Audio, PartySign, OfficerSign, WitnessSign, ServerSign string
}

// WriteInputs generates a photo, a video and audio stand-in, and four
// handwritten signatures as stroke files.
func WriteInputs(dir string) (Inputs, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return Inputs{}, err
	}
	in := Inputs{
		Photo: filepath.Join(dir, "shopfront.png"), Video: filepath.Join(dir, "bodycam-0001.mp4"), Audio: filepath.Join(dir, "statement-0001.m4a"),
		PartySign: filepath.Join(dir, "party.json"), OfficerSign: filepath.Join(dir, "officer.json"),
		WitnessSign: filepath.Join(dir, "witness.json"), ServerSign: filepath.Join(dir, "server.json"),
	}
	photo, err := scenePNG()
	if err != nil {
		return in, err
	}
	files := map[string][]byte{
		in.Photo: photo,
		in.Video: bytes.Repeat([]byte("LawTrace demo body-camera stream; not a playable video.\n"), 4096),
		in.Audio: bytes.Repeat([]byte("LawTrace demo audio statement; not playable audio.\n"), 1024),
	}
	for i, p := range []string{in.PartySign, in.OfficerSign, in.WitnessSign, in.ServerSign} {
		files[p] = Strokes(float64(i)).Encode()
	}
	for p, b := range files {
		if err := os.WriteFile(p, b, 0o600); err != nil {
			return in, err
		}
	}
	return in, nil
}

// Strokes draws a signature-like scribble; variant changes its shape.
func Strokes(variant float64) signature.Strokes {
	s := signature.Strokes{Width: 600, Height: 240}
	for k := 0; k < 3; k++ {
		var stroke []signature.Point
		for i := 0; i <= 40; i++ {
			x := 60 + float64(k)*170 + float64(i)*3.5
			y := 120 + 60*math.Sin(float64(i)/6+variant+float64(k))
			stroke = append(stroke, signature.Point{X: float32(x), Y: float32(y), T: int64(k*1000 + i*16)})
		}
		s.Strokes = append(s.Strokes, stroke)
	}
	return s
}

func scenePNG() ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, 320, 240))
	for y := 0; y < 240; y++ {
		for x := 0; x < 320; x++ {
			c := color.RGBA{200, 220, 240, 255}
			if y > 150 {
				c = color.RGBA{120, 110, 100, 255}
			}
			if x > 90 && x < 230 && y > 60 && y < 200 {
				c = color.RGBA{180, 40, 40, 255}
			}
			img.Set(x, y, c)
		}
	}
	var buf bytes.Buffer
	err := png.Encode(&buf, img)
	return buf.Bytes(), err
}

// Step is one step of the demo scenario, for printing progress.
type Step struct {
	Kind  string
	Entry *ledger.Entry
}

// RecordInspection adds the demo officers and records a full inspection:
// show ID, rights with the signature of the party's manager, inspection
// notes and sampling signed by both officers, a photo, the inspection
// opinion, service by lodging, and closing the scene; 王强 records.
func RecordInspection(t *field.Terminal, in Inputs, party string) (string, []Step, error) {
	for _, o := range Officers(t.Now()) {
		if err := t.PutOfficer(o); err != nil {
			return "", nil, err
		}
	}
	place := &ledger.Place{Lat: 40.8426, Lon: 111.7490, Address: "呼和浩特市新城区中山东路 88 号"}
	cs, err := t.OpenCase(field.NewCase{Type: "inspection", Party: party, PartyKind: "org", Source: "inspection",
		Officers: []string{"15010001", "15010002"}, Place: place})
	if err != nil {
		return "", nil, err
	}
	read := func(p string) []byte { b, _ := os.ReadFile(p); return b }
	today := t.Now().Format(enforce.DateLayout)
	now := t.Now().Format("2006-01-02 15:04")
	officers := func() []field.Signing {
		return []field.Signing{{Role: "officer", Name: "王强", Strokes: read(in.OfficerSign)}, {Role: "officer", Name: "李明", Strokes: read(in.ServerSign)}}
	}
	agent := func() field.Signing { return field.Signing{Role: "party", Name: "张伟", Strokes: read(in.PartySign)} }
	steps := []field.StepRequest{
		{Kind: "show_id", Attach: []field.Attachment{{Path: in.Video, Caption: "出示执法证件"}}},
		{Kind: "notify_rights", Fields: map[string]string{"read_aloud": "true", "acknowledgement": "signed", "party_agent": "张伟"},
			Sign: []field.Signing{agent()}},
		{Kind: "inspection_notes", Fields: map[string]string{"location": place.Address, "start_time": now, "present_persons": "张伟（店长）",
			"findings": "经营场所内货架上摆放的预包装食品中，有 3 个品种标签未标注生产日期。", "party_agent": "张伟"},
			Attach: []field.Attachment{{Path: in.Video, Caption: "现场检查全程录像"}},
			Sign:   append(officers(), agent())},
		{Kind: "photo", Fields: map[string]string{"caption": "货架全景"}, Attach: []field.Attachment{{Path: in.Photo, Caption: "货架全景"}}},
		{Kind: "sample", Fields: map[string]string{"location": place.Address, "basis": "《食品安全抽样检验管理办法》", "party_agent": "张伟"},
			Items: map[string][]map[string]string{"items": {
				{"item": "五香瓜子", "spec": "200g/袋", "quantity": "4袋", "batch": "20260301", "seal_number": "FY-0001", "sample_id": "YP-2026-001"},
				{"item": "牛肉干", "spec": "100g/袋", "quantity": "6袋", "batch": "20260215", "seal_number": "FY-0002", "sample_id": "YP-2026-002"}}},
			Attach: []field.Attachment{{Path: in.Video, Caption: "抽样过程录像"}},
			Sign:   append(officers(), agent())},
		{Kind: "inspection_opinion", Fields: map[string]string{"conclusion": "case", "party_agent": "张伟",
			"opinion": "预包装食品标签未标注生产日期，涉嫌违反《中华人民共和国食品安全法》第六十七条，建议移交立案查处；样品送检。"},
			Sign: append(officers(), agent())},
		{Kind: "serve", Fields: map[string]string{"document": "现场检查笔录、抽样物品清单", "document_kind": "other", "method": "lodging", "date": today, "place": place.Address,
			"refusal_reason": "店长拒绝在送达回证上签收", "witness_name": "刘芳"},
			Attach: []field.Attachment{{Path: in.Audio, Caption: "留置送达过程录音"}},
			Sign:   []field.Signing{{Role: "server", Name: "李明", Strokes: read(in.ServerSign)}, {Role: "witness", Name: "刘芳", Strokes: read(in.WitnessSign)}}},
		{Kind: "close_scene", Fields: map[string]string{"summary": "现场检查完毕，抽样 2 批次，签署检查意见，文书留置送达。"}},
	}
	var done []Step
	for _, req := range steps {
		req.Place, req.Recorder = place, "15010001"
		e, err := t.RecordStep(cs.ID, req)
		if err != nil {
			return cs.ID, done, err
		}
		done = append(done, Step{Kind: req.Kind, Entry: e})
	}
	return cs.ID, done, nil
}
