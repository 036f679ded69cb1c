package paper

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"lawtrace/assets"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
	"lawtrace/shared/signature"

	"lawtrace/shared/testtool"
)

// pdfText extracts a PDF's text with pdftotext (poppler-utils), all white
// space removed so wrapped lines read as one. Without the tool the test is
// skipped, except under CI=true, where it fails.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	tool := testtool.Path(t, "pdftotext", "apt-get install poppler-utils")
	in := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(in, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, "-enc", "UTF-8", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return squeeze(string(out))
}

var space = regexp.MustCompile(`\s+`)

func squeeze(s string) string { return space.ReplaceAllString(s, "") }

type signer struct{ role, name string }

// form is a step entry of a real procedure (assets/procedures, newest
// version) ready to print.
func form(t *testing.T, procedure, step, partyKind, party string, fields map[string]any, sigs ...signer) Document {
	t.Helper()
	cat, err := enforce.LoadCatalog(assets.FS)
	if err != nil {
		t.Fatal(err)
	}
	proc := cat.Procedures[procedure]
	if proc == nil {
		t.Fatalf("no procedure %s", procedure)
	}
	if _, ok := proc.Step(step); !ok {
		t.Fatalf("procedure %s v%d has no step %s", procedure, proc.Version, step)
	}
	raw, err := json.Marshal(fields)
	if err != nil {
		t.Fatal(err)
	}
	p := ledger.Payload{Fields: raw}
	images := map[string][]byte{}
	for i, s := range sigs {
		png, err := signature.Strokes{Width: 300, Height: 120, Strokes: [][]signature.Point{{{X: 20, Y: 60 + float32(i*5)}, {X: 120, Y: 20}, {X: 280, Y: 100 - float32(i*7)}}}}.RenderPNG()
		if err != nil {
			t.Fatal(err)
		}
		h := ledger.HashBytes(png)
		images[h] = png
		p.Signatures = append(p.Signatures, ledger.HandSignature{Role: s.role, Name: s.name, Image: h})
	}
	payload, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	e := ledger.Entry{ID: "e9", CaseID: "20260506-0a1b2c3d", Seq: 9, DeviceID: "D0011223344556677", Step: step, Payload: payload,
		Officers: []string{"15010001", "15010002"}, DeviceTime: "2026-05-06T02:30:00.000000000Z", Place: &ledger.Place{Address: "中山东路 88 号"}, Hash: strings.Repeat("cd", 32)}
	return Document{Agency: "呼和浩特市市场监督管理局", CaseID: e.CaseID, Procedure: proc, Party: party, PartyKind: partyKind,
		Officers: []enforce.Officer{{Name: "王强", Cert: "15010001"}, {Name: "李明", Cert: "15010002"}},
		Recorder: &enforce.Officer{Name: "王强", Cert: "15010001"}, Entry: e,
		Image: func(h string) ([]byte, error) {
			if png, ok := images[h]; ok {
				return png, nil
			}
			return nil, os.ErrNotExist
		}}
}

const organ = "呼和浩特市人民政府"

// reconsiderationFirst is the remedy of an on-the-spot penalty as the
// decision must state it (行政复议法 2023 §23(1)(1)).
const reconsiderationFirst = "如不服本决定，应当自收到本决定书之日起六十日内向" + organ + "申请行政复议；对行政复议决定不服的，可以自收到行政复议决定书之日起十五日内依法向人民法院提起行政诉讼"

func decision(extra map[string]any) map[string]any {
	f := map[string]any{
		"facts":                 "当事人在店外人行道上摆放商品占道经营，经劝阻仍未改正。",
		"basis":                 "《城市市容和环境卫生管理条例》第三十六条第（二）项",
		"decision_number":       "呼市监当罚〔2026〕0017号",
		"place":                 "中山东路 88 号惠民便利店门前",
		"agency":                "呼和浩特市市场监督管理局",
		"reconsideration_organ": organ,
		"statement_made":        "waived",
	}
	for k, v := range extra {
		f[k] = v
	}
	return f
}

