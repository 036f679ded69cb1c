package web_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"lawtrace/backend/internal/simdev"
)

// SPEC D1 (issue 15): many terminals syncing at once, several boards
// reading and one board that never reads: every case's final state reaches
// every reading board, and the stalled board holds up none of them.
func TestBoardUnderLoadEveryFinalStateArrives(t *testing.T) {
	const terminals, syncs, perSync, readers = 30, 5, 3, 4
	e := start(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cookie, err := simdev.SignIn(ctx, e.url, "supervisor", demoPasswords["supervisor"])
	if err != nil {
		t.Fatal(err)
	}
	var boards []*simdev.Board
	for range readers {
		b, err := simdev.DialBoard(ctx, e.url, cookie, "size=1000")
		if err != nil {
			t.Fatal(err)
		}
		go b.Run(ctx)
		boards = append(boards, b)
	}
	stalled, err := simdev.DialBoard(ctx, e.url, cookie, "size=1000")
	if err != nil {
		t.Fatal(err)
	}
	defer stalled.Close() // never read

	tms := make([]*terminal, terminals)
	for i := range tms {
		tms[i] = e.terminal(uint64(1000+i), fmt.Sprintf("负载终端 %d", i))
	}
	final := map[string]int64{}
	var wg sync.WaitGroup
	errs := make(chan error, terminals)
	for i, tm := range tms {
		id := fmt.Sprintf("L%03d", i)
		final[id] = 1 + syncs*perSync
		wg.Go(func() {
			batch := tm.d.Case(id, 1)
			for s := 0; s <= syncs; s++ {
				if s > 0 {
					batch = nil
					for k := range perSync {
						batch = append(batch, tm.d.Entry(id, "inspection_notes", map[string]any{"fields": map[string]string{"findings": fmt.Sprintf("第 %d 次同步第 %d 条", s, k)}}))
					}
				}
				if _, err := tm.c.Push(ctx, batch, 0); err != nil {
					errs <- fmt.Errorf("%s: %w", id, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	for {
		var missing []string
		for i, b := range boards {
			for id, n := range final {
				if got := b.Entries(id); got != n {
					missing = append(missing, fmt.Sprintf("board %d %s: %d of %d", i, id, got, n))
				}
			}
		}
		if len(missing) == 0 {
			break
		}
		select {
		case <-ctx.Done():
			t.Fatalf("final states that did not reach a board: %v", missing)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
