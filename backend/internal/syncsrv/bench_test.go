package syncsrv_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	_ "github.com/mattn/go-sqlite3"

	"lawtrace/backend/internal/server"
	"lawtrace/backend/internal/simdev"
	"lawtrace/shared/blob"
	"lawtrace/shared/ledger"
)

var (
	benchDevices = flag.Int("devices", 200, "simulated devices in BenchmarkIngest")
	benchBatch   = flag.Int("batch", 100, "entries per push in BenchmarkIngest")
	benchMediaMB = flag.Int("media-mb", 64, "file size in MB for the media benchmarks")
)

// sealed makes n entries spread over devs devices, 50 entries per case.
func sealed(devs []*simdev.Device, n int) [][]ledger.Entry {
	out := make([][]ledger.Entry, len(devs))
	for i := 0; i < n; i++ {
		d := i % len(devs)
		dev := devs[d]
		k := len(out[d])
		caseID := fmt.Sprintf("%s-C%d", dev.ID, k/50)
		if k%50 == 0 {
			out[d] = append(out[d], dev.Entry(caseID, "case_open", map[string]any{"procedure": "inspection", "party": "测试商户"}))
		} else {
			out[d] = append(out[d], dev.Entry(caseID, "inspection_notes", map[string]any{"fields": map[string]string{"findings": fmt.Sprintf("第 %d 项检查记录：货架上的预包装食品标签完整", k)}}))
		}
	}
	return out
}

// BenchmarkIngest: N simulated devices (default 200) push entries through
// real websockets on loopback; each batch is acknowledged only after its
// commit (fsync), with inclusion proofs. b.N is the number of entries.
func BenchmarkIngest(b *testing.B) {
	clients := connectDevices(b, start(b, server.Config{}), *benchDevices)
	work := sealed(devicesOf(clients), b.N)
	b.ResetTimer()
	elapsed := pushAll(b, clients, work)
	b.StopTimer()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "entries/s")
}

// BenchmarkRawSQLiteInsert: the same rows inserted straight into SQLite
// with the same durability (WAL, synchronous=FULL), in batches of the same
// size — the floor the ingest path is measured against.
func BenchmarkRawSQLiteInsert(b *testing.B) {
	devs := make([]*simdev.Device, *benchDevices)
	for i := range devs {
		devs[i] = simdev.New(uint64(1000 + i))
	}
	work := sealed(devs, b.N)
	db := rawDB(b)
	b.ResetTimer()
	elapsed := insertAll(b, db, work)
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "entries/s")
}

// BenchmarkIngestVsRawInsert puts ingest next to its floor in one run
// (issue 15): the same entries go through the protocol and straight into
// SQLite in alternating rounds of whole batches, so that both sides see the
// same load; each raw round starts once the server has finished with the
// round before (the live board has taken in every entry), so that its
// work does not slow the floor. It reports both rates and their ratio.
func BenchmarkIngestVsRawInsert(b *testing.B) {
	const rounds = 2
	m := start(b, server.Config{})
	clients := connectDevices(b, m, *benchDevices)
	work := sealed(devicesOf(clients), b.N)
	db := rawDB(b)
	var ingest, raw time.Duration
	pushed := 0
	b.ResetTimer()
	for r := range rounds {
		part := make([][]ledger.Entry, len(work))
		for d, es := range work {
			batches := (len(es) + *benchBatch - 1) / *benchBatch
			from, to := r*batches/rounds**benchBatch, (r+1)*batches/rounds**benchBatch
			part[d] = es[min(from, len(es)):min(to, len(es))]
			pushed += len(part[d])
		}
		ingest += pushAll(b, clients, part)
		b.StopTimer()
		awaitBoard(b, m, pushed)
		b.StartTimer()
		raw += insertAll(b, db, part)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/ingest.Seconds(), "ingest-entries/s")
	b.ReportMetric(float64(b.N)/raw.Seconds(), "raw-entries/s")
	b.ReportMetric(raw.Seconds()/ingest.Seconds(), "ratio")
}

