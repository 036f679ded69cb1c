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
	Party       string
	PartyKind   string
	Officers    []Officer
	Recorded    map[string]int
	SceneClosed bool
	Today       time.Time
}

// Signer is a handwritten signature on a step: the role signed in and the
// name of the person who signed.
type Signer struct {
	Role string
	Name string
}

// StepInput is a step as the officer submits it: form values, item lists,
// the kinds of evidence files attached and who signed.
type StepInput struct {
	Kind       string
	Fields     map[string]string
	Items      map[string][]map[string]string
	FileKinds  []string
	Signatures []Signer
}

func (in StepInput) filled(name string) bool {
	return strings.TrimSpace(in.Fields[name]) != "" || len(in.Items[name]) > 0
}

func (in StepInput) value(name string) string { return strings.TrimSpace(in.Fields[name]) }

// Requirement is one thing a step needs, with whether the input meets it.
type Requirement struct {
	Item
	Done bool
}

// CheckStep refuses a step the procedure does not allow now or that does
// not meet every requirement, naming all that is missing or wrong at once
// with the article of each (SPEC F3, F4, F9, F11, F14, F15).
func (c CaseState) CheckStep(in StepInput) error {
	def, ok := c.Procedure.Step(in.Kind)
	if !ok {
		return &Error{Code: EInvalid, Reason: ReasonInput, Step: in.Kind,
			Message:   fmt.Sprintf("unknown step for procedure %s; its steps are %s", c.Procedure.ID, strings.Join(c.Procedure.Kinds(), ", ")),
			MessageZh: fmt.Sprintf("%s没有“%s”这一环节", c.Procedure.Name, in.Kind)}
	}
	if err := c.Blocked(def); err != nil {
		return err
	}
	if err := checkInput(def, in); err != nil {
		return err
	}
	if def.Kind == StepCloseScene {
		return c.checkComplete()
	}
	var missing []Item
	var articles []string
	for _, r := range c.Requirements(def, in) {
		if r.Done {
			continue
		}
		missing = append(missing, r.Item)
		for _, a := range strings.Split(r.Article, ", ") {
			if a != "" && !slices.Contains(articles, a) {
				articles = append(articles, a)
			}
		}
	}
	if len(missing) > 0 {
		return &Error{Code: ERefused, Reason: ReasonIncomplete, Step: def.Kind, Message: "the step is incomplete",
			MessageZh: "“" + def.Label + "”尚不能记录，缺少或不符合以下事项", Missing: missing, Article: strings.Join(articles, ", ")}
	}
	return nil
}

// Blocked says why a step cannot be taken now regardless of what is entered:
// the scene is closed, it was already recorded, an earlier step is missing,
// or too few officers with valid credentials are on the case.
func (c CaseState) Blocked(def *StepDef) error {
	if c.SceneClosed && !def.AfterClose {
		return &Error{Code: ERefused, Reason: ReasonClosed, Step: def.Kind, Message: "the on-scene record is closed; record a correction instead",
			MessageZh: "现场执法记录已结束，请改作更正记录", Article: "003 §29"}
	}
	if !def.Repeatable && c.Recorded[def.Kind] > 0 {
		return &Error{Code: EConflict, Reason: ReasonRecorded, Step: def.Kind, Message: "already recorded; a change is a correction entry, never an edit",
			MessageZh: "本环节已记录；更改须另作更正记录，原记录不得修改", Article: "003 §29"}
	}
	var missing []Item
	for _, a := range def.After {
		if c.Recorded[a] == 0 {
			missing = append(missing, c.stepItem(a))
		}
	}
	if len(missing) > 0 {
		return &Error{Code: ERefused, Reason: ReasonOrder, Step: def.Kind, Message: "earlier steps must be recorded first",
			MessageZh: "须先记录前序环节", Missing: missing, Article: c.articleOf(missing[0].Name, def.Article)}
	}
	if def.NeedsCrew {
		return c.checkCrew(def)
	}
	return nil
}

func (c CaseState) stepItem(kind string) Item {
	if d, ok := c.Procedure.Step(kind); ok {
		return Item{Name: kind, Zh: d.Label, En: kind + " " + d.Label, Article: d.Article}
	}
	return Item{Name: kind, Zh: kind, En: kind}
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
	var problems []Item
	for _, o := range c.Officers {
		if p, bad := o.CredentialIssue(c.Today); bad {
			problems = append(problems, p)
			continue
		}
		valid++
	}
	if valid >= c.Procedure.MinOfficers {
		return nil
	}
	msg := fmt.Sprintf("at least %d officers with valid credentials must be on the case, %d are", c.Procedure.MinOfficers, valid)
	return &Error{Code: ERefused, Reason: ReasonCrew, Step: def.Kind, Message: msg,
		MessageZh: fmt.Sprintf("本案须有至少 %d 名持有效执法证件的执法人员，现有 %d 名", c.Procedure.MinOfficers, valid),
		Missing:   problems, Article: "003 §14, 行政处罚法 §42"}
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
	var items []Item
	var articles []string
	for _, s := range missing {
		items = append(items, c.stepItem(s.Kind))
		if !slices.Contains(articles, s.Article) {
			articles = append(articles, s.Article)
		}
	}
	return &Error{Code: ERefused, Reason: ReasonMandatory, Step: StepCloseScene, Message: "mandatory steps are not recorded",
		MessageZh: "必经环节尚未记录", Missing: items, Article: strings.Join(articles, ", ")}
}

