package web

import (
	"context"
	"encoding/csv"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"lawtrace/backend/internal/auth"
	"lawtrace/backend/internal/store"
)

// The access register (调阅登记, SPEC R7): nobody sees a case's records
// without first saying why; every view, playback and download is a row of
// the register with who, when, why and — where the agency's rules require
// it — who approved (003 §28). Party access and requests of other
// authorities always need a head's approval and hide third parties
// (003 §30).

// Purposes of an access, in the order the form offers them.
var purposes = []option{
	{"case", "办案需要"},
	{"supervision", "执法监督检查"},
	{"review", "法制审核"},
	{"evaluation", "案卷评查"},
	{"party", "当事人申请查阅、复制（须负责人批准）"},
	{"authority", "司法、监察、审计等机关依法调阅（须负责人批准）"},
	{"other", "其他"},
}

func purposeLabel(p string) string {
	for _, o := range purposes {
		if o.Value == p {
			if i := strings.Index(o.Label, "（"); i > 0 {
				return o.Label[:i]
			}
			return o.Label
		}
	}
	return p
}

// purposeNeedsApproval: 003 §30 — records are internal; disclosure to the
// party or another authority needs the head's approval.
func purposeNeedsApproval(p string) bool { return p == "party" || p == "authority" }

// redacted reports whether third parties are hidden (003 §30: a party
// reading its own case does not learn informants, complainants or other
// third parties).
func redacted(purpose string) bool { return purpose == "party" }

func actionLabel(a string) string {
	switch a {
	case store.AccessView:
		return "查看案卷"
	case store.AccessPlay:
		return "查看/播放文件"
	case store.AccessDownload:
		return "下载/复制原件"
	case store.AccessExport:
		return "导出调阅登记"
	case store.AccessAsk:
		return "申请审批"
	case store.AccessApprove:
		return "批准"
	case store.AccessDeny:
		return "不予批准"
	case store.AccessRefused:
		return "越权访问（已拒绝）"
	}
	return a
}

func requestStatusLabel(s string) string {
	switch s {
	case store.RequestPending:
		return "待审批"
	case store.RequestApproved:
		return "已批准"
	case store.RequestDenied:
		return "不予批准"
	}
	return s
}

// Agency rules, kept as settings and changed on /admin/settings.
const (
	settingApproveDownload = "web.approve_download" // copies of originals need approval (default on)
	settingApproveAV       = "web.approve_av"       // audio/video playback needs approval (default off)
)

// Policy is which accesses need a head's approval.
type Policy struct {
	Download bool
	AV       bool
}

func (s *Server) policy(ctx context.Context) (Policy, error) {
	d, err := s.st.Setting(ctx, settingApproveDownload)
	if err != nil {
		return Policy{}, err
	}
	av, err := s.st.Setting(ctx, settingApproveAV)
	if err != nil {
		return Policy{}, err
	}
	return Policy{Download: d != "0", AV: av == "1"}, nil
}

// logAccess writes a register row for the signed-in account.
func (s *Server) logAccess(r *http.Request, rec store.AccessRecord) (store.AccessRecord, error) {
	sess := SessionOf(r)
	rec.At = s.cfg.Now()
	rec.AccountID, rec.Username, rec.Name, rec.Role = sess.Account.ID, sess.Account.Username, sess.Account.Name, sess.Account.Role
	rec.Remote = remoteIP(r)
	return s.st.AppendAccess(context.WithoutCancel(r.Context()), rec)
}

// checkReason validates a stated purpose and reason.
func checkReason(purpose, reason string) (string, error) {
	reason = strings.TrimSpace(reason)
	if !slices.ContainsFunc(purposes, func(o option) bool { return o.Value == purpose }) {
		return "", errBad("请选择调阅用途。")
	}
	if utf8.RuneCountInString(reason) < 4 {
		return "", errBad("请填写调阅事由（至少 4 个字）。")
	}
	if utf8.RuneCountInString(reason) > 500 {
		return "", errBad("调阅事由不超过 500 字。")
	}
	return reason, nil
}

// approvedRequest finds an approved, unexpired request of the account for
// this action on the case (and file).
func (s *Server) approvedRequest(ctx context.Context, accountID int64, caseID, action, hash string) (store.AccessRequest, bool, error) {
	reqs, err := s.st.AccessRequests(ctx, store.RequestFilter{AccountID: accountID, CaseID: caseID, Status: store.RequestApproved})
	if err != nil {
		return store.AccessRequest{}, false, err
	}
	now := s.cfg.Now()
	for _, q := range reqs {
		if q.Action == action && q.MediaHash == hash && now.Before(q.ExpiresAt) {
			return q, true, nil
		}
	}
	return store.AccessRequest{}, false, nil
}

