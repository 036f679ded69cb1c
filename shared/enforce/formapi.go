package enforce

import "slices"

// SignatureRequest is one signature pad a step form shows with the input as
// it stands: every officer on the case for "officer" (Officer set), else one
// per role. NameField is the step's field that names the signer and that
// the guard checks the signature against (witness_name, recipient_name,
// person_name; party_agent for the party); empty for officers and servers.
type SignatureRequest struct {
	Role      string
	Officer   *Officer
	NameField string
	Unless    string
	Article   string
}

// SignatureRequests lists the signatures the step asks for with the input,
// the same ones Requirements checks, each role once (SPEC F10).
func (c CaseState) SignatureRequests(def *StepDef, in StepInput) []SignatureRequest {
	active, _ := c.splitVariants(def, in)
	var out []SignatureRequest
	for _, r := range signReqs(def, active) {
		if slices.ContainsFunc(out, func(s SignatureRequest) bool { return s.Role == r.Role }) {
			continue
		}
		if r.Role == RoleOfficer {
			for i := range c.Officers {
				out = append(out, SignatureRequest{Role: r.Role, Officer: &c.Officers[i], Unless: r.Unless, Article: r.article})
			}
			continue
		}
		req := SignatureRequest{Role: r.Role, Unless: r.Unless, Article: r.article}
		switch r.Role {
		case RoleServer:
		case RoleParty:
			if _, ok := def.Field(PartyAgentField); ok {
				req.NameField = PartyAgentField
			}
		default:
			req.NameField = r.Role + "_name"
			if r.NameField != "" {
				req.NameField = r.NameField
			}
		}
		out = append(out, req)
	}
	return out
}
