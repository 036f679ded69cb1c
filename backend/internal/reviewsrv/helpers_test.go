package reviewsrv

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"lawtrace/backend/internal/auth"
	"lawtrace/backend/internal/events"
	"lawtrace/backend/internal/simdev"
	"lawtrace/backend/internal/store"
	"lawtrace/backend/internal/store/sqlite"
	"lawtrace/shared/blob"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
	"lawtrace/shared/review"
	"lawtrace/shared/syncproto"
)

var testKey = ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32))

// The people of the tests, one per role (SPEC R9).
var (
	officer  = User{ID: "4", Username: "officer", Name: "王强", Role: auth.Officer, OfficerCert: "15010001"}
	officer2 = User{ID: "5", Username: "officer2", Name: "赵丽", Role: auth.Officer, OfficerCert: "15010003"}
	lawyer   = User{ID: "3", Username: "reviewer", Name: "周敏", Role: auth.Reviewer}
	head     = User{ID: "2", Username: "supervisor", Name: "张建国", Role: auth.Supervisor}
	admin    = User{ID: "1", Username: "admin", Name: "系统管理员", Role: auth.Admin}
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

type fixture struct {
	t     *testing.T
	ctx   context.Context
	db    *sqlite.DB
	svc   *Service
	dev   *simdev.Device
	clock *clock
	bus   *events.Bus
}

func cstTime(y int, m time.Month, d, hh, mm int) time.Time {
	return time.Date(y, m, d, hh, mm, 0, 0, cst)
}

func newFixture(t *testing.T, start time.Time) *fixture {
	t.Helper()
	dir := t.TempDir()
	c := &clock{t: start}
	db, err := sqlite.Open(filepath.Join(dir, "lawtrace.db"), sqlite.Options{Signer: testKey, Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	blobs, err := blob.OpenFolder(filepath.Join(dir, "media"))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, ctx: context.Background(), db: db, clock: c, bus: new(events.Bus), dev: simdev.New(42)}
	f.dev.Now = c.Now
	f.svc, err = New(f.ctx, Config{Store: db, Blobs: blobs, Bus: f.bus, Now: c.Now, ServerID: syncproto.ServerIDFor(testKey.Public().(ed25519.PublicKey))})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.CreateEnrolCode(f.ctx, store.EnrolCode{Hash: "code", DeviceName: "patrol", CreatedAt: start, ExpiresAt: start.Add(time.Hour)}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Enrol(f.ctx, "code", store.Device{ID: f.dev.ID, Name: "patrol", PublicKey: f.dev.Public()}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.PutReviewer(f.ctx, admin, store.Reviewer{Username: lawyer.Username, Name: lawyer.Name, Qualification: "A20191501010001", Active: true}); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) ingest(es ...ledger.Entry) {
	f.t.Helper()
	if err := store.CheckEntries(f.dev.ID, f.dev.Public(), es); err != nil {
		f.t.Fatal(err)
	}
	if _, err := f.db.Ingest(f.ctx, store.Batch{DeviceID: f.dev.ID, Entries: es, ReceivedAt: f.clock.Now()}); err != nil {
		f.t.Fatal(err)
	}
}

// crew is the case_open officers of the test cases.
var crew = []map[string]string{{"cert": "15010001"}, {"cert": "15010002"}}

// penaltyCase records a general-procedure penalty case on the terminal:
// opened (optionally as an emergency), an inquiry, the scene closed.
func (f *fixture) penaltyCase(id, partyKind, emergency string) {
	f.t.Helper()
	f.ingest(
		f.dev.Entry(id, "case_open", map[string]any{"procedure": "penalty", "procedure_version": 1, "party": "新城区某食品有限公司", "party_kind": partyKind,
			"source": "complaint", "emergency_reason": emergency, "officers": crew}),
		f.dev.Entry(id, "inquiry_notes", map[string]any{"fields": map[string]any{"content": "询问笔录"}}),
		f.dev.Entry(id, "close_scene", map[string]any{}),
	)
}

func (f *fixture) upload(caseID, name, content string) string {
	f.t.Helper()
	file, err := f.svc.Upload(f.ctx, officer, caseID, name, strings.NewReader(content))
	if err != nil {
		f.t.Fatal(err)
	}
	return file.Hash
}

// materials uploads the four materials every submission needs.
func (f *fixture) materials(caseID string) []MaterialRef {
	var out []MaterialRef
	for _, m := range []string{"investigation_report", "draft_decision", "evidence"} {
		out = append(out, MaterialRef{ID: m, Files: []string{f.upload(caseID, m+".pdf", m+" of "+caseID)}})
	}
	return out
}

var explanation = Explanation{BasicFacts: "当事人销售超过保质期的食品", LawAndDiscretion: "《食品安全法》第一百二十四条，裁量基准一般情节",
	OfficerQualification: "王强 15010001、李明 15010002，证件有效", InvestigationAndHearing: "现场检查、询问，当事人放弃听证"}

func findings(kind string, problem string) []review.Finding {
	var out []review.Finding
	for _, c := range review.Checklist {
		f := review.Finding{Item: c.ID, OK: c.ID != problem}
		if !f.OK {
			f.Note = "证据不足：缺少抽样检验报告"
		}
		out = append(out, f)
	}
	return out
}

func asEnforce(t *testing.T, err error) *enforce.Error {
	t.Helper()
	var e *enforce.Error
	if !errors.As(err, &e) {
		t.Fatalf("want an enforce.Error, got %v", err)
	}
	return e
}

// verifyChains checks every chain of the store end to end.
func (f *fixture) verifyChains() {
	f.t.Helper()
	keys := ledger.Keys{f.dev.ID: f.dev.Public(), syncproto.ServerIDFor(testKey.Public().(ed25519.PublicKey)): testKey.Public().(ed25519.PublicKey)}
	ids, err := f.db.CaseIDs(f.ctx)
	if err != nil {
		f.t.Fatal(err)
	}
	for _, id := range ids {
		entries, err := f.db.CaseEntries(f.ctx, id)
		if err != nil {
			f.t.Fatal(err)
		}
		if fs := ledger.VerifyCase(id, entries, keys, nil); len(fs) > 0 {
			f.t.Fatalf("chain %s: %v", id, fs)
		}
	}
	if gaps, err := f.db.DeviceSeqGaps(f.ctx); err != nil || len(gaps) > 0 {
		f.t.Fatalf("numbering %v %v", gaps, err)
	}
}
