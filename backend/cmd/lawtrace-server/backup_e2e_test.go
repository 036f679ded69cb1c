package main

import (
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"lawtrace/shared/syncproto"
)

// SPEC X3 R2 S2 S3; issue 14 — the restore drill with real processes: a
// server and two terminals sync, a backup is taken while the server runs,
// the terminals record and sync more (entries and media), the server is
// killed and the older backup restored into a new data directory, and the
// terminals keep recording and syncing. Afterwards the server holds every
// entry and file exactly once, verify is clean, the break in the log is a
// signed security event per terminal with both tree heads, and no terminal
// is stuck.
func TestRestoreDrill(t *testing.T) {
	s := startServer(t)
	a, b := newTerminal(t, s, "drill-a", ""), newTerminal(t, s, "drill-b", "")
	video := func(n int64, seed uint64) string {
		p := filepath.Join(t.TempDir(), "bodycam.mp4")
		writeRandom(t, p, n, seed)
		return p
	}
	a.must("demo")
	b.must("sync") // the officers come with the catalog
	a.newCaseWithVideo(video(150_000, 1))
	b.newCaseWithVideo(video(90_000, 2))
	for _, tm := range []*terminal{a, b} {
		tm.must("sync")
	}
	backup := filepath.Join(t.TempDir(), "lawtrace.backup")
	if out := s.mustOp("backup", "-o", backup); !strings.Contains(out, "log of 13 entries") {
		t.Fatalf("backup: %s", out)
	}
	// After the backup: more entries and files reach the server and are
	// confirmed on the terminals (which may now wipe them).
	a.newCaseWithVideo(video(120_000, 3))
	b.must("demo")
	b.newCaseWithVideo(video(70_000, 4))
	for _, tm := range []*terminal{a, b} {
		tm.must("sync")
	}
	before := s.stats()
	if before.Entries != 26 {
		t.Fatalf("before the restore: %+v", before)
	}

	s.kill()
	restored := filepath.Join(t.TempDir(), "restored")
	if out := s.mustOp("restore", backup, "--data", restored); !strings.Contains(out, "log of 13 entries") {
		t.Fatalf("restore: %s", out)
	}
	if out, code := s.op("restore", backup, "--data", restored); code == 0 || !strings.Contains(out, "not empty") {
		t.Fatalf("restore over the restored directory: exit %d %s", code, out)
	}
	s.data = restored
	s.start()
	if st := s.stats(); st.Entries != 13 || st.MediaFiles >= before.MediaFiles {
		t.Fatalf("restored: %+v, before the restore %+v", st, before)
	}

	// The terminals keep recording and sync: everything comes back.
	a.must("demo", "--party", "新城区某某超市")
	b.newCaseWithVideo(video(60_000, 5))
	for _, tm := range []*terminal{a, b} {
		if out := tm.must("sync"); !strings.Contains(out, "entries confirmed") {
			t.Fatalf("sync after the restore: %s", out)
		}
	}
	checkExactlyOnce(t, s, a, b)
	if st := s.stats(); st.MediaFiles != before.MediaFiles+1 {
		t.Fatalf("after the drill: %+v, before the restore %+v", st, before)
	}
	for _, tm := range []*terminal{a, b} {
		if out := tm.must("sync"); !strings.Contains(out, "0 entries confirmed") {
			t.Fatalf("a terminal is stuck: %s", out)
		}
		tm.must("verify")
		var last string
		if err := tm.db().QueryRow(`SELECT id FROM entries ORDER BY device_seq DESC LIMIT 1`).Scan(&last); err != nil {
			t.Fatal(err)
		}
		tm.must("proof", last)
	}

	// The restore and each terminal's break are on record, signed.
	var evs []struct {
		Kind     string `json:"kind"`
		DeviceID string `json:"device_id"`
		Evidence string `json:"evidence"`
	}
	if err := json.Unmarshal([]byte(s.mustOp("events", "--json", "--limit", "50")), &evs); err != nil {
		t.Fatal(err)
	}
	breaks, restores := map[string]bool{}, 0
	for _, ev := range evs {
		switch ev.Kind {
		case "log_break":
			var e struct {
				Seen, Restored struct{ Size int }
				Signature      []byte
			}
			if err := json.Unmarshal([]byte(ev.Evidence), &e); err != nil || e.Restored.Size != 13 || e.Seen.Size <= 13 || len(e.Signature) != 64 {
				t.Fatalf("log break evidence %s: %v", ev.Evidence, err)
			}
			breaks[ev.DeviceID] = true
		case "data_restored":
			restores++
		}
	}
	if len(breaks) != 2 || restores != 1 {
		t.Fatalf("security events: %d terminals reported the break, %d restores; %+v", len(breaks), restores, evs)
	}
}

