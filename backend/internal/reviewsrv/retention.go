package reviewsrv

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strings"
	"time"

	"lawtrace/backend/internal/auth"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
	"lawtrace/shared/retention"
	"lawtrace/shared/review"
)

// Retention and disposal of a case's stored files (SPEC R6; 003 §27, §29;
// issue 10). The rule is shared/retention's; here it is applied to the
// files the server holds, and a disposal after retention — approved by the
// head — removes the bytes only and appends a server-signed disposal
// tombstone to the case's office chain. No entry is ever removed: the
// hashes stay, and verify reports the file as disposed, not missing.

// StepDisposal is the office step of a disposal tombstone.
const StepDisposal = retention.StepDisposal

// RetentionItem is one stored file of one case under the rule.
type RetentionItem struct {
	CaseID    string `json:"case"`
	Procedure string `json:"procedure"`
	Hash      string `json:"hash"`
	Kind      string `json:"kind"`
	Size      int64  `json:"size"`
	retention.Term
	// HeldBy names another case that references the same bytes and keeps
	// them (the content-addressed folder holds one copy).
	HeldBy string `json:"held_by,omitempty"`
	// Present reports that the bytes are in the media folder.
	Present bool `json:"present"`
	// Tombstone is the number of the office entry that disposed of the
	// file, 0 if none.
	Tombstone int64 `json:"tombstone,omitempty"`
}

// settingReader is the store's settings, where the agency's policy is kept.
type settingReader interface {
	Setting(ctx context.Context, key string) (string, error)
}

// RetentionPolicy is the agency's archive periods (the default when none
// was set).
func (s *Service) RetentionPolicy(ctx context.Context) (retention.Policy, error) {
	sr, ok := s.st.(settingReader)
	if !ok {
		return retention.Default(), nil
	}
	text, err := sr.Setting(ctx, retention.SettingKey)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return retention.Default(), err
	}
	return retention.ParsePolicy(text)
}

// Retention lists every stored file of every case with what the rule says
// of it at now, by case and hash.
func (s *Service) Retention(ctx context.Context) ([]RetentionItem, error) {
	return s.retentionOf(ctx, nil)
}

func (s *Service) retentionOf(ctx context.Context, ids []string) ([]RetentionItem, error) {
	policy, err := s.RetentionPolicy(ctx)
	if err != nil {
		return nil, err
	}
	recs, err := s.st.DeadlineCases(ctx, ids)
	if err != nil {
		return nil, err
	}
	cal, _, err := s.Calendar(ctx)
	if err != nil {
		return nil, err
	}
	cat, now := s.catalogFn(ctx), s.now()
	var out []RetentionItem
	for _, rec := range recs {
		archived := time.Time{}
		if len(rec.Office) > 0 {
			st, err := fold(store.OfficeCase{Case: rec.Case, ChainID: rec.Case.ID + store.OfficeChainSuffix, Chain: rec.Office}, cat, cal, now)
			if err != nil {
				return nil, fmt.Errorf("case %s: %w", rec.Case.ID, err)
			}
			archived = st.Archived
		}
		entries, err := s.st.CaseEntries(ctx, rec.Case.ID)
		if err != nil {
			return nil, err
		}
		files, order := caseFiles(entries, rec.Office, rec.AV)
		tomb := retention.Tombstones(rec.Office, s.cfg.ServerID)
		for _, h := range order {
			f := files[h]
			it := RetentionItem{CaseID: rec.Case.ID, Procedure: rec.Case.Procedure, Hash: h, Kind: f.Kind, Size: f.size,
				Term: policy.For(f.File, rec.Case.Procedure, archived, now), Tombstone: tomb[h]}
			if n, err := s.st.MediaSize(ctx, h); err == nil {
				it.Size = n
			}
			it.Present = s.blobPresent(h)
			out = append(out, it)
		}
	}
	// One copy of the bytes serves every case that references them: they
	// are due only when due in every such case.
	if ids != nil {
		return out, nil
	}
	holdAcross(out)
	return out, nil
}

// holdAcross marks due items whose bytes another case still keeps.
func holdAcross(items []RetentionItem) {
	keep := map[string]RetentionItem{}
	for _, it := range items {
		if !it.Due && it.Tombstone == 0 {
			keep[it.Hash] = it
		}
	}
	for i, it := range items {
		if k, ok := keep[it.Hash]; ok && it.Due && k.CaseID != it.CaseID {
			items[i].Due = false
			until := "（尚未起算）"
			if !k.Until.IsZero() {
				until = k.Until.In(cst).Format("2006-01-02")
			}
			items[i].HeldBy = "同一文件亦属案件 " + k.CaseID + "，保存至 " + until
		}
	}
}

