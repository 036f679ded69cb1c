// Package deadline computes every running legal deadline of a case on the official working-day calendar: A/V upload, emergency-start approval, legal review, publication and archiving (SPEC D5, R4, R5, R8, L4, P2).
package deadline

import (
	"time"

	"lawtrace/shared/review"
	"lawtrace/shared/workday"
)

// Kinds of deadline.
const (
	Upload          = "av_upload"
	EmergencyStart  = "emergency_approval"
	Review          = "legal_review"
	Publication     = "publication"
	Archive         = "archive"
	UploadHours     = "24h" // 000-record §28
	UploadWorkdays2 = "2wd" // 002-record §28, 003 §26
)

// Settings choose between the regulations where they differ; the stricter
// rule is the default.
type Settings struct {
	Upload string // UploadHours (default) or UploadWorkdays2
	Review review.Settings
}

// AV is one audio/video file the terminal recorded.
type AV struct {
	Hash     string
	Recorded time.Time
	Uploaded time.Time // zero while not on the server
}

// Facts are what the server knows of a case that deadlines run from; zero
// times mean "not yet".
type Facts struct {
	CaseID            string
	Procedure         string
	Opened            time.Time
	Emergency         bool
	EmergencyApproved time.Time
	AV                []AV
	Review            *review.Review
	Decided           time.Time
	Published         time.Time
	Ended             time.Time
	Archived          time.Time
}

// Deadline is one running or finished deadline.
type Deadline struct {
	CaseID   string    `json:"case_id"`
	Kind     string    `json:"kind"`
	Subject  string    `json:"subject,omitempty"`
	Label    string    `json:"label"`
	Article  string    `json:"article"`
	Start    time.Time `json:"start"`
	Due      time.Time `json:"due"`
	Done     time.Time `json:"done"`
	Verified bool      `json:"verified"`
}

// States of a deadline at a moment.
const (
	StateRunning = "running"
	StateOverdue = "overdue"
	StateMet     = "met"
	StateMissed  = "missed"
)

// State says where the deadline stands at now.
func (d Deadline) State(now time.Time) string {
	switch {
	case !d.Done.IsZero() && d.Done.Before(d.Due):
		return StateMet
	case !d.Done.IsZero():
		return StateMissed
	case now.Before(d.Due):
		return StateRunning
	}
	return StateOverdue
}

// Remaining is the time left until due (negative when overdue).
func (d Deadline) Remaining(now time.Time) time.Duration { return d.Due.Sub(now) }

// Compute lists the case's deadlines that have started.
func Compute(f Facts, s Settings, cal *workday.Calendar) []Deadline {
	var out []Deadline
	add := func(kind, subject, label, article string, start time.Time, due time.Time, verified bool, done time.Time) {
		out = append(out, Deadline{CaseID: f.CaseID, Kind: kind, Subject: subject, Label: label, Article: article, Start: start, Due: due, Done: done, Verified: verified})
	}
	for _, av := range f.AV {
		if s.Upload == UploadWorkdays2 {
			due, ok := cal.Deadline(av.Recorded, 2)
			add(Upload, av.Hash, "音像记录 2 个工作日内上传", "002-record §28, 003 §26", av.Recorded, due, ok, av.Uploaded)
		} else {
			add(Upload, av.Hash, "音像记录 24 小时内上传", "000-record §28", av.Recorded, av.Recorded.Add(24*time.Hour), true, av.Uploaded)
		}
	}
	if f.Emergency {
		due, ok := cal.Deadline(f.Opened, 2)
		add(EmergencyStart, "", "紧急情况先行启动，2 个工作日内补办内部审批", "003 §12", f.Opened, due, ok, f.EmergencyApproved)
	}
	if r := f.Review; r != nil && !r.Submitted.IsZero() {
		due, ok := r.Due(s.Review, cal)
		label := "法制审核 3 个工作日内出具意见"
		if r.Extended {
			label = "法制审核（经负责人批准延长 2 个工作日）"
		}
		add(Review, "", label, "000-review §12", r.Submitted, due, ok, r.Answered)
	}
	if !f.Decided.IsZero() {
		n, label := 20, "执法决定信息 20 个工作日内公开"
		if f.Procedure == "penalty" || f.Procedure == "penalty-simple" || f.Procedure == "permit" {
			n, label = 7, "行政许可、行政处罚决定 7 个工作日内公开"
		}
		due, ok := cal.Deadline(f.Decided, n)
		add(Publication, "", label, "002-publicity §12, 001", f.Decided, due, ok, f.Published)
	}
	if !f.Ended.IsZero() {
		add(Archive, "", "案件终结后 30 日内立卷归档", "000-record §28, 003 §26", f.Ended, workday.AddCalendarDays(f.Ended, 31), true, f.Archived)
	}
	return out
}
