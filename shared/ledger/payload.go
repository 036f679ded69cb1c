package ledger

import (
	"encoding/json"
	"fmt"
)

// File kinds an entry may reference.
const (
	KindPhoto       = "photo"
	KindVideo       = "video"
	KindAudio       = "audio"
	KindFile        = "file"
	KindSignStrokes = "signature_strokes"
	KindSignImage   = "signature_image"
	KindDocument    = "document"
)

// File describes one stored media file an entry references by hash.
type File struct {
	Hash    string `json:"hash"`
	Kind    string `json:"kind"`
	Name    string `json:"name,omitempty"`
	Mime    string `json:"mime,omitempty"`
	Size    int64  `json:"size"`
	Caption string `json:"caption,omitempty"`
}

// HandSignature is a signature written on screen: its strokes and PNG render
// are stored as files, and Binds is the ContentHash of the record signed, so
// a signature cannot be moved to another record (SPEC F10).
type HandSignature struct {
	Role    string `json:"role"`
	Name    string `json:"name,omitempty"`
	Strokes string `json:"strokes"`
	Image   string `json:"image"`
	Binds   string `json:"binds"`
}

// Payload is the body of a step entry: the form fields, the evidence files,
// the signatures on the record, and the device's calibrated clock offset.
type Payload struct {
	Fields     json.RawMessage `json:"fields,omitempty"`
	Files      []File          `json:"files,omitempty"`
	Signatures []HandSignature `json:"signatures,omitempty"`
}

// DecodePayload reads an entry payload; payloads of system entries that are
// not step records decode to an empty Payload.
func DecodePayload(raw json.RawMessage) (Payload, error) {
	var p Payload
	if len(raw) == 0 {
		return p, nil
	}
	if err := json.Unmarshal(raw, &p); err != nil {
		return p, fmt.Errorf("payload: %w", err)
	}
	return p, nil
}

// EvidenceHashes lists the hashes of the files that are not signatures: the
// evidence a signature attests to.
func (p Payload) EvidenceHashes() []string {
	var out []string
	for _, f := range p.Files {
		if f.Kind != KindSignStrokes && f.Kind != KindSignImage {
			out = append(out, f.Hash)
		}
	}
	return out
}

// ContentHash is what a handwritten signature binds to: the case, the step,
// the canonical form fields and the evidence files, in order.
func ContentHash(caseID, step string, fields json.RawMessage, evidence []string) (string, error) {
	canon, err := CanonicalJSON(fields)
	if err != nil {
		return "", fmt.Errorf("fields: %w", err)
	}
	if evidence == nil {
		evidence = []string{}
	}
	b, err := marshal(struct {
		CaseID   string          `json:"case_id"`
		Step     string          `json:"step"`
		Fields   json.RawMessage `json:"fields"`
		Evidence []string        `json:"evidence"`
	}{caseID, step, canon, evidence})
	if err != nil {
		return "", err
	}
	return HashBytes(b), nil
}
