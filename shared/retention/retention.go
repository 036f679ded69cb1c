// Package retention is the one place of the retention rule of a case's
// records (SPEC R6; 003 §27, §29): how long each stored file is kept, when
// it may be disposed of, and the disposal tombstone that keeps its hash
// after the bytes are gone.
//
// The rule (003 §27):
//
//   - 音像记录 — an audio or video file that is not part of the case's
//     evidence — is kept at least 3 months from its recording ("专用设备存储的
//     音像记录保存期限不少于3个月"), and never before the case file that holds
//     its copy is archived (003 §27 ¶2: the copy archived with the case file
//     follows the archive period; a case runs longer than 3 months). An A/V
//     file becomes evidence when the back office cites it (an office entry of
//     the case references its hash: a review material, the hearing A/V, an
//     uploaded document); it then follows the archive period.
//   - 文字记录 and evidence — every other file of the case (photos, hand
//     signatures, documents, office uploads) and A/V cited as evidence — are
//     kept for the archive period of the case's type, counted from the day
//     the case file was archived (立卷归档). A case not archived has not
//     started its period: nothing of it is due.
//
// The archive periods come from the archives rules (行政执法档案 / 文书档案
// 保存期限), not from the seeds: 003 §27 only defers to them. The default
// here is a conservative choice, a per-agency setting (Policy) may change
// it: 30 years for penalty, penalty-simple and coercion cases, 10 years for
// inspection and permit cases, 30 years for a type not listed.
//
// Inside retention nobody disposes of anything (003 §29: 不得在保存期内销毁).
// After it, disposal needs the head's approval and leaves a server-signed
// tombstone entry in the case's office chain (Tombstone) naming the files
// (hash, size, kind), when, who, the approver and why; the entries and the
// hashes stay, so a verifier reports the file as disposed, not missing.
package retention

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"lawtrace/shared/ledger"
)

// Article is the rule's source.
const (
	Article         = "003 §27"
	ArticleNoDelete = "003 §27, §29"
	ArticleApproval = "003 §27-28"
)

// Classes of stored file.
const (
	ClassAV       = "av"       // 音像记录 not cited as evidence: ≥ 3 months
	ClassEvidence = "evidence" // 文字记录, evidence, documents: the archive period
)

// AVMonths is the least an A/V recording is kept (003 §27).
const AVMonths = 3

// DefaultYears are the archive periods by case type (procedure id) when
// the agency has set none; FallbackYears is used for a type not listed.
var DefaultYears = map[string]int{
	"penalty":        30,
	"penalty-simple": 30,
	"coercion":       30,
	"inspection":     10,
	"permit":         10,
}

// FallbackYears is the archive period of a case type not in the policy.
const FallbackYears = 30

// SettingKey is the store setting holding an agency's Policy as JSON.
const SettingKey = "retention_policy"

// Policy is an agency's archive periods by case type, in years.
type Policy struct {
	Years map[string]int `json:"years"`
}

// Default is the conservative policy of DefaultYears.
func Default() Policy {
	y := map[string]int{}
	for k, v := range DefaultYears {
		y[k] = v
	}
	return Policy{Years: y}
}

// ParsePolicy reads a stored policy; empty text is the default. Types the
// text leaves out keep their default; a period below 1 year is refused.
func ParsePolicy(text string) (Policy, error) {
	p := Default()
	if strings.TrimSpace(text) == "" {
		return p, nil
	}
	var in Policy
	if err := json.Unmarshal([]byte(text), &in); err != nil {
		return p, fmt.Errorf("retention policy: %w", err)
	}
	for k, v := range in.Years {
		if v < 1 {
			return p, fmt.Errorf("retention policy: the archive period of %s must be at least 1 year, not %d", k, v)
		}
		p.Years[k] = v
	}
	return p, nil
}

// ArchiveYears is the archive period of a case type.
func (p Policy) ArchiveYears(procedure string) int {
	if y, ok := p.Years[procedure]; ok && y > 0 {
		return y
	}
	return FallbackYears
}

// String lists the periods, for operators.
func (p Policy) String() string {
	var parts []string
	for k, v := range p.Years {
		parts = append(parts, fmt.Sprintf("%s=%d", k, v))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// cst is the time of the agency (the seeds' days are China Standard Time).
var cst = time.FixedZone("CST", 8*3600)

// AddMonths adds n calendar months: the corresponding day of the last
// month, or its last day when it has none (民法典 §202): 30 Nov + 3 months
// is 28/29 Feb. The clock time is kept.
func AddMonths(t time.Time, n int) time.Time {
	t = t.In(cst)
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), cst)
	last := first.AddDate(0, 1, -1).Day()
	if d > last {
		d = last
	}
	return time.Date(first.Year(), first.Month(), d, t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), cst)
}

