package enforce

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CaseState is what the guard knows of a case when a step is attempted.
type CaseState struct {
	Procedure   *Procedure
	Officers    []Officer
	Recorded    map[string]int
	SceneClosed bool
	Today       time.Time
}

// StepInput is a step as the officer submits it: form values, item lists,
// the kinds of evidence files attached and the roles that signed.
type StepInput struct {
	Kind       string
	Fields     map[string]string
	Items      map[string][]map[string]string
	FileKinds  []string
	Signatures []string
}

func (in StepInput) filled(name string) bool {
	return strings.TrimSpace(in.Fields[name]) != "" || len(in.Items[name]) > 0
}

// CheckStep refuses a step the procedure does not allow now, naming the
// step, what is missing and the article (SPEC F3, F4, F9, F11).
func (c CaseState) CheckStep(in StepInput) error {
	def, ok := c.Procedure.Step(in.Kind)
	if !ok {
		return &Error{Code: EInvalid, Step: in.Kind, Message: fmt.Sprintf("unknown step for procedure %s; its steps are %s", c.Procedure.ID, strings.Join(c.Procedure.Kinds(), ", "))}
	}
	if err := c.Blocked(def); err != nil {
		return err
	}
	if err := checkFields(def, in); err != nil {
		return err
	}
	if def.Kind == StepCloseScene {
		return c.checkComplete()
	}
	if err := checkEvidence(def, in); err != nil {
		return err
	}
	return checkVariants(def, in)
}

// Blocked says why a step cannot be taken now regardless of what is entered:
// the scene is closed, it was already recorded, an earlier step is missing,
// or too few officers with valid credentials are on the case.
func (c CaseState) Blocked(def *StepDef) error {
	if c.SceneClosed && !def.AfterClose {
		return &Error{Code: ERefused, Step: def.Kind, Message: "the on-scene record is closed; record a correction instead", Article: "003 §29"}
	}
	if !def.Repeatable && c.Recorded[def.Kind] > 0 {
		return &Error{Code: EConflict, Step: def.Kind, Message: "already recorded; a change is a correction entry, never an edit", Article: "003 §29"}
	}
	var missing []string
	for _, a := range def.After {
		if c.Recorded[a] == 0 {
			missing = append(missing, a)
		}
	}
	if len(missing) > 0 {
		return &Error{Code: ERefused, Step: def.Kind, Message: "earlier steps must be recorded first", Missing: missing, Article: c.articleOf(missing[0], def.Article)}
	}
	if def.NeedsCrew {
		return c.checkCrew(def)
	}
	return nil
}

func (c CaseState) articleOf(kind, fallback string) string {
	if d, ok := c.Procedure.Step(kind); ok {
		return d.Article
	}
	return fallback
}

// checkCrew requires MinOfficers officers with credentials valid today (003 §14).
func (c CaseState) checkCrew(def *StepDef) error {
	valid := 0
	var problems []string
	for _, o := range c.Officers {
		if p := o.CredentialProblem(c.Today); p != "" {
			problems = append(problems, p)
			continue
		}
		valid++
	}
	if valid >= c.Procedure.MinOfficers {
		return nil
	}
	msg := fmt.Sprintf("at least %d officers with valid credentials must be on the case, %d are", c.Procedure.MinOfficers, valid)
	if len(problems) > 0 {
		msg += " (" + strings.Join(problems, "; ") + ")"
	}
	return &Error{Code: ERefused, Step: def.Kind, Message: msg, Article: "003 §14"}
}

// MissingMandatory lists the mandatory steps not yet recorded, close_scene aside.
func (c CaseState) MissingMandatory() []StepDef {
	var out []StepDef
	for _, s := range c.Procedure.Steps {
		if s.Mandatory && s.Kind != StepCloseScene && c.Recorded[s.Kind] == 0 {
			out = append(out, s)
		}
	}
	return out
}

func (c CaseState) checkComplete() error {
	missing := c.MissingMandatory()
	if len(missing) == 0 {
		return nil
	}
	var names, articles []string
	for _, s := range missing {
		names = append(names, s.Kind+" "+s.Label)
		if !slices.Contains(articles, s.Article) {
			articles = append(articles, s.Article)
		}
	}
	return &Error{Code: ERefused, Step: StepCloseScene, Message: "mandatory steps are not recorded", Missing: names, Article: strings.Join(articles, ", ")}
}

func checkFields(def *StepDef, in StepInput) error {
	known := map[string]bool{}
	var missing []string
	for _, f := range def.Fields {
		known[f.Name] = true
		if !in.filled(f.Name) {
			if f.Required {
				missing = append(missing, f.Name+" "+f.Label)
			}
			continue
		}
		if err := checkValue(def.Kind, f, in); err != nil {
			return err
		}
	}
	for name := range in.Fields {
		if !known[name] {
			return &Error{Code: EInvalid, Step: def.Kind, Message: fmt.Sprintf("unknown field %q; the fields are %s", name, fieldNames(def))}
		}
	}
	for name := range in.Items {
		if !known[name] {
			return &Error{Code: EInvalid, Step: def.Kind, Message: fmt.Sprintf("unknown item list %q; the fields are %s", name, fieldNames(def))}
		}
	}
	if len(missing) > 0 {
		return &Error{Code: ERefused, Step: def.Kind, Message: "required fields are empty", Missing: missing, Article: def.Article}
	}
	return nil
}

