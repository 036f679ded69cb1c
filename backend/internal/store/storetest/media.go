package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"lawtrace/backend/internal/simdev"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/ledger"
)

// SPEC S3: an upload's confirmed offset survives a restart so it resumes
// where it stopped; a completed file is stored once, by its hash, and
// is no longer pending.
func testUploads(t *testing.T, open Opener) {
	ctx := context.Background()
	sub := openAt(t, open, t0)
	db := sub.Store
	d := simdev.New(1)
	d.Now = func() time.Time { return t0 }
	enrol(t, db, d, "c")
	data := []byte("a recording of the scene")
	hash := ledger.HashBytes(data)
	if _, err := db.Ingest(ctx, store.Batch{DeviceID: d.ID, Entries: append(d.Case("C1", 1), d.MediaEntry("C1", ledger.KindVideo, data)), ReceivedAt: t0}); err != nil {
		t.Fatal(err)
	}
	if ok, size, err := db.MediaRef(ctx, d.ID, hash); err != nil || !ok || size != int64(len(data)) {
		t.Fatalf("media ref %v %d %v", ok, size, err)
	}
	if ok, _, _ := db.MediaRef(ctx, "Dother", hash); ok {
		t.Fatal("another device's reference")
	}
	for _, off := range []int64{0, 8, 16} {
		if err := db.PutUpload(ctx, store.Upload{Hash: hash, DeviceID: d.ID, Size: int64(len(data)), Offset: off, StartedAt: t0, UpdatedAt: t0.Add(time.Duration(off) * time.Second)}); err != nil {
			t.Fatal(err)
		}
	}
	u, err := sub.Reopen(t).Upload(ctx, hash)
	if err != nil || u.Offset != 16 || u.Size != int64(len(data)) || u.DeviceID != d.ID || !u.StartedAt.Equal(t0) || !u.UpdatedAt.Equal(t0.Add(16*time.Second)) {
		t.Fatalf("resumed upload %+v %v", u, err)
	}
	if st, _ := db.Stats(ctx, t0); st.UploadsResumable != 1 || st.PendingMedia != 1 {
		t.Fatalf("stats %+v", st)
	}
	if ok, _ := db.MediaPresent(ctx, hash); ok {
		t.Fatal("present before it is stored")
	}
	if _, err := db.MediaSize(ctx, hash); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("size before it is stored: %v", err)
	}
	for range 2 { // storing twice keeps one file
		if err := db.MediaStored(ctx, store.MediaFile{Hash: hash, Size: int64(len(data)), DeviceID: d.ID, StoredAt: t0.Add(time.Minute)}); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.DeleteUpload(ctx, hash); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Upload(ctx, hash); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("upload after completion: %v", err)
	}
	files, err := db.MediaFiles(ctx)
	if err != nil || len(files) != 1 || files[0].Hash != hash || !files[0].StoredAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("files %+v %v", files, err)
	}
	if size, err := db.MediaSize(ctx, hash); err != nil || size != int64(len(data)) {
		t.Fatalf("size %d %v", size, err)
	}
	if p, _ := db.PendingMedia(ctx, t0); len(p) != 0 {
		t.Fatalf("pending after upload %+v", p)
	}
	if st, _ := db.Stats(ctx, t0); st.MediaFiles != 1 || st.MediaBytes != int64(len(data)) || st.PendingMedia != 0 || st.UploadsResumable != 0 {
		t.Fatalf("stats %+v", st)
	}
	if cases, _ := db.CasesOfMedia(ctx, hash); len(cases) != 1 || cases[0] != "C1" {
		t.Fatalf("cases of the file %v", cases)
	}
}
