package field

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
)

// Recorded is one entry of a case decoded for the read-only view of a
// recorded step: its fields as typed (item lists as rows), its files and
// hand signatures, the recorder, and the corrections made to it since.
type Recorded struct {
	Entry       ledger.Entry
	Payload     ledger.Payload
	Recorder    *Recorder
	Fields      map[string]string
	Items       map[string][]map[string]string
	Corrections []Correction
}

// Correction is a correction entry of a recorded step (SPEC R1).
type Correction struct {
	Entry    ledger.Entry
	Reason   string            `json:"reason"`
	Fields   map[string]string `json:"fields"`
	Recorder *Recorder         `json:"recorder"`
}

// Entry reads one entry of a case with its corrections.
func (t *Terminal) Entry(caseID, entryID string) (*Recorded, error) {
	c, err := t.Case(caseID)
	if err != nil {
		return nil, err
	}
	return recordedEntry(c, entryID)
}

func recordedEntry(c *Case, entryID string) (*Recorded, error) {
	i := slices.IndexFunc(c.Entries, func(e ledger.Entry) bool { return e.ID == entryID })
	if i < 0 {
		return nil, enforce.Errorf(enforce.ENotFound, "case %s has no entry %s", c.ID, entryID)
	}
	r := &Recorded{Entry: c.Entries[i], Fields: map[string]string{}, Items: map[string][]map[string]string{}}
	var sp StepPayload
	if err := json.Unmarshal(r.Entry.Payload, &sp); err == nil {
		r.Payload, r.Recorder = sp.Payload, sp.Recorder
	}
	if len(r.Payload.Fields) > 0 {
		var raw map[string]json.RawMessage
		if err := json.Unmarshal(r.Payload.Fields, &raw); err != nil {
			return nil, fmt.Errorf("entry %s fields: %w", entryID, err)
		}
		for k, v := range raw {
			var s string
			if json.Unmarshal(v, &s) == nil {
				r.Fields[k] = s
				continue
			}
			var rows []map[string]string
			if json.Unmarshal(v, &rows) == nil {
				r.Items[k] = rows
				continue
			}
			r.Fields[k] = string(v)
		}
	}
	for _, e := range c.Entries[i+1:] {
		if e.Step != StepCorrection || e.Corrects != entryID {
			continue
		}
		corr := Correction{Entry: e}
		if err := json.Unmarshal(e.Payload, &corr); err != nil {
			return nil, fmt.Errorf("correction %s: %w", e.ID, err)
		}
		r.Corrections = append(r.Corrections, corr)
	}
	return r, nil
}

// Current is the step's input as the record now stands: the original
// fields and rows with every correction applied in order, the kinds of the
// files attached and who signed.
func (r *Recorded) Current(def *enforce.StepDef) enforce.StepInput {
	in := enforce.StepInput{Kind: r.Entry.Step, Fields: maps.Clone(r.Fields), Items: map[string][]map[string]string{}}
	for k, rows := range r.Items {
		in.Items[k] = rows
	}
	for _, c := range r.Corrections {
		applyCorrection(def, &in, c.Fields)
	}
	for _, f := range r.Payload.Files {
		if f.Kind != ledger.KindSignStrokes && f.Kind != ledger.KindSignImage {
			in.FileKinds = append(in.FileKinds, f.Kind)
		}
	}
	for _, s := range r.Payload.Signatures {
		in.Signatures = append(in.Signatures, enforce.Signer{Role: s.Role, Name: s.Name})
	}
	return in
}

// applyCorrection puts corrected values into a step's input: an item list
// is given as its rows in JSON, an empty value clears a field.
func applyCorrection(def *enforce.StepDef, in *enforce.StepInput, fields map[string]string) error {
	for k, v := range fields {
		if def != nil {
			if fd, ok := def.Field(k); ok && fd.Type == enforce.FieldItems {
				var rows []map[string]string
				if strings.TrimSpace(v) != "" {
					if err := json.Unmarshal([]byte(v), &rows); err != nil {
						return &enforce.Error{Code: enforce.EInvalid, Reason: enforce.ReasonInput, Step: def.Kind,
							Message: fmt.Sprintf("corrected %s must be a JSON list of rows: %v", k, err), MessageZh: fmt.Sprintf("更正后的“%s”须为逐行列表", fd.Label)}
					}
				}
				if len(rows) == 0 {
					delete(in.Items, k)
				} else {
					in.Items[k] = rows
				}
				continue
			}
		}
		if strings.TrimSpace(v) == "" {
			delete(in.Fields, k)
		} else {
			in.Fields[k] = v
		}
	}
	return nil
}

