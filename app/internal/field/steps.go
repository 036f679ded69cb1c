package field

import (
	"bytes"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"mime"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
	"lawtrace/shared/signature"
)

// Attachment is an evidence file to store with a step.
type Attachment struct {
	Path    string
	Kind    string // photo, video, audio, document or file; guessed from the name when empty
	Caption string
}

// Signing is a handwritten signature captured on screen for a role.
type Signing struct {
	Role    string
	Name    string
	Strokes []byte // signature.Strokes as JSON
}

// StepRequest is a step as the officer submits it. Recorder is the
// credential number of the officer making the record (000-record §4).
type StepRequest struct {
	Kind     string
	Recorder string
	Fields   map[string]string
	Items    map[string][]map[string]string
	Attach   []Attachment
	Sign     []Signing
	Place    *ledger.Place
}

// StepPayload is the payload of a procedure step entry.
type StepPayload struct {
	ledger.Payload
	Recorder *Recorder         `json:"recorder,omitempty"`
	Crew     []enforce.Officer `json:"crew,omitempty"`
	Rights   *RightsShown      `json:"rights,omitempty"`
}

// Recorder names the officer who made a record (记录人, 000-record §4).
type Recorder struct {
	Name string `json:"name"`
	Cert string `json:"cert"`
}

// recorder finds the recording officer among the case's officers.
func recorder(c *Case, step, cert string) (*Recorder, error) {
	cert = strings.TrimSpace(cert)
	if cert == "" {
		return nil, &enforce.Error{Code: enforce.EInvalid, Reason: enforce.ReasonInput, Step: step, Article: "000-record §4",
			Message: "name the officer making the record by credential number", MessageZh: "须写明记录人（本案执法人员）"}
	}
	for _, o := range c.Officers {
		if o.Cert == cert {
			return &Recorder{Name: o.Name, Cert: o.Cert}, nil
		}
	}
	return nil, &enforce.Error{Code: enforce.ERefused, Reason: enforce.ReasonInput, Step: step, Article: "000-record §4",
		Message: fmt.Sprintf("officer %s is not on case %s and cannot make its records", cert, c.ID), MessageZh: fmt.Sprintf("执法证号 %s 不是本案执法人员，不能作为记录人", cert)}
}

// RightsShown records exactly which rights text was shown (SPEC F4).
type RightsShown struct {
	Ref   string `json:"ref"`
	Title string `json:"title"`
	Hash  string `json:"text_sha256"`
}

// mediaKinds maps file extensions to evidence kinds.
var mediaKinds = map[string]string{
	".jpg": ledger.KindPhoto, ".jpeg": ledger.KindPhoto, ".png": ledger.KindPhoto, ".heic": ledger.KindPhoto, ".webp": ledger.KindPhoto,
	".mp4": ledger.KindVideo, ".mov": ledger.KindVideo, ".3gp": ledger.KindVideo, ".mkv": ledger.KindVideo, ".webm": ledger.KindVideo, ".avi": ledger.KindVideo,
	".mp3": ledger.KindAudio, ".m4a": ledger.KindAudio, ".aac": ledger.KindAudio, ".amr": ledger.KindAudio, ".wav": ledger.KindAudio, ".ogg": ledger.KindAudio, ".opus": ledger.KindAudio,
	".pdf": ledger.KindDocument,
}

var evidenceKinds = []string{ledger.KindPhoto, ledger.KindVideo, ledger.KindAudio, ledger.KindDocument, ledger.KindFile}

// KindOf guesses an evidence kind from a file name.
func KindOf(name string) string {
	if k, ok := mediaKinds[strings.ToLower(filepath.Ext(name))]; ok {
		return k
	}
	return ledger.KindFile
}

