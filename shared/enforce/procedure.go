package enforce

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
)

// Step kinds the guard gives meaning beyond their data.
const (
	StepShowID       = "show_id"
	StepNotifyRights = "notify_rights"
	StepCloseScene   = "close_scene"
)

// Field types a step form may use.
const (
	FieldText     = "text"
	FieldLongText = "longtext"
	FieldDate     = "date"
	FieldDateTime = "datetime"
	FieldNumber   = "number"
	FieldChoice   = "choice"
	FieldBool     = "bool"
	FieldItems    = "items"
)

// Procedure is one versioned procedure definition (程序定义): the stages of
// an enforcement type and the on-scene steps with what each requires. It is
// data, pushed from the backend to terminals (SPEC F2).
type Procedure struct {
	ID          string  `json:"id"`
	Version     int     `json:"version"`
	Name        string  `json:"name"`
	NameEn      string  `json:"name_en"`
	Basis       string  `json:"basis"`
	RightsText  string  `json:"rights_text"`
	MinOfficers int     `json:"min_officers"`
	Stages      []Stage `json:"stages"`

	// BindSigners makes each signature answer to the person the record
	// names (signers.go). Versions written before the rule leave it off, so
	// their records are not judged by a rule they did not carry.
	BindSigners bool      `json:"bind_signers,omitempty"`
	Steps       []StepDef `json:"steps"`

	// Settings are the agency's choices where the law leaves one: the
	// stricter rule is the default (false) and a setting lifts it, such as
	// electronic service of decision documents with the party's consent.
	Settings map[string]bool `json:"settings,omitempty"`
}

// Stage is a stage of the procedure per 003 §3.
type Stage struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	NameEn string `json:"name_en"`
}

// StepDef is one step of a procedure and everything it requires.
type StepDef struct {
	Kind       string     `json:"kind"`
	Stage      string     `json:"stage"`
	Label      string     `json:"label"`
	LabelEn    string     `json:"label_en"`
	Article    string     `json:"article"`
	Mandatory  bool       `json:"mandatory"`
	Repeatable bool       `json:"repeatable"`
	AfterClose bool       `json:"after_close,omitempty"`
	NeedsCrew  bool       `json:"needs_crew"`
	After      []string   `json:"after,omitempty"`
	Fields     []FieldDef `json:"fields,omitempty"`
	Evidence   Evidence   `json:"evidence"`
	Signatures []SignReq  `json:"signatures,omitempty"`
	Variants   []Variant  `json:"variants,omitempty"`
	Bounds     []Bound    `json:"bounds,omitempty"`
}

// Bound limits a number field, for all cases or only when the other fields
// have the values in When and the party is of PartyKind: the largest fine
// on the spot, the longest seizure (SPEC F14, F15).
type Bound struct {
	Field     string            `json:"field"`
	Max       *float64          `json:"max,omitempty"`
	Above     *float64          `json:"above,omitempty"`
	When      map[string]string `json:"when,omitempty"`
	PartyKind string            `json:"party_kind,omitempty"`
	Article   string            `json:"article"`
}

// FieldDef is one form field; Items describes the columns of an item list.
type FieldDef struct {
	Name     string     `json:"name"`
	Label    string     `json:"label"`
	LabelEn  string     `json:"label_en"`
	Type     string     `json:"type"`
	Required bool       `json:"required"`
	Options  []string   `json:"options,omitempty"`
	Items    []FieldDef `json:"items,omitempty"`

	// OptionLabels and OptionLabelsEn name each option for people; an option
	// without a label is shown as written.
	OptionLabels   map[string]string `json:"option_labels,omitempty"`
	OptionLabelsEn map[string]string `json:"option_labels_en,omitempty"`
}

// OptionLabel is how a choice option is shown, in Chinese or English.
func (f FieldDef) OptionLabel(option string, english bool) string {
	labels := f.OptionLabels
	if english {
		labels = f.OptionLabelsEn
	}
	if l, ok := labels[option]; ok {
		return l
	}
	return option
}

// Evidence says which media a step needs. Audio/video is required when AV is
// set, unless the field named by AVUnless is filled (an emergency reason).
type Evidence struct {
	AV        bool   `json:"av,omitempty"`
	AVUnless  string `json:"av_unless,omitempty"`
	MinPhotos int    `json:"min_photos,omitempty"`
	MinFiles  int    `json:"min_files,omitempty"`
	Article   string `json:"article,omitempty"`
}

// SignReq is a handwritten signature a step needs, waived when the field
// named by Unless is filled (a recorded refusal to sign). Who may sign is
// the guard's rule (signers.go): officers and servers are officers on the
// case, every one of them for "officer"; the party is the case's party or
// the agent named in party_agent; anyone else is the person named in the
// field NameField, by default ROLE_name.
type SignReq struct {
	Role      string `json:"role"`
	Unless    string `json:"unless,omitempty"`
	NameField string `json:"name_field,omitempty"`
	// RefusalAV asks for an audio/video record when the signature is
	// waived because the person refused to sign.
	RefusalAV bool `json:"refusal_av,omitempty"`
}

// Variant adds requirements when a choice field has a given value, such as
// service by lodging (留置送达), and when the fields in When have theirs.
// A Refused variant is a combination the law forbids, unless the procedure
// setting AllowedBy is on; then its requirements apply.
type Variant struct {
	Field      string            `json:"field"`
	Equals     string            `json:"equals"`
	When       map[string]string `json:"when,omitempty"`
	Article    string            `json:"article"`
	Fields     []string          `json:"fields,omitempty"`
	AV         bool              `json:"av,omitempty"`
	FileKinds  []string          `json:"file_kinds,omitempty"`
	Signatures []SignReq         `json:"signatures,omitempty"`
	Refused    bool              `json:"refused,omitempty"`
	AllowedBy  string            `json:"allowed_by,omitempty"`
	Why        string            `json:"why,omitempty"`
}

