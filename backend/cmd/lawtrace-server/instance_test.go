package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"testing"
	"time"
)

// --instance names the instance in /healthz and the metrics;
// $LAWTRACE_INSTANCE does when the flag is absent, and the flag wins over
// it (SPEC X2 X3; issue 14).
func TestServeInstanceFlag(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the server binary")
	}
	for _, tc := range []struct {
		args []string
		env  string
		want string
	}{
		{[]string{"--instance", "web-2"}, "web-from-env", "web-2"},
		{nil, "web-from-env", "web-from-env"},
	} {
		addr := freeAddr(t)
		cmd := exec.Command(serverBin, append([]string{"--data", t.TempDir(), "--listen", addr, "--log-level", "error"}, tc.args...)...)
		cmd.Env = append(os.Environ(), "LAWTRACE_INSTANCE="+tc.env)
		var log bytes.Buffer
		cmd.Stderr = &lockedWriter{w: &log}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
		var v struct {
			Instance string `json:"instance"`
		}
		answered := false
		for range 400 {
			resp, err := http.Get("http://" + addr + "/healthz")
			if err != nil {
				time.Sleep(25 * time.Millisecond)
				continue
			}
			err = json.NewDecoder(resp.Body).Decode(&v)
			resp.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			answered = true
			break
		}
		if !answered {
			t.Fatalf("%v: server did not answer: %s", tc.args, log.String())
		}
		if v.Instance != tc.want {
			t.Fatalf("%v with LAWTRACE_INSTANCE=%s: instance %q, want %q", tc.args, tc.env, v.Instance, tc.want)
		}
	}
}
