package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"lawtrace/backend/internal/store"
)

type requestsData struct {
	Pending []store.AccessRequest
	Recent  []store.AccessRequest
}

func (s *Server) requestsPage(w http.ResponseWriter, r *http.Request) error {
	pending, err := s.st.AccessRequests(r.Context(), store.RequestFilter{Status: store.RequestPending})
	if err != nil {
		return err
	}
	all, err := s.st.AccessRequests(r.Context(), store.RequestFilter{Limit: 100})
	if err != nil {
		return err
	}
	d := requestsData{Pending: pending}
	for _, q := range all {
		if q.Status != store.RequestPending {
			d.Recent = append(d.Recent, q)
		}
	}
	return s.Render(w, r, "requests", "调阅审批", d)
}

// decideRequest approves or refuses a request. Nobody decides their own
// request; the decision is a row of the register.
func (s *Server) decideRequest(w http.ResponseWriter, r *http.Request) error {
	sess := SessionOf(r)
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		return errNotFound("申请")
	}
	q, err := s.st.AccessRequest(r.Context(), id)
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound("申请")
	}
	if err != nil {
		return err
	}
	if q.AccountID == sess.Account.ID {
		s.security(r, "web_forbidden", fmt.Sprintf("账号 %s 试图审批本人提出的调阅申请（第 %d 号）", sess.Account.Username, q.ID))
		return &Error{Status: http.StatusForbidden, Msg: "不能审批本人提出的申请。"}
	}
	decision := r.PostFormValue("decision")
	note := strings.TrimSpace(r.PostFormValue("note"))
	if len([]rune(note)) > 500 {
		return errBad("审批意见不超过 500 字。")
	}
	now := s.cfg.Now()
	q.DecidedBy, q.Decider, q.DecidedAt, q.DecisionNote = sess.Account.ID, sess.Account.Name, now, note
	action := store.AccessApprove
	switch decision {
	case "approve":
		q.Status, q.ExpiresAt = store.RequestApproved, now.Add(s.cfg.Options.ApprovalTTL)
	case "deny":
		q.Status, action = store.RequestDenied, store.AccessDeny
	default:
		return errBad("请选择批准或不予批准。")
	}
	if err := s.st.DecideAccessRequest(r.Context(), q); errors.Is(err, store.ErrNotFound) {
		return s.redirect(w, r, "/access/requests", fmt.Sprintf("申请 #%d 已被处理。", q.ID))
	} else if err != nil {
		return err
	}
	reason := q.Reason
	if note != "" {
		reason += "；审批意见：" + note
	}
	if _, err := s.logAccess(r, store.AccessRecord{Action: action, CaseID: q.CaseID, MediaHash: q.MediaHash, Purpose: q.Purpose,
		Reason: reason, Approver: sess.Account.Name, RequestID: q.ID}); err != nil {
		return err
	}
	return s.redirect(w, r, "/access/requests", fmt.Sprintf("申请 #%d：%s。", q.ID, requestStatusLabel(q.Status)))
}
