package web

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"testing"

	"lawtrace/backend/internal/store"
)

// Every wire error code and every server-recorded security event kind has
// a Chinese name on the security page — never 其他安全事件 (issue 13
// finding 10: no raw codes on a Chinese page; issue 14: restore events).
func TestEverySecurityKindHasAChineseName(t *testing.T) {
	kinds := []string{store.KindDataRestored, store.KindLogBreak}
	f, err := parser.ParseFile(token.NewFileSet(), "../../../shared/syncproto/error.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		for _, spec := range g.Specs {
			vs := spec.(*ast.ValueSpec)
			if id, ok := vs.Type.(*ast.Ident); !ok || id.Name != "Code" {
				continue
			}
			for _, v := range vs.Values {
				s, err := strconv.Unquote(v.(*ast.BasicLit).Value)
				if err != nil {
					t.Fatal(err)
				}
				kinds = append(kinds, s)
			}
		}
	}
	if len(kinds) < 15 {
		t.Fatalf("found only %d kinds: %v", len(kinds), kinds)
	}
	for _, k := range kinds {
		if securityKindLabel(k) == "其他安全事件" {
			t.Errorf("security event kind %q has no Chinese name", k)
		}
	}
}
