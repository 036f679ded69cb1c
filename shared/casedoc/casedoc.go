// Package casedoc maps a case's entries to its printed documents (SPEC F12, R5): the case header replayed from case_open and officer_join, which entries print, and the paper.Document each one prints as. The terminal's `document` command and the server's case file bundle both print through it, so the same entry gives the same PDF bytes on either side.
package casedoc

import (
	"bytes"
	"encoding/json"
	"fmt"

	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
	"lawtrace/shared/paper"
)

// Steps of a terminal chain that are not steps of a procedure.
const (
	StepCaseOpen    = "case_open"
	StepOfficerJoin = "officer_join"
	StepCorrection  = "correction"
)

// OfficeDocuments are the office-chain steps that stand for a document of
// the case file, with the document's title — one place for the table of
// contents and the pages that offer it. The decision entry of a
// general-procedure penalty is the 行政处罚决定书 of 行政处罚法 §59
// (paper.RenderPenaltyDecision prints it from the office chain; the
// document the head approved is the entry's document.file).
var OfficeDocuments = map[string]string{
	"decision": "行政处罚决定书（第五十九条）",
}

// Open is the payload of a case_open entry, as far as printing needs it.
type Open struct {
	Procedure        string            `json:"procedure"`
	ProcedureVersion int               `json:"procedure_version"`
	Party            string            `json:"party"`
	PartyKind        string            `json:"party_kind"`
	Source           string            `json:"source"`
	Officers         []enforce.Officer `json:"officers"`
	EmergencyReason  string            `json:"emergency_reason,omitempty"`
}

// Header is what every document of a case prints: the case, the party and
// the crew (the officers of case_open and of every officer_join).
type Header struct {
	CaseID   string
	Open     Open
	Officers []enforce.Officer
}

// ReadHeader replays a terminal chain's case_open and officer_join entries.
func ReadHeader(caseID string, entries []ledger.Entry) (Header, error) {
	h := Header{CaseID: caseID}
	if len(entries) == 0 || entries[0].Step != StepCaseOpen {
		return h, fmt.Errorf("case %s does not begin with case_open", caseID)
	}
	if err := json.Unmarshal(entries[0].Payload, &h.Open); err != nil {
		return h, fmt.Errorf("case %s case_open: %w", caseID, err)
	}
	h.Officers = append(h.Officers, h.Open.Officers...)
	for _, e := range entries[1:] {
		if e.Step != StepOfficerJoin {
			continue
		}
		var p struct {
			Officers []enforce.Officer `json:"officers"`
		}
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return h, fmt.Errorf("case %s officer_join #%d: %w", caseID, e.Seq, err)
		}
		h.Officers = append(h.Officers, p.Officers...)
	}
	return h, nil
}

// Sources are what printing needs beyond the entries: the agency name, the
// procedure version the case was opened under, the rights texts by
// reference ("id-vN") and the stored images by hash.
type Sources struct {
	Agency    string
	Procedure *enforce.Procedure
	Rights    func(ref string) (enforce.RightsText, error)
	Image     func(hash string) ([]byte, error)
}

// Prints reports whether an entry prints as a document: a step of the
// procedure (case_open, officer_join and corrections do not).
func Prints(p *enforce.Procedure, e ledger.Entry) bool {
	if p == nil {
		return false
	}
	_, ok := p.Step(e.Step)
	return ok
}

// Title is the document's name as a table of contents lists it.
func Title(p *enforce.Procedure, step string) string {
	if p != nil {
		if def, ok := p.Step(step); ok && def.Label != "" {
			return def.Label
		}
	}
	return step
}

// printed is the part of a step payload printing reads beyond ledger.Payload.
type printed struct {
	Recorder *struct {
		Name string `json:"name"`
		Cert string `json:"cert"`
	} `json:"recorder,omitempty"`
	Rights *struct {
		Ref string `json:"ref"`
	} `json:"rights,omitempty"`
}

// Document is the paper.Document an entry of the case prints as.
func Document(h Header, e ledger.Entry, src Sources) (paper.Document, error) {
	doc := paper.Document{Agency: src.Agency, CaseID: h.CaseID, Procedure: src.Procedure, Party: h.Open.Party, PartyKind: h.Open.PartyKind,
		Officers: h.Officers, Entry: e, Image: src.Image}
	var p printed
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return doc, err
	}
	if p.Recorder != nil {
		doc.Recorder = &enforce.Officer{Name: p.Recorder.Name, Cert: p.Recorder.Cert}
	}
	if p.Rights != nil {
		if src.Rights == nil {
			return doc, enforce.Errorf(enforce.ENotFound, "rights text %s is not available", p.Rights.Ref)
		}
		r, err := src.Rights(p.Rights.Ref)
		if err != nil {
			return doc, err
		}
		doc.Rights = &r
	}
	return doc, nil
}

// Render prints an entry of the case as PDF.
func Render(h Header, e ledger.Entry, src Sources) ([]byte, error) {
	doc, err := Document(h, e, src)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	if err := paper.Render(&buf, doc); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
