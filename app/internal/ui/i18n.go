package ui

import (
	"encoding/json"
	"fmt"
	"regexp"
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
	Detail  string
}

var (
	reCrew       = regexp.MustCompile(`^at least (\d+) officers with valid credentials must be on the case, (\d+) are`)
	reCredential = regexp.MustCompile(`credential (\S+) of (\S+) (expired on (\d{4}-\d{2}-\d{2})|is suspended|has no valid expiry date)`)
	reVariant    = regexp.MustCompile(`^(\w+)=(\w+) is incomplete$`)
	reRow        = regexp.MustCompile(`^(\w+) row (\d+): (\w+) \S+ is empty$`)
	reCount      = regexp.MustCompile(`^(\d+) (photo|file)\(s\)$`)
)

// explain turns err into what the refusal dialog shows. proc and def may be
// nil when the error is not about a step.
func (t *translator) explain(err error, proc *enforce.Procedure) refusal {
	var e *enforce.Error
	if !asEnforce(err, &e) {
		return refusal{Title: t.T("Could not complete"), Reason: err.Error()}
	}
	var def *enforce.StepDef
	if proc != nil && e.Step != "" {
		def, _ = proc.Step(e.Step)
	}
	r := refusal{Article: e.Article}
	switch {
	case def != nil:
		r.Title = t.T("Cannot record: {{.Step}}", map[string]any{"Step": t.stepLabel(def)})
	case e.Code == enforce.EInvalid:
		r.Title = t.T("Please check the input")
	default:
		r.Title = t.T("Refused")
	}
	msg := e.Message
	switch {
	case reCrew.MatchString(msg):
		m := reCrew.FindStringSubmatch(msg)
		r.Reason = t.T("At least {{.Need}} officers with valid credentials must be on the case; {{.Have}} are.", map[string]any{"Need": m[1], "Have": m[2]})
		for _, c := range reCredential.FindAllStringSubmatch(msg, -1) {
			r.Missing = append(r.Missing, t.credentialProblem(c))
		}
	case reCredential.MatchString(msg):
		r.Reason = t.credentialProblem(reCredential.FindStringSubmatch(msg)) + t.T("; an invalid credential cannot be used on a case.")
	case msg == "earlier steps must be recorded first":
		r.Reason = t.T("Earlier steps must be recorded first.")
	case msg == "required fields are empty":
		r.Reason = t.T("Required fields are empty.")
	case msg == "required evidence is not attached":
		r.Reason = t.T("Required evidence is not attached.")
	case msg == "required signatures are missing":
		r.Reason = t.T("Required signatures are missing.")
	case msg == "mandatory steps are not recorded":
		r.Reason = t.T("Mandatory steps are not recorded yet.")
	case strings.HasPrefix(msg, "already recorded"):
		r.Reason = t.T("This step is already recorded; a change is a correction entry, never an edit.")
	case strings.HasPrefix(msg, "the on-scene record is closed"):
		r.Reason = t.T("The on-scene record is closed; record a correction instead.")
	case reVariant.MatchString(msg):
		m := reVariant.FindStringSubmatch(msg)
		r.Reason = t.T("{{.Variant}}: what it requires is incomplete.", map[string]any{"Variant": t.opt(m[1], m[2])})
	case reRow.MatchString(msg) && def != nil:
		m := reRow.FindStringSubmatch(msg)
		r.Reason = t.T("Required fields are empty.")
		r.Missing = append(r.Missing, t.T("{{.List}} row {{.Row}}: {{.Column}}", map[string]any{
			"List": t.fieldName(def, m[1]), "Row": m[2], "Column": t.columnName(def, m[1], m[3])}))
	default:
		r.Reason = msg
	}
	for _, m := range e.Missing {
		r.Missing = append(r.Missing, t.missingItem(proc, def, m))
	}
	if r.Reason == msg && t.lang != LangEn {
		r.Detail = msg
		r.Reason = t.T("The field core refused the action.")
	}
	return r
}

func (t *translator) credentialProblem(m []string) string {
	data := map[string]any{"Cert": m[1], "Name": m[2], "Date": m[4]}
	switch {
	case strings.HasPrefix(m[3], "expired"):
		return t.T("Credential {{.Cert}} of {{.Name}} expired on {{.Date}}", data)
	case m[3] == "is suspended":
		return t.T("Credential {{.Cert}} of {{.Name}} is suspended", data)
	}
	return t.T("Credential {{.Cert}} of {{.Name}} has no valid expiry date", data)
}

// missingItem names one entry of enforce.Error.Missing: a step ("kind
// label"), a field name, "ROLE signature (or FIELD)", "audio/video record
// (or FIELD)", or a count of photos or files.
func (t *translator) missingItem(proc *enforce.Procedure, def *enforce.StepDef, m string) string {
	alt := ""
	if i := strings.Index(m, " (or "); i > 0 && strings.HasSuffix(m, ")") {
		alt = strings.TrimSuffix(m[i+len(" (or "):], ")")
		m = m[:i]
	}
	name := m
	kind, _, _ := strings.Cut(m, " ")
	switch {
	case proc != nil && hasStep(proc, kind) && (kind == m || strings.Contains(m, " ")):
		s, _ := proc.Step(kind)
		name = t.stepLabel(s)
	case m == "audio/video record":
		name = t.T("audio/video record")
	case strings.HasSuffix(m, " signature"):
		name = t.T("{{.Role}}'s signature", map[string]any{"Role": t.role(strings.TrimSuffix(m, " signature"))})
	case reCount.MatchString(m):
		c := reCount.FindStringSubmatch(m)
		if c[2] == "photo" {
			name = t.T("photos: {{.N}} more", map[string]any{"N": c[1]})
		} else {
			name = t.T("files: {{.N}} more", map[string]any{"N": c[1]})
		}
	case def != nil:
		name = t.fieldName(def, m)
	}
	if alt != "" {
		altName := alt
		if def != nil {
			altName = t.fieldName(def, alt)
		}
		name = t.T("{{.What}} (or {{.Alt}})", map[string]any{"What": name, "Alt": altName})
	}
	return name
}

func hasStep(p *enforce.Procedure, kind string) bool {
	_, ok := p.Step(kind)
	return ok
}

func (t *translator) fieldName(def *enforce.StepDef, name string) string {
	for _, f := range def.Fields {
		if f.Name == name {
			return t.fieldLabel(f)
		}
	}
	return name
}

func (t *translator) columnName(def *enforce.StepDef, list, col string) string {
	for _, f := range def.Fields {
		if f.Name == list {
			for _, c := range f.Items {
				if c.Name == col {
					return t.fieldLabel(c)
				}
			}
		}
	}
	return col
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
