package paper

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"lawtrace/shared/enforce"
)

// SPEC R5 (issue 10): an office document prints its title, number, party,
// text, the numbered list and the remedy, the agency and the date with the
// seal's place; the same input gives the same bytes; one without its text
// is refused with the item named.
func TestOfficeDocument(t *testing.T) {
	d := OfficeDocument{Agency: "新城区市场监督管理局", Title: "解除查封（扣押）决定书", Number: "新市监解〔2026〕1号", CaseID: "20260302-c0e00001",
		Party: "某仓储有限公司", PartyKind: "org", Body: []string{"因当事人没有违法行为，本机关决定解除查封（扣押），退还下列财物。"},
		ListTitle: "退还财物清单", Items: []string{"电动车电池 120 组", "充电器 40 个"}, Remedy: "如不服本决定，可以依法申请行政复议或者提起行政诉讼。",
		Date: time.Date(2026, 3, 5, 10, 0, 0, 0, cst), Footer: "依机关记录第 3 条生成"}
	var a, b bytes.Buffer
	if err := RenderOfficeDocument(&a, d); err != nil {
		t.Fatal(err)
	}
	if err := RenderOfficeDocument(&b, d); err != nil || !bytes.Equal(a.Bytes(), b.Bytes()) {
		t.Fatal("the same document gives other bytes")
	}
	text := pdfText(t, a.Bytes())
	for _, want := range []string{"新城区市场监督管理局", "解除查封（扣押）决定书", "新市监解〔2026〕1号", "某仓储有限公司", "退还财物清单", "1.电动车电池120组", "2.充电器40个",
		"申请行政复议", "（行政机关印章）", "2026年3月5日"} {
		if !strings.Contains(text, strings.ReplaceAll(want, " ", "")) {
			t.Errorf("the document lacks %q: %s", want, text)
		}
	}
	d.Body = nil
	var e *enforce.Error
	if err := RenderOfficeDocument(&a, d); !errors.As(err, &e) || len(e.Missing) != 1 || e.Missing[0].Name != "body" {
		t.Fatalf("without text: %v", err)
	}
}
