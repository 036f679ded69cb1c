package storetest

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"lawtrace/backend/internal/simdev"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/ledger"
)

// SPEC R7: register rows are chained; the table refuses updates and
// deletes; a grant is valid only in its window and for its account and
// case; a request is decided once.
func testAccessRegisterStore(t *testing.T, open Opener) {
	ctx := context.Background()
	db := openAt(t, open, t0).Store
	a, err := db.CreateAccount(ctx, store.Account{Username: "zhang", Name: "张三", Role: "supervisor", PasswordHash: "x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.CreateAccount(ctx, store.Account{Username: "ZHANG", Name: "x", Role: "admin", PasswordHash: "x"}); !errors.Is(err, store.ErrExists) {
		t.Fatalf("a taken username: %v", err)
	}
	var prev string
	for i, action := range []string{store.AccessView, store.AccessPlay, store.AccessDownload} {
		r, err := db.AppendAccess(ctx, store.AccessRecord{At: t0.Add(time.Duration(i) * time.Minute), AccountID: a.ID, Username: a.Username,
			Name: a.Name, Role: a.Role, Action: action, CaseID: "C1", Reason: "督查"})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 && r.PrevHash != ledger.GenesisHash || i > 0 && r.PrevHash != prev || r.Hash != r.ChainHash() {
			t.Fatalf("row %d %+v", i, r)
		}
		prev = r.Hash
	}
	rows, err := db.AccessRecords(ctx, store.AccessFilter{CaseID: "C1", Ascending: true})
	if err != nil || len(rows) != 3 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	for _, r := range rows {
		if r.ChainHash() != r.Hash {
			t.Fatalf("stored row does not hash to its hash: %+v", r)
		}
	}
	if got, _ := db.AccessRecords(ctx, store.AccessFilter{From: t0.Add(time.Minute), To: t0.Add(2 * time.Minute)}); len(got) != 1 || got[0].Action != store.AccessPlay {
		t.Fatalf("time filter %+v", got)
	}

	g, err := db.CreateGrant(ctx, store.AccessGrant{AccountID: a.ID, CaseID: "C1", Purpose: "case", Reason: "r", CreatedAt: t0, ExpiresAt: t0.Add(30 * time.Minute)})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		account int64
		caseID  string
		at      time.Time
		ok      bool
	}{{a.ID, "C1", t0.Add(time.Minute), true}, {a.ID, "C1", t0.Add(30 * time.Minute), false}, {a.ID, "C2", t0.Add(time.Minute), false},
		{a.ID + 1, "C1", t0.Add(time.Minute), false}, {a.ID, "C1", t0.Add(-time.Second), false}} {
		got, err := db.ActiveGrant(ctx, c.account, c.caseID, c.at)
		if c.ok && (err != nil || got.ID != g.ID) || !c.ok && !errors.Is(err, store.ErrNotFound) {
			t.Errorf("grant for %+v: %+v %v", c, got, err)
		}
	}
	if logged, _ := db.AccessLogged(ctx, 0, store.AccessPlay, ""); !logged {
		t.Fatal("AccessLogged misses a row")
	}

	q, err := db.CreateAccessRequest(ctx, store.AccessRequest{AccountID: a.ID, Requester: a.Name, CaseID: "C1", Action: store.AccessDownload, Purpose: "case", Reason: "附卷"})
	if err != nil {
		t.Fatal(err)
	}
	q.Status, q.DecidedBy, q.Decider, q.DecidedAt, q.ExpiresAt = store.RequestApproved, 9, "李四", t0, t0.Add(24*time.Hour)
	if err := db.DecideAccessRequest(ctx, q); err != nil {
		t.Fatal(err)
	}
	q.Status = store.RequestDenied
	if err := db.DecideAccessRequest(ctx, q); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("deciding twice: %v", err)
	}
	got, _ := db.AccessRequest(ctx, q.ID)
	if got.Status != store.RequestApproved || got.Decider != "李四" || !got.ExpiresAt.Equal(t0.Add(24*time.Hour)) {
		t.Fatalf("request %+v", got)
	}
}

// Failed sign-ins count per username after its last success, and per
// address; sessions end with the password change.
func testLoginAttemptsAndSessions(t *testing.T, open Opener) {
	ctx := context.Background()
	db := openAt(t, open, t0).Store
	a, _ := db.CreateAccount(ctx, store.Account{Username: "li", Name: "李四", Role: "reviewer", PasswordHash: "x"})
	rec := func(at time.Duration, user, remote string, ok bool) {
		if err := db.RecordLogin(ctx, store.LoginAttempt{At: t0.Add(at), Username: user, Remote: remote, OK: ok}); err != nil {
			t.Fatal(err)
		}
	}
	rec(0, "li", "1.1.1.1", false)
	rec(time.Second, "LI", "1.1.1.2", false)
	rec(2*time.Second, "li", "1.1.1.1", true)
	rec(3*time.Second, "li", "1.1.1.1", false)
	rec(4*time.Second, "wang", "1.1.1.1", false)
	byUser, byRemote, err := db.FailedLogins(ctx, "li", "1.1.1.1", t0)
	if err != nil || byUser != 1 || byRemote != 3 {
		t.Fatalf("failures by user %d (want 1), by address %d (want 3), %v", byUser, byRemote, err)
	}
	if err := db.CreateSession(ctx, store.WebSession{IDHash: "h1", AccountID: a.ID, CSRF: "c", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour), LastSeen: t0}); err != nil {
		t.Fatal(err)
	}
	if s, acct, err := db.Session(ctx, "h1"); err != nil || s.CSRF != "c" || acct.Username != "li" {
		t.Fatalf("session %+v %+v %v", s, acct, err)
	}
	if err := db.SetPassword(ctx, a.ID, "y", false, t0); err != nil {
		t.Fatal(err)
	}
	if _, _, err := db.Session(ctx, "h1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("session after a password change: %v", err)
	}
}

