package web

import (
	"context"
	"math"
	"mime/multipart"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"lawtrace/backend/internal/reviewsrv"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/review"
)

// The handler's pages of the legal review (issue 6, SPEC L1 L2 L5), on the
// review page of a case: propose a decision (which catalog rules match,
// whether review is required), submit the materials (the case's evidence
// and uploaded documents; a refusal lists what is missing) and, for the
// head, record the decision — refused on screen with the article while the
// review has not agreed. Every step is a reviewsrv call; the service checks
// the role and the crew itself.

// handlerForms is what the handler's forms show.
type handlerForms struct {
	CanPropose, CanSubmit, CanDecide bool
	Procedure, PartyKind             string
	Measures, Flags                  []option
	Proposal                         review.Proposal // the recorded proposal or what was entered
	Summary                          string
	Uploads                          []review.Material // materials uploaded on the form
	Evidence                         []store.CaseMediaFile
	Chosen                           []string // evidence hashes chosen
	Explain                          []option // Value: the form's text, Label: the item; ID in explainIDs
	ExplainIDs                       []string
	NeedsCollective                  bool
	Approver                         string
}

// handlerInput is what a refused handler form carried, shown again.
type handlerInput struct {
	Proposal *review.Proposal
	Summary  string
	Evidence []string
	Explain  map[string]string
}

func (p *reviewPages) handlerForms(ctx context.Context, r *http.Request, st *reviewsrv.State, row *BoardRow, in *handlerInput) (*handlerForms, error) {
	u := userOf(SessionOf(r))
	open := st.Decision == nil
	state := st.Review.State
	h := &handlerForms{
		CanPropose: open && u.Can(reviewsrv.Handlers) && (state == "" || state == review.StateNotSubmitted || state == review.StateReturned),
		CanDecide:  open && u.Can(reviewsrv.Heads) && st.Proposal != nil,
		Procedure:  row.Type, PartyKind: partyKindLabel(st.Case.PartyKind), Summary: st.Summary,
		NeedsCollective: st.Required || st.Review.Rounds > 0, Approver: u.Name,
	}
	h.CanSubmit = h.CanPropose && st.Proposal != nil
	if !h.CanPropose && !h.CanDecide {
		return h, nil
	}
	if st.Proposal != nil {
		h.Proposal = *st.Proposal
	}
	if in != nil && in.Proposal != nil {
		h.Proposal, h.Summary = *in.Proposal, in.Summary
	}
	h.Measures = sortedOptions(review.Measures)
	h.Flags = sortedOptions(review.Flags)
	for _, m := range review.Materials {
		if m.ID != "proposal" {
			h.Uploads = append(h.Uploads, m)
		}
	}
	media, err := p.s.st.CaseMedia(ctx, row.ID, p.s.cfg.Now())
	if err != nil {
		return nil, err
	}
	for _, m := range media {
		if m.Stored {
			h.Evidence = append(h.Evidence, m)
		}
	}
	for _, it := range reviewsrv.ExplanationItems {
		v := ""
		if in != nil {
			v = in.Explain[it.ID]
		}
		h.Explain = append(h.Explain, option{Value: v, Label: it.Label})
		h.ExplainIDs = append(h.ExplainIDs, it.ID)
	}
	if in != nil {
		h.Chosen = in.Evidence
	}
	return h, nil
}