// CheckCorrection runs the rules of a recorded step on the values a
// correction would give it (SPEC R1, F9): the step's own requirements —
// fields, item rows, limits, evidence and signatures as recorded — through
// the same guard as the step, so a correction cannot make a record the
// step would have refused. A correction changing no field, and one of an
// entry that is not a procedure step, is not checked beyond its reason.
func (t *Terminal) CheckCorrection(caseID, entryID string, fields map[string]string) error {
	c, err := t.Case(caseID)
	if err != nil {
		return err
	}
	r, err := recordedEntry(c, entryID)
	if err != nil {
		return err
	}
	if r.Entry.Step == StepCorrection {
		return &enforce.Error{Code: enforce.EInvalid, Reason: enforce.ReasonInput, Step: StepCorrection, Article: "003 §29",
			Message: "correct the original entry, not a correction of it", MessageZh: "请对原记录作更正，而非对更正记录再更正"}
	}
	def, ok := c.Procedure.Step(r.Entry.Step)
	if !ok {
		return nil
	}
	before := r.Current(def)
	after := r.Current(def)
	after.Fields, after.Items = maps.Clone(before.Fields), maps.Clone(before.Items)
	for k := range fields {
		if _, ok := def.Field(k); !ok {
			return &enforce.Error{Code: enforce.EInvalid, Reason: enforce.ReasonInput, Step: def.Kind,
				Message: fmt.Sprintf("step %s has no field %s", def.Kind, k), MessageZh: fmt.Sprintf("“%s”没有“%s”这一项", def.Label, k)}
		}
		if k == "rights_version" {
			return &enforce.Error{Code: enforce.ERefused, Reason: enforce.ReasonInput, Step: def.Kind, Article: "003 §17",
				Message: "the rights text shown cannot be corrected", MessageZh: "已宣读的告知文本版本不能更正"}
		}
	}
	if err := applyCorrection(def, &after, fields); err != nil {
		return err
	}
	if maps.Equal(before.Fields, after.Fields) && itemsEqual(before.Items, after.Items) {
		return nil
	}
	// The step's rules as when it was recorded: the crew named on the
	// entry, the step not yet taken and the scene open.
	st := t.State(c)
	st.SceneClosed = false
	st.Recorded = maps.Clone(st.Recorded)
	st.Recorded[def.Kind] = 0
	var crew []enforce.Officer
	for _, o := range st.Officers {
		if slices.Contains(r.Entry.Officers, o.Cert) {
			crew = append(crew, o)
		}
	}
	if len(crew) > 0 {
		st.Officers = crew
	}
	if err := st.CheckStep(after); err != nil {
		var e *enforce.Error
		if errors.As(err, &e) && e.Reason == enforce.ReasonIncomplete {
			e.Message = "the correction would leave the step incomplete"
			e.MessageZh = "更正后“" + def.Label + "”缺少或不符合以下事项"
		}
		return err
	}
	return nil
}

// CorrectStep is Correct guarded by the step's rules: the corrected values
// must pass CheckCorrection. The original entry stays as it was (SPEC R1).
func (t *Terminal) CorrectStep(caseID, entryID, by, reason string, fields map[string]string) (*ledger.Entry, error) {
	if err := t.CheckCorrection(caseID, entryID, fields); err != nil {
		var e *enforce.Error
		if strings.TrimSpace(reason) == "" && errors.As(err, &e) && len(e.Missing) > 0 {
			// name the missing reason with the rest, so one refusal says all
			e.Missing = append(e.Missing, enforce.Item{Name: "reason", Zh: "更正理由", En: "reason for the correction", Article: "003 §29"})
		}
		return nil, err
	}
	return t.Correct(caseID, entryID, by, reason, fields)
}

// EntrySync is what the server holds of an entry: the entry itself
// (confirmed with a log proof) and each of its files.
type EntrySync struct {
	Confirmed bool
	// Files maps a file's hash to whether the server confirmed it.
	Files map[string]bool
	// Local maps a file's hash to whether this terminal still holds it.
	Local map[string]bool
}

// EntrySyncState reads the sync state of an entry and its files.
func (t *Terminal) EntrySyncState(e ledger.Entry) (EntrySync, error) {
	s := EntrySync{Files: map[string]bool{}, Local: map[string]bool{}}
	var acked int
	if err := t.db.QueryRow(`SELECT acked FROM entries WHERE id = ?`, e.ID).Scan(&acked); err != nil {
		return s, err
	}
	s.Confirmed = acked == 1
	for _, h := range e.Media {
		var confirmed int
		err := t.db.QueryRow(`SELECT confirmed FROM media WHERE hash = ?`, h).Scan(&confirmed)
		if err != nil {
			confirmed = 0
		}
		s.Files[h] = confirmed == 1
		s.Local[h] = t.media.Has(h)
	}
	return s, nil
}

// OpenMedia reads a stored file's bytes (a photo thumbnail, a signature).
func (t *Terminal) OpenMedia(hash string) ([]byte, error) {
	r, err := t.media.Open(hash)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

func itemsEqual(a, b map[string][]map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, ra := range a {
		rb, ok := b[k]
		if !ok || len(ra) != len(rb) {
			return false
		}
		for i := range ra {
			if !maps.Equal(ra[i], rb[i]) {
				return false
			}
		}
	}
	return true
}
