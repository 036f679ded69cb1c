package deadline

import (
	"time"

	"lawtrace/shared/workday"
)

// chinaTime is the zone working days are counted in.
var chinaTime = time.FixedZone("CST", 8*3600)

// UploadRule is the one upload deadline rule (SPEC R4): when a file of kind
// (ledger.KindVideo, KindAudio, KindPhoto, …) recorded at recorded must have
// reached the backend. Audio and video: 24 hours (000-record §28) or, where
// the agency chose UploadWorkdays2, 2 working days (002-record §28, 003 §26);
// other evidence: 2 working days. Working days are counted in China time on
// cal, with adjusted working days; verified is false when a day counted lies
// in a year cal does not hold. The store's media deadlines and Compute both
// ask this function, so the board, the case page and the deadline monitor
// cannot disagree (issue 13).
func UploadRule(kind string, recorded time.Time, s Settings, cal *workday.Calendar) (due time.Time, label, article string, verified bool) {
	av := kind == "video" || kind == "audio"
	if av && s.Upload != UploadWorkdays2 {
		return recorded.Add(24 * time.Hour), "音像记录 24 小时内上传", "000-record §28", true
	}
	if cal == nil {
		cal = workday.Default()
	}
	due, verified = cal.Deadline(recorded.In(chinaTime), 2)
	if av {
		return due, "音像记录 2 个工作日内上传", "002-record §28, 003 §26", verified
	}
	return due, "证据 2 个工作日内上传", "002-record §28, 003 §26", verified
}
