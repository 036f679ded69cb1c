// Package testtool finds the outside programs tests need, failing closed: under CI=true a missing tool fails the test instead of skipping it.
package testtool

import (
	"os"
	"os/exec"
	"testing"
)

// CI reports whether the tests run in CI, where every tool must be present.
func CI() bool { return os.Getenv("CI") == "true" }

// Path returns the path of the program name, or stops the test: a skip on
// a developer's machine, a failure under CI=true. install says how to get it.
func Path(t testing.TB, name, install string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		Missing(t, name+" is not installed ("+install+")")
	}
	return p
}

// Missing stops a test that cannot run without something absent: a skip,
// or a failure under CI=true.
func Missing(t testing.TB, why string) {
	t.Helper()
	if CI() {
		t.Fatal(why)
	}
	t.Skip(why)
}