type caseFile struct {
	retention.File
	size int64
}

// caseFiles lists the files the case's entries reference, terminal chain
// first, with their kind, declared size and when they were recorded (the
// calibrated time for A/V); a file an office entry references is cited.
func caseFiles(entries, office []ledger.Entry, av []store.AVRecord) (map[string]*caseFile, []string) {
	files := map[string]*caseFile{}
	var order []string
	add := func(e ledger.Entry) {
		p, _ := ledger.DecodePayload(e.Payload)
		at, _ := ledger.ParseTime(e.DeviceTime)
		for _, h := range e.Media {
			if _, ok := files[h]; ok {
				continue
			}
			f := &caseFile{File: retention.File{Hash: h, Kind: "file", Recorded: at}}
			for _, pf := range p.Files {
				if pf.Hash == h {
					f.Kind, f.size = pf.Kind, pf.Size
				}
			}
			files[h] = f
			order = append(order, h)
		}
	}
	for _, e := range entries {
		add(e)
	}
	for _, a := range av {
		if f, ok := files[a.Hash]; ok && !a.Recorded.IsZero() {
			f.Recorded = a.Recorded
		}
	}
	for _, e := range office {
		if e.Step == StepDisposal {
			continue
		}
		add(e)
		for _, h := range e.Media {
			files[h].Cited = true
		}
	}
	return files, order
}

func (s *Service) blobPresent(hash string) bool {
	if s.cfg.Blobs == nil {
		return false
	}
	rc, err := s.cfg.Blobs.Open(hash)
	if err != nil {
		return false
	}
	rc.Close()
	return true
}

// Disposal is what Dispose did.
type Disposal struct {
	Cases map[string]int64     `json:"tombstones"` // case -> tombstone entry number
	Files []retention.Disposed `json:"files"`
	Kept  []RetentionItem      `json:"kept,omitempty"` // files of the case still inside retention
}

