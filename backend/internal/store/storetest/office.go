package storetest

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"lawtrace/backend/internal/simdev"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
	"lawtrace/shared/syncproto"
)

func officeIngest(t *testing.T, db store.Backend, d *simdev.Device, es ...ledger.Entry) store.IngestResult {
	t.Helper()
	if err := store.CheckEntries(d.ID, d.Public(), es); err != nil {
		t.Fatal(err)
	}
	res, err := db.Ingest(context.Background(), store.Batch{DeviceID: d.ID, Entries: es, ReceivedAt: t0})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func officeDraft(step string, n int) func(store.OfficeCase) (store.OfficeDraft, error) {
	return func(oc store.OfficeCase) (store.OfficeDraft, error) {
		p, _ := json.Marshal(map[string]any{"fields": map[string]any{"n": n, "case_head": oc.Case.LastHash}})
		return store.OfficeDraft{Step: step, Payload: p, At: t0.Add(time.Duration(n) * time.Minute)}, nil
	}
}

// SPEC L5 R2 R9: review steps are server-signed entries in the case's
// office chain, appended to the transparency log atomically and
// concurrently with terminal ingestion; the terminal keeps writing its own
// chain of the same case (service after the decision), and everything
// verifies.
func testAppendOffice(t *testing.T, open Opener) {
	ctx := context.Background()
	sub := openAt(t, open, t0)
	db := sub.Store
	d := simdev.New(1)
	enrol(t, db, d, "c")
	opened := d.Entry("C1", "case_open", map[string]any{"procedure": "penalty", "party": "某公司", "party_kind": "org",
		"emergency_reason": "现场证据可能灭失", "officers": []map[string]string{{"cert": "15010001"}, {"cert": "15010002"}}})
	video := d.MediaEntry("C1", ledger.KindVideo, []byte("video bytes"))
	closeScene := d.Entry("C1", "close_scene", map[string]any{})
	officeIngest(t, db, d, opened, video, closeScene)

	if _, _, err := db.AppendOffice(ctx, "nope", officeDraft("review_submit", 1)); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown case: %v", err)
	}
	refusal := enforce.Errorf(enforce.ERefused, "not now")
	if _, _, err := db.AppendOffice(ctx, "C1", func(store.OfficeCase) (store.OfficeDraft, error) { return store.OfficeDraft{}, refusal }); err != refusal {
		t.Fatalf("a refusal from build is returned as is: %v", err)
	}
	if oc, err := db.Office(ctx, "C1"); err != nil || len(oc.Chain) != 0 || oc.Case.Emergency == "" || oc.Case.PartyKind != "org" ||
		strings.Join(oc.Case.Officers, ",") != "15010001,15010002" || oc.Case.SceneClosed.IsZero() {
		t.Fatalf("office before any entry: %+v %v", oc, err)
	}

	// Office entries and the terminal's later entries of the same case,
	// concurrently.
	var wg sync.WaitGroup
	errs := make(chan error, 20)
	for i := 1; i <= 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, _, err := db.AppendOffice(ctx, "C1", officeDraft("review_note", i)); err != nil {
				errs <- err
			}
		}()
	}
	var serve []ledger.Entry
	for i := 0; i < 5; i++ {
		serve = append(serve, d.Entry("C1", "serve", map[string]any{"fields": map[string]any{"method": "direct", "n": i}}))
	}
	wg.Add(1)
	go func() { // the terminal records service while the office works
		defer wg.Done()
		for _, e := range serve {
			if err := store.CheckEntries(d.ID, d.Public(), []ledger.Entry{e}); err != nil {
				errs <- err
				return
			}
			if _, err := db.Ingest(ctx, store.Batch{DeviceID: d.ID, Entries: []ledger.Entry{e}, ReceivedAt: t0}); err != nil {
				errs <- err
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}

	oc, err := db.Office(ctx, "C1")
	if err != nil || len(oc.Chain) != 10 || oc.ChainID != "C1/office" || oc.Case.LastSeq != 8 {
		t.Fatalf("office after: chain %d, %+v %v", len(oc.Chain), oc.Case, err)
	}
	pub := serverKey.Public().(ed25519.PublicKey)
	serverID := syncproto.ServerIDFor(pub)
	keys := ledger.Keys{serverID: pub, d.ID: d.Public()}
	for _, id := range []string{"C1", "C1/office"} {
		entries, err := db.CaseEntries(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if f := ledger.VerifyCase(id, entries, keys, nil); len(f) > 0 {
			t.Fatalf("%s: %v", id, f)
		}
	}
	if oc.Chain[0].DeviceID != serverID || oc.Chain[9].DeviceSeq != 10 {
		t.Fatalf("office entries are the server's, numbered 1..10: %+v", oc.Chain[9])
	}
	if gaps, err := db.DeviceSeqGaps(ctx); err != nil || len(gaps) > 0 {
		t.Fatalf("exactly-once numbering: %v %v", gaps, err)
	}
	th, err := db.TreeHead(ctx)
	if err != nil || th.Size != 18 || th.Verify(pub) != nil {
		t.Fatalf("tree head %+v %v", th, err)
	}
	for _, e := range []ledger.Entry{oc.Chain[0], oc.Chain[9], serve[4]} {
		p, err := db.ProofByEntry(ctx, e.ID, th.Size)
		if err != nil {
			t.Fatal(err)
		}
		if err := syncproto.VerifyInclusion(th, p); err != nil {
			t.Fatalf("entry %s: %v", e.ID, err)
		}
	}
	// The log cached in memory and the one restored from disk agree.
	db2 := sub.Reopen(t)
	if _, _, err := db2.AppendOffice(ctx, "C1", officeDraft("review_note", 11)); err != nil {
		t.Fatal(err)
	}
	th2, _ := db2.TreeHead(ctx)
	older, _ := db2.TreeHeadAt(ctx, th.Size)
	hashes, err := db2.Consistency(ctx, th.Size, th2.Size)
	if err != nil || syncproto.VerifyConsistency(older, th2, hashes) != nil {
		t.Fatalf("consistency %v", err)
	}

	if _, err := db.Office(ctx, "C1/office"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("an office chain is not a case: %v", err)
	}
	if recs, err := db.DeadlineCases(ctx, []string{"nope", "C2"}); err != nil || len(recs) != 0 {
		t.Fatalf("deadline cases of unknown ids %+v %v", recs, err)
	}
	recs, err := db.DeadlineCases(ctx, []string{"C1", "C9"})
	if err != nil || len(recs) != 1 {
		t.Fatalf("deadline cases %+v %v", recs, err)
	}
	r := recs[0]
	if r.Case.ID != "C1" || r.Case.Emergency == "" || len(r.AV) != 1 || !r.AV[0].Stored.IsZero() || len(r.Office) != 11 || r.Case.SceneClosed.IsZero() {
		t.Fatalf("deadline case %+v", r)
	}
	t.Run("ReviewQueue", func(t *testing.T) { testReviewQueue(t, open) })
}

// Issue 15: the review queue's rows are kept by the back office and read a
// filtered page at a time; a row behind its case, its office chain, the
// catalog or the calendar is listed as stale.
func testReviewQueue(t *testing.T, open Opener) {
	ctx := context.Background()
	db := openAt(t, open, t0).Store
	d := simdev.New(1)
	enrol(t, db, d, "c")
	var logSize int64
	staleSince := func(since int64, want string) {
		t.Helper()
		ids, size, err := db.ReviewQueueStale(ctx, since)
		if err != nil || strings.Join(ids, ",") != want || size < since {
			t.Fatalf("stale since %d: %v (log %d) %v, want %q", since, ids, size, err, want)
		}
		logSize = size
	}
	stale := func(want string) { t.Helper(); staleSince(0, want) }
	stale("")
	parties := []string{"某某公司", "张三", "某某商店", "李四%_"}
	var rows []store.ReviewQueueRow
	for i, party := range parties {
		id := fmt.Sprintf("C%d", i+1)
		officeIngest(t, db, d, d.Entry(id, "case_open", map[string]any{"procedure": "penalty", "party": party,
			"officers": []map[string]string{{"cert": fmt.Sprintf("1501000%d", i%2+1)}}}))
		if _, _, err := db.AppendOffice(ctx, id, officeDraft("review_note", i)); err != nil {
			t.Fatal(err)
		}
		state := "under_review"
		if i >= 2 {
			state = "decided"
		}
		rows = append(rows, store.ReviewQueueRow{CaseID: id, OfficeSeq: 1, CaseSeq: 1, State: state, Party: party,
			Officers: []string{fmt.Sprintf("1501000%d", i%2+1), "15010009"}, Opened: t0.Add(time.Duration(i) * 24 * time.Hour),
			ReviewDue: t0.Add(time.Duration(i) * time.Hour), Item: json.RawMessage(fmt.Sprintf(`{"case_id":%q}`, id))})
	}
	stale("C1,C2,C3,C4")
	if err := db.PutReviewQueue(ctx, rows); err != nil {
		t.Fatal(err)
	}
	stale("")
	if _, _, err := db.AppendOffice(ctx, "C2", officeDraft("review_note", 9)); err != nil {
		t.Fatal(err)
	}
	before := logSize
	officeIngest(t, db, d, d.Entry("C3", "serve", map[string]any{}))
	stale("C2,C3")
	staleSince(before, "C2,C3")
	staleSince(logSize, "") // nothing appended since
	rows[1].OfficeSeq, rows[2].CaseSeq = 2, 2
	if err := db.PutReviewQueue(ctx, rows[1:3]); err != nil {
		t.Fatal(err)
	}
	stale("")
	if err := db.PutReviewCatalog(ctx, store.ReviewCatalog{Version: 1, Agency: "A", Body: json.RawMessage(`{}`), SHA256: "x", PublishedAt: t0, PublishedBy: "admin"}); err != nil {
		t.Fatal(err)
	}
	stale("C1,C2,C3,C4")
	staleSince(logSize, "") // the log did not grow: the caller looks again from 0 when the versions move
	if err := db.PutCalendarYear(ctx, store.CalendarYear{Year: 2027, Body: json.RawMessage(`{}`), Source: "notice", LoadedAt: t0, LoadedBy: "admin"}); err != nil {
		t.Fatal(err)
	}
	catalog, calendar, err := db.ReviewVersions(ctx)
	if err != nil || catalog != 1 || calendar == 0 {
		t.Fatalf("versions %d %d %v", catalog, calendar, err)
	}
	for i := range rows {
		rows[i].CatalogVersion, rows[i].CalendarLoad = catalog, calendar
	}
	if err := db.PutReviewQueue(ctx, rows); err != nil {
		t.Fatal(err)
	}
	stale("")

	ids := func(rs []store.ReviewQueueRow) string {
		var out []string
		for _, r := range rs {
			out = append(out, r.CaseID)
		}
		return strings.Join(out, ",")
	}
	for _, c := range []struct {
		name  string
		f     store.ReviewQueueFilter
		page  store.Page
		total int
		want  string
	}{
		{"first page, newest case first", store.ReviewQueueFilter{}, store.Page{Limit: 2}, 4, "C4,C3"},
		{"second page", store.ReviewQueueFilter{}, store.Page{Offset: 2, Limit: 2}, 4, "C2,C1"},
		{"state", store.ReviewQueueFilter{State: "under_review"}, store.Page{}, 2, "C2,C1"},
		{"a part of the party", store.ReviewQueueFilter{Party: "某某"}, store.Page{}, 2, "C3,C1"},
		{"wildcards are literal", store.ReviewQueueFilter{Party: "%_"}, store.Page{}, 1, "C4"},
		{"a part of the case number, any case", store.ReviewQueueFilter{Case: "c3"}, store.Page{}, 1, "C3"},
		{"an officer", store.ReviewQueueFilter{Officer: "15010002"}, store.Page{}, 2, "C4,C2"},
		{"a credential is matched whole", store.ReviewQueueFilter{Officer: "1501000"}, store.Page{}, 0, ""},
		{"an officer's own, decided", store.ReviewQueueFilter{Member: "15010001", State: "decided"}, store.Page{}, 1, "C3"},
		{"days opened", store.ReviewQueueFilter{From: t0.Add(24 * time.Hour), To: t0.Add(72 * time.Hour)}, store.Page{}, 2, "C3,C2"},
	} {
		rs, total, err := db.ReviewQueue(ctx, c.f, c.page)
		if err != nil || total != c.total || ids(rs) != c.want {
			t.Errorf("%s: %d %q %v; want %d %q", c.name, total, ids(rs), err, c.total, c.want)
		}
	}
	rs, _, err := db.ReviewQueue(ctx, store.ReviewQueueFilter{Case: "C2"}, store.Page{})
	if err != nil || len(rs) != 1 {
		t.Fatal(rs, err)
	}
	r := rs[0]
	if r.OfficeSeq != 2 || r.CaseSeq != 1 || r.CatalogVersion != 1 || r.State != "under_review" || r.Party != "张三" ||
		strings.Join(r.Officers, ",") != "15010002,15010009" || !r.Opened.Equal(t0.Add(24*time.Hour)) || !r.ReviewDue.Equal(t0.Add(time.Hour)) ||
		string(r.Item) != `{"case_id":"C2"}` {
		t.Fatalf("row as stored: %+v", r)
	}
}

// A chain id a terminal took first is not the server's: refused.
func testAppendOfficeSquattedChain(t *testing.T, open Opener) {
	ctx := context.Background()
	db := openAt(t, open, t0).Store
	d := simdev.New(1)
	enrol(t, db, d, "c")
	officeIngest(t, db, d, d.Case("C1", 1)...)
	officeIngest(t, db, d, d.Case("C1/office", 1)...)
	if _, _, err := db.AppendOffice(ctx, "C1", officeDraft("review_note", 1)); enforce.ErrorCode(err) != enforce.EConflict {
		t.Fatalf("squatted chain: %v", err)
	}
}

// SPEC L1: catalog versions only go up and are never changed.
func testReviewCatalogVersions(t *testing.T, open Opener) {
	ctx := context.Background()
	db := openAt(t, open, t0).Store
	if _, err := db.ReviewCatalog(ctx, 0); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("empty: %v", err)
	}
	for v := 1; v <= 2; v++ {
		if err := db.PutReviewCatalog(ctx, store.ReviewCatalog{Version: v, Agency: "A", Body: json.RawMessage(fmt.Sprintf(`{"version":%d}`, v)), SHA256: "x", PublishedAt: t0, PublishedBy: "admin"}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.PutReviewCatalog(ctx, store.ReviewCatalog{Version: 2, Body: json.RawMessage(`{}`)}); enforce.ErrorCode(err) != enforce.EConflict {
		t.Fatalf("republishing v2: %v", err)
	}
	c, err := db.ReviewCatalog(ctx, 0)
	if err != nil || c.Version != 2 || string(c.Body) != `{"version":2}` || !c.PublishedAt.Equal(t0) {
		t.Fatalf("newest %+v %v", c, err)
	}
	if c, err := db.ReviewCatalog(ctx, 1); err != nil || string(c.Body) != `{"version":1}` {
		t.Fatalf("v1 %+v %v", c, err)
	}
	if list, err := db.ReviewCatalogs(ctx); err != nil || len(list) != 2 || list[0].Version != 2 || list[0].Body != nil {
		t.Fatalf("list %+v %v", list, err)
	}
	if err := db.PutCalendarYear(ctx, store.CalendarYear{Year: 2027, Body: json.RawMessage(`{}`), Source: "notice", LoadedAt: t0, LoadedBy: "admin"}); err != nil {
		t.Fatal(err)
	}
	if ys, err := db.CalendarYears(ctx); err != nil || len(ys) != 1 || ys[0].Year != 2027 || ys[0].LoadedBy != "admin" {
		t.Fatalf("calendar %+v %v", ys, err)
	}
	if err := db.PutReviewer(ctx, store.Reviewer{Username: "u1", Name: "周敏", Qualification: "A20201234", Since: "2024-01-01", Active: true, UpdatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if rs, err := db.Reviewers(ctx); err != nil || len(rs) != 1 || !rs[0].Active {
		t.Fatalf("reviewers %+v %v", rs, err)
	}
}
