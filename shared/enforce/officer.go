package enforce

import (
	"strings"
	"time"
)

// DateLayout is how calendar dates are written in data and on the command line.
const DateLayout = "2006-01-02"

// Officer is an enforcement officer and the credential (执法证) they hold.
type Officer struct {
	Name      string `json:"name"`
	Cert      string `json:"cert"`
	Unit      string `json:"unit,omitempty"`
	Category  string `json:"category,omitempty"`
	Area      string `json:"area,omitempty"`
	Expires   string `json:"expires"`
	Suspended bool   `json:"suspended,omitempty"`
}

// CredentialProblem says why the credential cannot be used on day, or "" if it can.
func (o Officer) CredentialProblem(day time.Time) string {
	if o.Suspended {
		return "credential " + o.Cert + " of " + o.Name + " is suspended"
	}
	exp, err := time.Parse(DateLayout, o.Expires)
	if err != nil {
		return "credential " + o.Cert + " of " + o.Name + " has no valid expiry date"
	}
	if day.Format(DateLayout) > exp.Format(DateLayout) {
		return "credential " + o.Cert + " of " + o.Name + " expired on " + o.Expires
	}
	return ""
}

// CredentialIssue is CredentialProblem as a refusal item in both languages;
// bad is false when the credential can be used on day.
func (o Officer) CredentialIssue(day time.Time) (issue Item, bad bool) {
	en := o.CredentialProblem(day)
	if en == "" {
		return Item{}, false
	}
	zh := "执法证件 " + o.Cert + "（" + o.Name + "）"
	switch {
	case o.Suspended:
		zh += "已暂停使用"
	case strings.Contains(en, "no valid expiry"):
		zh += "没有有效期"
	default:
		zh += "已于 " + o.Expires + " 过期"
	}
	return Item{Name: "credential:" + o.Cert, Zh: zh, En: en, Article: "003 §14"}, true
}
