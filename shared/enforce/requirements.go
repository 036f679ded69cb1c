package enforce

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
)

// Requirements lists everything the step needs with the input as it stands,
// in the order an officer works: fields, item rows, limits, evidence,
// signatures, and any combination the law forbids. Screens draw their
// checklist from it and CheckStep refuses with what is not done.
func (c CaseState) Requirements(def *StepDef, in StepInput) []Requirement {
	var out []Requirement
	add := func(done bool, it Item) { out = append(out, Requirement{Item: it, Done: done}) }
	fieldItem := func(name, article string) Item {
		f, _ := def.Field(name)
		return Item{Name: name, Zh: f.Label, En: name, Article: article}
	}
	seen := map[string]bool{}
	for _, f := range def.Fields {
		if f.Required {
			seen[f.Name] = true
			add(in.filled(f.Name), fieldItem(f.Name, def.Article))
		}
	}
	active, refused := c.splitVariants(def, in)
	for _, v := range active {
		for _, name := range v.Fields {
			if !seen[name] {
				seen[name] = true
				add(in.filled(name), fieldItem(name, v.Article))
			}
		}
	}
	for _, f := range def.Fields {
		if f.Type == FieldItems {
			out = append(out, rowRequirements(def, f, in.Items[f.Name])...)
		}
	}
	out = append(out, c.boundRequirements(def, in)...)
	out = append(out, evidenceRequirements(def, active, in)...)
	out = append(out, c.signatureRequirements(def, active, in)...)
	for _, v := range refused {
		add(false, Item{Name: "rule:" + v.Field + "=" + v.Equals, Zh: v.Why, En: fmt.Sprintf("%s=%s is not allowed here", v.Field, v.Equals), Article: v.Article})
	}
	return out
}

// splitVariants separates the active variants whose requirements apply from
// those that forbid the input outright (refused and not lifted by a setting).
func (c CaseState) splitVariants(def *StepDef, in StepInput) (apply, refused []Variant) {
	for _, v := range c.ActiveVariants(def, in) {
		if v.Refused && (v.AllowedBy == "" || !c.Procedure.Settings[v.AllowedBy]) {
			refused = append(refused, v)
			continue
		}
		apply = append(apply, v)
	}
	return apply, refused
}

// ActiveVariants are the variants whose conditions the input meets; a
// refused variant lifted by a setting counts with its requirements.
func (c CaseState) ActiveVariants(def *StepDef, in StepInput) []Variant {
	var out []Variant
	for _, v := range def.Variants {
		conds := map[string]string{v.Field: v.Equals}
		maps.Copy(conds, v.When)
		if matches(conds, in) {
			out = append(out, v)
		}
	}
	return out
}

func matches(conds map[string]string, in StepInput) bool {
	for name, value := range conds {
		if in.value(name) != value {
			return false
		}
	}
	return true
}

// rowRequirements asks for every required column of every row (SPEC F6).
func rowRequirements(def *StepDef, f FieldDef, rows []map[string]string) []Requirement {
	var out []Requirement
	for i, row := range rows {
		for _, col := range f.Items {
			if !col.Required {
				continue
			}
			out = append(out, Requirement{Done: strings.TrimSpace(row[col.Name]) != "", Item: Item{
				Name: fmt.Sprintf("%s[%d].%s", f.Name, i+1, col.Name),
				Zh:   fmt.Sprintf("%s第%d行：%s", f.Label, i+1, col.Label),
				En:   fmt.Sprintf("%s row %d: %s %s", f.Name, i+1, col.Name, col.Label), Article: def.Article}})
		}
	}
	return out
}

// boundRequirements checks the number limits that apply to this party and
// input, such as the largest on-the-spot fine (SPEC F14).
func (c CaseState) boundRequirements(def *StepDef, in StepInput) []Requirement {
	var out []Requirement
	for _, b := range def.Bounds {
		if !matches(b.When, in) || (b.PartyKind != "" && b.PartyKind != c.PartyKind) {
			continue
		}
		f, _ := def.Field(b.Field)
		v, err := strconv.ParseFloat(in.value(b.Field), 64)
		has := err == nil
		var zh, en []string
		done := true
		if b.Above != nil {
			zh = append(zh, fmt.Sprintf("%s须大于 %s", f.Label, num(*b.Above)))
			en = append(en, fmt.Sprintf("%s must be above %s", b.Field, num(*b.Above)))
			done = done && (!has || v > *b.Above)
		}
		if b.Max != nil {
			zh = append(zh, fmt.Sprintf("%s不得超过 %s", f.Label, num(*b.Max)))
			en = append(en, fmt.Sprintf("%s must be at most %s", b.Field, num(*b.Max)))
			done = done && (!has || v <= *b.Max)
		}
		whenZh, whenEn := conditionText(def, c, b)
		it := Item{Name: "bound:" + b.Field, Zh: strings.Join(zh, "，") + whenZh, En: strings.Join(en, ", ") + whenEn, Article: b.Article}
		if has && !done {
			it.Zh += fmt.Sprintf("（填写的是 %s）", num(v))
			it.En += fmt.Sprintf(" (got %s)", num(v))
		}
		out = append(out, Requirement{Item: it, Done: done})
	}
	return out
}

