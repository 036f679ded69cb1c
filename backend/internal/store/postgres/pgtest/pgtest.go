// Package pgtest starts a throwaway PostgreSQL cluster for tests: Debian's PostgreSQL 15 binaries, a cluster in a temporary directory run as an unprivileged user, reached only through a unix socket in that directory.
package pgtest

import (
	"database/sql"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the pgx driver for the set-up statements

	"lawtrace/shared/testtool"
)

// BinDir holds Debian's PostgreSQL 15 server binaries (package postgresql-15).
const BinDir = "/usr/lib/postgresql/15/bin"

// superuser is the cluster's bootstrap superuser; the socket trusts it.
const superuser = "lawtrace"

// Cluster is a running throwaway cluster.
type Cluster struct {
	dir string
	n   atomic.Int64
}

// Start initialises and starts a cluster for the test and stops and
// removes it when the test ends. Without the binaries the test is skipped,
// or fails under CI=true (testtool). As root the cluster runs as nobody:
// PostgreSQL refuses to run as root. The cluster does not fsync: a
// throwaway for correctness tests.
func Start(t testing.TB) *Cluster { return start(t, false) }

// StartDurable is Start with PostgreSQL's durable defaults (fsync,
// synchronous commit, full page writes), for benchmarks.
func StartDurable(t testing.TB) *Cluster { return start(t, true) }

func start(t testing.TB, durable bool) *Cluster {
	t.Helper()
	for _, b := range []string{"initdb", "pg_ctl", "postgres"} {
		if _, err := os.Stat(filepath.Join(BinDir, b)); err != nil {
			testtool.Missing(t, "PostgreSQL 15 is not installed (apt-get install postgresql): "+err.Error())
		}
	}
	reapOrphans(t)
	dir, err := os.MkdirTemp("", dirPrefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.WriteFile(filepath.Join(dir, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o644); err != nil {
		t.Fatal(err)
	}
	run := runner(t, dir)
	data := filepath.Join(dir, "data")
	if out, err := run(filepath.Join(BinDir, "initdb"), "-D", data, "-U", superuser, "--auth=trust", "-E", "UTF8", "--locale=C").CombinedOutput(); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	opts := fmt.Sprintf("-c listen_addresses='' -k %s -c max_connections=200", dir)
	if !durable {
		opts += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
	}
	if out, err := run(filepath.Join(BinDir, "pg_ctl"), "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		t.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	t.Cleanup(func() {
		if out, err := run(filepath.Join(BinDir, "pg_ctl"), "-D", data, "-m", "immediate", "-w", "stop").CombinedOutput(); err != nil {
			t.Errorf("pg_ctl stop: %v\n%s", err, out)
		}
	})
	return &Cluster{dir: dir}
}

// A cluster's directory is os.TempDir()/dirPrefix…, holding ownerFile: the
// process id of the test binary that started it.
const (
	dirPrefix = "lawtrace-pg-"
	ownerFile = "owner.pid"
)

// reapOrphans stops and removes the clusters whose test binary is gone — a
// binary killed (a timeout, SIGKILL) runs no cleanup, and its cluster would
// otherwise run until the machine stops.
func reapOrphans(t testing.TB) {
	owners, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPrefix+"*", ownerFile))
	for _, owner := range owners {
		b, err := os.ReadFile(owner)
		if err != nil {
			continue
		}
		pid, err := strconv.Atoi(string(b))
		if err != nil || pid <= 0 || syscall.Kill(pid, 0) != syscall.ESRCH {
			continue // alive (or not ours to judge)
		}
		dir := filepath.Dir(owner)
		if out, err := runner(t, dir)(filepath.Join(BinDir, "pg_ctl"), "-D", filepath.Join(dir, "data"), "-m", "immediate", "-w", "stop").CombinedOutput(); err != nil {
			t.Logf("pgtest: stopping the cluster of dead test process %d: %v\n%s", pid, err, out)
		}
		os.RemoveAll(dir)
	}
}

// runner makes commands that run as the cluster's owner: nobody when the
// tests run as root (the directory is handed to it), else the caller.
func runner(t testing.TB, dir string) func(name string, args ...string) *exec.Cmd {
	if os.Geteuid() != 0 {
		return exec.Command
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Fatalf("tests run as root and there is no user nobody to run PostgreSQL as: %v", err)
	}
	uid, _ := strconv.Atoi(nobody.Uid)
	gid, _ := strconv.Atoi(nobody.Gid)
	if err := os.Chown(dir, uid, gid); err != nil {
		t.Fatal(err)
	}
	runuser := testtool.Path(t, "runuser", "util-linux")
	return func(name string, args ...string) *exec.Cmd {
		return exec.Command(runuser, append([]string{"-u", "nobody", "--", name}, args...)...)
	}
}

// DSN is the connection string of a database of the cluster.
func (c *Cluster) DSN(database string) string {
	return fmt.Sprintf("postgres://%s@/%s?host=%s&sslmode=disable", superuser, database, c.dir)
}

// NewDatabase creates an empty database and returns its connection string.
func (c *Cluster) NewDatabase(t testing.TB) string {
	t.Helper()
	name := fmt.Sprintf("t%d", c.n.Add(1))
	db, err := sql.Open("pgx", c.DSN("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE DATABASE ` + name); err != nil {
		t.Fatal(err)
	}
	return c.DSN(name)
}
