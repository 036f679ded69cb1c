package ui

import (
	"encoding/json"

	"fyne.io/fyne/v2"
)

// draft is what an officer has entered on a step but not yet recorded. It
// is saved in the field store on every change, so a killed app, a rotation
// or a language change loses nothing typed, attached or signed.
type draft struct {
	// Recorder is the credential number of the officer making the record.
	Recorder string                         `json:"recorder,omitempty"`
	Fields   map[string]string              `json:"fields,omitempty"`
	Items    map[string][]map[string]string `json:"items,omitempty"`
	Attach   []attachment                   `json:"attach,omitempty"`
	Sign     []signed                       `json:"sign,omitempty"`
	// Pad is the signature being drawn, kept stroke by stroke before it is
	// confirmed: a killed app reopens on the pad with it.
	Pad *padDraft `json:"pad,omitempty"`
	// Fresh is false once the officer has touched the form; defaults
	// (today's date, the rights text) are only filled into a fresh draft.
	Touched bool `json:"touched,omitempty"`
}

// attachment is an evidence file chosen for a step.
type attachment struct {
	Path    string `json:"path"`
	Kind    string `json:"kind"`
	Caption string `json:"caption,omitempty"`
	Hash    string `json:"hash,omitempty"`
	Size    int64  `json:"size,omitempty"`
}

// signed is a handwritten signature captured for a role.
type signed struct {
	Role    string `json:"role"`
	Name    string `json:"name"`
	Strokes []byte `json:"strokes"`
}

// padDraft is a signature pad's state: whose pad, the name typed, the
// strokes drawn so far (signature.Strokes' JSON).
type padDraft struct {
	signPad
	Strokes []byte `json:"strokes,omitempty"`
}

func draftKey(caseID, step string) string { return setDraft + "." + caseID + "." + step }

func (u *UI) loadDraft(caseID, step string) draft {
	d := draft{Fields: map[string]string{}, Items: map[string][]map[string]string{}}
	raw := u.setting(draftKey(caseID, step))
	if raw == "" {
		return d
	}
	if err := json.Unmarshal([]byte(raw), &d); err != nil {
		fyne.LogError("draft "+caseID+"/"+step+" unreadable; starting afresh", err)
		return draft{Fields: map[string]string{}, Items: map[string][]map[string]string{}}
	}
	if d.Fields == nil {
		d.Fields = map[string]string{}
	}
	if d.Items == nil {
		d.Items = map[string][]map[string]string{}
	}
	return d
}

func (u *UI) saveDraft(caseID, step string, d draft) {
	b, err := json.Marshal(d)
	if err != nil {
		fyne.LogError("encode draft", err)
		return
	}
	u.setSetting(draftKey(caseID, step), string(b))
}

func (u *UI) clearDraft(caseID, step string) { u.setSetting(draftKey(caseID, step), "") }
