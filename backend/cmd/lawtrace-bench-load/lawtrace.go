package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"

	"lawtrace/backend/internal/server"
	"lawtrace/backend/internal/simdev"
	"lawtrace/shared/ledger"
)

// runLawTrace runs the server binary on a fresh data directory (codes for
// the terminals made beforehand), connects the boards and the terminals and
// lets every terminal push one entry every o.every.
func runLawTrace(ctx context.Context, bin string, o opts) (*result, error) {
	dir, err := os.MkdirTemp("", "lawtrace-bench-load-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	codes, err := enrolCodes(ctx, dir, o.terminals)
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	logFile, err := os.Create(filepath.Join(dir, "server.log"))
	if err != nil {
		return nil, err
	}
	defer logFile.Close()
	cmd := exec.Command(bin, "--data", dir, "--listen", addr, "--demo", "--log-level", "warn")
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	base := "http://" + addr
	if err := waitHealthy(ctx, base); err != nil {
		return nil, err
	}
	cookie, err := simdev.SignIn(ctx, base, "supervisor", "lawtrace-supervisor")
	if err != nil {
		return nil, err
	}

	// Terminals connect and open their case.
	clients := make([]*simdev.Client, o.terminals)
	if err := parallel(o.terminals, 32, func(i int) error {
		d := simdev.New(uint64(100_000 + i))
		c, err := simdev.Connect(ctx, "ws://"+addr+"/sync", d, codes[i])
		if err != nil {
			return err
		}
		clients[i] = c
		_, err = c.Push(ctx, []ledger.Entry{d.Entry(caseID(i), "case_open", map[string]any{"procedure": "inspection", "party": "压测商户"})}, 0)
		return err
	}); err != nil {
		return nil, err
	}
	defer func() {
		for _, c := range clients {
			c.Close()
		}
	}()
	bctx, stopBoards := context.WithCancel(ctx)
	defer stopBoards()
	boards := make([]*arrivals, o.boards)
	for j := range boards {
		b, err := simdev.DialBoard(ctx, base, cookie, "size=1000")
		if err != nil {
			return nil, err
		}
		boards[j] = newArrivals()
		b.Seen = boards[j].add
		go b.Run(bctx)
	}

	p := proc{cmd.Process.Pid}
	r := &result{name: "LawTrace (lawtrace-server)"}
	a := newAcks()
	me := proc{os.Getpid()}
	cpu0, me0, t0 := p.cpu(), me.cpu(), time.Now()
	var wg sync.WaitGroup
	var mu sync.Mutex
	for i, c := range clients {
		wg.Go(func() {
			next := t0.Add(rand.N(o.every))
			for n := int64(2); ; n++ {
				time.Sleep(time.Until(next))
				if time.Since(t0) >= o.duration {
					return
				}
				e := c.Dev.Entry(caseID(i), "inspection_notes", map[string]any{"fields": map[string]string{"findings": fmt.Sprintf("第 %d 条", n)}})
				for {
					if _, err := c.Push(ctx, []ledger.Entry{e}, 0); err == nil {
						break
					}
					// A failed push: reconnect and send it again (the
					// server keeps an entry once).
					mu.Lock()
					r.errors++
					mu.Unlock()
					c.Close()
					nc, err := simdev.Connect(ctx, "ws://"+addr+"/sync", c.Dev, "")
					if err != nil || time.Since(t0) >= o.duration+o.grace {
						return
					}
					c = nc
				}
				a.add(caseID(i), n, time.Now())
				next = next.Add(o.every)
			}
		})
	}
	wg.Wait()
	r.cpu, r.clientCPU, r.wall = p.cpu()-cpu0, me.cpu()-me0, time.Since(t0)
	r.rssEnd, r.rssPeak = p.rss()
	time.Sleep(o.grace)
	score(r, a, boards)
	return r, nil
}

func caseID(i int) string { return fmt.Sprintf("LOAD-%04d", i) }

// enrolCodes makes one enrolment code per terminal in the data directory.
func enrolCodes(ctx context.Context, dir string, n int) ([]string, error) {
	data, err := server.OpenData(dir, time.Now)
	if err != nil {
		return nil, err
	}
	defer data.Close()
	codes := make([]string, n)
	for i := range codes {
		ec, err := server.NewEnrolCode(ctx, data, fmt.Sprintf("压测终端 %d", i), time.Hour, "")
		if err != nil {
			return nil, err
		}
		codes[i] = ec.Code
	}
	return codes, nil
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitHealthy(ctx context.Context, base string) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		req, _ := http.NewRequestWithContext(ctx, "GET", base+"/healthz", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("%s did not answer /healthz", base)
}

// parallel runs f(0..n-1) with at most width at once; the first error wins.
func parallel(n, width int, f func(i int) error) error {
	sem := make(chan struct{}, width)
	var wg sync.WaitGroup
	var once sync.Once
	var first error
	for i := range n {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if err := f(i); err != nil {
				once.Do(func() { first = err })
			}
		})
	}
	wg.Wait()
	return first
}
