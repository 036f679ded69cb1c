package field

import (
	"database/sql"
	"encoding/json"
	"strings"
	"testing"

	"lawtrace/shared/ledger"
)

// SPEC F10 R2, 000-record §4 §11 §21: verify finds a stored signature
// bound to the wrong person even when the entry itself is intact — chained,
// device-signed with a valid key, its signatures bound to its content hash —
// as an entry written by an older or altered build that skipped the guard
// would be. The bad entry is appended the way the terminal appends every
// entry (appendEntry), so only the signer check in Verify can catch it.
func TestVerifyFindsSignatureBoundToWrongPerson(t *testing.T) {
	tests := []struct {
		name  string
		step  string // the validly recorded step whose copy is altered
		role  string // the signature whose signer name is changed
		from  string // the signer's name in the valid record
		to    string // the name in the bad copy
		wants string // the finding names this
	}{
		{"lodging witness other than witness_name", "serve", "witness", "刘芳", "李四", "witness signature by 李四, but witness_name is 刘芳"},
		{"party signature by a stranger", "notify_rights", "party", "张伟", "李四", "party signature by 李四, who is neither the party 惠民便利店 nor its named agent"},
		{"officer signature by someone not on the case", "inspection_notes", "officer", "李明", "孙七", "officer signature by 孙七, who is not an officer on the case"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			term := newTerminal(t)
			c := openInspection(t, term, "A1", "A2")
			recorded := recordSignedSteps(t, term, c.ID)
			if f, err := term.Verify(c.ID); err != nil || len(f) != 0 {
				t.Fatalf("the valid record does not verify: %v %v", f, err)
			}

			// Copy the valid entry with one signer's name changed.
			orig := recorded[tc.step]
			var p StepPayload
			if err := json.Unmarshal(orig.Payload, &p); err != nil {
				t.Fatal(err)
			}
			changed := false
			for i, s := range p.Signatures {
				if s.Role == tc.role && s.Name == tc.from {
					p.Signatures[i].Name, changed = tc.to, true
				}
			}
			if !changed {
				t.Fatalf("%s has no %s signature by %s: %s", tc.step, tc.role, tc.from, orig.Payload)
			}
			var bad *ledger.Entry
			err := term.inTx(func(tx *sql.Tx) error {
				var err error
				bad, err = term.appendEntry(tx, draft{caseID: c.ID, step: tc.step, payload: p, officers: orig.Officers, media: orig.Media})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}

			// The entry itself is intact: chain, device signature, hand-signature binding, media.
			entries, err := term.caseEntries(c.ID)
			if err != nil {
				t.Fatal(err)
			}
			keys, err := term.Keys()
			if err != nil {
				t.Fatal(err)
			}
			if f := ledger.VerifyCase(c.ID, entries, keys, term.media); len(f) != 0 {
				t.Fatalf("the bad entry should be intact as an entry, verify found %v", f)
			}

			findings, err := term.Verify(c.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(findings) != 1 {
				t.Fatalf("want one finding for entry #%d, got %v", bad.Seq, findings)
			}
			f := findings[0]
			if f.Seq != bad.Seq || f.EntryID != bad.ID || !strings.Contains(f.Problem, "signature bound to the wrong person") || !strings.Contains(f.Problem, tc.wants) {
				t.Fatalf("finding %+v, want entry #%d %s: signature bound to the wrong person: %s", f, bad.Seq, bad.ID, tc.wants)
			}
			if all, err := term.Verify(""); err != nil || len(all) != 1 {
				t.Fatalf("verify of every case: %v %v", all, err)
			}
		})
	}
}

// recordSignedSteps records, through the guard, show ID, rights signed by
// the shop's manager 张伟, notes signed by both officers and 张伟, and
// service by lodging witnessed by 刘芳; it returns the entries by step.
func recordSignedSteps(t *testing.T, term *Terminal, caseID string) map[string]*ledger.Entry {
	t.Helper()
	video := writeFile(t, "v.mp4", []byte("video"))
	audio := writeFile(t, "a.m4a", []byte("audio"))
	officers := []Signing{{Role: "officer", Name: "王强", Strokes: strokes()}, {Role: "officer", Name: "李明", Strokes: strokes()}}
	agent := Signing{Role: "party", Name: "张伟", Strokes: strokes()}
	steps := []StepRequest{
		{Kind: "show_id", Attach: []Attachment{{Path: video}}},
		{Kind: "notify_rights", Fields: map[string]string{"acknowledgement": "signed", "party_agent": "张伟"}, Sign: []Signing{agent}},
		{Kind: "inspection_notes", Fields: map[string]string{"location": "店内", "start_time": "2026-05-06 10:00", "findings": "标签不全", "party_agent": "张伟"},
			Attach: []Attachment{{Path: video}}, Sign: append(officers, agent)},
		{Kind: "serve", Fields: map[string]string{"document": "现场检查笔录", "document_kind": "other", "method": "lodging", "date": "2026-05-06", "place": "店内",
			"refusal_reason": "拒收", "witness_name": "刘芳"},
			Attach: []Attachment{{Path: audio}}, Sign: []Signing{{Role: "server", Name: "王强", Strokes: strokes()}, {Role: "witness", Name: "刘芳", Strokes: strokes()}}},
	}
	out := map[string]*ledger.Entry{}
	for _, req := range steps {
		req.Recorder = "A1"
		e, err := term.RecordStep(caseID, req)
		if err != nil {
			t.Fatalf("%s: %v", req.Kind, err)
		}
		out[req.Kind] = e
	}
	return out
}
