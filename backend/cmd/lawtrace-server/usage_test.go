package main

import (
	"bytes"
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
)

// Every operator command the dispatcher takes is listed by --help: an
// operator finds `archive`, `retention`, `backup` and `restore` there.
func TestHelpListsEveryCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := run([]string{"--help"}, &out, &errOut); code != 0 {
		t.Fatalf("--help: exit %d: %s", code, errOut.String())
	}
	help := out.String()
	for _, cmd := range dispatchedCommands(t) {
		if cmd == "help" || cmd == "enrol" {
			continue // help itself; enrol is enroll's spelling
		}
		if !strings.Contains(help, "\n  "+cmd+" ") && !strings.Contains(help, "\n       lawtrace-server [--data DIR] "+cmd) {
			t.Errorf("--help does not list the command %q", cmd)
		}
	}
}

// dispatchedCommands reads the case labels of cli.dispatch from main.go.
func dispatchedCommands(t *testing.T) []string {
	f, err := parser.ParseFile(token.NewFileSet(), "main.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var cmds []string
	ast.Inspect(f, func(n ast.Node) bool {
		fn, ok := n.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "dispatch" {
			return true
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			if cc, ok := n.(*ast.CaseClause); ok {
				for _, e := range cc.List {
					if lit, ok := e.(*ast.BasicLit); ok {
						s, _ := strconv.Unquote(lit.Value)
						cmds = append(cmds, s)
					}
				}
			}
			return true
		})
		return false
	})
	if len(cmds) < 10 {
		t.Fatalf("found only %d commands in dispatch: %v", len(cmds), cmds)
	}
	return cmds
}