// checkInput refuses unknown fields and malformed values, naming all of them.
func checkInput(def *StepDef, in StepInput) error {
	var bad []Item
	known := map[string]FieldDef{}
	for _, f := range def.Fields {
		known[f.Name] = f
	}
	for _, name := range sortedKeys(in.Fields) {
		f, ok := known[name]
		switch {
		case !ok:
			bad = append(bad, Item{Name: name, Zh: fmt.Sprintf("没有字段“%s”", name), En: fmt.Sprintf("unknown field %q; the fields are %s", name, fieldNames(def))})
		case f.Type == FieldItems:
			bad = append(bad, Item{Name: name, Zh: f.Label + "应为清单", En: fmt.Sprintf("%s must be an item list", name)})
		case strings.TrimSpace(in.Fields[name]) != "":
			if it, wrong := valueProblem(f, strings.TrimSpace(in.Fields[name])); wrong {
				bad = append(bad, it)
			}
		}
	}
	for _, name := range sortedKeys(in.Items) {
		f, ok := known[name]
		switch {
		case !ok:
			bad = append(bad, Item{Name: name, Zh: fmt.Sprintf("没有清单“%s”", name), En: fmt.Sprintf("unknown item list %q; the fields are %s", name, fieldNames(def))})
		case f.Type != FieldItems:
			bad = append(bad, Item{Name: name, Zh: f.Label + "不是清单", En: fmt.Sprintf("%s is a %s field, not an item list", name, f.Type)})
		default:
			for i, row := range in.Items[name] {
				for _, col := range sortedKeys(row) {
					cd, ok := columnDef(f, col)
					if !ok {
						bad = append(bad, Item{Name: name, Zh: fmt.Sprintf("%s第%d行：没有“%s”一栏", f.Label, i+1, col), En: fmt.Sprintf("%s row %d: unknown column %q", name, i+1, col)})
						continue
					}
					if v := strings.TrimSpace(row[col]); v != "" {
						if it, wrong := valueProblem(cd, v); wrong {
							it.Zh = fmt.Sprintf("%s第%d行：%s", f.Label, i+1, it.Zh)
							it.En = fmt.Sprintf("%s row %d: %s", name, i+1, it.En)
							bad = append(bad, it)
						}
					}
				}
			}
		}
	}
	if len(bad) == 0 {
		return nil
	}
	return &Error{Code: EInvalid, Reason: ReasonInput, Step: def.Kind, Message: "the input is malformed", MessageZh: "填写有误", Missing: bad, Article: def.Article}
}

func columnDef(f FieldDef, name string) (FieldDef, bool) {
	for _, c := range f.Items {
		if c.Name == name {
			return c, true
		}
	}
	return FieldDef{}, false
}

func fieldNames(def *StepDef) string {
	var names []string
	for _, f := range def.Fields {
		names = append(names, f.Name)
	}
	return strings.Join(names, ", ")
}

func valueProblem(f FieldDef, v string) (Item, bool) {
	it := func(zh, en string) (Item, bool) { return Item{Name: f.Name, Zh: zh, En: en}, true }
	switch f.Type {
	case FieldDate:
		if _, err := time.Parse(DateLayout, v); err != nil {
			return it(fmt.Sprintf("%s应为日期 年-月-日（如 2026-05-06），填写的是“%s”", f.Label, v), fmt.Sprintf("%s must be a date YYYY-MM-DD, got %q", f.Name, v))
		}
	case FieldDateTime:
		if _, err := time.Parse("2006-01-02 15:04", v); err != nil {
			return it(fmt.Sprintf("%s应为日期和时间（如 2026-05-06 14:30），填写的是“%s”", f.Label, v), fmt.Sprintf("%s must be a date and time YYYY-MM-DD HH:MM, got %q", f.Name, v))
		}
	case FieldNumber:
		if _, err := strconv.ParseFloat(v, 64); err != nil {
			return it(fmt.Sprintf("%s应为数字，填写的是“%s”", f.Label, v), fmt.Sprintf("%s must be a number, got %q", f.Name, v))
		}
	case FieldBool:
		if v != "true" && v != "false" {
			return it(fmt.Sprintf("%s应为“是”或“否”", f.Label), fmt.Sprintf("%s must be true or false, got %q", f.Name, v))
		}
	case FieldChoice:
		if !slices.Contains(f.Options, v) {
			var labels []string
			for _, o := range f.Options {
				labels = append(labels, f.OptionLabel(o, false))
			}
			return it(fmt.Sprintf("%s只能是%s，填写的是“%s”", f.Label, strings.Join(labels, "、"), v), fmt.Sprintf("%s must be one of %s, got %q", f.Name, strings.Join(f.Options, ", "), v))
		}
	}
	return Item{}, false
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