func sortedOptions(m map[string]string) []option {
	out := make([]option, 0, len(m))
	for k, v := range m {
		out = append(out, option{Value: k, Label: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Value < out[j].Value })
	return out
}

// refusedHandler shows the page again with the service's refusal.
func (p *reviewPages) refusedHandler(w http.ResponseWriter, r *http.Request, err error, in *handlerInput) error {
	status, body := reviewsrv.StatusOf(err)
	if status == http.StatusInternalServerError {
		return err
	}
	return p.render(w, r, status, nil, &body, in)
}

// proposalOf reads the proposal form; a fine amount that is not a plain
// number of yuan is refused (issue 13: it used to become 0, and "NaN"
// passed).
func proposalOf(r *http.Request) (review.Proposal, string, error) {
	var pr review.Proposal
	pr.Measures = append(pr.Measures, r.PostForm["measure"]...)
	pr.Flags = append(pr.Flags, r.PostForm["flag"]...)
	fine, err := parseFine(r.PostFormValue("fine"))
	if err != nil {
		return pr, "", err
	}
	pr.Fine = fine
	pr.HearingHeld = r.PostFormValue("hearing_held") == "yes"
	pr.Assessed = r.PostFormValue("assessed") == "yes"
	return pr, strings.TrimSpace(r.PostFormValue("summary")), nil
}

// maxFine bounds a fine amount typed into the form (10^12 yuan; far
// above any statutory maximum, far below where float64 loses the fen).
const maxFine = 1e12

// parseFine reads a fine amount in yuan: empty is no fine; otherwise
// digits with at most two decimals (full-width digits and 「元」 and
// thousands separators accepted), not negative, not beyond maxFine.
func parseFine(in string) (float64, error) {
	v := strings.TrimSpace(strings.Map(func(c rune) rune {
		switch {
		case c >= '０' && c <= '９':
			return '0' + (c - '０')
		case c == '．':
			return '.'
		case c == ',' || c == '，' || c == ' ' || c == '　':
			return -1
		}
		return c
	}, in))
	v = strings.TrimSuffix(v, "元")
	if v == "" {
		return 0, nil
	}
	bad := errBad("罚款金额「" + printableCut(in) + "」无法识别：请填写以元为单位的金额，如 5000 或 5000.50（最多两位小数，不能为负数）。")
	whole, frac, dot := strings.Cut(v, ".")
	if whole == "" || strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" || len(frac) > 2 || (dot && frac == "") {
		return 0, bad
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return 0, bad
	}
	if f > maxFine {
		return 0, errBad("罚款金额「" + printableCut(in) + "」超出可受理的范围，请核对。")
	}
	return f, nil
}

// printableCut shows a typed value in a message: control characters
// dropped, at most 20 characters.
func printableCut(s string) string {
	r := []rune(strings.Map(func(c rune) rune {
		if c < 0x20 || c == 0x7f {
			return -1
		}
		return c
	}, s))
	if len(r) > 20 {
		return string(r[:20]) + "…"
	}
	return string(r)
}

func (p *reviewPages) propose(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return errBad("表单无法读取。")
	}
	pr, summary, err := proposalOf(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	st, err := p.svc.Propose(r.Context(), userOf(SessionOf(r)), id, reviewsrv.ProposalRequest{Proposal: pr, Summary: summary})
	if err != nil {
		return p.refusedHandler(w, r, err, &handlerInput{Proposal: &pr, Summary: summary})
	}
	msg := "拟作出的决定已记录：按审核目录无需法制审核。"
	if st.Required {
		msg = "拟作出的决定已记录：须经法制审核（" + strconv.Itoa(len(st.Matches)) + " 条规则）。"
	}
	return p.s.redirect(w, r, "/review/cases/"+id, msg)
}

// upload stores the files of a form field as review materials.
func (p *reviewPages) upload(ctx context.Context, u reviewsrv.User, id string, fhs []*multipart.FileHeader) ([]string, error) {
	var out []string
	for _, fh := range fhs {
		if fh.Size == 0 && fh.Filename == "" {
			continue
		}
		f, err := fh.Open()
		if err != nil {
			return nil, err
		}
		lf, err := p.svc.Upload(ctx, u, id, fh.Filename, f)
		f.Close()
		if err != nil {
			return nil, err
		}
		out = append(out, lf.Hash)
	}
	return out, nil
}

func multipartFiles(r *http.Request, name string) []*multipart.FileHeader {
	if r.MultipartForm == nil {
		return nil
	}
	return r.MultipartForm.File[name]
}

