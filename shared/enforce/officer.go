package enforce

import "time"

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
