package paper

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lawtrace/shared/enforce"
	"lawtrace/shared/testtool"
)

func sampleDecision() PenaltyDecision {
	return PenaltyDecision{
		Agency: "新城区市场监督管理局", Number: "新市监罚〔2026〕21号", CaseID: "20260302-11fe0001",
		Party: "张某某", PartyKind: "person", PartyAddress: "呼和浩特市新城区某街道 8 号 2 单元 301", PartyID: "150102198001011234",
		Facts:     "当事人于 2026 年 3 月 1 日在其经营的超市销售超过保质期的面包 120 袋。",
		Evidence:  []string{"现场检查笔录（现场 #3）", "询问笔录（现场 #4）", "现场照片 12 张、音像记录 2 段", "听证笔录（机关 #12）"},
		Reasons:   "当事人的行为违反了《中华人民共和国食品安全法》第三十四条第（十）项的规定。",
		Procedure: "本机关于 2026 年 3 月 2 日向当事人送达行政处罚事先告知书（新市监告〔2026〕7号）。当事人提出陈述申辩，经复核不予采纳；当事人要求听证，本机关于 2026 年 3 月 16 日依法举行听证。",
		Basis:     "《中华人民共和国食品安全法》第一百二十四条第一款",
		Penalties: []string{"没收违法所得", "罚款人民币 150000.00 元"}, FineCents: 15000000,
		PaymentPlace: "中国工商银行新城支行（户名：新城区财政局非税收入专户）或“内蒙古非税缴费”电子支付系统",
		ReconOrgan:   "新城区人民政府", Court: "新城区人民法院",
		Decided: time.Date(2026, 3, 16, 15, 0, 0, 0, cst),
		Footer:  "机关记录第 14 条 · 条目哈希 SHA-256 0f3a…",
	}
}

// SPEC C4 — 行政处罚法 §59: the decision document carries every element —
// the party's name and address as recorded (the document goes to the
// party; only publication is redacted), the facts and evidence, the
// penalty and its basis, how and by when to perform (§67, §72(1)), the
// remedy route and deadlines (行政复议法 §20: 60 days; 行政诉讼法 §46: 6
// months; §73), the agency, the date and the seal's place. The PDF is
// rendered to PNG for a look (LAWTRACE_SCREENSHOTS=DIR keeps it).
func TestPenaltyDecisionDocument(t *testing.T) {
	var buf bytes.Buffer
	if err := RenderPenaltyDecision(&buf, sampleDecision()); err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	if err := RenderPenaltyDecision(&again, sampleDecision()); err != nil || !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Fatal("the same decision gives other bytes")
	}
	text := pdfText(t, buf.Bytes())
	for _, want := range []string{"行政处罚决定书", "新市监罚〔2026〕21号", "当事人（个人）张某某", "住址呼和浩特市新城区某街道8号2单元301", "150102198001011234",
		"销售超过保质期的面包120袋", "以上事实有下列证据证明", "听证笔录（机关#12）", "第三十四条第（十）项",
		"依据《中华人民共和国食品安全法》第一百二十四条第一款", "（二）罚款人民币150000.00元",
		"十五日内", "壹拾伍万元整", "中国工商银行新城支行", "每日按罚款数额的百分之三加处罚款", "不得超出罚款的数额",
		"六十日内向新城区人民政府申请行政复议", "《中华人民共和国行政复议法》第二十条", "六个月内向新城区人民法院提起行政诉讼", "《中华人民共和国行政诉讼法》第四十六条",
		"不停止执行", "（行政机关印章）", "2026年3月16日"} {
		if !strings.Contains(text, want) {
			t.Errorf("the decision lacks %q", want)
		}
	}
	// A draft for approval has no number and no date yet.
	d := sampleDecision()
	d.Number, d.Decided = "", time.Time{}
	buf.Reset()
	if err := RenderPenaltyDecision(&buf, d); err != nil {
		t.Fatal(err)
	}
	if text := pdfText(t, buf.Bytes()); !strings.Contains(text, "行政处罚决定书（送审稿）") || !strings.Contains(text, "年月日") {
		t.Errorf("draft: %s", text)
	}
	pngOf(t, "decision-59", func() []byte {
		var b bytes.Buffer
		_ = RenderPenaltyDecision(&b, sampleDecision())
		return b.Bytes()
	}())
}

// SPEC C4 — 行政处罚法 §59: a document lacking an element is refused with
// the element and its item of §59 named.
func TestPenaltyDecisionRefusals(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(d *PenaltyDecision)
		missing string
		article string
	}{
		{"no address", func(d *PenaltyDecision) { d.PartyAddress = "" }, "party_address", "行政处罚法 §59(1)"},               // §59(1)
		{"no party", func(d *PenaltyDecision) { d.Party = " " }, "party", "行政处罚法 §59(1)"},                               // §59(1)
		{"no facts", func(d *PenaltyDecision) { d.Facts = "" }, "facts", "行政处罚法 §59(2)"},                                // §59(2)
		{"no evidence", func(d *PenaltyDecision) { d.Evidence = nil }, "evidence", "行政处罚法 §59(2)"},                      // §59(2)
		{"no penalty", func(d *PenaltyDecision) { d.Penalties = nil }, "penalty", "行政处罚法 §59(3)"},                       // §59(3)
		{"no basis", func(d *PenaltyDecision) { d.Basis = "" }, "basis", "行政处罚法 §59(3)"},                                // §59(3)
		{"fine without a bank", func(d *PenaltyDecision) { d.PaymentPlace = "" }, "payment_place", "行政处罚法 §59(4), §67"}, // §59(4), §67
		{"no reconsideration organ", func(d *PenaltyDecision) { d.ReconOrgan = "" }, "reconsideration_organ", "行政处罚法 §59(5)"},
		{"no court", func(d *PenaltyDecision) { d.Court = "" }, "court", "行政处罚法 §59(5)"},    // §59(5)
		{"no agency", func(d *PenaltyDecision) { d.Agency = "" }, "agency", "行政处罚法 §59(6)"}, // §59(6)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := sampleDecision()
			tc.edit(&d)
			err := RenderPenaltyDecision(&bytes.Buffer{}, d)
			var e *enforce.Error
			if !errors.As(err, &e) || e.Code != enforce.ERefused || e.Article != "行政处罚法 §59" || len(e.Missing) != 1 ||
				e.Missing[0].Name != tc.missing || e.Missing[0].Article != tc.article {
				t.Fatalf("%v (%+v), want %s %s", err, e, tc.missing, tc.article)
			}
		})
	}
	// A warning needs no bank.
	d := sampleDecision()
	d.FineCents, d.PaymentPlace, d.Penalties = 0, "", []string{"警告"}
	if err := RenderPenaltyDecision(&bytes.Buffer{}, d); err != nil {
		t.Fatal(err)
	}
}

// pngOf renders the first page at 60 dpi with pdftoppm; LAWTRACE_SCREENSHOTS
// keeps it in that directory (never in docs/ otherwise).
func pngOf(t *testing.T, name string, pdf []byte) {
	t.Helper()
	tool := testtool.Path(t, "pdftoppm", "apt-get install poppler-utils")
	dir := os.Getenv("LAWTRACE_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	}
	in := filepath.Join(dir, name+".pdf")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(tool, "-png", "-r", "60", "-singlefile", in, filepath.Join(dir, name)).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v %s", err, out)
	}
	if st, err := os.Stat(filepath.Join(dir, name+".png")); err != nil || st.Size() < 5000 {
		t.Fatalf("png %v %v", st, err)
	}
}