// RecordStep checks a step against the case's procedure and, if the guard
// allows it, stores its files and appends its signed entry. A refusal
// writes nothing and loses nothing already recorded.
func (t *Terminal) RecordStep(caseID string, req StepRequest) (*ledger.Entry, error) {
	c, err := t.Case(caseID)
	if err != nil {
		return nil, err
	}
	req.Fields = maps.Clone(req.Fields)
	if req.Fields == nil {
		req.Fields = map[string]string{}
	}
	strokes, err := parseSignings(req.Sign)
	if err != nil {
		return nil, err
	}
	if err := checkAttachments(req.Attach); err != nil {
		return nil, err
	}
	catalog, err := t.Catalog()
	if err != nil {
		return nil, err
	}
	var rights *RightsShown
	if req.Kind == enforce.StepNotifyRights {
		if rights, err = rightsShown(catalog, c.Procedure, req.Fields); err != nil {
			return nil, err
		}
	}
	in := enforce.StepInput{Kind: req.Kind, Fields: req.Fields, Items: req.Items}
	for _, a := range req.Attach {
		in.FileKinds = append(in.FileKinds, a.Kind)
	}
	for _, s := range req.Sign {
		in.Signatures = append(in.Signatures, enforce.Signer{Role: s.Role, Name: strings.TrimSpace(s.Name)})
	}
	if err := t.State(c).CheckStep(in); err != nil {
		return nil, err
	}
	by, err := recorder(c, req.Kind, req.Recorder)
	if err != nil {
		return nil, err
	}

	payload := StepPayload{Rights: rights, Recorder: by}
	if req.Kind == enforce.StepShowID {
		payload.Crew = t.State(c).Officers
	}
	if payload.Fields, err = fieldsJSON(req.Fields, req.Items); err != nil {
		return nil, err
	}
	var media []string
	for _, a := range req.Attach {
		hash, size, err := t.media.PutFile(a.Path)
		if err != nil {
			return nil, err
		}
		payload.Files = append(payload.Files, ledger.File{Hash: hash, Kind: a.Kind, Name: filepath.Base(a.Path), Mime: mimeOf(a.Path), Size: size, Caption: a.Caption})
		media = append(media, hash)
	}
	binds, err := ledger.ContentHash(caseID, req.Kind, payload.Fields, payload.EvidenceHashes())
	if err != nil {
		return nil, err
	}
	for i, s := range req.Sign {
		strokeHash, strokeSize, err := t.media.Put(bytes.NewReader(strokes[i].Encode()))
		if err != nil {
			return nil, err
		}
		png, err := strokes[i].RenderPNG()
		if err != nil {
			return nil, err
		}
		imageHash, imageSize, err := t.media.Put(bytes.NewReader(png))
		if err != nil {
			return nil, err
		}
		payload.Files = append(payload.Files,
			ledger.File{Hash: strokeHash, Kind: ledger.KindSignStrokes, Mime: "application/json", Size: strokeSize, Caption: s.Role},
			ledger.File{Hash: imageHash, Kind: ledger.KindSignImage, Mime: "image/png", Size: imageSize, Caption: s.Role})
		payload.Signatures = append(payload.Signatures, ledger.HandSignature{Role: s.Role, Name: strings.TrimSpace(s.Name), Strokes: strokeHash, Image: imageHash, Binds: binds})
		media = append(media, strokeHash, imageHash)
	}
	var entry *ledger.Entry
	err = t.inTx(func(tx *sql.Tx) error {
		for _, f := range payload.Files {
			if err := recordMedia(tx, f, t.Now()); err != nil {
				return err
			}
		}
		entry, err = t.appendEntry(tx, draft{caseID: caseID, step: req.Kind, payload: payload, officers: certs(c.Officers), place: req.Place, media: dedupe(media)})
		return err
	})
	return entry, err
}

// Correct appends a correction of an earlier entry by the officer with
// credential by: the original stays as it was, the correction references
// it (SPEC R1, 003 §29).
func (t *Terminal) Correct(caseID, entryID, by, reason string, fields map[string]string) (*ledger.Entry, error) {
	c, err := t.Case(caseID)
	if err != nil {
		return nil, err
	}
	rec, err := recorder(c, StepCorrection, by)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(reason) == "" {
		return nil, &enforce.Error{Code: enforce.EInvalid, Step: StepCorrection, Message: "a correction needs a reason", Article: "003 §29"}
	}
	found := false
	for _, e := range c.Entries {
		found = found || e.ID == entryID
	}
	if !found {
		return nil, enforce.Errorf(enforce.ENotFound, "case %s has no entry %s", caseID, entryID)
	}
	payload := map[string]any{"reason": reason, "fields": fields, "recorder": rec}
	var entry *ledger.Entry
	err = t.inTx(func(tx *sql.Tx) error {
		entry, err = t.appendEntry(tx, draft{caseID: caseID, step: StepCorrection, payload: payload, officers: certs(c.Officers), corrects: entryID})
		return err
	})
	return entry, err
}

