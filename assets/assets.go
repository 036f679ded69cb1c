// Package assets embeds the data LawTrace interprets: procedure definitions, rights texts and their versions.
package assets

import "embed"

// FS holds procedures/*.json and rights/*.json.
//
//go:embed procedures/*.json rights/*.json
var FS embed.FS
