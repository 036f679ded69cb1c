// Package assets embeds the data LawTrace interprets: procedure definitions, rights texts and the legal review catalog, each versioned.
package assets

import "embed"

// FS holds procedures/*.json, rights/*.json and review/*.json (the review catalog).
//
//go:embed procedures/*.json rights/*.json review/*.json
var FS embed.FS