// Dispose removes, after retention, the bytes of the files of a case (the
// target is a case id: every file of it that is due) or of one file (the
// target is its SHA-256), with the head's approval (003 §27-28): each case
// gets a server-signed disposal tombstone in its office chain (what:
// hashes and sizes; when; who; the approver; why), then the bytes leave
// the media folder. Inside retention it is refused (003 §27, §29); the
// entries and the hashes always stay.
func (s *Service) Dispose(ctx context.Context, by, approver User, target, reason string) (Disposal, error) {
	var out Disposal
	reason = strings.TrimSpace(reason)
	if by.Username == "" || !by.Can([]auth.Role{auth.Admin, auth.Supervisor}) {
		return out, &enforce.Error{Code: enforce.ERefused, Step: StepDisposal, Article: "003 §28",
			Message: "disposal is done by the person the agency charged with the records (an admin or supervisor account)", MessageZh: "销毁由机关指定的档案管理人员（管理员或负责人账户）办理"}
	}
	if approver.Username == "" || !approver.Can(Heads) {
		return out, &enforce.Error{Code: enforce.ERefused, Step: StepDisposal, Article: retention.ArticleApproval,
			Message: "disposal after retention needs the head's approval", MessageZh: "保存期满后销毁须经机关负责人批准（未提供负责人批准）",
			Missing: []enforce.Item{item("approved_by", "机关负责人批准", retention.ArticleApproval)}}
	}
	if reason == "" {
		return out, &enforce.Error{Code: enforce.ERefused, Step: StepDisposal, Article: retention.ArticleApproval,
			Message: "a disposal states why", MessageZh: "销毁须写明理由", Missing: []enforce.Item{item("reason", "销毁理由", retention.ArticleApproval)}}
	}
	items, err := s.Retention(ctx)
	if err != nil {
		return out, err
	}
	var chosen []RetentionItem
	isCase := false
	for _, it := range items {
		if it.CaseID == target {
			isCase = true
		}
	}
	for _, it := range items {
		if (isCase && it.CaseID == target) || (!isCase && it.Hash == target) {
			if it.Tombstone == 0 {
				chosen = append(chosen, it)
			}
		}
	}
	if len(chosen) == 0 {
		return out, enforce.Errorf(enforce.ENotFound, "no case or stored file %s with anything left to dispose of", target)
	}
	var due []RetentionItem
	for _, it := range chosen {
		if it.Due {
			due = append(due, it)
		} else {
			out.Kept = append(out.Kept, it)
		}
	}
	if len(due) == 0 || (!isCase && len(out.Kept) > 0) {
		k := out.Kept[0]
		until := "保存期限尚未起算"
		if !k.Until.IsZero() {
			until = "保存至 " + k.Until.In(cst).Format("2006-01-02 15:04")
		}
		zh := "保存期限内不得销毁：" + k.Rule + "，" + until
		if k.HeldBy != "" {
			zh += "；" + k.HeldBy
		}
		return out, &enforce.Error{Code: enforce.ERefused, Step: StepDisposal, Article: retention.ArticleNoDelete,
			Message: fmt.Sprintf("file %s of case %s is inside retention (%s)", short(k.Hash), k.CaseID, until), MessageZh: zh}
	}
	byCase := map[string][]RetentionItem{}
	var cases []string
	for _, it := range due {
		if _, ok := byCase[it.CaseID]; !ok {
			cases = append(cases, it.CaseID)
		}
		byCase[it.CaseID] = append(byCase[it.CaseID], it)
	}
	sort.Strings(cases)
	policy, err := s.RetentionPolicy(ctx)
	if err != nil {
		return out, err
	}
	out.Cases = map[string]int64{}
	agent := User{ID: System.ID, Username: by.Username, Name: by.Name, Role: by.Role}
	for _, id := range cases {
		files := byCase[id]
		var st *State
		st, err = s.act(ctx, agent, id, StepDisposal, func(st *State, _ *review.Catalog, now time.Time) (built, error) {
			t := retention.Tombstone{DisposedAt: now, By: person(by), ApprovedBy: person(approver), Reason: reason, Article: retention.Article}
			for _, it := range files {
				// Checked again inside the write transaction, on the state
				// the entry will follow.
				term := policy.For(it.File(), it.Procedure, st.Archived, now)
				if !term.Due {
					return built{}, &enforce.Error{Code: enforce.ERefused, Step: StepDisposal, Article: retention.ArticleNoDelete,
						Message: "file " + short(it.Hash) + " is inside retention", MessageZh: "保存期限内不得销毁：" + term.Rule}
				}
				t.Files = append(t.Files, retention.Disposed{Hash: it.Hash, Size: it.Size, Kind: it.Kind, Class: term.Class, Until: term.Until.In(cst).Format(time.DateTime)})
			}
			return built{fields: t}, nil
		})
		if err != nil {
			return out, err
		}
		out.Cases[id] = st.Steps[len(st.Steps)-1].Seq
		for _, it := range files {
			out.Files = append(out.Files, retention.Disposed{Hash: it.Hash, Size: it.Size, Kind: it.Kind, Class: it.Class})
		}
	}
	// The tombstones are written: now the bytes go (never an entry).
	removed := map[string]bool{}
	for _, f := range out.Files {
		if removed[f.Hash] {
			continue
		}
		removed[f.Hash] = true
		if err := s.removeBlob(f.Hash); err != nil {
			return out, fmt.Errorf("the tombstone is recorded but the bytes of %s could not be removed: %w", short(f.Hash), err)
		}
	}
	s.log.Info("disposal", "target", target, "files", len(removed), "by", by.Username, "approved_by", approver.Username)
	return out, nil
}

// File is the item as the rule sees it.
func (it RetentionItem) File() retention.File {
	return retention.File{Hash: it.Hash, Kind: it.Kind, Recorded: it.From, Cited: it.Class == retention.ClassEvidence}
}

// pather is the media folder (blob.Folder): where a file's bytes lie.
type pather interface{ Path(hash string) string }

func (s *Service) removeBlob(hash string) error {
	p, ok := s.cfg.Blobs.(pather)
	if !ok {
		return errors.New("the media store cannot remove files")
	}
	if err := os.Remove(p.Path(hash)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

func person(u User) retention.Person {
	return retention.Person{Username: u.Username, Name: u.Name, Role: string(u.Role)}
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}

// foldRetention reads a disposal tombstone into the case's steps.
func foldRetention(_ *State, e ledger.Entry, d decoded, step *Step) (bool, error) {
	if e.Step != StepDisposal {
		return false, nil
	}
	var t retention.Tombstone
	if err := json.Unmarshal(d.fields, &t); err != nil {
		return true, err
	}
	var size int64
	for _, f := range t.Files {
		size += f.Size
	}
	step.By = Actor{Username: t.By.Username, Name: t.By.Name, Role: t.By.Role}
	step.Summary = fmt.Sprintf("保存期满销毁 %d 个文件（%d 字节，哈希留存），经机关负责人 %s 批准：%s", len(t.Files), size, t.ApprovedBy.Name, t.Reason)
	return true, nil
}
