package main

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// The floor: a minimal gorilla websocket fan-out in its own process. A
// terminal sends {"c": case, "n": count}; the server queues it to every
// board and acknowledges; each board has a writer of its own.

type floorMsg struct {
	C string `json:"c"`
	N int64  `json:"n"`
	// Row is as long as a board row's HTML, so the boards of both sides
	// read as many bytes.
	Row string `json:"row"`
}

var floorRow = strings.Repeat("x", 2300)

func serveFloor(addr string) error {
	var mu sync.Mutex
	boards := map[chan []byte]struct{}{}
	up := websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", func(http.ResponseWriter, *http.Request) {})
	mux.HandleFunc("/b", func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		ch := make(chan []byte, 4096)
		mu.Lock()
		boards[ch] = struct{}{}
		mu.Unlock()
		defer func() {
			mu.Lock()
			delete(boards, ch)
			mu.Unlock()
			ws.Close()
		}()
		for b := range ch {
			if ws.WriteMessage(websocket.TextMessage, b) != nil {
				return
			}
		}
	})
	mux.HandleFunc("/t", func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		for {
			_, b, err := ws.ReadMessage()
			if err != nil {
				return
			}
			mu.Lock()
			for ch := range boards {
				select {
				case ch <- b:
				default: // a board that cannot keep up misses it
				}
			}
			mu.Unlock()
			if ws.WriteMessage(websocket.TextMessage, []byte("ack")) != nil {
				return
			}
		}
	})
	return http.ListenAndServe(addr, mux)
}

// runFloor runs the floor server (this program again) and drives it as
// runLawTrace drives LawTrace.
func runFloor(ctx context.Context, o opts) (*result, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "-floor-serve", addr)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	defer func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	}()
	if err := waitHealthy(ctx, "http://"+addr); err != nil {
		return nil, err
	}
	bctx, stop := context.WithCancel(ctx)
	defer stop()
	boards := make([]*arrivals, o.boards)
	for j := range boards {
		ws, _, err := websocket.DefaultDialer.DialContext(ctx, "ws://"+addr+"/b", nil)
		if err != nil {
			return nil, err
		}
		context.AfterFunc(bctx, func() { ws.Close() })
		arr := newArrivals()
		boards[j] = arr
		go func() {
			for {
				_, b, err := ws.ReadMessage()
				if err != nil {
					return
				}
				var m floorMsg
				if json.Unmarshal(b, &m) == nil {
					arr.add(m.C, m.N, time.Now())
				}
			}
		}()
	}
	terms := make([]*websocket.Conn, o.terminals)
	if err := parallel(o.terminals, 32, func(i int) error {
		ws, _, err := websocket.DefaultDialer.DialContext(ctx, "ws://"+addr+"/t", nil)
		terms[i] = ws
		return err
	}); err != nil {
		return nil, err
	}
	defer func() {
		for _, ws := range terms {
			ws.Close()
		}
	}()

	p := proc{cmd.Process.Pid}
	r := &result{name: "floor (minimal gorilla fan-out)"}
	a := newAcks()
	me := proc{os.Getpid()}
	cpu0, me0, t0 := p.cpu(), me.cpu(), time.Now()
	var wg sync.WaitGroup
	for i, ws := range terms {
		wg.Go(func() {
			next := t0.Add(rand.N(o.every))
			for n := int64(2); ; n++ {
				time.Sleep(time.Until(next))
				if time.Since(t0) >= o.duration {
					return
				}
				b, _ := json.Marshal(floorMsg{C: caseID(i), N: n, Row: floorRow})
				if ws.WriteMessage(websocket.TextMessage, b) != nil {
					return
				}
				if _, _, err := ws.ReadMessage(); err != nil {
					return
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
