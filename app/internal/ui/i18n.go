package ui

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"text/template"

	"lawtrace/assets/i18n"
	"lawtrace/shared/enforce"
)

// Language codes.
const (
	LangZh = "zh"
	LangEn = "en"
)

// translator looks up the app's strings in the Fyne translation files of
// assets/i18n for one language chosen in settings. Fyne's own lang package
// follows the system locale and offers no way to choose, so the app reads
// the same files itself; keys are English phrases, as lang.L's are.
type translator struct {
	lang string
	msgs map[string]string

	mu     sync.Mutex
	missed map[string]bool // keys looked up without a translation (for tests)
}

var (
	loadOnce sync.Once
	loaded   map[string]map[string]string
	loadErr  error
)

// translations parses every language file once.
func translations() (map[string]map[string]string, error) {
	loadOnce.Do(func() {
		loaded = map[string]map[string]string{}
		for _, l := range i18n.Languages {
			data, err := i18n.FS.ReadFile(l + ".json")
			if err != nil {
				loadErr = err
				return
			}
			m, err := parseTranslations(data)
			if err != nil {
				loadErr = fmt.Errorf("assets/i18n/%s.json: %w", l, err)
				return
			}
			loaded[l] = m
		}
	})
	return loaded, loadErr
}

// parseTranslations reads go-i18n JSON: "key": "text" or "key": {"other": "text"}.
func parseTranslations(data []byte) (map[string]string, error) {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, err
	}
	out := make(map[string]string, len(raw))
	for k, v := range raw {
		var s string
		if err := json.Unmarshal(v, &s); err == nil {
			out[k] = s
			continue
		}
		var forms struct {
			Other string `json:"other"`
		}
		if err := json.Unmarshal(v, &forms); err != nil || forms.Other == "" {
			return nil, fmt.Errorf("key %q: want a string or {\"other\": ...}", k)
		}
		out[k] = forms.Other
	}
	return out, nil
}

func newTranslator(lang string) *translator {
	all, err := translations()
	if err != nil {
		panic(err) // the files are embedded; a test parses them
	}
	if _, ok := all[lang]; !ok {
		lang = LangZh
	}
	return &translator{lang: lang, msgs: all[lang], missed: map[string]bool{}}
}

// T translates key; data, if given, fills {{.Name}} placeholders.
func (t *translator) T(key string, data ...map[string]any) string {
	s, ok := t.msgs[key]
	if !ok {
		t.mu.Lock()
		t.missed[key] = true
		t.mu.Unlock()
		s = key
	}
	if len(data) == 0 || !strings.Contains(s, "{{") {
		return s
	}
	tpl, err := template.New("").Option("missingkey=zero").Parse(s)
	if err != nil {
		return s
	}
	var b strings.Builder
	if err := tpl.Execute(&b, data[0]); err != nil {
		return s
	}
	return b.String()
}

// opt names the value of a choice field: "opt.FIELD.VALUE", else the value.
func (t *translator) opt(field, value string) string {
	if s, ok := t.msgs["opt."+field+"."+value]; ok {
		return s
	}
	return value
}

// role names a signer role.
func (t *translator) role(role string) string {
	if s, ok := t.msgs["role."+role]; ok {
		return s
	}
	return role
}

func (t *translator) en() bool { return t.lang == LangEn }

// cite is an article citation for people: the regulations named in
// Chinese (《…》第十四条), the ids as written in English.
func (t *translator) cite(article string) string {
	if t.en() {
		return article
	}
	return enforce.Cite(article)
}

func (t *translator) pick(zh, en string) string {
	if t.en() && en != "" {
		return en
	}
	return zh
}

func (t *translator) stepLabel(def *enforce.StepDef) string { return t.pick(def.Label, def.LabelEn) }

func (t *translator) fieldLabel(f enforce.FieldDef) string { return t.pick(f.Label, f.LabelEn) }

func (t *translator) procName(p *enforce.Procedure) string { return t.pick(p.Name, p.NameEn) }

func (t *translator) stageName(p *enforce.Procedure, id string) string {
	for _, s := range p.Stages {
		if s.ID == id {
			return t.pick(s.Name, s.NameEn)
		}
	}
	return id
}

// refusal is an enforce.Error put in the officer's language: a headline,
// what is missing, the article, and the core's own words when no
// translation of them is known.
type refusal struct {
	Title   string
	Reason  string
	Missing []string
	Article string
}

// explain turns err into what the refusal dialog shows: the core's own
// structured refusal in the officer's language, every missing item, and the
// regulations cited by name. proc may be nil when the error is not about a
// step.
func (t *translator) explain(err error, proc *enforce.Procedure) refusal {
	var e *enforce.Error
	if !asEnforce(err, &e) {
		return refusal{Title: t.T("Could not complete"), Reason: err.Error()}
	}
	var def *enforce.StepDef
	if proc != nil && e.Step != "" {
		def, _ = proc.Step(e.Step)
	}
	r := refusal{Reason: e.MessageZh, Article: t.cite(e.Article)}
	for _, m := range e.Missing {
		r.Missing = append(r.Missing, t.item(m, proc, def))
	}
	if t.en() || r.Reason == "" {
		r.Reason = e.Message
	}
	if s, ok := t.msgs[e.Message]; ok && e.MessageZh == "" {
		r.Reason = s // the core's English words for a rule it gives no Chinese for
	}
	switch {
	case def != nil:
		r.Title = t.T("Cannot record: {{.Step}}", map[string]any{"Step": t.stepLabel(def)})
	case e.Code == enforce.EInvalid:
		r.Title = t.T("Please check the input")
	default:
		r.Title = t.T("Refused")
	}
	return r
}

// item is a refusal or checklist item in the officer's language; in
// English a step or a field of def is named by its English label. proc and
// def may be nil.
func (t *translator) item(it enforce.Item, proc *enforce.Procedure, def *enforce.StepDef) string {
	if t.en() && proc != nil {
		if s, ok := proc.Step(it.Name); ok {
			return t.stepLabel(s)
		}
	}
	if t.en() && def != nil {
		if f, ok := def.Field(it.Name); ok {
			return t.fieldLabel(f)
		}
	}
	return it.Text(t.en())
}

func hasStep(p *enforce.Procedure, kind string) bool {
	_, ok := p.Step(kind)
	return ok
}

// short is a refusal in one line: the reason and what is missing.
func (t *translator) short(r refusal) string {
	if len(r.Missing) == 0 {
		return r.Reason
	}
	return t.T("{{.Reason}} Missing: {{.Items}}", map[string]any{"Reason": r.Reason, "Items": strings.Join(r.Missing, t.T(", "))})
}

// missedKeys lists keys looked up that have no translation.
func (t *translator) missedKeys() []string {
	t.mu.Lock()
	defer t.mu.Unlock()
	var out []string
	for k := range t.missed {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
