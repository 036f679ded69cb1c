package web_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"lawtrace/backend/internal/store"
	"lawtrace/shared/ledger"
)

// caseWithMedia records case C1 (officers 15010001 and 15010002) with
// inspection notes naming a third party, a photo and an audio file.
func caseWithMedia(t *testing.T, e *env) (*terminal, []byte, []byte) {
	t.Helper()
	tm := e.terminal(1, "一中队 1 号")
	audio, photo := wav(2), pngBytes
	es := tm.d.Case("C1", 2)
	es = append(es, tm.d.Entry("C1", "inspection_notes", map[string]any{"fields": map[string]string{
		"findings": "货架上 3 个品种未标注生产日期", "present_persons": "张三（举报人）"}}))
	es = append(es, tm.d.Entry("C1", "av_record", ledger.Payload{Files: []ledger.File{{Hash: ledger.HashBytes(audio), Kind: ledger.KindAudio,
		Name: "statement.wav", Mime: "audio/wav", Size: int64(len(audio))}}}, ledger.HashBytes(audio)))
	es = append(es, tm.d.MediaEntry("C1", ledger.KindPhoto, photo))
	tm.push(t, es...)
	tm.upload(t, audio)
	tm.upload(t, photo)
	return tm, audio, photo
}

func registerRows(t *testing.T, e *env, f store.AccessFilter) []store.AccessRecord {
	t.Helper()
	f.Ascending = true
	recs, err := e.m.Data.Store.AccessRecords(context.Background(), f)
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

func rawDB(t *testing.T, e *env) *sql.DB {
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(e.m.Data.Dir, "lawtrace.db")+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// SPEC R7 D2: nobody sees a case before saying why; the view, each file
// played (once per reading, however many range requests) and each copy are
// rows of the register with who, when and why; a copy needs a head's
// approval, given by someone else, and the approver is in the row.
func TestAccessRegister(t *testing.T) {
	e := start(t, nil)
	_, audio, _ := caseWithMedia(t, e)
	audioURL := "/cases/C1/media/" + ledger.HashBytes(audio)

	sup := e.as("supervisor")
	resp := sup.get("/cases/C1")
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.body, "调阅事由") || strings.Contains(resp.body, "未标注生产日期") {
		t.Fatalf("before a reason the case page must ask for one and show no record: %d", resp.StatusCode)
	}
	if r := sup.get(audioURL); r.StatusCode != http.StatusForbidden {
		t.Fatalf("a file before a reason: %d", r.StatusCode)
	}
	if r := sup.post("/cases/C1/access", url.Values{"purpose": {"supervision"}, "reason": {"看"}}); r.StatusCode != http.StatusBadRequest {
		t.Fatalf("a one-character reason: %d", r.StatusCode)
	}
	if n := len(registerRows(t, e, store.AccessFilter{})); n != 0 {
		t.Fatalf("%d register rows before any access", n)
	}
	if r := sup.post("/cases/C1/access", url.Values{"purpose": {"supervision"}, "reason": {"督查亮证与告知是否到位"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("reason: %d %s", r.StatusCode, r.body)
	}
	page := sup.get("/cases/C1")
	for _, want := range []string{"未标注生产日期", "张三（举报人）", "督查亮证与告知是否到位", "链 ✓", "签名 ✓", "日志 ✓", "哈希 ✓", "<audio"} {
		if !strings.Contains(page.body, want) {
			t.Errorf("timeline lacks %q", want)
		}
	}
	// Play the audio: a whole read, then range requests, as a player does.
	if r := sup.get(audioURL); r.StatusCode != http.StatusOK || r.body != string(audio) || r.Header.Get("Content-Type") != "audio/wav" {
		t.Fatalf("audio: %d %s", r.StatusCode, r.Header.Get("Content-Type"))
	}
	r := sup.get(audioURL, "Range", "bytes=100-199")
	if r.StatusCode != http.StatusPartialContent || r.body != string(audio[100:200]) || !strings.HasPrefix(r.Header.Get("Content-Range"), "bytes 100-199/") {
		t.Fatalf("range request: %d %q", r.StatusCode, r.Header.Get("Content-Range"))
	}
	sup.get(audioURL, "Range", "bytes=2000-")

	rows := registerRows(t, e, store.AccessFilter{CaseID: "C1"})
	var views, plays int
	for _, rec := range rows {
		switch rec.Action {
		case store.AccessView:
			views++
			if rec.Username != "supervisor" || rec.Reason != "督查亮证与告知是否到位" || rec.Purpose != "supervision" || rec.At.IsZero() {
				t.Errorf("view row %+v", rec)
			}
		case store.AccessPlay:
			plays++
			if rec.MediaHash != ledger.HashBytes(audio) || rec.Reason != "督查亮证与告知是否到位" {
				t.Errorf("play row %+v", rec)
			}
		}
	}
	if views != 1 || plays != 1 {
		t.Fatalf("%d views and %d plays registered, want 1 and 1: %+v", views, plays, rows)
	}

	// A copy of the original needs approval; nobody approves their own.
	if r := sup.get(audioURL + "/download"); r.StatusCode != http.StatusForbidden || !strings.Contains(r.body, "批准") {
		t.Fatalf("unapproved download: %d", r.StatusCode)
	}
	rev := e.as("reviewer")
	rev.post("/cases/C1/access", url.Values{"purpose": {"review"}, "reason": {"法制审核需要原始录音"}})
	if r := rev.post("/cases/C1/requests", url.Values{"action": {"download"}, "hash": {ledger.HashBytes(audio)}, "reason": {"复制录音附卷"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("request: %d %s", r.StatusCode, r.body)
	}
	reqs, _ := e.m.Data.Store.AccessRequests(context.Background(), store.RequestFilter{Status: store.RequestPending})
	if len(reqs) != 1 {
		t.Fatalf("%d pending requests", len(reqs))
	}
	id := reqs[0].ID
	sup.post("/cases/C1/requests", url.Values{"action": {"download"}, "hash": {ledger.HashBytes(audio)}, "reason": {"我也要一份"}})
	own, _ := e.m.Data.Store.AccessRequests(context.Background(), store.RequestFilter{Status: store.RequestPending})
	for _, q := range own {
		if q.Requester == "张建国（大队长）" {
			if r := sup.post("/access/requests/"+itoa(q.ID), url.Values{"decision": {"approve"}}); r.StatusCode != http.StatusForbidden {
				t.Fatalf("approving one's own request: %d", r.StatusCode)
			}
		}
	}
	if r := rev.get(audioURL + "/download"); r.StatusCode != http.StatusForbidden {
		t.Fatalf("download before approval: %d", r.StatusCode)
	}
	if r := sup.post("/access/requests/"+itoa(id), url.Values{"decision": {"approve"}, "note": {"同意"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", r.StatusCode, r.body)
	}
	if r := sup.post("/access/requests/"+itoa(id), url.Values{"decision": {"deny"}}); !strings.Contains(r.Header.Get("Location"), "/access/requests") {
		t.Fatalf("deciding twice: %d", r.StatusCode)
	}
	dl := rev.get(audioURL + "/download")
	if dl.StatusCode != http.StatusOK || dl.body != string(audio) || !strings.HasPrefix(dl.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("approved download: %d %q", dl.StatusCode, dl.Header.Get("Content-Disposition"))
	}
	var download *store.AccessRecord
	actions := map[string]int{}
	for _, rec := range registerRows(t, e, store.AccessFilter{CaseID: "C1"}) {
		actions[rec.Action]++
		if rec.Action == store.AccessDownload {
			download = &rec
		}
	}
	if download == nil || download.Approver != "张建国（大队长）" || download.RequestID != id || download.Username != "reviewer" || download.Reason != "复制录音附卷" {
		t.Fatalf("download row %+v", download)
	}
	if actions[store.AccessAsk] != 2 || actions[store.AccessApprove] != 1 {
		t.Fatalf("register actions %v", actions)
	}
}

// 003 §30: a party reading its own case needs the head's approval and does
// not see third parties; an officer not on a case is refused and the
// attempt is in the register.
func TestPartyAccessAndOfficerScope(t *testing.T) {
	e := start(t, nil)
	caseWithMedia(t, e)
	off := e.as("officer") // 王强, on the case
	if r := off.post("/cases/C1/access", url.Values{"purpose": {"party"}, "reason": {"当事人申请查阅现场检查笔录"}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("party request: %d", r.StatusCode)
	}
	if page := off.get("/cases/C1"); strings.Contains(page.body, "未标注生产日期") || !strings.Contains(page.body, "等待负责人审批") {
		t.Fatal("party access before approval shows the record or not the pending request")
	}
	reqs, _ := e.m.Data.Store.AccessRequests(context.Background(), store.RequestFilter{Status: store.RequestPending})
	sup := e.as("supervisor")
	sup.post("/access/requests/"+itoa(reqs[0].ID), url.Values{"decision": {"approve"}})
	if r := off.post("/cases/C1/access", url.Values{"request": {itoa(reqs[0].ID)}}); r.StatusCode != http.StatusSeeOther {
		t.Fatalf("use the approval: %d %s", r.StatusCode, r.body)
	}
	page := off.get("/cases/C1")
	if !strings.Contains(page.body, "未标注生产日期") || strings.Contains(page.body, "张三（举报人）") || !strings.Contains(page.body, "第三人信息已隐去") {
		t.Fatal("party access must show the record without third parties")
	}
	views := registerRows(t, e, store.AccessFilter{CaseID: "C1", Action: store.AccessView})
	if len(views) != 1 || views[0].Approver != "张建国（大队长）" || views[0].Purpose != "party" {
		t.Fatalf("party view rows %+v", views)
	}

	other := e.as("officer2") // 赵丽, another unit, not on the case
	if r := other.get("/cases/C1"); r.StatusCode != http.StatusForbidden || strings.Contains(r.body, "测试商户") {
		t.Fatalf("officer not on the case: %d", r.StatusCode)
	}
	if b := other.get("/board"); strings.Contains(b.body, "case-C1") {
		t.Fatal("the board shows another officer's case")
	}
	refused := registerRows(t, e, store.AccessFilter{CaseID: "C1", Action: store.AccessRefused})
	if len(refused) != 1 || refused[0].Username != "officer2" {
		t.Fatalf("refused rows %+v", refused)
	}
}

// The register is viewable, exportable as CSV (the export is itself a row),
// append-only in the database, and a change behind its back shows.
func TestRegisterExportAndTamperEvidence(t *testing.T) {
	e := start(t, nil)
	caseWithMedia(t, e)
	sup := e.as("supervisor")
	sup.post("/cases/C1/access", url.Values{"purpose": {"supervision"}, "reason": {"=HYPERLINK(\"x\")季度案卷评查"}})
	page := sup.get("/access?case=C1")
	if page.StatusCode != http.StatusOK || !strings.Contains(page.body, "季度案卷评查") || !strings.Contains(page.body, "登记链完整") {
		t.Fatalf("register page: %d", page.StatusCode)
	}
	csv := sup.get("/access/export.csv?case=C1")
	if csv.StatusCode != http.StatusOK || !strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(csv.body, "\ufeff编号,时间,调阅人账号") {
		t.Fatalf("csv: %d %q", csv.StatusCode, csv.body[:min(80, len(csv.body))])
	}
	if !strings.Contains(csv.body, "'=HYPERLINK") || !strings.Contains(csv.body, "查看案卷") {
		t.Fatalf("csv rows: %s", csv.body)
	}
	if n := len(registerRows(t, e, store.AccessFilter{Action: store.AccessExport})); n != 1 {
		t.Fatalf("%d export rows", n)
	}
	db := rawDB(t, e)
	if _, err := db.Exec(`UPDATE access_log SET reason = 'nothing to see'`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Fatalf("update: %v", err)
	}
	if _, err := db.Exec(`DELETE FROM access_log`); err == nil || !strings.Contains(err.Error(), "never deleted") {
		t.Fatalf("delete: %v", err)
	}
	// Someone with the database file drops the trigger and edits a row.
	if _, err := db.Exec(`DROP TRIGGER access_log_append_only`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`UPDATE access_log SET reason = '例行检查' WHERE action = 'view'`); err != nil {
		t.Fatal(err)
	}
	page = sup.get("/access")
	if !strings.Contains(page.body, "登记链异常") || !regexp.MustCompile(`第 \d+ 条登记与链不符`).MatchString(page.body) {
		t.Fatal("an edited register row does not show")
	}
}