// ParseProcedure decodes and validates a definition file.
func ParseProcedure(data []byte) (*Procedure, error) {
	var p Procedure
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, Errorf(EInvalid, "procedure definition is not valid JSON: %v", err)
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	return &p, nil
}

// Validate refuses a definition a terminal could not follow.
func (p *Procedure) Validate() error {
	bad := func(format string, args ...any) error {
		return Errorf(EInvalid, "procedure %s v%d: %s", p.ID, p.Version, fmt.Sprintf(format, args...))
	}
	if p.ID == "" || p.Version < 1 || p.Name == "" {
		return bad("id, version ≥ 1 and name are required")
	}
	if p.MinOfficers < 1 {
		return bad("min_officers must be at least 1")
	}
	stages := map[string]bool{}
	for _, s := range p.Stages {
		stages[s.ID] = true
	}
	kinds := map[string]bool{}
	for _, s := range p.Steps {
		if s.Kind == "" || kinds[s.Kind] {
			return bad("step kind %q is empty or repeated", s.Kind)
		}
		kinds[s.Kind] = true
		if !stages[s.Stage] {
			return bad("step %s names unknown stage %q", s.Kind, s.Stage)
		}
		if s.Label == "" || s.Article == "" {
			return bad("step %s needs a label and an article", s.Kind)
		}
		fields := map[string]FieldDef{}
		for _, f := range s.Fields {
			if err := validateField(f); err != nil {
				return bad("step %s: %v", s.Kind, err)
			}
			fields[f.Name] = f
		}
		for _, name := range []string{s.Evidence.AVUnless} {
			if _, ok := fields[name]; name != "" && !ok {
				return bad("step %s: av_unless names unknown field %q", s.Kind, name)
			}
		}
		for _, sr := range s.Signatures {
			if _, ok := fields[sr.Unless]; sr.Unless != "" && !ok {
				return bad("step %s: signature %s unless names unknown field %q", s.Kind, sr.Role, sr.Unless)
			}
		}
		for _, v := range s.Variants {
			conds := map[string]string{v.Field: v.Equals}
			maps.Copy(conds, v.When)
			for name, value := range conds {
				f, ok := fields[name]
				if !ok || f.Type != FieldChoice || !slices.Contains(f.Options, value) {
					return bad("step %s: variant on %s=%s does not match a choice field option", s.Kind, name, value)
				}
			}
			for _, name := range v.Fields {
				if _, ok := fields[name]; !ok {
					return bad("step %s: variant %s=%s requires unknown field %q", s.Kind, v.Field, v.Equals, name)
				}
			}
			if v.Refused && v.Why == "" {
				return bad("step %s: refused variant %s=%s needs a why", s.Kind, v.Field, v.Equals)
			}
		}
		for _, b := range s.Bounds {
			if f, ok := fields[b.Field]; !ok || f.Type != FieldNumber || b.Article == "" || (b.Max == nil && b.Above == nil) {
				return bad("step %s: bound on %q needs a number field, a max or above, and an article", s.Kind, b.Field)
			}
			for name, value := range b.When {
				if f, ok := fields[name]; !ok || !slices.Contains(f.Options, value) {
					return bad("step %s: bound on %s names unknown condition %s=%s", s.Kind, b.Field, name, value)
				}
			}
		}
	}
	for _, s := range p.Steps {
		for _, a := range s.After {
			if !kinds[a] {
				return bad("step %s must follow unknown step %q", s.Kind, a)
			}
		}
	}
	for _, k := range []string{StepShowID, StepCloseScene} {
		if !kinds[k] {
			return bad("every procedure needs a %s step", k)
		}
	}
	return nil
}

func validateField(f FieldDef) error {
	if f.Name == "" || f.Label == "" {
		return fmt.Errorf("a field needs a name and a label")
	}
	switch f.Type {
	case FieldText, FieldLongText, FieldDate, FieldDateTime, FieldNumber, FieldBool:
	case FieldChoice:
		if len(f.Options) == 0 {
			return fmt.Errorf("choice field %s has no options", f.Name)
		}
		for _, labels := range []map[string]string{f.OptionLabels, f.OptionLabelsEn} {
			for o := range labels {
				if !slices.Contains(f.Options, o) {
					return fmt.Errorf("choice field %s labels unknown option %q", f.Name, o)
				}
			}
		}
	case FieldItems:
		if len(f.Items) == 0 {
			return fmt.Errorf("item list %s has no columns", f.Name)
		}
		for _, c := range f.Items {
			if err := validateField(c); err != nil {
				return fmt.Errorf("item list %s: %v", f.Name, err)
			}
		}
	default:
		return fmt.Errorf("field %s has unknown type %q", f.Name, f.Type)
	}
	return nil
}

// Step returns the definition of a step kind.
func (p *Procedure) Step(kind string) (*StepDef, bool) {
	for i := range p.Steps {
		if p.Steps[i].Kind == kind {
			return &p.Steps[i], true
		}
	}
	return nil, false
}

// Kinds lists the procedure's step kinds in order.
func (p *Procedure) Kinds() []string {
	out := make([]string, len(p.Steps))
	for i, s := range p.Steps {
		out[i] = s.Kind
	}
	return out
}
