package web_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"lawtrace/backend/internal/server"
	"lawtrace/backend/internal/simdev"
	"lawtrace/backend/internal/store"
	"lawtrace/backend/internal/web"
	"lawtrace/shared/ledger"
)

// Issue 15: the board's first page at 20,000 cases / 1,000,000 entries,
// against the raw SQL read of the cases it orders.
const benchCases, benchEntries, benchDevices = 20_000, 1_000_000, 20

// seedBoard fills a data directory with benchCases cases of
// benchEntries/benchCases entries each, through the store, once: the
// directory is kept in the temporary folder for the next run.
func seedBoard(b *testing.B) string {
	b.Helper()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("lawtrace-bench-board-%d-%d", benchCases, benchEntries))
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
	defer data.Close()
	ctx := context.Background()
	st := data.Store
	perCase := benchEntries / benchCases
	for d := range benchDevices {
		dev := simdev.New(uint64(90_000 + d))
		code := fmt.Sprintf("bench-%d", d)
		now := time.Now()
		if err := st.CreateEnrolCode(ctx, store.EnrolCode{Hash: code, DeviceName: dev.Name, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
			b.Fatal(err)
		}
		if _, err := st.Enrol(ctx, code, store.Device{ID: dev.ID, Name: dev.Name, PublicKey: dev.Public(), EnrolledAt: now}); err != nil {
			b.Fatal(err)
		}
		var batch []ledger.Entry
		for c := d; c < benchCases; c += benchDevices {
			batch = append(batch, dev.Case(fmt.Sprintf("B%05d", c), perCase)...)
			if len(batch) >= 2000 || c+benchDevices >= benchCases {
				if _, err := st.Ingest(ctx, store.Batch{DeviceID: dev.ID, Entries: batch, ReceivedAt: time.Now()}); err != nil {
					b.Fatal(err)
				}
				batch = nil
			}
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "seeded"), nil, 0o600); err != nil {
		b.Fatal(err)
	}
	return dir
}

// openSeeded runs a demo server on the seeded directory and returns it
// with a supervisor's HTTP client.
func openSeeded(b *testing.B, dir string) (*server.Main, *http.Client, string) {
	b.Helper()
	m, err := server.Open(server.Config{DataDir: dir, Listen: "127.0.0.1:0", Demo: true, Web: web.Options{PasswordCost: bcrypt.MinCost}})
	if err != nil {
		b.Fatal(err)
	}
	if err := m.Start(); err != nil {
		m.Close()
		b.Fatal(err)
	}
	cookie, err := simdev.SignIn(context.Background(), m.URL(), "supervisor", demoPasswords["supervisor"])
	if err != nil {
		m.Close()
		b.Fatal(err)
	}
	return m, &http.Client{Timeout: 10 * time.Minute}, cookie
}

func getPage(b *testing.B, c *http.Client, url, cookie string) int {
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Cookie", cookie)
	resp, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	n, _ := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b.Fatalf("%s: %d", url, resp.StatusCode)
	}
	return int(n)
}

// BenchmarkBoardFirstPage: page is GET /board (first page of 50, from the
// read model, the tiles over every case); restart is a server start and
// its first /board (the model read, not the entries); sql is the floor,
// reading the 20,000 cases in the board's order straight from SQLite.
func BenchmarkBoardFirstPage(b *testing.B) {
	dir := seedBoard(b)
	b.Run("page", func(b *testing.B) {
		m, c, cookie := openSeeded(b, dir)
		defer m.Close()
		getPage(b, c, m.URL()+"/board", cookie) // the model is loaded (derived once when missing)
		var size int
		for b.Loop() {
			size = getPage(b, c, m.URL()+"/board", cookie)
		}
		b.ReportMetric(float64(size), "bytes/page")
	})
	b.Run("restart", func(b *testing.B) {
		for b.Loop() {
			m, c, cookie := openSeeded(b, dir)
			getPage(b, c, m.URL()+"/board", cookie)
			m.Close()
		}
	})
	b.Run("sql", func(b *testing.B) {
		db, err := sql.Open("sqlite3", "file:"+filepath.Join(dir, "lawtrace.db")+"?mode=ro")
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		for b.Loop() {
			rows, err := db.Query(`SELECT id, device_id, procedure, party, opened_at, last_seq, updated_at FROM cases ORDER BY updated_at DESC, id`)
			if err != nil {
				b.Fatal(err)
			}
			n := 0
			for rows.Next() {
				var id, dev, proc, party, opened, updated string
				var seq int64
				if err := rows.Scan(&id, &dev, &proc, &party, &opened, &seq, &updated); err != nil {
					b.Fatal(err)
				}
				n++
			}
			rows.Close()
			if n != benchCases {
				b.Fatalf("%d cases", n)
			}
		}
	})
}
