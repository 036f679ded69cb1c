package enforce_test

import (
	"fmt"
	"testing"

	"lawtrace/shared/enforce"
)

// SPEC F10: the pads a form shows are the signatures the guard requires:
// one per officer on the case, one per other role, with the field that
// names the signer; a variant adds its own.
func TestSignatureRequests(t *testing.T) {
	p := catalog(t).Procedures["inspection"]
	st := enforce.CaseState{Procedure: p, Party: "鑫源食品商行", PartyKind: "org", Officers: crew, Recorded: map[string]int{"show_id": 1}, Today: today}
	pads := func(kind string, fields map[string]string) []string {
		def, _ := p.Step(kind)
		var out []string
		for _, r := range st.SignatureRequests(def, enforce.StepInput{Kind: kind, Fields: fields}) {
			s := r.Role
			if r.Officer != nil {
				s += ":" + r.Officer.Name
			}
			out = append(out, s+"/"+r.NameField)
		}
		return out
	}
	for _, tc := range []struct {
		kind   string
		fields map[string]string
		want   string
	}{
		{"inspection_notes", nil, "[officer:王强/ officer:李明/ party/party_agent]"},
		{"serve", map[string]string{"method": "lodging"}, "[server/ witness/witness_name]"},
		{"serve", map[string]string{"method": "direct"}, "[recipient/recipient_name server/]"},
		{"serve", map[string]string{"method": "postal"}, "[]"},
		{"inquiry_notes", nil, "[officer:王强/ officer:李明/ person/person_name]"},
	} {
		if got := fmt.Sprint(pads(tc.kind, tc.fields)); got != tc.want {
			t.Errorf("%s %v: pads %s, want %s", tc.kind, tc.fields, got, tc.want)
		}
	}
}
