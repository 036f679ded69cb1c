// Package i18n embeds the field app's translation files, in Fyne's translation format (go-i18n JSON: "key": "text"), Simplified Chinese and English (SPEC F13).
package i18n

import "embed"

// FS holds zh.json and en.json at its root (register them with fyne's
// lang.AddTranslationsForLocale; AddTranslationsFS wants a subdirectory).
//
//go:embed *.json
var FS embed.FS

// Languages are the languages the app offers, the default first.
var Languages = []string{"zh", "en"}
