package casefile

import "testing"

// The table of contents files a case in the order of the archive rules:
// opening, evidence, notice and hearing, review and decision, service,
// execution, closing (SPEC R5).
func TestGroupOf(t *testing.T) {
	for _, c := range []struct {
		chain, step string
		want        string
	}{
		{ChainTerminal, "case_open", "立案"},
		{ChainOffice, "register_approval", "立案"},
		{ChainTerminal, "inspection_notes", "调查取证"},
		{ChainTerminal, "close_scene", "调查取证"},
		{ChainOffice, "prior_notice", "告知与听证"},
		{ChainOffice, "statement_review", "告知与听证"},
		{ChainOffice, "rights_waiver", "告知与听证"},
		{ChainOffice, "hearing_record", "告知与听证"},
		{ChainOffice, "review_opinion", "审核与决定"},
		{ChainOffice, "review_extend", "审核与决定"},
		{ChainOffice, "decision", "审核与决定"},
		{ChainTerminal, "on_spot_decision", "审核与决定"},
		{ChainTerminal, "serve", "送达"},
		{ChainOffice, "decision_served", "送达"},
		{ChainOffice, "execution_check", "执行"},
		{ChainOffice, "late_fee", "执行"},
		{ChainOffice, "case_end", "结案归档"},
		{ChainOffice, "case_archived", "结案归档"},
	} {
		if got := Groups[groupOf(c.chain, c.step)]; got != c.want {
			t.Errorf("%s %s: %s, want %s", c.chain, c.step, got, c.want)
		}
	}
}

func TestZhProblem(t *testing.T) {
	for in, want := range map[string]string{
		"sequence gap: expected #5, found #6 (an entry is missing or out of order)": "序号不连续",
		"signature does not verify with the key of D1":                              "数字签名验证失败",
		"media abc is missing": "所附文件缺失",
	} {
		if got := zhProblem(in); len(got) < len(want) || got[:len(want)] != want {
			t.Errorf("%q: %q", in, got)
		}
	}
}
