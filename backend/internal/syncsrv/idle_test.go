package syncsrv_test

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"lawtrace/backend/internal/server"
	"lawtrace/backend/internal/simdev"
)

// The cost of an idle sync connection (issue 15), measured from outside:
// BenchmarkIdleConnections runs a server in a child process of this test
// binary and N idle clients in another, and reports the server process's
// Go heap in use and RSS per connection, for the LawTrace sync server
// (authenticated, idle connections) and for a minimal gorilla server
// (default Upgrader, one reader goroutine per connection) in the same run:
//
//	go test -run '^$' -bench IdleConnections -benchtime 1x -idle-conns 19800 ./backend/internal/syncsrv/

var idleConns = flag.Int("idle-conns", 2000, "connections in BenchmarkIdleConnections")

const (
	idleRoleEnv = "LAWTRACE_IDLE_ROLE"
	idleSeed    = 4242
)

func BenchmarkIdleConnections(b *testing.B) {
	n := *idleConns
	per := map[string][4]float64{}
	for _, kind := range []string{"minimal", "lawtrace"} {
		heap, rss, goroutines, stacks := measureIdle(b, kind, n)
		per[kind] = [4]float64{heap / float64(n) / 1024, rss / float64(n) / 1024, goroutines / float64(n), stacks / float64(n) / 1024}
		b.ReportMetric(per[kind][0], kind+"-heap-KiB/conn")
		b.ReportMetric(per[kind][1], kind+"-rss-KiB/conn")
		b.ReportMetric(per[kind][2], kind+"-goroutines/conn")
		b.ReportMetric(per[kind][3], kind+"-stack-KiB/conn")
		b.Logf("%s: %d idle connections: heap %.1f MiB, stacks %.1f MiB, RSS %.1f MiB, %.2f goroutines per connection",
			kind, n, heap/(1<<20), stacks/(1<<20), rss/(1<<20), per[kind][2])
	}
	b.ReportMetric(per["lawtrace"][1]/per["minimal"][1], "rss-ratio")
}

// measureIdle returns the growth of the server process's heap in use, RSS,
// goroutines and goroutine stacks with n idle connections.
func measureIdle(b *testing.B, kind string, n int) (heap, rss, goroutines, stacks float64) {
	srv := helper(b, kind, nil)
	defer srv.stop()
	line := srv.expect("url ")
	f := strings.Fields(line)
	base := srv.measure()
	cli := helper(b, "clients", []string{"IDLE_URL=" + f[1], "IDLE_CODE=" + f[2], "IDLE_N=" + strconv.Itoa(n), "IDLE_KIND=" + kind})
	defer cli.stop()
	cli.expect("ready")
	loaded := srv.measure()
	return loaded[0] - base[0], loaded[1] - base[1], loaded[2] - base[2], loaded[3] - base[3]
}

type child struct {
	b   *testing.B
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Scanner
}

func helper(b *testing.B, role string, env []string) *child {
	cmd := exec.Command(os.Args[0], "-test.run", "^TestIdleHelper$", "-test.bench", "^$")
	cmd.Env = append(append(os.Environ(), idleRoleEnv+"="+role), env...)
	cmd.Stderr = os.Stderr
	in, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	return &child{b: b, cmd: cmd, in: in, out: bufio.NewScanner(out)}
}

func (c *child) expect(prefix string) string {
	for c.out.Scan() {
		if strings.HasPrefix(c.out.Text(), prefix) {
			return c.out.Text()
		}
	}
	c.b.Fatalf("helper ended before %q: %v", prefix, c.out.Err())
	return ""
}

// measure asks the server process for its heap in use, RSS and goroutines.
func (c *child) measure() [4]float64 {
	fmt.Fprintln(c.in, "measure")
	var v [4]float64
	for i, s := range strings.Fields(c.expect("measured "))[1:] {
		v[i], _ = strconv.ParseFloat(s, 64)
	}
	return v
}

func (c *child) stop() {
	c.in.Close()
	_ = c.cmd.Process.Kill()
	_ = c.cmd.Wait()
}

// TestIdleHelper is a child process of BenchmarkIdleConnections.
func TestIdleHelper(t *testing.T) {
	switch os.Getenv(idleRoleEnv) {
	case "":
		t.Skip("a child process of BenchmarkIdleConnections")
	case "lawtrace":
		m := start(t, server.Config{})
		d := simdev.New(idleSeed)
		idleServe(m.SyncURL(), newCode(t, m, d.Name))
	case "minimal":
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ws, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
			if err != nil {
				return
			}
			defer ws.Close()
			for {
				if _, _, err := ws.ReadMessage(); err != nil {
					return
				}
			}
		}))
		defer hs.Close()
		idleServe("ws"+strings.TrimPrefix(hs.URL, "http"), "-")
	case "clients":
		idleClients(t)
	}
}

// idleServe announces the server and answers measure requests on stdin.
func idleServe(url, code string) {
	fmt.Printf("url %s %s\n", url, code)
	in := bufio.NewScanner(os.Stdin)
	for in.Scan() {
		// A few collections, as a long-running server has done: each may
		// halve a goroutine stack that uses under a quarter of it.
		for range 3 {
			runtime.GC()
		}
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		fmt.Printf("measured %d %d %d %d\n", ms.HeapInuse, rssBytes(), runtime.NumGoroutine(), ms.StackInuse)
	}
}

func rssBytes() int64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	pages, _ := strconv.ParseInt(f[1], 10, 64)
	return pages * int64(os.Getpagesize())
}

// idleClients opens the connections (authenticated for LawTrace), reports
// ready and holds them until stdin closes.
func idleClients(t *testing.T) {
	url, code, kind := os.Getenv("IDLE_URL"), os.Getenv("IDLE_CODE"), os.Getenv("IDLE_KIND")
	n, _ := strconv.Atoi(os.Getenv("IDLE_N"))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var closers []io.Closer
	var mu sync.Mutex
	dial := func() error {
		var c io.Closer
		if kind == "lawtrace" {
			cl, err := simdev.Connect(ctx, url, simdev.New(idleSeed), "")
			if err != nil {
				return err
			}
			c = cl
		} else {
			ws, _, err := websocket.DefaultDialer.DialContext(ctx, url, nil)
			if err != nil {
				return err
			}
			c = ws
		}
		mu.Lock()
		closers = append(closers, c)
		mu.Unlock()
		return nil
	}
	if kind == "lawtrace" { // the first connection enrols the device
		cl, err := simdev.Connect(ctx, url, simdev.New(idleSeed), code)
		if err != nil {
			t.Fatal(err)
		}
		closers = append(closers, cl)
		n--
	}
	var wg sync.WaitGroup
	errs := make(chan error, n)
	sem := make(chan struct{}, 16) // under the server's per-address pre-auth cap
	for i := 0; i < n; i++ {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := dial(); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	fmt.Println("ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	for _, c := range closers {
		c.Close()
	}
}
