package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lawtrace/assets"
	"lawtrace/shared/enforce"
)

// SPEC F2 F11: docs/rules.md keeps up with the procedure data: every
// article a v2 procedure cites appears there as enforce.Cite prints it,
// every step kind is named, and every agency setting is described.
func TestRulesDocCoversProcedures(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "..", "docs", "rules.md"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(doc)
	files, err := fs.Glob(assets.FS, "procedures/*.v2.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no v2 procedures: %v", err)
	}
	for _, name := range files {
		data, err := fs.ReadFile(assets.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		p, err := enforce.ParseProcedure(data)
		if err != nil {
			t.Fatal(err)
		}
		articles := []string{p.Basis}
		for _, s := range p.Steps {
			if !strings.Contains(text, "`"+s.Kind+"`") {
				t.Errorf("%s: step %s is not named in docs/rules.md", name, s.Kind)
			}
			articles = append(articles, s.Article, s.Evidence.Article)
			for _, v := range s.Variants {
				articles = append(articles, v.Article)
				if v.AllowedBy != "" && !strings.Contains(text, "`"+v.AllowedBy+"`") {
					t.Errorf("%s: setting %s is not described in docs/rules.md", name, v.AllowedBy)
				}
			}
			for _, b := range s.Bounds {
				articles = append(articles, b.Article)
			}
		}
		for _, a := range articles {
			for _, part := range citedParts(a) {
				if zh := enforce.Cite(part); !strings.Contains(text, zh) {
					t.Errorf("%s cites %s, docs/rules.md does not mention %s", name, part, zh)
				}
			}
		}
	}
}

// citedParts splits a citation ("003 §22(4), 行政处罚法 §61; 000-record §4",
// "行政处罚法 §51, §67") into one part per article, each with its source.
func citedParts(article string) []string {
	var out []string
	source := ""
	for _, part := range strings.FieldsFunc(article, func(r rune) bool { return r == ',' || r == ';' }) {
		part = strings.TrimSpace(part)
		switch {
		case part == "":
			continue
		case strings.HasPrefix(part, "§"):
			part = source + " " + part
		case strings.Contains(part, " §"):
			source = part[:strings.Index(part, " §")]
		default:
			source = part
		}
		out = append(out, part)
	}
	return out
}
