package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// lawtrace-verify is the program a court runs, on Windows as often as not:
// it builds without cgo for Linux, Windows and macOS (SPEC R5, issue 10),
// and links neither the database nor any backend package.
func TestBuildsWithoutCgo(t *testing.T) {
	if testing.Short() {
		t.Skip("cross builds")
	}
	for _, target := range []string{"linux/amd64", "windows/amd64", "darwin/arm64"} {
		goos, goarch, _ := strings.Cut(target, "/")
		out := filepath.Join(t.TempDir(), "lawtrace-verify")
		cmd := exec.Command("go", "build", "-o", out, ".")
		cmd.Env = append(cmd.Environ(), "CGO_ENABLED=0", "GOOS="+goos, "GOARCH="+goarch)
		if b, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("CGO_ENABLED=0 %s: %v\n%s", target, err, b)
		}
	}
	deps, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, dep := range strings.Fields(string(deps)) {
		if strings.Contains(dep, "sqlite") || strings.HasPrefix(dep, "lawtrace/backend/internal") || strings.HasPrefix(dep, "lawtrace/app/") || dep == "runtime/cgo" || strings.Contains(dep, "websocket") {
			t.Errorf("lawtrace-verify depends on %s", dep)
		}
	}
}
