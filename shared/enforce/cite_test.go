package enforce_test

import (
	"testing"

	"lawtrace/shared/enforce"
)

// SPEC F13: citations shown to people name the regulation and article in Chinese.
func TestCite(t *testing.T) {
	tests := []struct{ in, want string }{
		{"003 §22", "《武汉市行政执法全过程记录办法》第二十二条"},
		{"003 §14, 000-record §9", "《武汉市行政执法全过程记录办法》第十四条、《呼和浩特市行政执法全过程记录办法（试行）》第九条"},
		{"000-record §19-23", "《呼和浩特市行政执法全过程记录办法（试行）》第十九条至第二十三条"},
		{"000-review §5, §14; 002-review §2", "《呼和浩特市重大行政执法决定法制审核办法（试行）》第五条、第十四条、《薛城区重大执法决定法制审核办法》第二条"},
		{"行政强制法 §18(10)", "《中华人民共和国行政强制法》第十八条第（十）项"},
		{"行政处罚法 §51", "《中华人民共和国行政处罚法》第五十一条"},
		{"002-publicity §12, 001", "《薛城区行政执法信息公示办法》第十二条、《株洲市渌口区全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的实施办法》"},
		{"行政处罚法 §100", "《中华人民共和国行政处罚法》第一百条"},
		{"行政处罚法 §105", "《中华人民共和国行政处罚法》第一百零五条"},
		{"某条例 §3", "某条例 §3"},
	}
	for _, tc := range tests {
		if got := enforce.Cite(tc.in); got != tc.want {
			t.Errorf("Cite(%q)\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}
