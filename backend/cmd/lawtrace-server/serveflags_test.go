package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// The operator sets the A/V upload rule and the free-space threshold on the
// command line; a wrong value is refused before anything opens (issue 13).
func TestServeFlagsRefuseBadValues(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--upload-rule", "3d"}, `--upload-rule "3d": want 24h or 2wd`},
		{[]string{"--min-free-mb", "-5"}, "min-free-mb"},
	} {
		var out, errOut bytes.Buffer
		code := run(append([]string{"--data", t.TempDir(), "--listen", "127.0.0.1:0"}, tc.args...), &out, &errOut)
		if code != 2 || !strings.Contains(errOut.String(), tc.want) {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 naming %q", tc.args, code, errOut.String(), tc.want)
		}
	}
}

// --min-free-mb above the disk's free space makes /healthz answer 503 with
// the threshold it was given (SPEC X3; issue 13 finding 9).
func TestServeMinFreeFlag(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the server binary")
	}
	addr := freeAddr(t)
	cmd := exec.Command(serverBin, "--data", t.TempDir(), "--listen", addr, "--upload-rule", "2wd", "--min-free-mb", "1000000000", "--log-level", "error")
	var log bytes.Buffer
	cmd.Stderr = &lockedWriter{w: &log}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	for i := 0; i < 400; i++ {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			time.Sleep(25 * time.Millisecond)
			continue
		}
		var v struct {
			Status       string `json:"status"`
			MinFreeBytes uint64 `json:"min_free_bytes"`
		}
		err = json.NewDecoder(resp.Body).Decode(&v)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusServiceUnavailable || v.Status != "unavailable" || v.MinFreeBytes != 1000000000<<20 {
			t.Fatalf("healthz %d %+v; want 503 unavailable with min_free_bytes %d", resp.StatusCode, v, uint64(1000000000)<<20)
		}
		return
	}
	t.Fatalf("server did not answer: %s", log.String())
}
