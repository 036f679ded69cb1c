package enforce

import (
	"regexp"
	"strconv"
	"strings"
)

// Regulations names each source the code cites by id: the seed measures by
// file prefix (and measure) and the national laws by short name.
var Regulations = map[string]string{
	"000-publicity": "《呼和浩特市行政执法公示办法（试行）》",
	"000-record":    "《呼和浩特市行政执法全过程记录办法（试行）》",
	"000-review":    "《呼和浩特市重大行政执法决定法制审核办法（试行）》",
	"001":           "《株洲市渌口区全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的实施办法》",
	"002-publicity": "《薛城区行政执法信息公示办法》",
	"002-record":    "《薛城区行政执法全过程记录办法》",
	"002-review":    "《薛城区重大执法决定法制审核办法》",
	"003":           "《武汉市行政执法全过程记录办法》",
	"004":           "《吉林市全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度实施方案》",
	"行政处罚法":         "《中华人民共和国行政处罚法》",
	"行政强制法":         "《中华人民共和国行政强制法》",
	"行政复议法":         "《中华人民共和国行政复议法》",
	"行政许可法":         "《中华人民共和国行政许可法》",
	"行政诉讼法":         "《中华人民共和国行政诉讼法》",
}

// citePart is one article reference: "§14", "§19-23", "§18(10)", "§4(1)(2)".
var citePart = regexp.MustCompile(`^§(\d+)(?:-(\d+))?((?:\(\d+\))*)$`)

// Cite renders an article citation as written in code and data ("003 §14,
// 000-record §9"; "000-review §5, §14; 002-review §2") in Chinese with each
// regulation named: 《武汉市行政执法全过程记录办法》第十四条、《呼和浩特市…》第九条.
// A part it cannot read is kept as written.
func Cite(article string) string {
	var out []string
	source := ""
	for _, group := range strings.Split(article, ";") {
		for _, part := range strings.Split(group, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			ref := part
			if i := strings.Index(part, " §"); i > 0 {
				source, ref = part[:i], part[i+1:]
			} else if !strings.HasPrefix(part, "§") {
				source, ref = part, ""
			}
			name, known := Regulations[source]
			if !known {
				out = append(out, part)
				continue
			}
			if ref == "" {
				out = append(out, name)
				continue
			}
			m := citePart.FindStringSubmatch(ref)
			if m == nil {
				out = append(out, name+ref)
				continue
			}
			text := "第" + chineseNumber(m[1]) + "条"
			if m[2] != "" {
				text = "第" + chineseNumber(m[1]) + "条至第" + chineseNumber(m[2]) + "条"
			}
			for _, sub := range regexp.MustCompile(`\d+`).FindAllString(m[3], -1) {
				text += "第（" + chineseNumber(sub) + "）项"
			}
			if len(out) > 0 && strings.HasPrefix(out[len(out)-1], name) {
				out = append(out, text)
			} else {
				out = append(out, name+text)
			}
		}
	}
	return strings.Join(out, "、")
}

var digits = []string{"零", "一", "二", "三", "四", "五", "六", "七", "八", "九"}

// chineseNumber writes 1-999 as in article numbers: 九, 十四, 二十二, 一百零五.
func chineseNumber(s string) string {
	n, err := strconv.Atoi(s)
	if err != nil || n <= 0 || n > 999 {
		return s
	}
	var b strings.Builder
	if h := n / 100; h > 0 {
		b.WriteString(digits[h] + "百")
		n %= 100
		if n > 0 && n < 10 {
			b.WriteString("零")
		}
	}
	if t := n / 10; t > 0 {
		if t > 1 || b.Len() > 0 {
			b.WriteString(digits[t])
		}
		b.WriteString("十")
	}
	if u := n % 10; u > 0 {
		b.WriteString(digits[u])
	}
	return b.String()
}