// The board's rows: the crew from case_open and officer_join, step counts,
// skewed entries, pending and overdue files.
func testCaseRows(t *testing.T, open Opener) {
	ctx := context.Background()
	db := openAt(t, open, t0).Store
	d := simdev.New(1)
	d.Now = func() time.Time { return t0 }
	enrol(t, db, d, "code")
	media := []byte("video bytes")
	opened := d.Entry("C1", "case_open", map[string]any{"procedure": "inspection", "procedure_version": 1, "party": "惠民超市",
		"officers": []map[string]string{{"name": "王强", "cert": "15010001", "unit": "一中队"}}})
	join := d.Entry("C1", "officer_join", map[string]any{"officers": []map[string]string{{"name": "赵丽", "cert": "15010003", "unit": "二中队"}}})
	show := d.Entry("C1", "show_id", ledger.Payload{Files: []ledger.File{{Hash: ledger.HashBytes(media), Kind: ledger.KindVideo, Size: int64(len(media))}}}, ledger.HashBytes(media))
	if _, err := db.Ingest(ctx, store.Batch{DeviceID: d.ID, Entries: []ledger.Entry{opened, join, show}, Skewed: true, ReceivedAt: t0}); err != nil {
		t.Fatal(err)
	}
	rows, err := db.CaseRows(ctx, nil, t0.Add(25*time.Hour))
	if err != nil || len(rows) != 1 {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	r := rows[0]
	var certs []string
	for _, o := range r.Officers {
		certs = append(certs, o.Cert)
	}
	if r.Party != "惠民超市" || r.ProcedureVersion != 1 || strings.Join(certs, ",") != "15010001,15010003" || r.Steps["show_id"] != 1 ||
		r.LastProcStep != "show_id" || r.Skewed != 3 || r.PendingMedia != 1 || r.OverdueMedia != 1 {
		t.Fatalf("row %+v", r)
	}
	if rows, _ := db.CaseRows(ctx, []string{"nope"}, t0); len(rows) != 0 {
		t.Fatal("a case that does not exist")
	}
	cases, _ := db.CasesOfMedia(ctx, ledger.HashBytes(media))
	recs, _ := db.CaseRecords(ctx, "C1")
	files, _ := db.CaseMedia(ctx, "C1", t0)
	if len(cases) != 1 || len(recs) != 3 || recs[2].LeafIndex != 2 || len(files) != 1 || files[0].Stored {
		t.Fatalf("cases %v, records %d, files %+v", cases, len(recs), files)
	}
	days, err := db.DailyActivity(ctx, t0.Add(-24*time.Hour))
	if err != nil || len(days) != 1 || days[0].Entries != 3 || days[0].Day != "2026-05-07" {
		t.Fatalf("days %+v %v", days, err)
	}
}

// SPEC D1: usernames are unique whatever their case; disabling an account
// ends its sessions; expired sessions go.
func testAccounts(t *testing.T, open Opener) {
	ctx := context.Background()
	db := openAt(t, open, t0).Store
	a, err := db.CreateAccount(ctx, store.Account{Username: "Wang", Name: "王五", Role: "officer", PasswordHash: "h", MustChange: true})
	if err != nil || a.ID == 0 || !a.CreatedAt.Equal(t0) {
		t.Fatalf("create %+v %v", a, err)
	}
	b, _ := db.CreateAccount(ctx, store.Account{Username: "li", Name: "李四", Role: "admin", PasswordHash: "h"})
	if got, err := db.AccountByUsername(ctx, "WANG"); err != nil || got.ID != a.ID || !got.MustChange {
		t.Fatalf("by username, another case: %+v %v", got, err)
	}
	if _, err := db.Account(ctx, 999); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("unknown account: %v", err)
	}
	if n, _ := db.CountAccounts(ctx); n != 2 {
		t.Fatalf("count %d", n)
	}
	if list, _ := db.Accounts(ctx); len(list) != 2 || list[0].Username != "Wang" && list[0].Username != "li" {
		t.Fatalf("list %+v", list)
	}
	for _, s := range []store.WebSession{
		{IDHash: "s1", AccountID: a.ID, CSRF: "c", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour), LastSeen: t0},
		{IDHash: "s2", AccountID: b.ID, CSRF: "c", CreatedAt: t0, ExpiresAt: t0.Add(time.Minute), LastSeen: t0},
		{IDHash: "s3", AccountID: b.ID, CSRF: "c", CreatedAt: t0, ExpiresAt: t0.Add(time.Hour), LastSeen: t0},
	} {
		if err := db.CreateSession(ctx, s); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.TouchSession(ctx, "s3", t0.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	if s, _, err := db.Session(ctx, "s3"); err != nil || !s.LastSeen.Equal(t0.Add(time.Minute)) {
		t.Fatalf("touched %+v %v", s, err)
	}
	a.Disabled, a.Name = true, "王五（调离）"
	if err := db.UpdateAccount(ctx, a); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteExpiredSessions(ctx, t0.Add(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteSession(ctx, "s3"); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{"s1", "s2", "s3"} {
		if _, _, err := db.Session(ctx, id); !errors.Is(err, store.ErrNotFound) {
			t.Errorf("session %s still there: %v", id, err)
		}
	}
	if got, _ := db.Account(ctx, a.ID); !got.Disabled || got.Name != "王五（调离）" {
		t.Fatalf("updated %+v", got)
	}
	if err := db.UpdateAccount(ctx, store.Account{ID: 999, Name: "x"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("updating an unknown account: %v", err)
	}
}
