// Package publicity embeds the data of the public portal's "before" pages
// (事前公示, 000-publicity §6-12, SPEC P1) that no other catalog holds: the
// demo agency's particulars, the list of powers (权责清单) and the permit
// service guides. All three are demonstration data (docs/publicity.md).
package publicity

import (
	"bytes"
	"embed"
	"encoding/json"
)

//go:embed *.json
var FS embed.FS

// DemoAgency is the demo agency's catalog item body, compact JSON: name and
// code (what terminals read) and the public particulars.
var DemoAgency = compact("agency.demo.json")

// Powers is powers.json, Guides is guides.json.
var (
	Powers = compact("powers.json")
	Guides = compact("guides.json")
)

func compact(name string) []byte {
	b, err := FS.ReadFile(name)
	if err != nil {
		panic(err)
	}
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		panic(name + ": " + err.Error())
	}
	return out.Bytes()
}
