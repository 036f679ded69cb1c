package publicity

import (
	"strings"
	"testing"
	"time"
)

// SPEC P3: every kind of personal data, in the formats people write it.
func TestRedactKinds(t *testing.T) {
	person := Subject{PartyKind: "person", Party: "张三"}
	org := Subject{PartyKind: "org", Party: "呼和浩特市青城餐饮有限公司"}
	cases := []struct {
		name, in string
		sub      Subject
		kind     string // a removed kind expected
		gone     []string
		kept     []string
	}{
		{"id 18", "身份证号码110105199003071239，", person, RemovedID, []string{"110105199003071239"}, nil},
		{"id 18 X", "公民身份号码 11010519491231002X 男", person, RemovedID, []string{"11010519491231002X"}, nil},
		{"id 18 x lower", "证件号11010519491231002x。", person, RemovedID, []string{"11010519491231002x"}, nil},
		{"id spaced", "身份证：110105 19900307 1239", person, RemovedID, []string{"1239", "19900307"}, nil},
		{"id full width", "身份证号１１０１０５１９９００３０７１２３９", person, RemovedID, []string{"１２３９", "1239"}, nil},
		{"id 15 old", "旧身份证号 110105900307123 已换发", person, RemovedID, []string{"110105900307123"}, nil},
		{"id bad check digit still removed", "号码110105199003071235", person, RemovedID, []string{"110105199003071235"}, nil},
		{"mobile", "联系电话13912345678。", org, RemovedPhone, []string{"13912345678"}, nil},
		{"mobile spaced", "手机 139 1234 5678", org, RemovedPhone, []string{"5678"}, nil},
		{"mobile hyphen", "手机139-1234-5678", org, RemovedPhone, []string{"5678"}, nil},
		{"mobile +86", "电话+86 139 1234 5678", org, RemovedPhone, []string{"5678"}, nil},
		{"mobile full width", "手机１３９１２３４５６７８", org, RemovedPhone, []string{"１３９１２３４５６７８", "13912345678"}, nil},
		{"mobile glued to letters", "tel13912345678", org, RemovedPhone, []string{"13912345678"}, nil},
		{"landline area", "座机0471-6612345。", org, RemovedPhone, []string{"6612345"}, nil},
		{"landline paren", "电话（0471）6612345", org, RemovedPhone, []string{"6612345"}, nil},
		{"landline 8", "电话 010-62345678 转 123", org, RemovedPhone, []string{"62345678"}, nil},
		{"local number", "电话6612345", org, RemovedPhone, []string{"6612345"}, nil},
		{"bank 16", "账号6222 0212 3456 7890", org, RemovedBank, []string{"7890"}, nil},
		{"bank 19", "银行卡号6217000010012345678", org, RemovedBank, []string{"6217000010012345678"}, nil},
		{"email", "邮箱zhang.san@example.com。", org, RemovedEmail, []string{"zhang.san@example.com"}, nil},
		{"email full width", "邮箱ｚｈａｎｇ＠ｅｘａｍｐｌｅ．ｃｏｍ", org, RemovedEmail, []string{"zhang@example.com", "ｚｈａｎｇ"}, nil},
		{"home address labelled (org case)", "其法定代表人住址：呼和浩特市新城区海拉尔东路12号3单元402室，", org, RemovedAddress, []string{"海拉尔东路12号"}, []string{"法定代表人"}},
		{"person's address unlabelled", "当事人张三在其位于赛罕区大学西街88号院5号楼的家中", person, RemovedAddress, []string{"大学西街88号"}, nil},
		{"person's 住所", "张三，住所地呼和浩特市回民区中山西路1号。", person, RemovedAddress, []string{"中山西路1号"}, nil},
		{"org registered address stays", "当事人呼和浩特市青城餐饮有限公司，住所呼和浩特市新城区新华大街1号，", org, "", nil, []string{"新华大街1号", "青城餐饮有限公司"}},
		{"person name", "当事人张三于2025年3月1日销售过期食品，张三当场承认。", person, RemovedName, []string{"张三"}, []string{"张某", "2025年3月1日"}},
		{"labelled name", "证人姓名：李四，", org, RemovedName, []string{"李四"}, []string{"李某"}},
		{"compound surname", "当事人欧阳明华", Subject{PartyKind: "person", Party: "欧阳明华"}, RemovedName, []string{"欧阳明华"}, []string{"欧阳某某"}},
		{"date kept", "2025-03-01 检查", org, "", nil, []string{"2025-03-01"}},
		{"amount kept", "罚款10000000元", org, "", nil, []string{"10000000"}},
		{"credit code kept", "统一社会信用代码91150100MA0N2X3Y4K", org, "", nil, []string{"91150100MA0N2X3Y4K"}},
		{"short numbers kept", "〔2025〕12号，罚款200元", person, "", nil, []string{"〔2025〕12号", "200元"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Redact(c.in, c.sub)
			for _, g := range c.gone {
				if strings.Contains(r.Text, g) {
					t.Errorf("%q: %q still in %q", c.in, g, r.Text)
				}
			}
			for _, k := range c.kept {
				if !strings.Contains(r.Text, k) {
					t.Errorf("%q: %q was removed: %q", c.in, k, r.Text)
				}
			}
			found := c.kind == ""
			for _, s := range r.Removed() {
				if s.Kind == c.kind {
					found = true
				}
			}
			if !found {
				t.Errorf("%q: no %s removed: %q %+v", c.in, c.kind, r.Text, r.Removed())
			}
			if c.kind == "" && len(r.Removed()) > 0 {
				t.Errorf("%q: removed %+v", c.in, r.Removed())
			}
		})
	}
}

func TestMaskName(t *testing.T) {
	for in, want := range map[string]string{"张三": "张某", "张三丰": "张某某", "王小二一": "王某某", "欧阳明华": "欧阳某某",
		"欧阳明": "欧阳某", "司马光": "司马某", "诸葛亮": "诸葛某", "欧阳": "欧某", "John Smith": "J某"} {
		if got := MaskName(in); got != want {
			t.Errorf("MaskName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestIDNumbers(t *testing.T) {
	for id, ok := range map[string]bool{"110105199003071239": true, "11010519491231002X": true, "110105199003071235": false,
		"11010519900307123": false, "110105199013071236": false} {
		if ValidIDNumber(id) != ok {
			t.Errorf("ValidIDNumber(%s) != %v", id, ok)
		}
	}
	decided := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	for id, minor := range map[string]bool{
		"110105200703020008": true,  // 18 on 2025-03-02: still a minor on 03-01
		"110105200703010002": false, // 18 that day
		"110105900307123":    false, // old 15-digit form, born 1990
	} {
		b, ok := BirthDate(id)
		if !ok {
			t.Fatalf("no birth date in %s", id)
		}
		if MinorAt(b, decided) != minor {
			t.Errorf("%s minor=%v", id, !minor)
		}
	}
	if !MinorIDIn(decided, "当事人身份证号110105200703020008") {
		t.Error("minor's ID in facts not found")
	}
}
