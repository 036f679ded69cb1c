package web_test

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"lawtrace/backend/internal/reviewsrv"
	"lawtrace/backend/internal/server"
	"lawtrace/backend/internal/simdev"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/ledger"
	"lawtrace/shared/review"
)

// Issue 15: the security log's first page at 100,000 events and the review
// queue's at 20,000 cases with an office chain, each against the raw SQL
// read of its page.
const benchSecurityEvents, benchQueueCases = 100_000, 20_000

// seedLists fills a data directory once (kept in the temporary folder for
// the next run): benchSecurityEvents security events, and benchQueueCases
// penalty cases closed on scene, each with a proposed decision in its
// office chain.
func seedLists(b *testing.B) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("lawtrace-bench-lists-%d-%d", benchSecurityEvents, benchQueueCases))
	if _, err := os.Stat(filepath.Join(dir, "seeded")); err == nil {
		return dir
	}
	if err := os.RemoveAll(dir); err != nil {
		b.Fatal(err)
	}
	data, err := server.OpenData(dir, time.Now)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	st := data.Store
	const devices = 20
	for d := range devices {
		dev := simdev.New(uint64(95_000 + d))
		code := fmt.Sprintf("lists-%d", d)
		now := time.Now()
		if err := st.CreateEnrolCode(ctx, store.EnrolCode{Hash: code, DeviceName: dev.Name, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			b.Fatal(err)
		}
		if _, err := st.Enrol(ctx, code, store.Device{ID: dev.ID, Name: dev.Name, PublicKey: dev.Public(), EnrolledAt: now}); err != nil {
			b.Fatal(err)
		}
		var batch []ledger.Entry
		for c := d; c < benchQueueCases; c += devices {
			id := fmt.Sprintf("Q%05d", c)
			batch = append(batch, dev.Entry(id, "case_open", map[string]any{"procedure": "penalty", "procedure_version": 1, "party": fmt.Sprintf("第 %d 号商户", c),
				"party_kind": "org", "source": "complaint", "officers": []map[string]string{{"cert": "15010001"}, {"cert": "15010002"}}}),
				dev.Entry(id, "close_scene", map[string]any{}))
			if len(batch) >= 2000 || c+devices >= benchQueueCases {
				if _, err := st.Ingest(ctx, store.Batch{DeviceID: dev.ID, Entries: batch, ReceivedAt: now}); err != nil {
					b.Fatal(err)
				}
				batch = nil
			}
		}
	}
	svc, err := reviewsrv.New(ctx, reviewsrv.Config{Store: st})
	if err != nil {
		b.Fatal(err)
	}
	handler := reviewsrv.User{ID: "seed", Username: "officer", Name: "王强", Role: "officer", OfficerCert: "15010001"}
	for c := range benchQueueCases {
		if _, err := svc.Propose(ctx, handler, fmt.Sprintf("Q%05d", c), reviewsrv.ProposalRequest{Proposal: review.Proposal{Fine: 150000}, Summary: "罚款 15 万元"}); err != nil {
			b.Fatal(err)
		}
	}
	data.Close()
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "lawtrace.db"))
	if err != nil {
		b.Fatal(err)
	}
	tx, err := db.Begin()
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now().Add(-benchSecurityEvents * time.Minute)
	for i := range benchSecurityEvents {
		at := ledger.FormatTime(start.Add(time.Duration(i) * time.Minute))
		kind, device := "bad_signature", ""
		if i%3 == 0 {
			kind, device = "bad_entry", fmt.Sprintf("D%015x", i%500)
		}
		if _, err := tx.Exec(`INSERT INTO security_events (at, last_at, repeats, device_id, remote, kind, detail, evidence) VALUES (?, ?, 1, ?, ?, ?, ?, '')`,
			at, at, device, fmt.Sprintf("10.%d.%d.%d", i%7, i%250, i%200), kind, fmt.Sprintf("refused sync %d", i)); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	db.Close()
	if err := os.WriteFile(filepath.Join(dir, "seeded"), nil, 0o600); err != nil {
		b.Fatal(err)
	}
	return dir
}

// BenchmarkSecurityLogPage: first is GET /admin/security (the first page
// of 50 of 100,000 events, with the count); filtered is the first page of
// one kind and a part of an address; deep is page 1,000; sql is the floor,
// the page's rows read straight from SQLite.
func BenchmarkSecurityLogPage(b *testing.B) {
	dir := seedLists(b)
	m, c, _ := openSeeded(b, dir)
	defer m.Close()
	cookie, err := simdev.SignIn(context.Background(), m.URL(), "admin", demoPasswords["admin"])
	if err != nil {
		b.Fatal(err)
	}
	benchPages(b, c, m.URL()+"/admin/security", cookie, []pageQuery{{"first", ""}, {"filtered", "?kind=bad_entry&remote=10.3."}, {"deep", "?page=1000"}})
	benchSQLPage(b, dir, `SELECT id, at, last_at, repeats, device_id, remote, kind, detail, evidence FROM security_events ORDER BY last_at DESC, id DESC LIMIT 50`)
}

// BenchmarkReviewQueuePage: first is GET /review as the reviewer (the first
// page of 50 of 20,000 cases, with the count; the first request after the
// seed folds every office chain once, before the timer); filtered is one
// state and a part of the party; sql is the floor, the page's rows read
// straight from SQLite.
func BenchmarkReviewQueuePage(b *testing.B) {
	dir := seedLists(b)
	m, c, _ := openSeeded(b, dir)
	defer m.Close()
	cookie, err := simdev.SignIn(context.Background(), m.URL(), "reviewer", demoPasswords["reviewer"])
	if err != nil {
		b.Fatal(err)
	}
	getPage(b, c, m.URL()+"/review", cookie)
	benchPages(b, c, m.URL()+"/review", cookie, []pageQuery{{"first", ""}, {"filtered", "?" + url.Values{"state": {"not_submitted"}, "party": {"第 19"}}.Encode()}})
	benchSQLPage(b, dir, `SELECT case_id, item FROM review_queue ORDER BY opened_at DESC, case_id DESC LIMIT 50`)
}

// pageQuery names a query of a list page for a sub-benchmark.
type pageQuery struct{ name, query string }

// benchPages runs a sub-benchmark per query: GET page+query as the
// signed-in user, reporting the page's size.
func benchPages(b *testing.B, c *http.Client, page, cookie string, queries []pageQuery) {
	for _, q := range queries {
		b.Run(q.name, func(b *testing.B) {
			var size int
			for b.Loop() {
				size = getPage(b, c, page+q.query, cookie)
			}
			b.ReportMetric(float64(size), "bytes/page")
		})
	}
}

// benchSQLPage is the floor: the page's 50 rows read by query straight
// from the seeded SQLite file.
func benchSQLPage(b *testing.B, dir, query string) {
	b.Run("sql", func(b *testing.B) {
		db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "lawtrace.db")+"?mode=ro")
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		for b.Loop() {
			rows, err := db.Query(query)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				n++
			}
			rows.Close()
			if n != 50 {
				b.Fatalf("%d rows", n)
			}
		}
	})
}
