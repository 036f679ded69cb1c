// Package calendar embeds the official Chinese holiday schedules, one JSON file per year, read by shared/workday.
package calendar

import "embed"

// Files holds the year files cn-YYYY.json.
//
//go:embed *.json
var Files embed.FS
