package web

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"lawtrace/backend/internal/auth"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/ledger"
)

// The case page (SPEC D2): first the reason form (R7), then the timeline
// of every entry with its checks, signatures and files.

// caseFor loads a case's board row, with the findings of a full
// verification, and refuses an account that may not see it (an officer not
// on the case): the attempt is a security event and a row of the register.
func (s *Server) caseFor(r *http.Request) (*BoardRow, error) {
	id := r.PathValue("id")
	if !validCaseID(id) {
		s.security(r, "web_bad_path", "异常的案件编号 "+printable(id)+"，请求 "+r.Method+" "+printable(r.URL.Path))
		return nil, errNotFound("案件")
	}
	rows, err := s.boardRows(r.Context(), []string{id})
	if err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, errNotFound("案件")
	}
	// The case pages verify the whole case again (kept until it grows),
	// not trusting the board's verdict kept entry by entry.
	row := new(BoardRow)
	*row = *rows[0]
	if findings, ok := s.verify.caseFindings(r.Context(), id, row.Entries); ok {
		row.Findings = findings
	}
	sess := SessionOf(r)
	if !visible(sess, row) {
		s.security(r, "web_forbidden", fmt.Sprintf("账号 %s（%s）不是案件 %s 的执法人员，访问 %s 被拒绝", sess.Account.Username, sess.Role().Label(), id, r.URL.Path))
		if _, err := s.logAccess(r, store.AccessRecord{Action: store.AccessRefused, CaseID: id, Reason: "非本人承办案件"}); err != nil {
			return nil, err
		}
		return nil, &Error{Status: http.StatusForbidden, Msg: "您不是本案的执法人员，无权查看。此次访问已记录。"}
	}
	return row, nil
}

func validCaseID(id string) bool {
	if id == "" || len(id) > 100 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return id != "." && id != ".."
}

func validHash(h string) bool { return len(h) == 64 && strings.Trim(h, "0123456789abcdef") == "" }

type reasonData struct {
	Case     *BoardRow
	Purposes []option
	Approved []store.AccessRequest
	Pending  []store.AccessRequest
	Error    string
	Purpose  string
	Reason   string
}

func (s *Server) casePage(w http.ResponseWriter, r *http.Request) error {
	row, err := s.caseFor(r)
	if err != nil {
		return err
	}
	sess := SessionOf(r)
	grant, err := s.st.ActiveGrant(r.Context(), sess.Account.ID, row.ID, s.cfg.Now())
	if errors.Is(err, store.ErrNotFound) {
		return s.reasonForm(w, r, http.StatusOK, row, reasonData{})
	}
	if err != nil {
		return err
	}
	tl, err := s.Timeline(r.Context(), row, grant, sess)
	if err != nil {
		return err
	}
	return s.Render(w, r, "case", "案件 "+row.ID, tl)
}

func (s *Server) reasonForm(w http.ResponseWriter, r *http.Request, status int, row *BoardRow, d reasonData) error {
	sess := SessionOf(r)
	reqs, err := s.st.AccessRequests(r.Context(), store.RequestFilter{AccountID: sess.Account.ID, CaseID: row.ID})
	if err != nil {
		return err
	}
	now := s.cfg.Now()
	for _, q := range reqs {
		switch {
		case q.Action != store.AccessView:
		case q.Status == store.RequestApproved && now.Before(q.ExpiresAt):
			d.Approved = append(d.Approved, q)
		case q.Status == store.RequestPending:
			d.Pending = append(d.Pending, q)
		}
	}
	d.Case, d.Purposes = row, purposes
	if d.Purpose == "" {
		d.Purpose = defaultPurpose(sess.Role())
	}
	return s.renderStatus(w, r, status, "case_reason", "调阅事由", d)
}

func defaultPurpose(r auth.Role) string {
	switch r {
	case auth.Reviewer:
		return "review"
	case auth.Supervisor:
		return "supervision"
	}
	return "case"
}