func (p *reviewPages) submit(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		return errBad("表单无法读取（请以文件上传方式提交）。")
	}
	ctx := r.Context()
	u := userOf(SessionOf(r))
	id := r.PathValue("id")
	in := &handlerInput{Explain: map[string]string{}}
	for _, h := range r.PostForm["evidence"] {
		if validHash(h) && !slices.Contains(in.Evidence, h) {
			in.Evidence = append(in.Evidence, h)
		}
	}
	for _, it := range reviewsrv.ExplanationItems {
		in.Explain[it.ID] = strings.TrimSpace(r.PostFormValue("ex_" + it.ID))
	}
	ex := reviewsrv.Explanation{BasicFacts: in.Explain["basic_facts"], LawAndDiscretion: in.Explain["law_and_discretion"],
		OfficerQualification: in.Explain["officer_qualification"], InvestigationAndHearing: in.Explain["investigation_and_hearing"], Other: in.Explain["other"]}
	var mats []reviewsrv.MaterialRef
	for _, m := range review.Materials {
		if m.ID == "proposal" {
			continue
		}
		hashes, err := p.upload(ctx, u, id, multipartFiles(r, "file_"+m.ID))
		if err != nil {
			return p.refusedHandler(w, r, err, in)
		}
		if m.ID == "evidence" {
			hashes = append(slices.Clone(in.Evidence), hashes...)
		}
		if len(hashes) > 0 {
			mats = append(mats, reviewsrv.MaterialRef{ID: m.ID, Files: hashes})
		}
	}
	if _, err := p.svc.Submit(ctx, u, id, reviewsrv.SubmitRequest{Materials: mats, Explanation: ex}); err != nil {
		return p.refusedHandler(w, r, err, in)
	}
	return p.s.redirect(w, r, "/review/cases/"+id, "已送法制审核：审核意见应于 3 个工作日内出具。")
}

// splitNames splits a list of participants on commas, 、 and spaces.
func splitNames(s string) []string {
	return strings.FieldsFunc(s, func(c rune) bool {
		return c == ',' || c == '，' || c == '、' || c == ';' || c == '；' || unicode.IsSpace(c)
	})
}

func (p *reviewPages) decide(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseMultipartForm(8 << 20); err != nil {
		return errBad("表单无法读取（请以文件上传方式提交）。")
	}
	ctx := r.Context()
	u := userOf(SessionOf(r))
	id := r.PathValue("id")
	req := reviewsrv.DecisionRequest{Document: reviewsrv.DecisionDocument{Number: strings.TrimSpace(r.PostFormValue("document_number")),
		Title: strings.TrimSpace(r.PostFormValue("document_title"))}, Note: strings.TrimSpace(r.PostFormValue("note"))}
	doc, err := p.upload(ctx, u, id, multipartFiles(r, "document_file"))
	if err != nil {
		return p.refusedHandler(w, r, err, nil)
	}
	if len(doc) > 0 {
		req.Document.File = doc[0]
	}
	cd := reviewsrv.CollectiveDiscussion{Date: strings.TrimSpace(r.PostFormValue("collective_date")),
		Participants: splitNames(r.PostFormValue("collective_participants")), Conclusion: strings.TrimSpace(r.PostFormValue("collective_conclusion"))}
	minutes, err := p.upload(ctx, u, id, multipartFiles(r, "collective_minutes"))
	if err != nil {
		return p.refusedHandler(w, r, err, nil)
	}
	if len(minutes) > 0 {
		cd.Minutes = minutes[0]
	}
	if cd.Date != "" || len(cd.Participants) > 0 || cd.Conclusion != "" || cd.Minutes != "" {
		req.Collective = &cd
	}
	if _, err := p.svc.Decide(ctx, u, id, req); err != nil {
		return p.refusedHandler(w, r, err, nil)
	}
	return p.s.redirect(w, r, "/review/cases/"+id, "执法决定已记录："+req.Document.Number)
}

// isChosen is the template's check of a chosen evidence file.
func isChosen(chosen []string, hash string) bool { return slices.Contains(chosen, hash) }

// mediaKindLabel names a file kind for the evidence list.
func mediaKindLabel(k string) string {
	if l, ok := kindLabels[k]; ok {
		return l
	}
	return k
}
