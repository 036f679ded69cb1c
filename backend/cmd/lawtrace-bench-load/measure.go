package main

import (
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// proc reads a process's CPU time and resident memory from /proc.
type proc struct{ pid int }

// cpu is the process's user and system CPU time so far.
func (p proc) cpu() time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.pid))
	if err != nil {
		return 0
	}
	// The fields after the command name, which is in parentheses.
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / 100 // USER_HZ
}

// rss is the resident set (VmRSS) and its peak (VmHWM) in MiB.
func (p proc) rss() (now, peak float64) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.pid))
	if err != nil {
		return 0, 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		kb, _ := strconv.ParseFloat(f[1], 64)
		switch f[0] {
		case "VmRSS:":
			now = kb / 1024
		case "VmHWM:":
			peak = kb / 1024
		}
	}
	return now, peak
}

// acks records when each update (case, entry count) was acknowledged.
type acks struct {
	mu sync.Mutex
	at map[string][]stamp // by case, in entry order
}

type stamp struct {
	n  int64
	at time.Time
}

func newAcks() *acks { return &acks{at: map[string][]stamp{}} }

func (a *acks) add(caseID string, n int64, at time.Time) {
	a.mu.Lock()
	a.at[caseID] = append(a.at[caseID], stamp{n, at})
	a.mu.Unlock()
}

// arrivals records when a board got each state of a row.
type arrivals struct {
	mu sync.Mutex
	at map[string][]stamp
}

func newArrivals() *arrivals { return &arrivals{at: map[string][]stamp{}} }

func (a *arrivals) add(caseID string, n int64, at time.Time) {
	a.mu.Lock()
	a.at[caseID] = append(a.at[caseID], stamp{n, at})
	a.mu.Unlock()
}

// result is one side's figures.
type result struct {
	name            string
	updates         int // acknowledged updates × boards
	latencies       []time.Duration
	missed, folded  int
	errors          int           // pushes that failed and were sent again
	clientCPU       time.Duration // this process: terminals and boards
	cpu             time.Duration
	rssEnd, rssPeak float64
	wall            time.Duration
}

// score matches every acknowledged update with each board: its latency is
// the first arrival of that state or a later one (folded when only a later
// one came), missed when none came.
func score(r *result, a *acks, boards []*arrivals) {
	for _, b := range boards {
		b.mu.Lock()
		for caseID, sent := range a.at {
			got := b.at[caseID]
			for _, s := range sent {
				r.updates++
				i := slices.IndexFunc(got, func(g stamp) bool { return g.n >= s.n })
				if i < 0 {
					r.missed++
					continue
				}
				if got[i].n != s.n {
					r.folded++
				}
				r.latencies = append(r.latencies, max(0, got[i].at.Sub(s.at)))
			}
		}
		b.mu.Unlock()
	}
	slices.Sort(r.latencies)
}

func (r *result) pct(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	return r.latencies[min(len(r.latencies)-1, int(p*float64(len(r.latencies))))]
}

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

// report prints both sides side by side.
func report(terminals, boards int, every, dur time.Duration, rs ...*result) {
	fmt.Printf("\nboard latency, terminal ack -> board row: %d terminals pushing every %s, %d boards, %s\n\n", terminals, every, boards, dur)
	fmt.Printf("| measure |")
	for _, r := range rs {
		fmt.Printf(" %s |", r.name)
	}
	fmt.Printf("\n|---|")
	for range rs {
		fmt.Printf("---|")
	}
	fmt.Println()
	line := func(label string, f func(r *result) string) {
		fmt.Printf("| %s |", label)
		for _, r := range rs {
			fmt.Printf(" %s |", f(r))
		}
		fmt.Println()
	}
	line("updates × boards", func(r *result) string { return strconv.Itoa(r.updates) })
	line("p50", func(r *result) string { return ms(r.pct(0.50)) })
	line("p99", func(r *result) string { return ms(r.pct(0.99)) })
	line("max", func(r *result) string {
		if len(r.latencies) == 0 {
			return "—"
		}
		return ms(r.latencies[len(r.latencies)-1])
	})
	line("missed (no state ≥ it arrived)", func(r *result) string { return strconv.Itoa(r.missed) })
	line("folded (a later state came instead)", func(r *result) string { return strconv.Itoa(r.folded) })
	line("failed pushes (sent again)", func(r *result) string { return strconv.Itoa(r.errors) })
	line("server CPU during the run", func(r *result) string {
		return fmt.Sprintf("%.1f s (%.0f%% of one core)", r.cpu.Seconds(), 100*r.cpu.Seconds()/r.wall.Seconds())
	})
	line("bench client CPU (terminals and boards)", func(r *result) string {
		return fmt.Sprintf("%.1f s (%.0f%% of one core)", r.clientCPU.Seconds(), 100*r.clientCPU.Seconds()/r.wall.Seconds())
	})
	line("server RSS end / peak", func(r *result) string { return fmt.Sprintf("%.0f / %.0f MiB", r.rssEnd, r.rssPeak) })
}