// caseAccess takes the reason and opens the case for GrantTTL, or files a
// request when the purpose needs approval, or uses an approved request.
func (s *Server) caseAccess(w http.ResponseWriter, r *http.Request) error {
	row, err := s.caseFor(r)
	if err != nil {
		return err
	}
	sess := SessionOf(r)
	ctx := r.Context()
	now := s.cfg.Now()
	grant := store.AccessGrant{AccountID: sess.Account.ID, CaseID: row.ID, CreatedAt: now, ExpiresAt: now.Add(s.cfg.Options.GrantTTL)}
	if rid := r.PostFormValue("request"); rid != "" {
		id, _ := strconv.ParseInt(rid, 10, 64)
		q, err := s.st.AccessRequest(ctx, id)
		if err != nil || q.AccountID != sess.Account.ID || q.CaseID != row.ID || q.Action != store.AccessView ||
			q.Status != store.RequestApproved || !now.Before(q.ExpiresAt) {
			return errBad("该审批申请不可用（未批准、已过期或不属于本人）。")
		}
		grant.Purpose, grant.Reason, grant.Approver, grant.RequestID = q.Purpose, q.Reason, q.Decider, q.ID
	} else {
		purpose := r.PostFormValue("purpose")
		reason, err := checkReason(purpose, r.PostFormValue("reason"))
		if err != nil {
			var pe *Error
			errors.As(err, &pe)
			return s.reasonForm(w, r, http.StatusBadRequest, row, reasonData{Error: pe.Msg, Purpose: purpose, Reason: r.PostFormValue("reason")})
		}
		if purposeNeedsApproval(purpose) {
			q, err := s.st.CreateAccessRequest(ctx, store.AccessRequest{At: now, AccountID: sess.Account.ID, Requester: sess.Account.Name,
				CaseID: row.ID, Action: store.AccessView, Purpose: purpose, Reason: reason})
			if err != nil {
				return err
			}
			if _, err := s.logAccess(r, store.AccessRecord{Action: store.AccessAsk, CaseID: row.ID, Purpose: purpose, Reason: reason, RequestID: q.ID}); err != nil {
				return err
			}
			return s.redirect(w, r, "/cases/"+row.ID, fmt.Sprintf("调阅申请 #%d 已提交，负责人批准后方可查看（003 §30）。", q.ID))
		}
		grant.Purpose, grant.Reason = purpose, reason
	}
	g, err := s.st.CreateGrant(ctx, grant)
	if err != nil {
		return err
	}
	if _, err := s.logAccess(r, store.AccessRecord{Action: store.AccessView, CaseID: row.ID, Purpose: g.Purpose, Reason: g.Reason,
		Approver: g.Approver, RequestID: g.RequestID, GrantID: g.ID}); err != nil {
		return err
	}
	return s.redirect(w, r, "/cases/"+row.ID, "")
}

// caseRequest files a request for an access that needs approval: a copy
// of an original, or playback where the agency requires it.
func (s *Server) caseRequest(w http.ResponseWriter, r *http.Request) error {
	row, err := s.caseFor(r)
	if err != nil {
		return err
	}
	sess := SessionOf(r)
	action, hash := r.PostFormValue("action"), r.PostFormValue("hash")
	if action != store.AccessDownload && action != store.AccessPlay {
		return errBad("未知的申请事项。")
	}
	if !validHash(hash) {
		return errBad("文件标识无效。")
	}
	if !s.caseHasFile(r.Context(), row.ID, hash) {
		return errNotFound("文件")
	}
	purpose := r.PostFormValue("purpose")
	if purpose == "" {
		if g, err := s.st.ActiveGrant(r.Context(), sess.Account.ID, row.ID, s.cfg.Now()); err == nil {
			purpose = g.Purpose
		}
	}
	reason, err := checkReason(purpose, r.PostFormValue("reason"))
	if err != nil {
		return err
	}
	q, err := s.st.CreateAccessRequest(r.Context(), store.AccessRequest{At: s.cfg.Now(), AccountID: sess.Account.ID, Requester: sess.Account.Name,
		CaseID: row.ID, Action: action, MediaHash: hash, Purpose: purpose, Reason: reason})
	if err != nil {
		return err
	}
	if _, err := s.logAccess(r, store.AccessRecord{Action: store.AccessAsk, CaseID: row.ID, MediaHash: hash, Purpose: purpose, Reason: reason, RequestID: q.ID}); err != nil {
		return err
	}
	return s.redirect(w, r, "/cases/"+row.ID+"#file-"+hash[:12], fmt.Sprintf("申请 #%d 已提交，等待负责人审批。", q.ID))
}