// File is one stored file of a case as the rule sees it.
type File struct {
	Hash string
	Kind string // the ledger file kind: video, audio, photo, …
	// Recorded is when the entry that references it was made (calibrated).
	Recorded time.Time
	// Cited reports that an office entry of the case references the file:
	// A/V cited so is evidence.
	Cited bool
}

// IsAV reports whether a file kind is an audio or video recording.
func IsAV(kind string) bool { return kind == "video" || kind == "audio" }

// Term is what the rule says of one file of one case.
type Term struct {
	Class   string    `json:"class"`
	Rule    string    `json:"rule"`    // the rule in Chinese
	Article string    `json:"article"` // its source
	From    time.Time `json:"from,omitzero"`
	Until   time.Time `json:"until,omitzero"` // the first moment it may be disposed of; zero: not started
	Due     bool      `json:"due"`            // retention is over at now
}

// For applies the rule to a file of a case of the given type, archived at
// archived (zero if not yet), at now. A file is due from the moment its
// period ends: a recording of 10:00 on 1 March is due at 10:00 on 1 June,
// not a second before.
func (p Policy) For(f File, procedure string, archived, now time.Time) Term {
	if IsAV(f.Kind) && !f.Cited {
		t := Term{Class: ClassAV, Article: Article, From: f.Recorded,
			Rule: fmt.Sprintf("音像记录自录制之日起保存不少于 %d 个月，且案件已立卷归档（归档的案卷保存其副本）", AVMonths)}
		if archived.IsZero() {
			t.Rule += "（案件尚未归档，不得销毁）"
			return t
		}
		t.Until = AddMonths(f.Recorded, AVMonths)
		if archived.After(t.Until) {
			t.Until = archived
		}
		t.Due = !now.Before(t.Until)
		return t
	}
	years := p.ArchiveYears(procedure)
	t := Term{Class: ClassEvidence, Article: Article + "（保存期限依档案管理规定）",
		Rule: fmt.Sprintf("文字记录与证据按案卷保存期限保存：%s案件 %d 年，自立卷归档之日起算", procedureZh(procedure), years)}
	if archived.IsZero() {
		t.Rule += "（案件尚未归档，保存期限尚未起算）"
		return t
	}
	t.From = archived
	t.Until = AddMonths(archived, 12*years)
	t.Due = !now.Before(t.Until)
	return t
}

// StepDisposal is the office step of a disposal tombstone.
const StepDisposal = "disposal"

// Disposed is one file a tombstone names.
type Disposed struct {
	Hash  string `json:"hash"`
	Size  int64  `json:"size"`
	Kind  string `json:"kind,omitempty"`
	Class string `json:"class"`
	Until string `json:"retained_until"` // when its retention ended
}

// Person is who disposed or approved, as recorded.
type Person struct {
	Username string `json:"username"`
	Name     string `json:"name"`
	Role     string `json:"role"`
}

// Tombstone is the fields of a disposal entry: what (files with hashes and
// sizes), when, who, the head who approved and why, and the rule.
type Tombstone struct {
	Files      []Disposed `json:"files"`
	DisposedAt time.Time  `json:"disposed_at"`
	By         Person     `json:"by"`
	ApprovedBy Person     `json:"approved_by"`
	Reason     string     `json:"reason"`
	Article    string     `json:"article"`
}

// Tombstones reads the disposal entries of an office chain signed by
// serverID: each disposed hash with the number of its tombstone entry.
// Entries not signed by the server name nothing (a terminal cannot
// dispose of a file); verifying the chain is the caller's.
func Tombstones(office []ledger.Entry, serverID string) map[string]int64 {
	out := map[string]int64{}
	for _, e := range office {
		if e.Step != StepDisposal || e.DeviceID != serverID {
			continue
		}
		p, err := ledger.DecodePayload(e.Payload)
		if err != nil {
			continue
		}
		var t Tombstone
		if json.Unmarshal(p.Fields, &t) != nil {
			continue
		}
		for _, f := range t.Files {
			if _, ok := out[f.Hash]; !ok {
				out[f.Hash] = e.Seq
			}
		}
	}
	return out
}

// procedureZh names a case type in the rule's text.
func procedureZh(procedure string) string {
	names := map[string]string{"penalty": "行政处罚", "penalty-simple": "行政处罚（简易程序）", "coercion": "行政强制", "inspection": "行政检查", "permit": "行政许可"}
	if n, ok := names[procedure]; ok {
		return n
	}
	return "其他类型"
}