func fieldNames(def *StepDef) string {
	var names []string
	for _, f := range def.Fields {
		names = append(names, f.Name)
	}
	return strings.Join(names, ", ")
}

func checkValue(step string, f FieldDef, in StepInput) error {
	if f.Type == FieldItems {
		rows, ok := in.Items[f.Name]
		if !ok {
			return &Error{Code: EInvalid, Step: step, Message: fmt.Sprintf("%s must be an item list", f.Name)}
		}
		for i, row := range rows {
			for _, col := range f.Items {
				v := strings.TrimSpace(row[col.Name])
				if v == "" && col.Required {
					return &Error{Code: ERefused, Step: step, Message: fmt.Sprintf("%s row %d: %s %s is empty", f.Name, i+1, col.Name, col.Label)}
				}
				if v != "" {
					if msg := scalarProblem(col, v); msg != "" {
						return &Error{Code: EInvalid, Step: step, Message: fmt.Sprintf("%s row %d: %s", f.Name, i+1, msg)}
					}
				}
			}
			for name := range row {
				if !slices.ContainsFunc(f.Items, func(c FieldDef) bool { return c.Name == name }) {
					return &Error{Code: EInvalid, Step: step, Message: fmt.Sprintf("%s row %d: unknown column %q", f.Name, i+1, name)}
				}
			}
		}
		return nil
	}
	if _, isItems := in.Items[f.Name]; isItems {
		return &Error{Code: EInvalid, Step: step, Message: fmt.Sprintf("%s is a %s field, not an item list", f.Name, f.Type)}
	}
	if msg := scalarProblem(f, strings.TrimSpace(in.Fields[f.Name])); msg != "" {
		return &Error{Code: EInvalid, Step: step, Message: msg}
	}
	return nil
}

func scalarProblem(f FieldDef, v string) string {
	switch f.Type {
	case FieldDate:
		if _, err := time.Parse(DateLayout, v); err != nil {
			return fmt.Sprintf("%s must be a date YYYY-MM-DD, got %q", f.Name, v)
		}
	case FieldDateTime:
		if _, err := time.Parse("2006-01-02 15:04", v); err != nil {
			return fmt.Sprintf("%s must be a date and time YYYY-MM-DD HH:MM, got %q", f.Name, v)
		}
	case FieldNumber:
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return fmt.Sprintf("%s must be a number, got %q", f.Name, v)
		}
	case FieldBool:
		if v != "true" && v != "false" {
			return fmt.Sprintf("%s must be true or false, got %q", f.Name, v)
		}
	case FieldChoice:
		if !slices.Contains(f.Options, v) {
			return fmt.Sprintf("%s must be one of %s, got %q", f.Name, strings.Join(f.Options, ", "), v)
		}
	}
	return ""
}

func hasAV(in StepInput) bool {
	return slices.Contains(in.FileKinds, "video") || slices.Contains(in.FileKinds, "audio")
}

func checkEvidence(def *StepDef, in StepInput) error {
	ev := def.Evidence
	article := ev.Article
	if article == "" {
		article = def.Article
	}
	var missing []string
	if ev.AV && !hasAV(in) && (ev.AVUnless == "" || !in.filled(ev.AVUnless)) {
		m := "audio/video record"
		if ev.AVUnless != "" {
			m += " (or " + ev.AVUnless + ")"
		}
		missing = append(missing, m)
	}
	photos := 0
	for _, k := range in.FileKinds {
		if k == "photo" {
			photos++
		}
	}
	if photos < ev.MinPhotos {
		missing = append(missing, fmt.Sprintf("%d photo(s)", ev.MinPhotos-photos))
	}
	if len(in.FileKinds) < ev.MinFiles {
		missing = append(missing, fmt.Sprintf("%d file(s)", ev.MinFiles-len(in.FileKinds)))
	}
	if len(missing) > 0 {
		return &Error{Code: ERefused, Step: def.Kind, Message: "required evidence is not attached", Missing: missing, Article: article}
	}
	if m := missingSignatures(def.Signatures, in); len(m) > 0 {
		return &Error{Code: ERefused, Step: def.Kind, Message: "required signatures are missing", Missing: m, Article: def.Article}
	}
	return nil
}

func missingSignatures(reqs []SignReq, in StepInput) []string {
	var out []string
	for _, r := range reqs {
		if slices.Contains(in.Signatures, r.Role) || (r.Unless != "" && in.filled(r.Unless)) {
			continue
		}
		m := r.Role + " signature"
		if r.Unless != "" {
			m += " (or " + r.Unless + ")"
		}
		out = append(out, m)
	}
	return out
}

func checkVariants(def *StepDef, in StepInput) error {
	for _, v := range def.Variants {
		if strings.TrimSpace(in.Fields[v.Field]) != v.Equals {
			continue
		}
		var missing []string
		for _, name := range v.Fields {
			if !in.filled(name) {
				missing = append(missing, name)
			}
		}
		missing = append(missing, missingSignatures(v.Signatures, in)...)
		if v.AV && !hasAV(in) {
			missing = append(missing, "audio/video record")
		}
		if len(missing) > 0 {
			return &Error{Code: ERefused, Step: def.Kind, Message: fmt.Sprintf("%s=%s is incomplete", v.Field, v.Equals), Missing: missing, Article: v.Article}
		}
	}
	return nil
}
