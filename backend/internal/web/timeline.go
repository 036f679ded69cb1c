package web

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"lawtrace/backend/internal/auth"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
	"lawtrace/shared/syncproto"
)

// Timeline is a case's entries in order with everything the page shows
// (SPEC D2). The legal review page can render it too ({{template
// "timeline" .}} with the partial in _timeline.html).
type Timeline struct {
	Case      *BoardRow
	Entries   []EntryView
	Findings  []string
	TreeHead  syncproto.TreeHead
	HeadOK    bool
	Grant     store.AccessGrant
	Redacted  bool
	Policy    Policy
	Requests  []store.AccessRequest
	Register  []store.AccessRecord
	Purposes  []option
	Verified  int // entries passing every check
	FilesOK   int
	FilesAll  int
	ProcName  string
	ProcVer   int
	CanSeeLog bool
	// Office are the review steps of the case's office chain ("CASE/office",
	// server-signed; docs/review.md), shown after the terminal's entries.
	Office         []OfficeEntryView
	OfficeVerified int
	// CanConfirmFiling: a head may confirm the 备案 of the case's
	// on-the-spot decision (行政处罚法 §52), not confirmed yet.
	CanConfirmFiling bool
}

// OfficeEntryView is one server-signed review step of the office chain.
type OfficeEntryView struct {
	Seq   int64
	ID    string
	Hash  string
	Step  string
	Label string
	At    time.Time
	Check EntryCheck
}

// officeStepLabels name the review service's steps (reviewsrv.Step*).
var officeStepLabels = map[string]string{
	"decision_proposal": "拟作出决定", "review_submit": "送法制审核", "review_extend": "延长审核期限", "review_opinion": "法制审核意见",
	"review_objection": "承办机构异议", "review_head_decision": "负责人决定异议", "decision": "作出执法决定",
	"emergency_approval": "紧急情况内部批准", "decision_published": "执法决定公示", "case_end": "结案", "case_archived": "归档",
	"on_spot_filed": "当场处罚决定备案",
}

// EntryView is one entry of the timeline.
type EntryView struct {
	Seq            int64
	ID             string
	Hash           string
	Step           string
	Label          string
	Stage          string
	Correction     bool
	Corrects       int64 // the number of the corrected entry
	CorrectReason  string
	Officers       []OfficerRef
	DeviceID       string
	DeviceTime     time.Time
	CalibratedTime time.Time
	ClockOffsetMs  int64
	Skewed         bool
	ClockBasis     string // in words: how the calibrated time was found
	ReceivedAt     time.Time
	Place          string
	Coords         string
	Fields         []FieldView
	Files          []FileView
	Signatures     []SignatureView
	Check          EntryCheck
}

// FieldView is a form field as shown.
type FieldView struct {
	Label   string
	Value   string
	Columns []string
	Items   [][]string
	Hidden  bool // a third party's details hidden for party access
}

// FileView is an attached file with its checks and links.
type FileView struct {
	Hash, Kind, KindLabel, Name, Caption, Mime string
	Size                                       int64
	URL, DownloadURL                           string
	Stored, HashOK, Overdue                    bool
	DueAt                                      time.Time
	Photo, Audio, Video                        bool
	CanPlay, NeedsPlayApproval                 bool
	DownloadApproved                           bool
	DownloadPending                            bool
	PlayPending                                bool
	// CSRF and RequestURL serve the approval request forms.
	CSRF, RequestURL string
}

// SignatureView is a handwritten signature rendered from its stored PNG.
type SignatureView struct {
	Role, RoleLabel, Name, ImageURL string
	Stored, Bound                   bool
	Hidden                          bool
}

var kindLabels = map[string]string{
	ledger.KindPhoto: "照片", ledger.KindVideo: "视频", ledger.KindAudio: "录音", ledger.KindFile: "文件", ledger.KindDocument: "文书",
}

var signRoleLabels = map[string]string{
	"party": "当事人", "officer": "执法人员", "witness": "见证人", "recipient": "受送达人", "server": "送达人", "person": "被询问人",
}

// third-party fields hidden when a party reads its own case (003 §30).
var thirdPartyFields = map[string]bool{"present_persons": true, "person_name": true, "id_number": true, "witness_name": true}

var thirdPartySigners = map[string]bool{"witness": true, "person": true}

