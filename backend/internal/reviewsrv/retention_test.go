package reviewsrv

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"lawtrace/backend/internal/store"
	"lawtrace/shared/blob"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
	"lawtrace/shared/retention"
)

// storeFile puts bytes in the media folder and records them as stored.
func (f *fixture) storeFile(data []byte) string {
	f.t.Helper()
	h, n, err := f.svc.cfg.Blobs.Put(bytes.NewReader(data))
	if err != nil {
		f.t.Fatal(err)
	}
	if err := f.db.MediaStored(f.ctx, store.MediaFile{Hash: h, Size: n, DeviceID: f.dev.ID, StoredAt: f.clock.Now()}); err != nil {
		f.t.Fatal(err)
	}
	return h
}

// SPEC R6, 003 §27, §29: inside retention nobody disposes; after it, the
// head approves, the bytes go, a server-signed tombstone names them and
// every entry stays.
func TestRetentionDisposal(t *testing.T) {
	f := newFixture(t, cstTime(2026, 3, 2, 10, 0))
	ctx := f.ctx
	const c = "20260302-re000001"
	video, photo := []byte("body camera video of the inspection"), []byte("photo of the shelf")
	f.ingest(
		f.dev.Entry(c, "case_open", map[string]any{"procedure": "inspection", "procedure_version": 2, "party": "某超市", "party_kind": "org", "officers": crew}),
		f.dev.MediaEntry(c, "video", video),
		f.dev.MediaEntry(c, "photo", photo),
	)
	vh, ph := f.storeFile(video), f.storeFile(photo)
	terminal, _ := f.db.CaseEntries(ctx, c)
	// The case ends and its file is archived with copies of its A/V; only
	// then may the recordings themselves go after 3 months (003 §27 ¶2).
	if _, err := f.svc.EndCase(ctx, officer, c, "检查完毕，未发现违法行为"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.svc.RecordArchive(ctx, officer, c, "", "zip"); err != nil {
		t.Fatal(err)
	}

	items, err := f.svc.Retention(ctx)
	if err != nil {
		t.Fatal(err)
	}
	byHash := map[string]RetentionItem{}
	for _, it := range items {
		byHash[it.Hash] = it
	}
	if v := byHash[vh]; v.Class != retention.ClassAV || !v.Until.Equal(cstTime(2026, 6, 2, 10, 0)) || v.Due || !v.Present || v.Size != int64(len(video)) {
		t.Fatalf("video %+v", v)
	}
	if p := byHash[ph]; p.Class != retention.ClassEvidence || !p.Until.Equal(cstTime(2036, 3, 2, 10, 0)) || p.Due {
		t.Fatalf("photo %+v", p)
	}

	// Without the head's approval: refused, whatever the time.
	f.clock.Set(cstTime(2026, 6, 2, 10, 0))
	if _, err := f.svc.Dispose(ctx, admin, User{}, c, "保存期满"); asEnforce(t, err).Article != retention.ArticleApproval {
		t.Fatalf("no approval: %v", err)
	}
	if _, err := f.svc.Dispose(ctx, admin, officer, c, "保存期满"); asEnforce(t, err).Article != retention.ArticleApproval {
		t.Fatalf("an officer approved: %v", err)
	}
	if _, err := f.svc.Dispose(ctx, officer, head, c, "保存期满"); enforce.ErrorCode(err) != enforce.ERefused {
		t.Fatalf("an officer disposed: %v", err)
	}
	if _, err := f.svc.Dispose(ctx, admin, head, c, " "); asEnforce(t, err).Article != retention.ArticleApproval {
		t.Fatalf("no reason: %v", err)
	}

	// A day before the 3 months: refused with the article, in Chinese.
	f.clock.Set(cstTime(2026, 6, 1, 10, 0))
	for _, target := range []string{vh, c, ph} {
		e := asEnforce(t, func() error { _, err := f.svc.Dispose(ctx, admin, head, target, "保存期满"); return err }())
		if e.Code != enforce.ERefused || e.Article != retention.ArticleNoDelete || !strings.Contains(e.MessageZh, "保存期限内不得销毁") {
			t.Fatalf("inside retention %s: %+v", target[:12], e)
		}
	}
	if has, _ := f.svc.cfg.Blobs.(*blob.Folder).Has(vh); !has {
		t.Fatal("a refused disposal removed the bytes")
	}

	// Exactly 3 months: the video goes, the photo (evidence, the case not
	// archived) stays.
	f.clock.Set(cstTime(2026, 6, 2, 10, 0))
	res, err := f.svc.Dispose(ctx, admin, head, c, "音像记录保存期满，经负责人批准销毁")
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Files) != 1 || res.Files[0].Hash != vh || res.Files[0].Size != int64(len(video)) || len(res.Kept) != 1 || res.Kept[0].Hash != ph {
		t.Fatalf("disposal %+v", res)
	}
	folder := f.svc.cfg.Blobs.(*blob.Folder)
	if has, _ := folder.Has(vh); has {
		t.Fatal("the video bytes are still there")
	}
	if has, _ := folder.Has(ph); !has {
		t.Fatal("the photo was removed")
	}
	// No entry removed; the tombstone is the office chain's last entry,
	// signed by the server, naming what, when, who, the approver and why.
	if after, _ := f.db.CaseEntries(ctx, c); len(after) != len(terminal) {
		t.Fatalf("terminal entries %d, were %d", len(after), len(terminal))
	}
	oc, err := f.db.Office(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	last := oc.Chain[len(oc.Chain)-1]
	if last.Step != StepDisposal || last.Seq != res.Cases[c] || !store.IsServerSigner(last.DeviceID) || len(last.Media) != 0 {
		t.Fatalf("tombstone entry %+v", last)
	}
	p, _ := ledger.DecodePayload(last.Payload)
	var ts retention.Tombstone
	if err := json.Unmarshal(p.Fields, &ts); err != nil {
		t.Fatal(err)
	}
	if ts.By.Username != "admin" || ts.ApprovedBy.Name != head.Name || ts.Reason == "" || !ts.DisposedAt.Equal(cstTime(2026, 6, 2, 10, 0)) ||
		len(ts.Files) != 1 || ts.Files[0].Hash != vh || ts.Files[0].Class != retention.ClassAV {
		t.Fatalf("tombstone %+v", ts)
	}
	if tomb := retention.Tombstones(oc.Chain, f.svc.cfg.ServerID); tomb[vh] != last.Seq {
		t.Fatalf("tombstones %v", tomb)
	}
	st, err := f.svc.State(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	if s := st.Steps[len(st.Steps)-1].Summary; !strings.Contains(s, "保存期满销毁 1 个文件") || !strings.Contains(s, head.Name) {
		t.Fatalf("summary %q", s)
	}
	f.verifyChains()

	// Listed as disposed; nothing left to dispose of that file.
	items, _ = f.svc.Retention(ctx)
	for _, it := range items {
		if it.Hash == vh && (it.Tombstone != last.Seq || it.Present) {
			t.Fatalf("after disposal %+v", it)
		}
	}
	if _, err := f.svc.Dispose(ctx, admin, head, vh, "again"); enforce.ErrorCode(err) != enforce.ENotFound {
		t.Fatalf("disposed twice: %v", err)
	}
}

// A/V cited by the back office is evidence: it follows the archive period.
func TestRetentionCitedAV(t *testing.T) {
	files, order := caseFiles(
		[]ledger.Entry{{Step: "av_record", Media: []string{"aa"}, DeviceTime: "2026-03-02T02:00:00.000Z",
			Payload: json.RawMessage(`{"files":[{"hash":"aa","kind":"video","size":5}]}`)}},
		[]ledger.Entry{{Step: "submit", Media: []string{"aa", "bb"}, DeviceTime: "2026-04-02T02:00:00.000Z",
			Payload: json.RawMessage(`{"files":[{"hash":"bb","kind":"material","size":7}]}`)}}, nil)
	if len(order) != 2 || !files["aa"].Cited || files["aa"].Kind != "video" || files["bb"].Kind != "material" || files["bb"].size != 7 {
		t.Fatalf("files %+v %v", files, order)
	}
	if term := retention.Default().For(files["aa"].File, "penalty", cstTime(2026, 5, 1, 9, 0), cstTime(2026, 9, 1, 0, 0)); term.Class != retention.ClassEvidence || term.Due {
		t.Fatalf("cited A/V %+v", term)
	}
}
