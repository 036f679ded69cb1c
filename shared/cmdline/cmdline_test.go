package cmdline

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func TestParseTakesFlagsAndArgumentsInAnyOrder(t *testing.T) {
	fs := FlagSet("step")
	var sets List
	fs.Var(&sets, "set", "")
	asJSON := fs.Bool("json", false, "")
	pos, err := Parse(fs, []string{"C1", "--set", "a=1", "photo", "--json", "--set", "b=2"})
	if err != nil || strings.Join(pos, ",") != "C1,photo" || sets.String() != "a=1,b=2" || !*asJSON {
		t.Fatalf("pos %v sets %v json %v err %v", pos, sets, *asJSON, err)
	}
	if _, err := Parse(FlagSet("x"), []string{"--colour", "red"}); !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), "-colour") {
		t.Fatalf("unknown flag: %v", err)
	}
}

func TestPrintJSONKeepsCharacters(t *testing.T) {
	var b bytes.Buffer
	if err := PrintJSON(&b, map[string]string{"a": "<送达>"}); err != nil || b.String() != "{\n  \"a\": \"<送达>\"\n}\n" {
		t.Fatalf("%q %v", b.String(), err)
	}
}