// awaitBoard waits until the live board has taken in n entries.
func awaitBoard(b *testing.B, m *server.Main, n int) {
	counter := regexp.MustCompile(`(?m)^lawtrace_board_entries_(?:from_ingest|read_back)_total(?:\{[^}]*\})? (\d+)$`)
	for deadline := time.Now().Add(time.Minute); ; time.Sleep(10 * time.Millisecond) {
		var buf bytes.Buffer
		m.Metrics.Write(&buf)
		taken := 0
		for _, c := range counter.FindAllStringSubmatch(buf.String(), -1) {
			v, _ := strconv.Atoi(c[1])
			taken += v
		}
		if taken >= n {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("the board took in %d of %d entries in a minute", taken, n)
		}
	}
}

// connectDevices enrols n simulated terminals and connects each.
func connectDevices(b *testing.B, m *server.Main, n int) []*simdev.Client {
	ctx := context.Background()
	clients := make([]*simdev.Client, n)
	for i := range clients {
		d := simdev.New(uint64(1000 + i))
		c, err := simdev.Connect(ctx, m.SyncURL(), d, newCode(b, m, d.Name))
		if err != nil {
			b.Fatal(err)
		}
		clients[i] = c
		b.Cleanup(func() { c.Close() })
	}
	return clients
}

func devicesOf(clients []*simdev.Client) []*simdev.Device {
	devs := make([]*simdev.Device, len(clients))
	for i, c := range clients {
		devs[i] = c.Dev
	}
	return devs
}

// pushAll has every client push its entries in batches, all at once, and
// returns how long until the last batch was acknowledged.
func pushAll(b *testing.B, clients []*simdev.Client, work [][]ledger.Entry) time.Duration {
	ctx := context.Background()
	start := time.Now()
	var wg sync.WaitGroup
	errs := make(chan error, len(clients))
	for i, c := range clients {
		wg.Go(func() {
			es := work[i]
			for len(es) > 0 {
				n := min(*benchBatch, len(es))
				ack, err := c.Push(ctx, es[:n], 0)
				if err != nil {
					errs <- err
					return
				}
				if ack.Accepted != n {
					errs <- fmt.Errorf("accepted %d of %d", ack.Accepted, n)
					return
				}
				es = es[n:]
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
	return elapsed
}

// rawDB is an SQLite database with the entries table and ingest's
// durability (WAL, synchronous=FULL).
func rawDB(b *testing.B) *sql.DB {
	path := filepath.Join(b.TempDir(), "raw.db")
	db, err := sql.Open("sqlite3", "file:"+path+"?_journal_mode=WAL&_synchronous=FULL&_busy_timeout=15000&_txlock=immediate")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE entries (id TEXT PRIMARY KEY, case_id TEXT NOT NULL, seq INTEGER NOT NULL, device_id TEXT NOT NULL,
		device_seq INTEGER NOT NULL, step TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, body BLOB NOT NULL, device_time TEXT NOT NULL,
		UNIQUE (case_id, seq), UNIQUE (device_id, device_seq))`); err != nil {
		b.Fatal(err)
	}
	return db
}

// insertAll inserts every device's entries in transactions of one batch
// each and returns how long it took.
func insertAll(b *testing.B, db *sql.DB, work [][]ledger.Entry) time.Duration {
	start := time.Now()
	for _, es := range work {
		for len(es) > 0 {
			n := min(*benchBatch, len(es))
			tx, err := db.Begin()
			if err != nil {
				b.Fatal(err)
			}
			for _, e := range es[:n] {
				body, _ := json.Marshal(e)
				if _, err := tx.Exec(`INSERT INTO entries VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, e.ID, e.CaseID, e.Seq, e.DeviceID, e.DeviceSeq, e.Step, e.Hash, body, e.DeviceTime); err != nil {
					b.Fatal(err)
				}
			}
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
			es = es[n:]
		}
	}
	return time.Since(start)
}

func mediaFile(i int) []byte {
	data := bytes.Repeat([]byte("LawTrace benchmark body-camera video stream; "), (*benchMediaMB<<20)/45+1)[:*benchMediaMB<<20]
	copy(data, fmt.Sprintf("file %08d", i))
	return data
}