// SPEC X3 R2; issue 14 — a terminal that missed a whole restore epoch
// checks its log against the earliest restore since its own epoch, so two
// restores in a row are no false alarm; a server that claims a later
// restore point than it has (its log rewrites what the terminal verified)
// is refused with log_inconsistent and the terminal does not re-pin.
func TestRestoreTwiceAndALyingServer(t *testing.T) {
	s := startServer(t)
	a := newTerminal(t, s, "drill-a", "")
	a.must("demo")
	a.must("sync")
	first := filepath.Join(t.TempDir(), "first.backup")
	s.mustOp("backup", "-o", first)
	video := filepath.Join(t.TempDir(), "bodycam.mp4")
	writeRandom(t, video, 80_000, 9)
	a.newCaseWithVideo(video)
	a.must("sync") // a verified a log of 11; the server keeps 9 of them
	s.kill()
	s.data = filepath.Join(t.TempDir(), "restored-1")
	s.mustOp("restore", first, "--data", s.data)
	s.start()
	u := newTerminal(t, s, "drill-u", "")
	u.must("demo")
	u.must("sync") // the log grows to 18 with u's entries, a is away
	second := filepath.Join(t.TempDir(), "second.backup")
	s.mustOp("backup", "-o", second)
	s.kill()
	s.data = filepath.Join(t.TempDir(), "restored-2")
	s.mustOp("restore", second, "--data", s.data)

	// The lie: only the second restore (to 18) is announced.
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(s.data, "lawtrace.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var points string
	if err := db.QueryRow(`SELECT value FROM settings WHERE key = 'restore_points'`).Scan(&points); err != nil {
		t.Fatal(err)
	}
	var ps []syncproto.RestorePoint
	if err := json.Unmarshal([]byte(points), &ps); err != nil || len(ps) != 2 || ps[0].Size != 9 || ps[1].Size != 18 {
		t.Fatalf("restore points %s: %v", points, err)
	}
	lie, _ := json.Marshal(ps[1:])
	if _, err := db.Exec(`UPDATE settings SET value = ? WHERE key = 'restore_points'`, string(lie)); err != nil {
		t.Fatal(err)
	}
	s.start()
	out, err := a.run("sync")
	if err == nil || !strings.Contains(out, "not an extension") {
		t.Fatalf("sync against a server whose log rewrites what the terminal verified: %v\n%s", err, out)
	}
	var epoch string
	if err := a.db().QueryRow(`SELECT COALESCE((SELECT value FROM settings WHERE key = 'log_epoch'), '')`).Scan(&epoch); err != nil || epoch != "" {
		t.Fatalf("the terminal re-pinned to a lying server: epoch %q %v", epoch, err)
	}

	// The truth: a checks against 9 and reports the break of its 11.
	s.kill()
	if _, err := db.Exec(`UPDATE settings SET value = ? WHERE key = 'restore_points'`, points); err != nil {
		t.Fatal(err)
	}
	s.start()
	a.must("sync")
	checkExactlyOnce(t, s, a, u)
	if out := s.mustOp("events", "--json"); !strings.Contains(out, `"kind": "log_break"`) && !strings.Contains(out, `"kind":"log_break"`) {
		t.Fatalf("no log break on record: %s", out)
	}
}
