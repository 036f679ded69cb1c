package ui

import (
	"strings"
	"testing"
	"unicode/utf8"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
)

// Issue 12 (12): a wrapped Chinese label never starts a line with closing
// punctuation and keeps a number with its measure word, at every width of
// a phone.
func TestIssue12ChineseLineBreaking(t *testing.T) {
	test.NewTempApp(t)
	texts := []string{
		"本案只有 1 名执法人员：亮证前须再增加一名（《武汉市行政执法全过程记录办法》第十四条）。",
		"执法人员已向您出示执法证件，告知您有陈述、申辩的权利。如认为执法人员与本案有直接利害关系，可以申请回避。",
		"签名人用手指或触控笔在白色区域内签名。签名与本记录绑定，不能移用于其他记录。",
	}
	for _, text := range texts {
		l := wrapped(text)
		w := test.NewTempWindow(t, container.NewVBox(l))
		for width := float32(120); width <= 360; width += 3 {
			w.Resize(fyne.NewSize(width, 800))
			var rows []string
			for _, d := range drawn(w.Content()) {
				if d.text.Text != "" {
					rows = append(rows, d.text.Text)
				}
			}
			if got := strings.Join(rows, ""); strings.ReplaceAll(got, " ", "") != strings.ReplaceAll(text, " ", "") {
				t.Fatalf("width %.0f: the label shows %q, want %q", width, got, text)
			}
			for i, r := range rows {
				first, _ := utf8.DecodeRuneInString(r)
				if strings.ContainsRune(noLineStart, first) {
					t.Fatalf("width %.0f: line %d starts with %q: %q", width, i+1, first, rows)
				}
				if i > 0 && first == '名' && strings.HasSuffix(strings.TrimSpace(rows[i-1]), "1") {
					t.Fatalf("width %.0f: 名 is cut from its number: %q", width, rows)
				}
			}
		}
	}
}

func TestBreakLines(t *testing.T) {
	// one unit per rune, spaces included
	measure := func(s string) float32 { return float32(utf8.RuneCountInString(s)) }
	for _, c := range []struct {
		in    string
		width float32
		want  string
	}{
		{"本案只有 1 名执法人员", 6, "本案只有\n1 名执法人\n员"},
		{"已宣读。当事人签字", 3, "已宣\n读。当\n事人签\n字"},
		{"（第 3 条）规定", 7, "（第 3 条）\n规定"},
		{"见第 12 条", 6, "见\n第 12 条"},
		{"hello world 你好", 5, "hello\nworld\n你好"},
		{"abcdefgh", 3, "abc\ndef\ngh"},
	} {
		if got := breakLines(c.in, c.width, measure); got != c.want {
			t.Errorf("breakLines(%q, %v) = %q, want %q", c.in, c.width, got, c.want)
		}
	}
}
