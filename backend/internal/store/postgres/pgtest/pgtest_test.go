package pgtest

import (
	"bufio"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"lawtrace/shared/testtool"
)

// TestOrphanIsReaped (issue 14, left at stop 17): a test binary SIGKILLed
// while its cluster runs leaves the postmaster running; the next Start on
// the machine stops it and removes its directory.
func TestOrphanIsReaped(t *testing.T) {
	if os.Getenv("PGTEST_ORPHAN") == "1" {
		c := Start(t)
		os.Stdout.WriteString("cluster " + c.dir + "\n")
		select {} // until killed: no cleanup runs
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestOrphanIsReaped$", "-test.v")
	cmd.Env = append(os.Environ(), "PGTEST_ORPHAN=1")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var dir string
	for sc := bufio.NewScanner(out); sc.Scan(); {
		if d, ok := strings.CutPrefix(sc.Text(), "cluster "); ok {
			dir = d
			break
		}
	}
	if dir == "" {
		cmd.Process.Kill()
		testtool.Missing(t, "the child started no cluster (is PostgreSQL 15 installed? apt-get install postgresql)")
	}
	postmaster := postmasterPID(t, dir)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	// the kill landed while the cluster ran: its postmaster outlived the test
	if err := syscall.Kill(postmaster, 0); err != nil {
		t.Fatalf("postmaster %d did not outlive its killed test binary: %v", postmaster, err)
	}

	Start(t) // reaps
	if _, err := os.Stat(dir); !os.IsNotExist(err) {
		t.Errorf("the orphan's directory %s is still there: %v", dir, err)
	}
	// pg_ctl returns once the postmaster removed its pid file; the process
	// itself may take a moment longer to go
	for deadline := time.Now().Add(60 * time.Second); syscall.Kill(postmaster, 0) != syscall.ESRCH; time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the orphan's postmaster %d still runs a minute after the reap", postmaster)
		}
	}
}

// postmasterPID reads the first line of the cluster's postmaster.pid.
func postmasterPID(t *testing.T, dir string) int {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "data", "postmaster.pid"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := strconv.Atoi(strings.SplitN(string(b), "\n", 2)[0])
	if err != nil {
		t.Fatal(err)
	}
	return pid
}