var officersSign = []signer{{"officer", "王强"}, {"officer", "李明"}}

// SPEC F12 F14: the on-the-spot decision carries every element 行政处罚法
// §52 requires, the reconsideration-first remedy, payment terms for a fine
// and none for a warning; the seizure record, the order to correct and the
// inspection opinion carry theirs.
func TestFormsCarryWhatTheLawRequires(t *testing.T) {
	// Every §52 element of an on-the-spot decision, whatever the penalty.
	section52 := []string{
		"当场行政处罚决定书", "编号：呼市监当罚〔2026〕0017号",
		"当事人在店外人行道上摆放商品占道经营，经劝阻仍未改正。",
		"处罚依据《城市市容和环境卫生管理条例》第三十六条第（二）项",
		"决定时间2026年05月06日10:30", "决定地点中山东路88号惠民便利店门前",
		reconsiderationFirst, "《中华人民共和国行政复议法》第二十三条第一款第（一）项",
		"呼和浩特市市场监督管理局",
		"王强（执法证号15010001）、李明（执法证号15010002）",
		"执法人员签名：王强", "执法人员签名：李明",
	}
	fineOnly := []string{"罚款金额", "罚款缴纳", "大写"}
	tests := []struct {
		name      string
		proc      string
		step      string
		kind      string
		party     string
		fields    map[string]any
		sigs      []signer
		want      []string
		wantNot   []string
		isPenalty bool
	}{
		{name: "fine-bank-org", proc: "penalty-simple", step: "on_spot_decision", kind: "org", party: "惠民便利店",
			fields: decision(map[string]any{"penalty": "fine", "amount": "2750", "payment": "bank", "bank": "中国工商银行呼和浩特中山东路支行",
				"statement_made": "made", "statement": "商品只是临时摆放，马上收回。", "statement_review": "现场视频显示摆放已持续两小时。",
				"statement_adopted": "not_adopted", "adoption_reason": "陈述与现场记录不符。", "party_agent": "张伟"}),
			sigs:      append([]signer{{"party", "张伟"}}, officersSign...),
			isPenalty: true,
			want: []string{"当事人（单位）惠民便利店", "张伟（代当事人签名的法定代表人、负责人或委托代理人）", "处罚种类罚款",
				"人民币2750.00元（大写：贰仟柒佰伍拾元整）",
				"当事人进行了陈述、申辩", "商品只是临时摆放，马上收回。", "现场视频显示摆放已持续两小时。", "不予采纳", "陈述与现场记录不符。",
				"自收到本决定书之日起十五日内，到中国工商银行呼和浩特中山东路支行缴纳罚款", "《中华人民共和国行政处罚法》第六十七条",
				"每日按罚款数额的百分之三加处罚款", "《中华人民共和国行政处罚法》第七十二条第一款第（一）项",
				"当事人签名：张伟"},
			wantNot: []string{"拒绝签收", "当场收缴"}},
		{name: "fine-on-spot-person", proc: "penalty-simple", step: "on_spot_decision", kind: "person", party: "张伟",
			fields:    decision(map[string]any{"penalty": "fine", "amount": "50", "payment": "on_spot", "on_spot_ground": "small", "receipt_number": "NO.15000123"}),
			sigs:      append([]signer{{"party", "张伟"}}, officersSign...),
			isPenalty: true,
			want: []string{"当事人（个人）张伟", "人民币50.00元（大写：伍拾元整）", "当事人明确放弃陈述、申辩",
				"已由执法人员当场收缴（依法给予一百元以下罚款）", "专用票据，票据编号：NO.15000123", "当事人签名：张伟"},
			wantNot: []string{"十五日内，到", "拒绝签收"}},
		{name: "warning-refused", proc: "penalty-simple", step: "on_spot_decision", kind: "person", party: "张伟",
			fields:    decision(map[string]any{"penalty": "warning", "party_refusal": "当事人拒绝在决定书上签名，称不认可处罚。"}),
			sigs:      officersSign,
			isPenalty: true,
			want:      []string{"当事人（个人）张伟", "处罚种类警告", "当事人拒绝签收当事人拒绝在决定书上签名，称不认可处罚。（已在本决定书上注明）"},
			wantNot:   append([]string{"当事人签名", "缴纳", "加处罚款", "元整"}, fineOnly...)},
		{name: "seizure-prior-present", proc: "coercion", step: "seizure", kind: "org", party: "惠民便利店",
			fields: map[string]any{"decision_number": "呼市监强〔2026〕0005号", "place": "惠民便利店仓库", "approval": "prior",
				"approver": "赵局长", "approved_at": "2026-05-06 09:40", "approval_means": "system", "term_days": "30",
				"objects":        []map[string]string{{"name": "过期奶粉", "spec": "900g/罐", "quantity": "12罐", "seal_number": "FT-0001"}, {"name": "无标签食用油", "spec": "5L/桶", "quantity": "3桶", "seal_number": "FT-0002"}},
				"party_presence": "present", "party_agent": "张伟"},
			sigs: append([]signer{{"party", "张伟"}}, officersSign...),
			want: []string{"查封（扣押）现场笔录", "查封（扣押）决定书文号：呼市监强〔2026〕0005号", "实施前已报经行政机关负责人批准", "赵局长", "办案系统审批",
				"30日（不得超过三十日，《中华人民共和国行政强制法》第二十五条）", "查封（扣押）清单", "过期奶粉", "900g/罐", "12罐", "FT-0001", "无标签食用油", "FT-0002",
				"本清单一式二份，由当事人和行政机关分别保存", "当事人到场", "当事人签名：张伟", "执法人员签名：王强", "执法人员签名：李明", "记录人王强（执法证号15010001）"},
			wantNot: []string{"二十四小时内", "见证人签名"}},
		{name: "seizure-emergency-absent", proc: "coercion", step: "seizure", kind: "org", party: "惠民便利店",
			fields: map[string]any{"decision_number": "呼市监强〔2026〕0006号", "place": "惠民便利店仓库", "approval": "emergency",
				"emergency_reason": "货物正在装车转移。", "term_days": "15",
				"objects":        []map[string]string{{"name": "假冒白酒", "quantity": "24瓶", "seal_number": "FT-0003"}},
				"party_presence": "absent", "witness_name": "刘芳"},
			sigs: append([]signer{{"witness", "刘芳"}}, officersSign...),
			want: []string{"情况紧急，当场实施后24小时内报告并补办批准", "货物正在装车转移。", "二十四小时内向行政机关负责人报告，并补办批准手续",
				"《中华人民共和国行政强制法》第十九条", "15日", "假冒白酒", "当事人不到场，邀请见证人到场", "见证人刘芳", "见证人签名：刘芳"},
			wantNot: []string{"当事人签名"}},
		{name: "rectify-order", proc: "inspection", step: "rectify_order", kind: "org", party: "惠民便利店",
			fields: map[string]any{"document_number": "呼市监责改〔2026〕0031号", "problems": "货架上3个品种的预包装食品标签未标注生产日期。",
				"requirement": "下架标签不全的食品，补正标签后方可销售。", "basis": "《中华人民共和国食品安全法》第六十七条", "deadline": "2026-05-20"},
			sigs: append([]signer{{"party", "惠民便利店"}}, officersSign...),
			want: []string{"责令改正通知书", "文号：呼市监责改〔2026〕0031号", "惠民便利店：", "经检查，你单位存在下列问题：货架上3个品种的预包装食品标签未标注生产日期。",
				"依据《中华人民共和国食品安全法》第六十七条，现责令你单位于2026年05月20日前改正。改正要求：下架标签不全的食品，补正标签后方可销售。",
				"当事人签名：惠民便利店", "执法人员签名：王强"}},
		{name: "inspection-opinion", proc: "inspection", step: "inspection_opinion", kind: "org", party: "惠民便利店",
			fields:  map[string]any{"conclusion": "rectify", "opinion": "标签不全，责令限期改正，逾期复查。", "party_refusal": "负责人不在场，店员拒绝签名。"},
			sigs:    officersSign,
			want:    []string{"检查意见书", "检查结论存在问题，责令改正", "标签不全，责令限期改正，逾期复查。", "负责人不在场，店员拒绝签名。", "执法人员签名：李明"},
			wantNot: []string{"当事人签名"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf, again bytes.Buffer
			if err := Render(&buf, form(t, tc.proc, tc.step, tc.kind, tc.party, tc.fields, tc.sigs...)); err != nil {
				t.Fatal(err)
			}
			if err := Render(&again, form(t, tc.proc, tc.step, tc.kind, tc.party, tc.fields, tc.sigs...)); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(buf.Bytes(), again.Bytes()) {
				t.Error("two renders of the same record differ")
			}
			if dir := os.Getenv("PAPER_OUT"); dir != "" {
				if err := os.WriteFile(filepath.Join(dir, tc.name+".pdf"), buf.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			text := pdfText(t, buf.Bytes())
			want := tc.want
			if tc.isPenalty {
				want = append(append([]string{}, section52...), want...)
			}
			for _, w := range want {
				if !strings.Contains(text, squeeze(w)) {
					t.Errorf("the document lacks %q", w)
				}
			}
			for _, w := range tc.wantNot {
				if strings.Contains(text, squeeze(w)) {
					t.Errorf("the document has %q", w)
				}
			}
			if t.Failed() {
				t.Logf("text: %s", text)
			}
		})
	}
}

// SPEC F14: a fine whose amount cannot be read is not printed.
func TestDecisionRefusesUnreadableAmount(t *testing.T) {
	for _, amount := range []string{"", "abc", "12.345", "-5", "0"} {
		d := form(t, "penalty-simple", "on_spot_decision", "person", "张伟", decision(map[string]any{"penalty": "fine", "amount": amount, "payment": "bank", "bank": "某银行"}), officersSign...)
		if err := Render(&bytes.Buffer{}, d); err == nil || !strings.Contains(err.Error(), "fine amount") {
			t.Errorf("amount %q: got %v", amount, err)
		}
	}
}

func TestCapitalYuan(t *testing.T) {
	tests := []struct{ in, figures, capital string }{
		{"200", "200.00", "贰佰元整"},
		{"50", "50.00", "伍拾元整"},
		{"10", "10.00", "壹拾元整"},
		{"2750", "2750.00", "贰仟柒佰伍拾元整"},
		{"3000", "3000.00", "叁仟元整"},
		{"1005", "1005.00", "壹仟零伍元整"},
		{"1050", "1050.00", "壹仟零伍拾元整"},
		{"1,200.00", "1200.00", "壹仟贰佰元整"},
		{"35.5", "35.50", "叁拾伍元伍角整"},
		{"100.05", "100.05", "壹佰元零伍分"},
		{"68.32", "68.32", "陆拾捌元叁角贰分"},
		{"0.8", "0.80", "捌角整"},
		{"100000", "100000.00", "壹拾万元整"},
		{"100010", "100010.00", "壹拾万零壹拾元整"},
		{"90000009", "90000009.00", "玖仟万零玖元整"},
		{"108000", "108000.00", "壹拾万零捌仟元整"},
		{"100000001", "100000001.00", "壹亿零壹元整"},
		{"160000000", "160000000.00", "壹亿陆仟万元整"},
	}
	for _, tc := range tests {
		cents, err := parseYuan(tc.in)
		if err != nil {
			t.Errorf("parseYuan(%q): %v", tc.in, err)
			continue
		}
		if got := figures(cents); got != tc.figures {
			t.Errorf("figures(%q) = %s, want %s", tc.in, got, tc.figures)
		}
		if got := capitalYuan(cents); got != tc.capital {
			t.Errorf("capitalYuan(%q) = %s, want %s", tc.in, got, tc.capital)
		}
	}
}
