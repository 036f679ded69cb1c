package server

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Issue 13 finding 9, SPEC X3: /healthz said ok while the disk was full.
// A tmpfs that fills up needs root, so the threshold is set above the free
// space the test's file system has: the answer is 503 with the reason;
// with the threshold below it, ok and the free bytes; and a data directory
// that cannot take a probe write is unavailable too.
func TestHealthzReportsFullDisk(t *testing.T) {
	dir := t.TempDir()
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		t.Fatal(err)
	}
	free := st.Bavail * uint64(st.Bsize)
	m, err := Open(Config{DataDir: dir, Listen: "127.0.0.1:0", MinFreeBytes: free + 1<<40})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Start(); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	get := func() (int, map[string]any) {
		t.Helper()
		resp, err := http.Get(m.URL() + "/healthz")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v map[string]any
		if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, v
	}
	code, v := get()
	if code != http.StatusServiceUnavailable || v["status"] != "unavailable" || !strings.Contains(v["error"].(string), "剩余空间不足") {
		t.Fatalf("disk below the threshold: %d %v", code, v)
	}
	m.cfg.MinFreeBytes = 1 << 20
	code, v = get()
	if code != http.StatusOK || v["status"] != "ok" || v["free_bytes"].(float64) <= 0 {
		t.Fatalf("disk with room: %d %v", code, v)
	}
	// a probe write that fails (a directory squats the probe's name)
	if err := os.Mkdir(filepath.Join(dir, ".healthz-probe"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".healthz-probe", "x"), []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, v = get()
	if code != http.StatusServiceUnavailable || !strings.Contains(v["error"].(string), "写入测试失败") {
		t.Fatalf("probe write failing: %d %v", code, v)
	}
}
