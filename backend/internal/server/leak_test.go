package server

import (
	"runtime/pprof"
	"strings"
	"testing"
	"time"
)

// Issue 13: Close stops every background loop of the server before the
// database closes; a watcher polling a closed store used to stay behind
// for good (context.WithoutCancel in syncsrv.Watch).
func TestCloseLeavesNoWatcherBehind(t *testing.T) {
	m, err := Open(Config{DataDir: t.TempDir(), Listen: "127.0.0.1:0", Demo: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	// Close waits for the watchers; a short grace covers goroutines that
	// are returning from their last select.
	var left string
	for range 50 {
		var b strings.Builder
		_ = pprof.Lookup("goroutine").WriteTo(&b, 1)
		left = ""
		for _, g := range strings.Split(b.String(), "\n\n") {
			if strings.Contains(g, "syncsrv.(*Server).Watch") || strings.Contains(g, "reviewsrv.(*Service).Watch") {
				left += g + "\n\n"
			}
		}
		if left == "" {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("watchers still running after Close:\n%s", left)
}
