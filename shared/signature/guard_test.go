package signature

import (
	"go/build"
	"strings"
	"testing"
)

// shared/ imports neither fyne, nor sqlite, nor gorilla: this package uses the standard library only.
func TestStandardLibraryOnly(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range pkg.Imports {
		if first, _, _ := strings.Cut(imp, "/"); strings.Contains(first, ".") {
			t.Errorf("imports %s: only the standard library is allowed", imp)
		}
	}
}