func conditionText(def *StepDef, c CaseState, b Bound) (string, string) {
	var zh, en []string
	switch b.PartyKind {
	case "person":
		zh, en = append(zh, "当事人为公民"), append(en, "the party is a natural person")
	case "org":
		zh, en = append(zh, "当事人为法人或者其他组织"), append(en, "the party is an organisation")
	}
	for _, name := range sortedKeys(b.When) {
		f, _ := def.Field(name)
		zh = append(zh, f.Label+"为"+f.OptionLabel(b.When[name], false))
		en = append(en, name+"="+b.When[name])
	}
	if len(zh) == 0 {
		return "", ""
	}
	return "（" + strings.Join(zh, "，") + "）", " (" + strings.Join(en, ", ") + ")"
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

var fileKindZh = map[string]string{"photo": "照片", "video": "视频", "audio": "录音", "document": "文书（PDF）", "file": "文件"}

// evidenceRequirements asks for the A/V record, photos, files and kinds of
// file the step and its active variants need (SPEC F5, F9).
func evidenceRequirements(def *StepDef, active []Variant, in StepInput) []Requirement {
	var out []Requirement
	ev := def.Evidence
	article := ev.Article
	if article == "" {
		article = def.Article
	}
	av := hasKind(in.FileKinds, "video|audio")
	variantAV := slices.ContainsFunc(active, func(v Variant) bool { return v.AV })
	switch {
	case variantAV:
		var arts []string
		for _, v := range active {
			if v.AV {
				arts = append(arts, v.Article)
			}
		}
		out = append(out, Requirement{Done: av, Item: Item{Name: "av", Zh: "音像记录", En: "audio/video record", Article: strings.Join(arts, ", ")}})
	case ev.AV && ev.AVUnless != "":
		f, _ := def.Field(ev.AVUnless)
		out = append(out, Requirement{Done: av || in.filled(ev.AVUnless), Item: Item{Name: "av", Zh: "音像记录（或" + f.Label + "）", En: "audio/video record (or " + ev.AVUnless + ")", Article: article}})
	case ev.AV:
		out = append(out, Requirement{Done: av, Item: Item{Name: "av", Zh: "音像记录", En: "audio/video record", Article: article}})
	}
	photos := 0
	for _, k := range in.FileKinds {
		if k == "photo" {
			photos++
		}
	}
	if ev.MinPhotos > 0 {
		out = append(out, Requirement{Done: photos >= ev.MinPhotos, Item: Item{Name: "photos", Zh: fmt.Sprintf("照片至少 %d 张", ev.MinPhotos), En: fmt.Sprintf("%d photo(s)", ev.MinPhotos), Article: article}})
	}
	if ev.MinFiles > 0 {
		out = append(out, Requirement{Done: len(in.FileKinds) >= ev.MinFiles, Item: Item{Name: "files", Zh: fmt.Sprintf("附件至少 %d 个", ev.MinFiles), En: fmt.Sprintf("%d file(s)", ev.MinFiles), Article: article}})
	}
	for _, v := range active {
		for _, kinds := range v.FileKinds {
			var zh []string
			for _, k := range strings.Split(kinds, "|") {
				zh = append(zh, fileKindZh[k])
			}
			out = append(out, Requirement{Done: hasKind(in.FileKinds, kinds), Item: Item{Name: "file:" + kinds, Zh: "附件：" + strings.Join(zh, "或"), En: "a file: " + strings.ReplaceAll(kinds, "|", " or "), Article: v.Article}})
		}
	}
	return out
}

// hasKind says whether a file of one of the kinds "a|b" is attached.
func hasKind(kinds []string, want string) bool {
	for _, k := range strings.Split(want, "|") {
		if slices.Contains(kinds, k) {
			return true
		}
	}
	return false
}

// Field returns the definition of a field of the step.
func (s *StepDef) Field(name string) (FieldDef, bool) {
	for _, f := range s.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return FieldDef{Name: name, Label: name, LabelEn: name}, false
}