func parseSignings(signs []Signing) ([]signature.Strokes, error) {
	out := make([]signature.Strokes, len(signs))
	seen := map[string]bool{}
	for i, s := range signs {
		if strings.TrimSpace(s.Role) == "" {
			return nil, enforce.Errorf(enforce.EInvalid, "a signature needs a role (party, officer, witness, recipient, server, person)")
		}
		// Every officer signs notes, so "officer" may repeat, once per person.
		key := s.Role
		if s.Role == enforce.RoleOfficer {
			key += "/" + strings.TrimSpace(s.Name)
		}
		if seen[key] {
			return nil, enforce.Errorf(enforce.EInvalid, "two signatures for role %s by %q", s.Role, s.Name)
		}
		seen[key] = true
		st, err := signature.Parse(s.Strokes)
		if err != nil {
			return nil, enforce.Errorf(enforce.EInvalid, "%s signature: %v", s.Role, err)
		}
		out[i] = st
	}
	return out, nil
}

func checkAttachments(files []Attachment) error {
	for i := range files {
		a := &files[i]
		info, err := os.Stat(a.Path)
		if err != nil {
			return enforce.Errorf(enforce.EInvalid, "attachment %s cannot be read: %v", a.Path, err)
		}
		if !info.Mode().IsRegular() {
			return enforce.Errorf(enforce.EInvalid, "attachment %s is not a regular file", a.Path)
		}
		if a.Kind == "" {
			a.Kind = KindOf(a.Path)
		}
		if !slices.Contains(evidenceKinds, a.Kind) {
			return enforce.Errorf(enforce.EInvalid, "attachment %s: kind must be one of %s, got %q", a.Path, strings.Join(evidenceKinds, ", "), a.Kind)
		}
	}
	return nil
}

// rightsShown fills in, or checks, the rights text version shown.
func rightsShown(catalog *enforce.Catalog, proc *enforce.Procedure, fields map[string]string) (*RightsShown, error) {
	r, ok := catalog.Rights[proc.RightsText]
	if !ok {
		return nil, enforce.Errorf(enforce.ENotFound, "rights text %s is not on this terminal", proc.RightsText)
	}
	if fields["rights_version"] == "" {
		fields["rights_version"] = r.Ref()
	}
	if fields["rights_version"] != r.Ref() {
		return nil, &enforce.Error{Code: enforce.EInvalid, Step: enforce.StepNotifyRights,
			Message: fmt.Sprintf("rights text %s was not the one shown; this terminal shows %s", fields["rights_version"], r.Ref()), Article: "003 §17"}
	}
	return &RightsShown{Ref: r.Ref(), Title: r.Title, Hash: ledger.HashBytes([]byte(r.Text))}, nil
}

func fieldsJSON(fields map[string]string, items map[string][]map[string]string) (json.RawMessage, error) {
	all := map[string]any{}
	for k, v := range fields {
		if strings.TrimSpace(v) != "" {
			all[k] = v
		}
	}
	for k, v := range items {
		all[k] = v
	}
	b, err := json.Marshal(all)
	if err != nil {
		return nil, err
	}
	return ledger.CanonicalJSON(b)
}

func recordMedia(tx *sql.Tx, f ledger.File, now time.Time) error {
	_, err := tx.Exec(`INSERT OR IGNORE INTO media (hash, size, kind, mime, stored_at) VALUES (?, ?, ?, ?, ?)`,
		f.Hash, f.Size, f.Kind, f.Mime, ledger.FormatTime(now))
	return err
}

func mimeOf(path string) string {
	if m := mime.TypeByExtension(strings.ToLower(filepath.Ext(path))); m != "" {
		return m
	}
	return "application/octet-stream"
}

func dedupe(in []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}