func (s *Server) caseHasFile(ctx context.Context, caseID, hash string) bool {
	files, err := s.st.CaseMedia(ctx, caseID, s.cfg.Now())
	if err != nil {
		return false
	}
	for _, f := range files {
		if f.Hash == hash {
			return true
		}
	}
	return s.officeFiles != nil && slices.Contains(s.officeFiles(ctx, caseID), hash)
}

// fileMeta finds what the case's entries say about a file.
func (s *Server) fileMeta(ctx context.Context, caseID, hash string) (ledger.File, bool, error) {
	recs, err := s.st.CaseRecords(ctx, caseID)
	if err != nil {
		return ledger.File{}, false, err
	}
	for _, rec := range recs {
		p, _ := ledger.DecodePayload(rec.Entry.Payload)
		for _, f := range p.Files {
			if f.Hash == hash {
				return f, true, nil
			}
		}
	}
	return ledger.File{}, false, nil
}

// inlineTypes are the types a browser may show inline; anything else is
// served as a download of application/octet-stream, so a stored file can
// never run as a page of this site.
var inlineTypes = map[string]bool{
	"image/png": true, "image/jpeg": true, "image/webp": true, "image/gif": true,
	"audio/wav": true, "audio/x-wav": true, "audio/wave": true, "audio/mpeg": true, "audio/mp4": true, "audio/x-m4a": true,
	"audio/aac": true, "audio/ogg": true, "audio/webm": true,
	"video/mp4": true, "video/webm": true, "video/ogg": true, "video/quicktime": true,
	"application/pdf": true,
}

// declaredType is the type an entry declared for a file (its MIME type, or
// its name's extension), "" if it is not one a browser may show inline.
func declaredType(f ledger.File) string {
	t := strings.ToLower(strings.TrimSpace(f.Mime))
	if i := strings.IndexByte(t, ';'); i >= 0 {
		t = strings.TrimSpace(t[:i])
	}
	if t == "" || t == "application/octet-stream" {
		t = mime.TypeByExtension(strings.ToLower(path.Ext(f.Name)))
		if i := strings.IndexByte(t, ';'); i >= 0 {
			t = t[:i]
		}
	}
	if inlineTypes[t] {
		return t
	}
	return ""
}

// contentType is the declared type of a file if a browser may show it
// inline, else application/octet-stream (to be sent as an attachment).
func contentType(f ledger.File) (string, bool) {
	if t := declaredType(f); t != "" {
		return t, true
	}
	return "application/octet-stream", false
}

// serveType decides how to serve a file: the declared type, else the type
// sniffed from its first bytes, if a browser may show it inline;
// otherwise application/octet-stream as an attachment.
func serveType(f ledger.File, head []byte) (string, bool) {
	if t, ok := contentType(f); ok {
		return t, true
	}
	t := http.DetectContentType(head)
	if i := strings.IndexByte(t, ';'); i >= 0 {
		t = t[:i]
	}
	if inlineTypes[t] {
		return t, true
	}
	return "application/octet-stream", false
}

// displayAs says how the timeline shows a file: photo, audio, video or "".
func displayAs(f ledger.File) string {
	t := declaredType(f)
	switch {
	case strings.HasPrefix(t, "image/"):
		return "photo"
	case strings.HasPrefix(t, "audio/"):
		return "audio"
	case strings.HasPrefix(t, "video/"):
		return "video"
	case t == "" && f.Mime == "" && (f.Kind == ledger.KindPhoto || f.Kind == ledger.KindAudio || f.Kind == ledger.KindVideo):
		return map[string]string{ledger.KindPhoto: "photo", ledger.KindAudio: "audio", ledger.KindVideo: "video"}[f.Kind]
	}
	return ""
}