// Timeline builds a case's timeline for a session reading it under grant.
func (s *Server) Timeline(ctx context.Context, row *BoardRow, grant store.AccessGrant, sess *auth.Session) (*Timeline, error) {
	recs, err := s.st.CaseRecords(ctx, row.ID)
	if err != nil {
		return nil, err
	}
	cat, err := s.catalog(ctx)
	if err != nil {
		return nil, err
	}
	checks, th, headOK, err := s.verify.checkEntries(ctx, recs)
	if err != nil {
		return nil, err
	}
	media, err := s.st.CaseMedia(ctx, row.ID, s.cfg.Now())
	if err != nil {
		return nil, err
	}
	pol, err := s.policy(ctx)
	if err != nil {
		return nil, err
	}
	mediaBy := map[string]store.CaseMediaFile{}
	for _, m := range media {
		mediaBy[m.Hash] = m
	}
	reqs, err := s.st.AccessRequests(ctx, store.RequestFilter{AccountID: sess.Account.ID, CaseID: row.ID})
	if err != nil {
		return nil, err
	}
	now := s.cfg.Now()
	approved := map[string]bool{}
	pending := map[string]bool{}
	for _, q := range reqs {
		key := q.Action + "/" + q.MediaHash
		if q.Status == store.RequestApproved && now.Before(q.ExpiresAt) {
			approved[key] = true
		}
		if q.Status == store.RequestPending {
			pending[key] = true
		}
	}
	tl := &Timeline{Case: row, Findings: row.Findings, TreeHead: th, HeadOK: headOK, Grant: grant, Redacted: redacted(grant.Purpose),
		Policy: pol, Requests: reqs, Purposes: purposes, CanSeeLog: sess.Role() == auth.Supervisor}
	var proc *enforce.Procedure
	if len(recs) > 0 {
		var open struct {
			Procedure        string `json:"procedure"`
			ProcedureVersion int    `json:"procedure_version"`
		}
		_ = json.Unmarshal(recs[0].Entry.Payload, &open)
		proc = cat.procedure(open.Procedure, open.ProcedureVersion)
		if proc != nil {
			tl.ProcName, tl.ProcVer = proc.Name, proc.Version
		}
	}
	seqOf := map[string]int64{}
	fileSeen := map[string]bool{}
	for i, rec := range recs {
		e := rec.Entry
		seqOf[e.ID] = e.Seq
		ev := EntryView{Seq: e.Seq, ID: e.ID, Hash: e.Hash, Step: e.Step, Label: stepLabel(proc, e.Step), DeviceID: e.DeviceID,
			CalibratedTime: rec.CalibratedTime, ClockOffsetMs: rec.ClockOffsetMs, Skewed: rec.ClockSkewed, ClockBasis: clockBasisLabel(rec.ClockBasis), ReceivedAt: rec.ReceivedAt, Check: checks[i]}
		ev.DeviceTime, _ = ledger.ParseTime(e.DeviceTime)
		if proc != nil {
			if def, ok := proc.Step(e.Step); ok {
				ev.Stage = stageName(proc, def.Stage)
			}
		}
		for _, cert := range e.Officers {
			ref := OfficerRef{Cert: cert, Name: cert}
			if o, ok := cat.officers[cert]; ok {
				ref.Name, ref.Unit = o.Name, o.Unit
			}
			ev.Officers = append(ev.Officers, ref)
		}
		if e.Place != nil {
			ev.Place = e.Place.Address
			if e.Place.Lat != 0 || e.Place.Lon != 0 {
				ev.Coords = fmt.Sprintf("%.5f, %.5f", e.Place.Lat, e.Place.Lon)
			}
		}
		if e.Corrects != "" {
			ev.Correction, ev.Corrects = true, seqOf[e.Corrects]
		}
		ev.Fields = s.entryFields(proc, e, tl.Redacted, &ev)
		p, _ := ledger.DecodePayload(e.Payload)
		sigFiles := map[string]bool{}
		for _, sg := range p.Signatures {
			sigFiles[sg.Strokes], sigFiles[sg.Image] = true, true
			sv := SignatureView{Role: sg.Role, RoleLabel: orDefault(signRoleLabels[sg.Role], sg.Role), Name: sg.Name,
				ImageURL: "/cases/" + row.ID + "/media/" + sg.Image, Stored: mediaBy[sg.Image].Stored,
				Bound: ev.Check.Hash && !hasBindingProblem(row.Findings, e.Seq, sg.Role), Hidden: tl.Redacted && thirdPartySigners[sg.Role]}
			if sv.Hidden {
				sv.Name = "（已隐去）"
			}
			ev.Signatures = append(ev.Signatures, sv)
		}
		for _, f := range p.Files {
			if sigFiles[f.Hash] || f.Kind == ledger.KindSignImage || f.Kind == ledger.KindSignStrokes {
				continue
			}
			m := mediaBy[f.Hash]
			fv := FileView{Hash: f.Hash, Kind: f.Kind, KindLabel: orDefault(kindLabels[f.Kind], f.Kind), Name: f.Name, Caption: f.Caption, Mime: f.Mime,
				Size: f.Size, Stored: m.Stored, Overdue: m.Overdue, DueAt: m.DueAt,
				URL: "/cases/" + row.ID + "/media/" + f.Hash, DownloadURL: "/cases/" + row.ID + "/media/" + f.Hash + "/download",
				CSRF: sess.CSRF, RequestURL: "/cases/" + row.ID + "/requests"}
			if fv.Stored {
				fc := s.verify.file(f.Hash)
				fv.HashOK = fc.ok
			}
			as := displayAs(f)
			fv.Photo, fv.Audio, fv.Video = as == "photo", as == "audio", as == "video"
			fv.NeedsPlayApproval = isAV(f.Kind) && pol.AV && !approved[store.AccessPlay+"/"+f.Hash]
			fv.CanPlay = fv.Stored && !fv.NeedsPlayApproval
			fv.PlayPending = pending[store.AccessPlay+"/"+f.Hash]
			fv.DownloadApproved = !pol.Download || approved[store.AccessDownload+"/"+f.Hash]
			fv.DownloadPending = pending[store.AccessDownload+"/"+f.Hash]
			if !fileSeen[f.Hash] {
				fileSeen[f.Hash] = true
				tl.FilesAll++
				if fv.HashOK {
					tl.FilesOK++
				}
			}
			ev.Files = append(ev.Files, fv)
		}
		if ev.Check.OK() {
			tl.Verified++
		}
		tl.Entries = append(tl.Entries, ev)
	}
	if err := s.officeEntries(ctx, tl); err != nil {
		return nil, err
	}
	tl.CanConfirmFiling = s.filing && sess.Role() == auth.Supervisor &&
		slices.ContainsFunc(tl.Entries, func(e EntryView) bool { return e.Step == "on_spot_decision" }) &&
		!slices.ContainsFunc(tl.Office, func(e OfficeEntryView) bool { return e.Step == "on_spot_filed" })
	if tl.CanSeeLog {
		if tl.Register, err = s.st.AccessRecords(ctx, store.AccessFilter{CaseID: row.ID, Limit: 50}); err != nil {
			return nil, err
		}
	}
	return tl, nil
}

