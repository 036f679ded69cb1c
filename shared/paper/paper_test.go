package paper

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lawtrace/assets"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
	"lawtrace/shared/signature"
)

var update = flag.Bool("update", false, "rewrite the golden PDFs in testdata/")

func fixture(t *testing.T, step string, fields string, sigs []string) Document {
	t.Helper()
	cat, err := enforce.LoadCatalog(assets.FS)
	if err != nil {
		t.Fatal(err)
	}
	png, err := signature.Strokes{Width: 300, Height: 120, Strokes: [][]signature.Point{{{X: 20, Y: 60}, {X: 120, Y: 20}, {X: 280, Y: 100}}}}.RenderPNG()
	if err != nil {
		t.Fatal(err)
	}
	p := ledger.Payload{Fields: json.RawMessage(fields),
		Files: []ledger.File{{Hash: strings.Repeat("ab", 32), Kind: ledger.KindVideo, Name: "bodycam.mp4", Size: 1024, Caption: "全程录像"}}}
	for _, role := range sigs {
		p.Signatures = append(p.Signatures, ledger.HandSignature{Role: role, Name: map[string]string{"party": "张伟", "witness": "刘芳", "server": "李明", "officer": "王强"}[role], Image: ledger.HashBytes(png)})
	}
	raw, _ := json.Marshal(p)
	e := ledger.Entry{ID: "e1", CaseID: "20260506-0a1b2c3d", Seq: 7, DeviceID: "D0011223344556677", Step: step, Payload: raw,
		Officers: []string{"15010001", "15010002"}, DeviceTime: "2026-05-06T02:30:00.000000000Z", Place: &ledger.Place{Address: "中山东路 88 号"}, Hash: strings.Repeat("cd", 32)}
	rights := cat.Rights["inspection"]
	d := Document{Agency: "呼和浩特市市场监督管理局", CaseID: e.CaseID, Procedure: cat.Procedures["inspection"], Party: "惠民便利店",
		Officers: []enforce.Officer{{Name: "王强", Cert: "15010001"}, {Name: "李明", Cert: "15010002"}}, Entry: e,
		Image: func(string) ([]byte, error) { return png, nil }}
	if step == enforce.StepNotifyRights {
		d.Rights = &rights
	}
	return d
}

// SPEC F12: each on-scene document renders, always to the same bytes.
func TestRenderGolden(t *testing.T) {
	tests := []struct {
		name   string
		step   string
		fields string
		sigs   []string
	}{
		{"rights-notice", "notify_rights", `{"acknowledgement":"signed","read_aloud":"true","rights_version":"inspection-v1"}`, []string{"party"}},
		{"inspection-notes", "inspection_notes", `{"findings":"货架上 3 个品种标签未标注生产日期。","location":"店内","start_time":"2026-05-06 10:30"}`, []string{"officer", "party"}},
		{"sample-list", "sample", `{"items":[{"item":"五香瓜子","quantity":"4袋","seal_number":"FY-0001","sample_id":"YP-001","spec":"200g/袋"}],"location":"仓库"}`, []string{"officer", "party"}},
		{"service-receipt-lodging", "serve", `{"date":"2026-05-06","document":"现场检查笔录","method":"lodging","place":"店内","refusal_reason":"拒绝签收","witness_name":"刘芳"}`, []string{"server", "witness"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var a, b bytes.Buffer
			if err := Render(&a, fixture(t, tc.step, tc.fields, tc.sigs)); err != nil {
				t.Fatal(err)
			}
			if err := Render(&b, fixture(t, tc.step, tc.fields, tc.sigs)); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(a.Bytes(), b.Bytes()) {
				t.Fatal("two renders of the same record differ")
			}
			golden := filepath.Join("testdata", tc.name+".pdf")
			if *update {
				if err := os.WriteFile(golden, a.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update once)", err)
			}
			if !bytes.Equal(a.Bytes(), want) {
				t.Fatalf("%s differs from the golden file; inspect with pdftoppm and rerun with -update if intended", golden)
			}
		})
	}
}

func TestRenderRefusesNonDocumentEntries(t *testing.T) {
	d := fixture(t, "case_open", `{}`, nil)
	if err := Render(&bytes.Buffer{}, d); err == nil || !strings.Contains(err.Error(), "has no printed form") {
		t.Fatalf("got %v", err)
	}
}

func TestRenderReportsMissingSignatureImage(t *testing.T) {
	d := fixture(t, "notify_rights", `{"acknowledgement":"signed"}`, []string{"party"})
	d.Image = func(string) ([]byte, error) { return nil, os.ErrNotExist }
	if err := Render(&bytes.Buffer{}, d); err == nil || !strings.Contains(err.Error(), "party signature image") {
		t.Fatalf("got %v", err)
	}
}