func isAV(kind string) bool { return kind == ledger.KindAudio || kind == ledger.KindVideo }

// mediaAccess checks everything a file request needs and returns the
// file's description and the grant it is read under.
func (s *Server) mediaAccess(r *http.Request) (*BoardRow, ledger.File, store.AccessGrant, error) {
	var g store.AccessGrant
	hash := r.PathValue("hash")
	if !validHash(hash) {
		s.security(r, "web_bad_path", "异常的文件路径 "+printable(r.URL.EscapedPath()))
		return nil, ledger.File{}, g, errNotFound("文件")
	}
	row, err := s.caseFor(r)
	if err != nil {
		return nil, ledger.File{}, g, err
	}
	f, ok, err := s.fileMeta(r.Context(), row.ID, hash)
	if err != nil {
		return nil, f, g, err
	}
	if !ok {
		s.security(r, "web_bad_path", "文件 "+hash[:12]+" 不属于案件 "+row.ID)
		return nil, f, g, errNotFound("文件")
	}
	sess := SessionOf(r)
	g, err = s.st.ActiveGrant(r.Context(), sess.Account.ID, row.ID, s.cfg.Now())
	if errors.Is(err, store.ErrNotFound) {
		return nil, f, g, &Error{Status: http.StatusForbidden, Msg: "请先在案件页面填写调阅事由。"}
	}
	return row, f, g, err
}

// previewType is the type a file is shown under in the browser (declared,
// else sniffed from its first bytes) and whether it is one a browser shows
// inline at all.
func (s *Server) previewType(f ledger.File) (string, bool, error) {
	if t, ok := contentType(f); ok {
		return t, true, nil
	}
	rc, err := s.cfg.Blobs.Open(f.Hash)
	if err != nil {
		return "", false, &Error{Status: http.StatusNotFound, Msg: "文件尚未上传到服务器。"}
	}
	defer rc.Close()
	buf := make([]byte, 512)
	n, _ := io.ReadFull(rc, buf)
	t, ok := serveType(f, buf[:n])
	return t, ok, nil
}

// caseMedia shows a file in the page (查看): only a type the browser
// previews inline — a photo, a recording for the player, a PDF. A file
// the browser cannot preview would only be saved, which is taking a copy
// of the original (R7, 003 §28): that is /download, with its approval
// (issue 13 finding 4).
func (s *Server) caseMedia(w http.ResponseWriter, r *http.Request) error {
	row, f, g, err := s.mediaAccess(r)
	if err != nil {
		return err
	}
	ctype, inline, err := s.previewType(f)
	if err != nil {
		return err
	}
	if !inline {
		return &Error{Status: http.StatusForbidden, Msg: "此文件无法在浏览器中查看。取得原始文件属于复制，请在案件页面使用「下载原件」" +
			"（须经负责人批准的，先提出申请，003 §28）。"}
	}
	ctx := r.Context()
	signature := f.Kind == ledger.KindSignImage || f.Kind == ledger.KindSignStrokes
	rec := store.AccessRecord{Action: store.AccessPlay, CaseID: row.ID, MediaHash: f.Hash, Purpose: g.Purpose, Reason: g.Reason,
		Approver: g.Approver, RequestID: g.RequestID, GrantID: g.ID}
	if isAV(f.Kind) {
		pol, err := s.policy(ctx)
		if err != nil {
			return err
		}
		if pol.AV {
			q, ok, err := s.approvedRequest(ctx, SessionOf(r).Account.ID, row.ID, store.AccessPlay, f.Hash)
			if err != nil {
				return err
			}
			if !ok {
				return &Error{Status: http.StatusForbidden, Msg: "本机关规定播放音视频须经负责人批准，请先在案件页面提出申请。"}
			}
			rec.Approver, rec.RequestID = q.Decider, q.ID
		}
	}
	// A signature is part of the record the view already logged; a file
	// is logged once per grant (a video's range requests are one playback).
	if !signature {
		if err := s.logPlayOnce(r, rec); err != nil {
			return err
		}
	}
	return s.serveBlob(w, r, f, ctype, "inline")
}