// officeEntries adds the case's office chain (the review steps, signed by
// the server) with the same checks as the terminal's entries.
func (s *Server) officeEntries(ctx context.Context, tl *Timeline) error {
	recs, err := s.st.CaseRecords(ctx, tl.Case.ID+store.OfficeChainSuffix)
	if errors.Is(err, store.ErrNotFound) || len(recs) == 0 {
		return nil
	}
	if err != nil {
		return err
	}
	checks, _, _, err := s.verify.checkEntries(ctx, recs)
	if err != nil {
		return err
	}
	for i, rec := range recs {
		e := rec.Entry
		v := OfficeEntryView{Seq: e.Seq, ID: e.ID, Hash: e.Hash, Step: e.Step, Label: orDefault(officeStepLabels[e.Step], e.Step), Check: checks[i]}
		v.At, _ = ledger.ParseTime(e.DeviceTime)
		if v.Check.OK() {
			tl.OfficeVerified++
		}
		tl.Office = append(tl.Office, v)
	}
	return nil
}

func hasBindingProblem(findings []string, seq int64, role string) bool {
	prefix := fmt.Sprintf("entry #%d ", seq)
	for _, f := range findings {
		if strings.Contains(f, prefix) && strings.Contains(f, role+" signature") {
			return true
		}
	}
	return false
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// entryFields renders an entry's payload: the step's form fields by the
// procedure definition, and the system entries' own payloads.
func (s *Server) entryFields(proc *enforce.Procedure, e ledger.Entry, redact bool, ev *EntryView) []FieldView {
	var raw map[string]json.RawMessage
	_ = json.Unmarshal(e.Payload, &raw)
	str := func(v json.RawMessage) string {
		var s string
		if json.Unmarshal(v, &s) == nil {
			return s
		}
		return strings.TrimSpace(string(v))
	}
	switch e.Step {
	case "case_open":
		var open struct {
			Procedure       string            `json:"procedure"`
			Version         int               `json:"procedure_version"`
			Party           string            `json:"party"`
			PartyKind       string            `json:"party_kind"`
			Source          string            `json:"source"`
			EmergencyReason string            `json:"emergency_reason"`
			Officers        []enforce.Officer `json:"officers"`
		}
		_ = json.Unmarshal(e.Payload, &open)
		kind := orDefault(nameOf(proc), open.Procedure)
		if open.Version > 0 {
			kind += fmt.Sprintf("（程序定义第 %d 版）", open.Version)
		}
		var out []FieldView
		for _, f := range []FieldView{{Label: "执法类型", Value: kind}, {Label: "当事人", Value: open.Party},
			{Label: "当事人类型", Value: partyKindLabel(open.PartyKind)}, {Label: "案件来源", Value: sourceLabel(open.Source)},
			{Label: "紧急情况说明", Value: open.EmergencyReason}} {
			if f.Value != "" {
				out = append(out, f)
			}
		}
		return out
	case "officer_join":
		var j struct {
			Officers []enforce.Officer `json:"officers"`
		}
		_ = json.Unmarshal(e.Payload, &j)
		var names []string
		for _, o := range j.Officers {
			names = append(names, o.Name+"（"+o.Cert+"）")
		}
		return []FieldView{{Label: "加入的执法人员", Value: strings.Join(names, "、")}}
	case "correction":
		var c struct {
			Reason string            `json:"reason"`
			Fields map[string]string `json:"fields"`
		}
		_ = json.Unmarshal(e.Payload, &c)
		ev.CorrectReason = c.Reason
		out := []FieldView{{Label: "更正理由", Value: c.Reason}}
		keys := make([]string, 0, len(c.Fields))
		for k := range c.Fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			out = append(out, FieldView{Label: "更正 " + k, Value: c.Fields[k]})
		}
		return out
	}
	var out []FieldView
	var fields map[string]json.RawMessage
	_ = json.Unmarshal(raw["fields"], &fields)
	var def *enforce.StepDef
	if proc != nil {
		if d, ok := proc.Step(e.Step); ok {
			def = d
		}
	}
	shown := map[string]bool{}
	if def != nil {
		for _, fd := range def.Fields {
			v, ok := fields[fd.Name]
			if !ok {
				continue
			}
			shown[fd.Name] = true
			fv := FieldView{Label: fd.Label}
			switch {
			case redact && thirdPartyFields[fd.Name]:
				fv.Value, fv.Hidden = "（当事人查阅：第三人信息已隐去）", true
			case fd.Type == enforce.FieldItems:
				var items []map[string]string
				_ = json.Unmarshal(v, &items)
				for _, col := range fd.Items {
					fv.Columns = append(fv.Columns, col.Label)
				}
				for _, it := range items {
					var cells []string
					for _, col := range fd.Items {
						cells = append(cells, it[col.Name])
					}
					fv.Items = append(fv.Items, cells)
				}
			case fd.Type == enforce.FieldBool:
				if str(v) == "true" {
					fv.Value = "是"
				} else {
					fv.Value = "否"
				}
			case fd.Type == enforce.FieldChoice:
				fv.Value = fd.OptionLabel(str(v), false)
			default:
				fv.Value = str(v)
			}
			out = append(out, fv)
		}
	}
	names := make([]string, 0, len(fields))
	for k := range fields {
		if !shown[k] {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	for _, k := range names {
		fv := FieldView{Label: k, Value: str(fields[k])}
		if redact && thirdPartyFields[k] {
			fv.Value, fv.Hidden = "（当事人查阅：第三人信息已隐去）", true
		}
		out = append(out, fv)
	}
	if rv, ok := raw["rights"]; ok {
		var rs struct {
			Ref   string `json:"ref"`
			Title string `json:"title"`
			Hash  string `json:"text_sha256"`
		}
		if json.Unmarshal(rv, &rs) == nil && rs.Ref != "" {
			out = append(out, FieldView{Label: "告知书", Value: fmt.Sprintf("%s（%s，文本 SHA-256 %.12s…）", rs.Title, rs.Ref, rs.Hash)})
		}
	}
	if cv, ok := raw["crew"]; ok {
		var crew []enforce.Officer
		if json.Unmarshal(cv, &crew) == nil && len(crew) > 0 {
			var parts []string
			for _, o := range crew {
				parts = append(parts, fmt.Sprintf("%s（执法证 %s，有效期至 %s）", o.Name, o.Cert, o.Expires))
			}
			out = append(out, FieldView{Label: "出示证件", Value: strings.Join(parts, "；")})
		}
	}
	return out
}

func nameOf(p *enforce.Procedure) string {
	if p == nil {
		return ""
	}
	return p.Name
}

func partyKindLabel(k string) string {
	switch k {
	case "person":
		return "自然人"
	case "org":
		return "法人或其他组织"
	}
	return k
}

func sourceLabel(s string) string {
	switch s {
	case "inspection":
		return "监督检查发现"
	case "complaint":
		return "投诉、举报"
	case "assigned":
		return "上级交办"
	case "transferred":
		return "其他机关移送"
	case "other":
		return "其他"
	}
	return s
}
