package enforce

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// Signature roles the guard gives meaning to; any other role is bound to the
// person its step names in ROLE_name (or the requirement's NameField).
const (
	RoleOfficer = "officer" // every officer on the case signs notes (000-record §11)
	RoleServer  = "server"  // the serving officer (送达人)
	RoleParty   = "party"   // the party or the agent named in party_agent
)

// PartyAgentField names the person signing for the party (法定代表人、委托代理人).
const PartyAgentField = "party_agent"

var roleZh = map[string]string{RoleOfficer: "执法人员", RoleServer: "送达人", RoleParty: "当事人", "witness": "见证人", "recipient": "受送达人", "person": "被询问人"}

// RoleLabel is how a signature role is named on screen.
func RoleLabel(role string, english bool) string {
	if english {
		return role
	}
	if l, ok := roleZh[role]; ok {
		return l
	}
	return role
}

type signReqIn struct {
	SignReq
	article string
}

func signReqs(def *StepDef, active []Variant) []signReqIn {
	var out []signReqIn
	for _, r := range def.Signatures {
		out = append(out, signReqIn{r, def.Article})
	}
	for _, v := range active {
		for _, r := range v.Signatures {
			out = append(out, signReqIn{r, v.Article})
		}
	}
	return out
}

// signatureRequirements asks for each signature the step needs, every
// officer's for notes, and refuses a signature by anyone but the person the
// record names (SPEC F10; 000-record §4, §11, §19-22; 行政强制法 §18).
func (c CaseState) signatureRequirements(def *StepDef, active []Variant, in StepInput) []Requirement {
	var out []Requirement
	for _, r := range signReqs(def, active) {
		waived := r.Unless != "" && in.filled(r.Unless)
		alt, altEn := "", ""
		if r.Unless != "" {
			f, _ := def.Field(r.Unless)
			alt, altEn = "（或"+f.Label+"）", " (or "+r.Unless+")"
		}
		if r.Role == RoleOfficer {
			for _, o := range c.Officers {
				done := waived || slices.Contains(in.Signatures, Signer{RoleOfficer, o.Name})
				out = append(out, Requirement{Done: done, Item: Item{Name: "signature:officer:" + o.Cert,
					Zh: fmt.Sprintf("执法人员%s（证号 %s）签名%s", o.Name, o.Cert, alt), En: fmt.Sprintf("officer signature of %s (%s)%s", o.Name, o.Cert, altEn), Article: r.article}})
			}
			continue
		}
		signed := slices.ContainsFunc(in.Signatures, func(s Signer) bool { return s.Role == r.Role })
		out = append(out, Requirement{Done: signed || waived, Item: Item{Name: "signature:" + r.Role,
			Zh: RoleLabel(r.Role, false) + "签名" + alt, En: r.Role + " signature" + altEn, Article: r.article}})
		if r.RefusalAV && waived && !signed {
			out = append(out, Requirement{Done: hasKind(in.FileKinds, "video|audio"), Item: Item{Name: "av:refusal:" + r.Role,
				Zh: RoleLabel(r.Role, false) + "拒绝签字的音像记录", En: "audio/video record of the " + r.Role + "'s refusal to sign", Article: r.article + ", 000-record §11"}})
		}
	}
	for _, it := range c.SignerIssues(def, in) {
		out = append(out, Requirement{Item: it})
	}
	return out
}

// SignerIssues lists the signatures on a step that are not by the person the
// record names: a witness other than witness_name, a party signature by
// someone neither the party nor its named agent, an officer signature by
// someone not on the case. Verify runs it on stored entries too.
func (c CaseState) SignerIssues(def *StepDef, in StepInput) []Item {
	if !c.Procedure.BindSigners {
		return nil
	}
	var out []Item
	reqs := signReqs(def, c.ActiveVariants(def, in))
	for _, s := range in.Signatures {
		role := RoleLabel(s.Role, false)
		article := def.Article
		nameField := s.Role + "_name"
		for _, r := range reqs {
			if r.Role == s.Role {
				article = r.article
				if r.NameField != "" {
					nameField = r.NameField
				}
			}
		}
		issue := func(zh, en string) {
			out = append(out, Item{Name: "signer:" + s.Role, Zh: zh, En: en, Article: article + ", 000-record §4"})
		}
		name := strings.TrimSpace(s.Name)
		switch {
		case name == "":
			issue(role+"签名未写明签名人姓名", s.Role+" signature does not name the signer")
		case s.Role == RoleOfficer || s.Role == RoleServer:
			if !slices.ContainsFunc(c.Officers, func(o Officer) bool { return o.Name == name }) {
				issue(fmt.Sprintf("%s签名人“%s”不是本案执法人员", role, name), fmt.Sprintf("%s signature by %s, who is not an officer on the case", s.Role, name))
			}
		case s.Role == RoleParty:
			agent := in.value(PartyAgentField)
			if name != c.Party && (agent == "" || name != agent) {
				who := "当事人“" + c.Party + "”"
				if agent != "" {
					who += "或其代理人“" + agent + "”"
				}
				issue(fmt.Sprintf("当事人签名须由%s签署，签名人写的是“%s”", who, name), fmt.Sprintf("party signature by %s, who is neither the party %s nor its named agent", name, c.Party))
			}
		default:
			f, ok := def.Field(nameField)
			want := in.value(nameField)
			switch {
			case !ok:
				issue(fmt.Sprintf("本环节没有记录%s姓名的栏目，不能由%s签名", role, role), fmt.Sprintf("this step has no field naming the %s", s.Role))
			case want == "":
				issue(fmt.Sprintf("%s签名须与%s一致，但%s未填写", role, f.Label, f.Label), fmt.Sprintf("%s signature by %s, but %s is empty", s.Role, name, nameField))
			case want != name:
				issue(fmt.Sprintf("%s签名须由%s“%s”本人签署，签名人写的是“%s”", role, f.Label, want, name), fmt.Sprintf("%s signature by %s, but %s is %s", s.Role, name, nameField, want))
			}
		}
	}
	return out
}

// RecordedSignerIssues runs SignerIssues on a stored step: its canonical
// fields JSON and who signed. Steps the procedure does not define have
// nothing to check.
func (c CaseState) RecordedSignerIssues(step string, fields json.RawMessage, signers []Signer) []Item {
	def, ok := c.Procedure.Step(step)
	if !ok || len(signers) == 0 {
		return nil
	}
	in := StepInput{Kind: step, Fields: map[string]string{}, Signatures: signers}
	var raw map[string]json.RawMessage
	if len(fields) > 0 && json.Unmarshal(fields, &raw) != nil {
		return []Item{{Name: "fields", Zh: "记录的字段无法读取", En: "the recorded fields cannot be read"}}
	}
	for k, v := range raw {
		var s string
		if json.Unmarshal(v, &s) == nil {
			in.Fields[k] = s
		}
	}
	return c.SignerIssues(def, in)
}