func (s *Server) caseDownload(w http.ResponseWriter, r *http.Request) error {
	row, f, g, err := s.mediaAccess(r)
	if err != nil {
		return err
	}
	if err := s.registerCopy(r, row.ID, f.Hash, g); err != nil {
		return err
	}
	return s.serveBlob(w, r, f, "application/octet-stream", "attachment")
}

// registerCopy admits taking a copy of an original under grant g — with
// the head's approval where the agency's policy asks for it (003 §28) —
// and registers it as 复制 naming the approver (R7).
func (s *Server) registerCopy(r *http.Request, caseID, hash string, g store.AccessGrant) error {
	ctx := r.Context()
	pol, err := s.policy(ctx)
	if err != nil {
		return err
	}
	rec := store.AccessRecord{Action: store.AccessDownload, CaseID: caseID, MediaHash: hash, Purpose: g.Purpose, Reason: g.Reason,
		Approver: g.Approver, RequestID: g.RequestID, GrantID: g.ID}
	if pol.Download {
		q, ok, err := s.approvedRequest(ctx, SessionOf(r).Account.ID, caseID, store.AccessDownload, hash)
		if err != nil {
			return err
		}
		if !ok {
			return &Error{Status: http.StatusForbidden, Msg: "复制原始记录须经负责人批准（003 §28），请先在案件页面提出申请。"}
		}
		rec.Approver, rec.RequestID, rec.Reason, rec.Purpose = q.Decider, q.ID, q.Reason, q.Purpose
	}
	_, err = s.logAccess(r, rec)
	return err
}

// serveBlob sends a stored file with range support (http.ServeContent).
// With no ctype the type is decided by serveType, inline if a browser
// may show it, else as an attachment.
func (s *Server) serveBlob(w http.ResponseWriter, r *http.Request, f ledger.File, ctype, disposition string) error {
	rc, err := s.cfg.Blobs.Open(f.Hash)
	if err != nil {
		return &Error{Status: http.StatusNotFound, Msg: "文件尚未上传到服务器。"}
	}
	defer rc.Close()
	rs, seekable := rc.(io.ReadSeeker)
	if ctype == "" {
		var head []byte
		if seekable {
			buf := make([]byte, 512)
			n, _ := io.ReadFull(rs, buf)
			head = buf[:n]
			if _, err := rs.Seek(0, io.SeekStart); err != nil {
				return err
			}
		}
		inline := false
		ctype, inline = serveType(f, head)
		disposition = "attachment"
		if inline {
			disposition = "inline"
		}
	}
	name := f.Name
	if name == "" {
		name = f.Hash[:12] + extFor(ctype)
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Content-Disposition", disposition+"; filename*=UTF-8''"+url.PathEscape(name))
	h.Set("Cache-Control", "private, no-store")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("ETag", `"`+f.Hash+`"`)
	if seekable {
		http.ServeContent(w, r, "", time.Time{}, rs)
		return nil
	}
	w.Header().Set("Accept-Ranges", "none")
	_, err = io.Copy(w, rc)
	return err
}

func extFor(ctype string) string {
	if exts, _ := mime.ExtensionsByType(ctype); len(exts) > 0 {
		return exts[0]
	}
	return ""
}

// logPlayOnce logs a file's playback once per grant: a video's range
// requests, sent in parallel, are one playback.
func (s *Server) logPlayOnce(r *http.Request, rec store.AccessRecord) error {
	s.playMu.Lock()
	defer s.playMu.Unlock()
	logged, err := s.st.AccessLogged(r.Context(), rec.GrantID, store.AccessPlay, rec.MediaHash)
	if err != nil || logged {
		return err
	}
	_, err = s.logAccess(r, rec)
	return err
}
