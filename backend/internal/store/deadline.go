package store

import (
	"time"

	"lawtrace/shared/ledger"
	"lawtrace/shared/workday"
)

var (
	calendar  = workday.Default()
	chinaTime = time.FixedZone("CST", 8*3600)
)

// UploadDeadline is when a file recorded at recorded must have reached the
// backend (SPEC R4): audio and video within 24 hours (000-record §28), other
// evidence within 2 working days (002-record §28, 003 §26), counted on the
// official calendar with adjusted working days.
func UploadDeadline(kind string, recorded time.Time) time.Time {
	if kind == ledger.KindVideo || kind == ledger.KindAudio {
		return recorded.Add(24 * time.Hour)
	}
	due, _ := calendar.Deadline(recorded.In(chinaTime), 2)
	return due.UTC()
}
