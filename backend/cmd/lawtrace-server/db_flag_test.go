package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lawtrace/backend/internal/store/postgres/pgtest"
)

// SPEC X2: --db (or $LAWTRACE_DB) puts the records of every command in
// PostgreSQL; the data directory keeps the key; an address that is not
// postgres:// is refused naming what is wanted.
func TestDBFlag(t *testing.T) {
	dsn := pgtest.Start(t).NewDatabase(t)
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	if code := run([]string{"--data", dir, "--db", dsn, "useradd", "--username", "li", "--name", "李四", "--role", "admin"}, &out, &errOut); code != 0 {
		t.Fatalf("useradd on PostgreSQL: exit %d: %s", code, errOut.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "lawtrace.db")); err == nil {
		t.Fatal("the records went to SQLite in the data directory")
	}
	t.Setenv("LAWTRACE_DB", dsn)
	out.Reset()
	if code := run([]string{"--data", dir, "stats", "--json"}, &out, &errOut); code != 0 {
		t.Fatalf("stats with $LAWTRACE_DB: exit %d: %s", code, errOut.String())
	}
	var st struct {
		TreeSize *uint64 `json:"tree_size"`
	}
	if err := json.Unmarshal(out.Bytes(), &st); err != nil || st.TreeSize == nil {
		t.Fatalf("stats %q %v", out.String(), err)
	}
	errOut.Reset()
	if code := run([]string{"--data", dir, "--db", "mysql://x@y/z", "stats"}, &out, &errOut); code != 1 || !strings.Contains(errOut.String(), "want postgres://") {
		t.Fatalf("a database that is not PostgreSQL: exit %d: %s", code, errOut.String())
	}
}