// BenchmarkMediaUpload: one file per iteration through the protocol on a
// real websocket: 1 MiB chunks, 4 in flight, each fsynced and its offset
// committed, the whole file re-hashed at the end.
func BenchmarkMediaUpload(b *testing.B) {
	m := start(b, server.Config{})
	ctx := context.Background()
	d := simdev.New(1)
	c, err := simdev.Connect(ctx, m.SyncURL(), d, newCode(b, m, d.Name))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Push(ctx, d.Case("M", 1), 0); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(*benchMediaMB << 20))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		data := mediaFile(i)
		if _, err := c.Push(ctx, []ledger.Entry{d.MediaEntry("M", ledger.KindVideo, data)}, 0); err != nil {
			b.Fatal(err)
		}
		hash := ledger.HashBytes(data)
		b.StartTimer()
		sent, err := c.UploadHashed(ctx, hash, data, 1<<20, 4)
		if err != nil || sent != int64(len(data)) {
			b.Fatalf("sent %d: %v", sent, err)
		}
	}
}

// BenchmarkPlainHTTPPut: the same file by a plain HTTP PUT into the same
// kind of folder (temporary file, fsync, rename) — the baseline.
func BenchmarkPlainHTTPPut(b *testing.B) {
	folder, err := blob.OpenFolder(b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, _, err := folder.Put(r.Body); err != nil {
			http.Error(w, err.Error(), 500)
		}
	}))
	defer srv.Close()
	b.SetBytes(int64(*benchMediaMB << 20))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		data := mediaFile(i)
		b.StartTimer()
		req, _ := http.NewRequest(http.MethodPut, srv.URL+"/media", bytes.NewReader(data))
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("put: %v %v", resp, err)
		}
		resp.Body.Close()
	}
}

// BenchmarkMediaVsPlainPut puts the media path next to its floor in one
// run (issue 15): each iteration uploads one file through the protocol on
// a real websocket (1 MiB chunks, 4 in flight) and the same-sized file by a
// plain HTTP PUT into a folder on the same disk (temporary file, hashed
// while streaming, fsync, rename), alternating, and reports both rates and
// their ratio.
func BenchmarkMediaVsPlainPut(b *testing.B) {
	// The simulated terminal dials with the buffers the real one uses
	// (fieldsync.DialWebsocket: 64 KiB), not gorilla's default 4 KiB,
	// which would write each 1 MiB chunk in 256 system calls.
	saved := *websocket.DefaultDialer
	websocket.DefaultDialer.ReadBufferSize, websocket.DefaultDialer.WriteBufferSize = 64<<10, 64<<10
	defer func() { *websocket.DefaultDialer = saved }()
	m := start(b, server.Config{})
	ctx := context.Background()
	d := simdev.New(1)
	c, err := simdev.Connect(ctx, m.SyncURL(), d, newCode(b, m, d.Name))
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Push(ctx, d.Case("M", 1), 0); err != nil {
		b.Fatal(err)
	}
	folder, err := blob.OpenFolder(filepath.Join(filepath.Dir(m.Data.Dir), "plain-put"))
	if err != nil {
		b.Fatal(err)
	}
	put := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, _, err := folder.Put(r.Body); err != nil {
			http.Error(w, err.Error(), 500)
		}
	}))
	defer put.Close()
	size := int64(*benchMediaMB << 20)
	var protocol, plain time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		data := mediaFile(2 * i)
		if _, err := c.Push(ctx, []ledger.Entry{d.MediaEntry("M", ledger.KindVideo, data)}, 0); err != nil {
			b.Fatal(err)
		}
		hash := ledger.HashBytes(data)
		b.StartTimer()
		t0 := time.Now()
		if sent, err := c.UploadHashed(ctx, hash, data, 1<<20, 4); err != nil || sent != size {
			b.Fatalf("sent %d: %v", sent, err)
		}
		protocol += time.Since(t0)
		data = mediaFile(2*i + 1)
		t0 = time.Now()
		req, _ := http.NewRequest(http.MethodPut, put.URL+"/media", bytes.NewReader(data))
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("put: %v %v", resp, err)
		}
		resp.Body.Close()
		plain += time.Since(t0)
	}
	mb := float64(b.N) * float64(size) / 1e6
	b.ReportMetric(mb/protocol.Seconds(), "protocol-MB/s")
	b.ReportMetric(mb/plain.Seconds(), "put-MB/s")
	b.ReportMetric(plain.Seconds()/protocol.Seconds(), "ratio")
}