type registerData struct {
	Records []store.AccessRecord
	Filter  registerFilter
	Chain   []string // problems with the register's own chain
	Total   int
	Actions []option
	Pager   pager
}

type registerFilter struct {
	Case, User, Action, From, To string
}

func (s *Server) registerFilter(r *http.Request) (store.AccessFilter, registerFilter, error) {
	q := r.URL.Query()
	rf := registerFilter{Case: strings.TrimSpace(q.Get("case")), User: strings.TrimSpace(q.Get("user")), Action: q.Get("action"), From: q.Get("from"), To: q.Get("to")}
	f := store.AccessFilter{CaseID: rf.Case, Action: rf.Action}
	if rf.User != "" {
		a, err := s.st.AccountByUsername(r.Context(), rf.User)
		if err != nil {
			f.AccountID = -1 // nobody
		} else {
			f.AccountID = a.ID
		}
	}
	var err error
	f.From, f.To, err = dayRange(rf.From, rf.To)
	return f, rf, err
}

// verifyRegister checks the register's hash chain from its first row.
func (s *Server) verifyRegister(ctx context.Context) ([]string, int, error) {
	all, err := s.st.AccessRecords(ctx, store.AccessFilter{Ascending: true})
	if err != nil {
		return nil, 0, err
	}
	var problems []string
	prev := ""
	for i, rec := range all {
		if i == 0 {
			prev = rec.PrevHash
		}
		if rec.PrevHash != prev || rec.ChainHash() != rec.Hash {
			problems = append(problems, "第 "+itoa(rec.ID)+" 条登记与链不符（被改动或其前一条被删除）")
		}
		prev = rec.Hash
	}
	return problems, len(all), nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func (s *Server) registerPage(w http.ResponseWriter, r *http.Request) error {
	f, rf, err := s.registerFilter(r)
	if err != nil {
		return err
	}
	recs, err := s.st.AccessRecords(r.Context(), f)
	if err != nil {
		return err
	}
	d := registerData{Filter: rf, Pager: newPager(r.URL.Query(), len(recs), 100)}
	from, to := d.Pager.bounds()
	d.Records = recs[from:to]
	if d.Chain, d.Total, err = s.verifyRegister(r.Context()); err != nil {
		return err
	}
	for _, a := range []string{store.AccessView, store.AccessPlay, store.AccessDownload, store.AccessAsk, store.AccessApprove, store.AccessDeny, store.AccessRefused, store.AccessExport} {
		d.Actions = append(d.Actions, option{a, actionLabel(a)})
	}
	return s.Render(w, r, "register", "调阅登记", d)
}

// csvCell guards a spreadsheet cell against formula injection.
func csvCell(v string) string {
	if v != "" && strings.ContainsRune("=+-@\t\r", rune(v[0])) {
		return "'" + v
	}
	return v
}

func (s *Server) registerCSV(w http.ResponseWriter, r *http.Request) error {
	f, rf, err := s.registerFilter(r)
	if err != nil {
		return err
	}
	recs, err := s.st.AccessRecords(r.Context(), f)
	if err != nil {
		return err
	}
	if _, err := s.logAccess(r, store.AccessRecord{Action: store.AccessExport, CaseID: rf.Case,
		Reason: "导出 " + itoa(int64(len(recs))) + " 条调阅登记"}); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="access-register-`+s.cfg.Now().In(chinaTime).Format("20060102-150405")+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := newCSV(w)
	cw.row("编号", "时间", "调阅人账号", "调阅人", "角色", "事项", "案件", "文件 SHA-256", "用途", "事由", "审批人", "审批申请", "来源地址", "登记哈希")
	for _, rec := range recs {
		req := ""
		if rec.RequestID != 0 {
			req = itoa(rec.RequestID)
		}
		cw.row(itoa(rec.ID), rec.At.In(chinaTime).Format("2006-01-02 15:04:05"), rec.Username, rec.Name, auth.Role(rec.Role).Label(),
			actionLabel(rec.Action), rec.CaseID, rec.MediaHash, purposeLabel(rec.Purpose), rec.Reason, rec.Approver, req, rec.Remote, rec.Hash)
	}
	return cw.flush()
}

// csvOut writes a CSV that spreadsheet programs open as UTF-8 (with a BOM),
// every cell guarded against formulas.
type csvOut struct{ w *csv.Writer }

func newCSV(w io.Writer) *csvOut {
	_, _ = io.WriteString(w, "\ufeff")
	return &csvOut{w: csv.NewWriter(w)}
}

func (c *csvOut) row(cells ...string) {
	for i := range cells {
		cells[i] = csvCell(cells[i])
	}
	_ = c.w.Write(cells)
}

func (c *csvOut) flush() error {
	c.w.Flush()
	return c.w.Error()
}
