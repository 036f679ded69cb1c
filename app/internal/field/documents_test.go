package field

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"lawtrace/shared/testtool"
)

// SPEC F12 F14: the terminal prints the on-the-spot decision it recorded,
// with the party as the case names it, the fine in figures and capitals and
// the reconsideration-first remedy.
func TestDocumentPrintsOnSpotDecision(t *testing.T) {
	tool := testtool.Path(t, "pdftotext", "apt-get install poppler-utils")
	term := newTerminal(t)
	if err := term.SetSetting("agency_name", "呼和浩特市市场监督管理局"); err != nil {
		t.Fatal(err)
	}
	c, err := term.OpenCase(NewCase{Type: "penalty-simple", Party: "张伟", PartyKind: "person", Officers: []string{"A1", "A2"}})
	if err != nil {
		t.Fatal(err)
	}
	video := writeFile(t, "v.mp4", []byte("video"))
	steps := []StepRequest{
		{Recorder: "A1", Kind: "show_id", Attach: []Attachment{{Path: video}}},
		{Recorder: "A1", Kind: "notify_rights", Fields: map[string]string{"acknowledgement": "signed"}, Sign: []Signing{{Role: "party", Name: "张伟", Strokes: strokes()}}},
		{Recorder: "A2", Kind: "on_spot_decision", Fields: map[string]string{
			"facts": "当事人在店外人行道上摆放商品占道经营。", "basis": "《城市市容和环境卫生管理条例》第三十六条第（二）项",
			"penalty": "fine", "amount": "200", "payment": "bank", "bank": "中国工商银行呼和浩特中山东路支行",
			"decision_number": "呼市监当罚〔2026〕0017号", "place": "中山东路 88 号", "agency": "呼和浩特市市场监督管理局",
			"reconsideration_organ": "呼和浩特市人民政府", "statement_made": "waived"},
			Sign: []Signing{{Role: "officer", Name: "王强", Strokes: strokes()}, {Role: "officer", Name: "李明", Strokes: strokes()}, {Role: "party", Name: "张伟", Strokes: strokes()}}},
	}
	for _, s := range steps {
		if _, err := term.RecordStep(c.ID, s); err != nil {
			t.Fatalf("%s: %v", s.Kind, err)
		}
	}
	pdf, err := term.Document(c.ID, "on_spot_decision")
	if err != nil {
		t.Fatal(err)
	}
	in := filepath.Join(t.TempDir(), "decision.pdf")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-enc", "UTF-8", in, "-").Output()
	if err != nil {
		t.Fatal(err)
	}
	text := regexp.MustCompile(`\s+`).ReplaceAllString(string(out), "")
	for _, want := range []string{
		"当场行政处罚决定书", "编号：呼市监当罚〔2026〕0017号", "当事人（个人）张伟", "当事人在店外人行道上摆放商品占道经营。",
		"人民币200.00元（大写：贰佰元整）", "决定时间2026年05月06日", "当事人明确放弃陈述、申辩",
		"应当自收到本决定书之日起六十日内向呼和浩特市人民政府申请行政复议；对行政复议决定不服的，可以自收到行政复议决定书之日起十五日内依法向人民法院提起行政诉讼",
		"每日按罚款数额的百分之三加处罚款", "执法人员签名：王强", "执法人员签名：李明", "当事人签名：张伟",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the decision lacks %q", want)
		}
	}
	if t.Failed() {
		t.Logf("text: %s", text)
	}
}
