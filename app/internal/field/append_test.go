package field_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"lawtrace/app/internal/field"
)

// SPEC S6, issue 15: device numbers come from the entries table, so once a
// remote wipe removed the rows holding the highest numbers, the next entry
// still continues after them — a number is never issued twice — and the
// terminal verifies clean.
func TestDeviceSeqNotReusedAfterWipe(t *testing.T) {
	term := newTerm(t)
	dir := t.TempDir()
	recordDemo(t, term, filepath.Join(dir, "a"), 0)
	all, _ := term.Outbox(100)
	last := all[len(all)-1].DeviceSeq
	log := newLog()
	_ = term.SetServer(log.server())
	log.add(t, all)
	if _, err := term.ConfirmEntries(log.head(), nil, log.proofs(t, all)); err != nil {
		t.Fatal(err)
	}
	if r, err := term.Wipe(); err != nil || r.Entries != len(all) || r.Kept != 0 {
		t.Fatalf("wipe %+v %v", r, err)
	}
	recordDemo(t, term, filepath.Join(dir, "b"), 1)
	next, err := term.Outbox(100)
	if err != nil || len(next) == 0 {
		t.Fatalf("outbox after the wipe: %d %v", len(next), err)
	}
	for i, e := range next {
		if want := last + 1 + int64(i); e.DeviceSeq != want {
			t.Fatalf("entry %d after the wipe numbered #%d, want #%d", i, e.DeviceSeq, want)
		}
	}
	if findings, err := term.Verify(""); err != nil || len(findings) != 0 {
		t.Fatalf("terminal does not verify after the wipe: %v %v", findings, err)
	}
}

// A terminal that numbered its entries with the settings counter (before
// migration 0004) continues after that counter once upgraded, even when
// the rows holding the highest numbers were wiped under the old schema.
func TestDeviceSeqContinuesAfterUpgrade(t *testing.T) {
	home := filepath.Join(t.TempDir(), "home")
	term, err := field.Init(home, "upgrade test")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	recordDemo(t, term, filepath.Join(dir, "a"), 0)
	all, _ := term.Outbox(100)
	log := newLog()
	_ = term.SetServer(log.server())
	log.add(t, all)
	if _, err := term.ConfirmEntries(log.head(), nil, log.proofs(t, all)); err != nil {
		t.Fatal(err)
	}
	if _, err := term.Wipe(); err != nil {
		t.Fatal(err)
	}
	term.Close()

	// Back to the store as migration 0003 left it: the counter holds the
	// last number issued, no floor trigger.
	db, err := sql.Open("sqlite3", filepath.Join(home, "terminal.db"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = db.Exec(`DROP TRIGGER entries_device_seq_floor;
		UPDATE settings SET key = 'last_device_seq' WHERE key = 'device_seq_floor';
		DELETE FROM schema_migrations WHERE version = 4`)
	db.Close()
	if err != nil {
		t.Fatal(err)
	}

	term, err = field.Open(home)
	if err != nil {
		t.Fatal(err)
	}
	defer term.Close()
	recordDemo(t, term, filepath.Join(dir, "b"), 1)
	next, err := term.Outbox(1)
	if err != nil || len(next) != 1 {
		t.Fatalf("outbox after the upgrade: %d %v", len(next), err)
	}
	if want := all[len(all)-1].DeviceSeq + 1; next[0].DeviceSeq != want {
		t.Fatalf("first entry after the upgrade numbered #%d, want #%d", next[0].DeviceSeq, want)
	}
	if findings, err := term.Verify(""); err != nil || len(findings) != 0 {
		t.Fatalf("terminal does not verify after the upgrade: %v %v", findings, err)
	}
}

// SPEC R2: the newest unconfirmed entries deleted behind the application's
// back (its delete guard dropped) are still found missing: their removal
// leaves the floor the device numbering continues from.
func TestVerifyFindsNewestEntriesDeleted(t *testing.T) {
	home := filepath.Join(t.TempDir(), "home")
	term, err := field.Init(home, "tamper test")
	if err != nil {
		t.Fatal(err)
	}
	defer term.Close()
	recordDemo(t, term, filepath.Join(t.TempDir(), "a"), 0)
	db, err := sql.Open("sqlite3", filepath.Join(home, "terminal.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var last int64
	if err := db.QueryRow(`SELECT MAX(device_seq) FROM entries`).Scan(&last); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`DROP TRIGGER entries_no_delete; DELETE FROM entries WHERE device_seq > ?`, last-2); err != nil {
		t.Fatal(err)
	}
	findings, err := term.Verify("")
	if err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("device entries after #%d are missing (last issued #%d)", last-2, last)
	for _, f := range findings {
		if strings.Contains(f.Problem, want) {
			return
		}
	}
	t.Fatalf("findings %+v; want %q", findings, want)
}
