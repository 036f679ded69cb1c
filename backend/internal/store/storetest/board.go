package storetest

import (
	"context"
	"testing"
	"time"

	"lawtrace/backend/internal/simdev"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/ledger"
)

// SPEC D1 (issue 15): the board's read model — cases saved and replaced,
// the heads of terminal cases (office chains left out), a case's entries
// after a number, and the case rows with their files not yet uploaded.
func testBoardModel(t *testing.T, open Opener) {
	ctx := context.Background()
	db := openAt(t, open, t0).Store
	bs, ok := db.(store.BoardStore)
	if !ok {
		t.Fatalf("%T does not keep the board's read model (store.BoardStore)", db)
	}
	d := simdev.New(1)
	d.Now = func() time.Time { return t0 }
	enrol(t, db, d, "c")
	video := []byte("board video")
	es := append(d.Case("C1", 3), d.MediaEntry("C1", ledger.KindVideo, video))
	es = append(es, d.Case("C2", 1)...)
	if _, err := db.Ingest(ctx, store.Batch{DeviceID: d.ID, Entries: es, Skewed: true, ReceivedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.AppendOffice(ctx, "C1", officeDraft("review_note", 1)); err != nil {
		t.Fatal(err)
	}
	heads, err := bs.BoardHeads(ctx)
	if err != nil || len(heads) != 2 || heads["C1"] != 4 || heads["C2"] != 1 {
		t.Fatalf("heads %v %v", heads, err)
	}
	got, err := bs.BoardEntriesAfter(ctx, map[string]int64{"C1": 2, "C2": 1})
	after := got["C1"]
	if err != nil || len(got) != 1 || len(after) != 2 || after[0].Entry.Seq != 3 || after[1].Entry.Hash != es[3].Hash || !after[0].ClockSkewed {
		t.Fatalf("entries after #2: %+v %v", after, err)
	}
	rows, err := bs.BoardCaseRows(ctx, nil, t0.Add(25*time.Hour))
	if err != nil || len(rows) != 2 {
		t.Fatalf("rows %+v %v", rows, err)
	}
	for _, r := range rows {
		if r.ID == "C1" && (r.PendingMedia != 1 || r.OverdueMedia != 1 || r.LastSeq != 4 || r.DeviceName != d.Name) {
			t.Fatalf("row C1 %+v", r)
		}
	}
	if rows, _ := bs.BoardCaseRows(ctx, []string{}, t0); len(rows) != 0 {
		t.Fatalf("no ids, no rows: %+v", rows)
	}
	for _, state := range []string{`{"v":1}`, `{"v":2}`} {
		if err := bs.SaveBoardModel(ctx, []store.BoardCase{{CaseID: "C1", Version: 1, HeadSeq: 4, HeadHash: es[3].Hash, State: []byte(state)}}); err != nil {
			t.Fatal(err)
		}
	}
	model, err := bs.BoardModel(ctx)
	if err != nil || len(model) != 1 || string(model[0].State) != `{"v":2}` || model[0].HeadSeq != 4 {
		t.Fatalf("model %+v %v", model, err)
	}
}
