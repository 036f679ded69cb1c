package fieldsync_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"lawtrace/app/internal/demo"
	"lawtrace/app/internal/field"
	"lawtrace/app/internal/fieldsync"
	"lawtrace/shared/syncproto"
)

var serverBin string

// TestMain builds the real lawtrace-server: the sync loop is tested
// against it over loopback websockets.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fieldsync-bin")
	if err != nil {
		panic(err)
	}
	serverBin = filepath.Join(dir, "lawtrace-server")
	out, err := exec.Command("go", "build", "-o", serverBin, "lawtrace/backend/cmd/lawtrace-server").CombinedOutput()
	if err != nil {
		fmt.Fprintf(os.Stderr, "build lawtrace-server: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type backend struct {
	t    *testing.T
	data string
	addr string
	cmd  *exec.Cmd
}

func freeAddr(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func startBackend(t *testing.T) *backend {
	b := &backend{t: t, data: t.TempDir(), addr: freeAddr(t)}
	b.start()
	t.Cleanup(b.stop)
	return b
}

func (b *backend) start() {
	b.t.Helper()
	b.cmd = exec.Command(serverBin, "--data", b.data, "--listen", b.addr, "--demo", "--log-level", "warn")
	b.cmd.Stderr = os.Stderr
	if err := b.cmd.Start(); err != nil {
		b.t.Fatal(err)
	}
	// A wait, not a timing assertion: a loaded CI machine may take long.
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); {
		resp, err := http.Get("http://" + b.addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	b.t.Fatal("server did not come up")
}

func (b *backend) stop() {
	if b.cmd != nil && b.cmd.Process != nil {
		_ = b.cmd.Process.Signal(syscall.SIGKILL)
		_ = b.cmd.Wait()
		b.cmd = nil
	}
}

func (b *backend) op(args ...string) string {
	b.t.Helper()
	out, err := exec.Command(serverBin, append([]string{"--data", b.data}, args...)...).CombinedOutput()
	if err != nil {
		b.t.Fatalf("lawtrace-server %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (b *backend) code(name string) string {
	var ec struct{ Code string }
	if err := json.Unmarshal([]byte(b.op("enroll", "--device-name", name, "--json")), &ec); err != nil {
		b.t.Fatal(err)
	}
	return ec.Code
}

func (b *backend) stats() map[string]int64 {
	out := map[string]int64{}
	if err := json.Unmarshal([]byte(b.op("stats", "--json")), &out); err != nil {
		b.t.Fatal(err)
	}
	return out
}

func ctxT(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func enrolledTerminal(t *testing.T, b *backend) *field.Terminal {
	term, err := field.Init(filepath.Join(t.TempDir(), "home"), "patrol")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { term.Close() })
	if _, err := fieldsync.Enrol(ctxT(t), term, "http://"+b.addr, b.code("patrol"), fieldsync.Options{}); err != nil {
		t.Fatal(err)
	}
	return term
}

func record(t *testing.T, term *field.Terminal) string {
	in, err := demo.WriteInputs(filepath.Join(t.TempDir(), "in"))
	if err != nil {
		t.Fatal(err)
	}
	id, _, err := demo.RecordInspection(term, in, "测试商户")
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func status(t *testing.T, term *field.Terminal) field.Status {
	st, err := term.Status()
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// SPEC S1 S2 S3 S5 R2: one pass sends every entry and file, confirms each
// entry with a verified log proof, and brings the officers down.
func TestOncePassAgainstRealServer(t *testing.T) {
	b := startBackend(t)
	term := enrolledTerminal(t, b)
	caseID := record(t, term)
	var mu sync.Mutex
	var phases []fieldsync.Phase
	s := fieldsync.New(term, fieldsync.Options{OnState: func(st fieldsync.State) {
		mu.Lock()
		phases = append(phases, st.Phase)
		mu.Unlock()
	}})
	res, err := s.Once(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if res.Confirmed != 9 || res.Outbox != 0 || res.PendingMedia != 0 || res.MediaFiles != 11 || res.CatalogItems == 0 {
		t.Fatalf("result %+v", res)
	}
	st := status(t, term)
	if st.Outbox != 0 || st.PendingBytes != 0 || st.LastSync == "" {
		t.Fatalf("status %+v", st)
	}
	cs, _ := term.Case(caseID)
	for _, e := range cs.Entries {
		p, err := term.EntryProof(e.ID)
		if err != nil || !p.Verified {
			t.Fatalf("entry %s proof %+v %v", e.ID, p, err)
		}
	}
	if o, err := term.Officer("15010003"); err != nil || o.Name != "赵丽" {
		t.Fatalf("down-synced officer %+v %v", o, err)
	}
	mu.Lock()
	got := fmt.Sprint(phases)
	mu.Unlock()
	for _, want := range []fieldsync.Phase{fieldsync.PhaseConnecting, fieldsync.PhasePushing, fieldsync.PhaseUploading, fieldsync.PhasePulling, fieldsync.PhaseIdle} {
		if !strings.Contains(got, string(want)) {
			t.Errorf("phases %s lack %s", got, want)
		}
	}
	stats := b.stats()
	if stats["entries"] != 9 || stats["cases"] != 1 || stats["media_files"] != 11 {
		t.Fatalf("server stats %v", stats)
	}
	// A second pass has nothing to do.
	res, err = s.Once(ctxT(t))
	if err != nil || res.Confirmed != 0 || res.MediaBytesSent != 0 {
		t.Fatalf("second pass %+v %v", res, err)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(45 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// SPEC S1: the background loop sends new entries as they are recorded,
// resumes by itself after the server dies and comes back, and stops when
// its context ends.
func TestRunResumesAfterServerRestart(t *testing.T) {
	b := startBackend(t)
	term := enrolledTerminal(t, b)
	s := fieldsync.New(term, fieldsync.Options{MinBackoff: 50 * time.Millisecond, MaxBackoff: 200 * time.Millisecond, PollInterval: 50 * time.Millisecond})
	ctx, cancel := context.WithCancel(ctxT(t))
	done := make(chan error, 1)
	go func() { done <- s.Run(ctx) }()

	record(t, term)
	s.Nudge()
	waitFor(t, "first case synced", func() bool { return status(t, term).Outbox == 0 && status(t, term).PendingBytes == 0 })

	b.stop() // SIGKILL
	record(t, term)
	waitFor(t, "the loop to notice the drop", func() bool { return s.State().Phase == fieldsync.PhaseOffline })
	if status(t, term).Outbox != 9 {
		t.Fatal("entries left the outbox while the server was down")
	}
	b.start()
	waitFor(t, "second case synced after restart", func() bool { return status(t, term).Outbox == 0 })
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run ended with %v", err)
	}
	if st := b.stats(); st["entries"] != 18 || st["cases"] != 2 {
		t.Fatalf("server stats %v", st)
	}
	if out := b.op("verify"); !strings.Contains(out, "intact") {
		t.Fatal(out)
	}
}

// SPEC S6: a revoked terminal is cut off, told why, and the loop stops
// with the reason; status shows it.
func TestRunStopsWhenRevoked(t *testing.T) {
	b := startBackend(t)
	term := enrolledTerminal(t, b)
	s := fieldsync.New(term, fieldsync.Options{PollInterval: 50 * time.Millisecond})
	done := make(chan error, 1)
	go func() { done <- s.Run(ctxT(t)) }()
	waitFor(t, "connected", func() bool { return s.State().Phase == fieldsync.PhaseWaiting })
	b.op("revoke", term.DeviceID(), "--reason", "设备遗失")
	err := <-done
	if e := syncproto.AsError(err); e == nil || e.Code != syncproto.CodeRevoked || !strings.Contains(e.Message, "设备遗失") {
		t.Fatalf("Run ended with %v", err)
	}
	if !status(t, term).Revoked || s.State().Phase != fieldsync.PhaseRevoked {
		t.Fatalf("revocation not shown: %+v", s.State())
	}
}

// SPEC S6: a wipe order is carried out after everything is sent: confirmed
// cases go, the server records the report.
func TestWipeOrderCarriedOut(t *testing.T) {
	b := startBackend(t)
	term := enrolledTerminal(t, b)
	caseID := record(t, term)
	b.op("wipe", term.DeviceID(), "--reason", "reassigned")
	res, err := fieldsync.New(term, fieldsync.Options{}).Once(ctxT(t))
	if err != nil {
		t.Fatal(err)
	}
	if res.Wiped == nil || res.Wiped.Cases != 1 || res.Wiped.Entries != 9 || res.Wiped.Kept != 0 {
		t.Fatalf("wipe %+v", res.Wiped)
	}
	if _, err := term.Case(caseID); err == nil {
		t.Fatal("case survived")
	}
	if st := b.stats(); st["entries"] != 9 {
		t.Fatalf("server lost entries: %v", st)
	}
	if out := b.op("devices"); !strings.Contains(out, "wiped") {
		t.Fatalf("devices: %s", out)
	}
}

// SPEC S6: a terminal refuses a server that is not the one it enrolled
// with — here an impostor holding a copy of the real database but not the
// server key.
func TestRefusesAnotherServer(t *testing.T) {
	b := startBackend(t)
	term := enrolledTerminal(t, b)
	b.stop()
	other := &backend{t: t, data: t.TempDir(), addr: freeAddr(t)}
	for _, name := range []string{"lawtrace.db", "lawtrace.db-wal", "lawtrace.db-shm"} {
		if data, err := os.ReadFile(filepath.Join(b.data, name)); err == nil {
			_ = os.WriteFile(filepath.Join(other.data, name), data, 0o600)
		}
	}
	other.start()
	t.Cleanup(other.stop)
	if err := term.SetSetting("server_url", "ws://"+other.addr+"/sync"); err != nil {
		t.Fatal(err)
	}
	_, err := fieldsync.New(term, fieldsync.Options{}).Once(ctxT(t))
	if e := syncproto.AsError(err); e == nil || e.Code != syncproto.CodeAuth || !strings.Contains(e.Message, "not") {
		t.Fatalf("got %v", err)
	}
}

func TestParseServer(t *testing.T) {
	for in, want := range map[string]string{
		"127.0.0.1:8080": "ws://127.0.0.1:8080/sync",
		"http://h:1":     "ws://h:1/sync",
		"https://h":      "wss://h/sync",
		"ws://h:2/sync":  "ws://h:2/sync",
		"lawtrace://enrol?server=ws%3A%2F%2Fh%3A3%2Fsync&code=AB&fp=x": "ws://h:3/sync",
	} {
		e, err := fieldsync.ParseServer(in)
		if err != nil || e.Server != want {
			t.Errorf("%s: %+v %v", in, e, err)
		}
	}
	if e, _ := fieldsync.ParseServer("lawtrace://enrol?server=h:3&code=AB&fp=x"); e.Code != "AB" || e.Fingerprint != "x" {
		t.Errorf("payload %+v", e)
	}
	if _, err := fieldsync.ParseServer("ftp://h"); err == nil {
		t.Error("ftp accepted")
	}
}

// Issue 13 (9), SPEC R2: once the server's log stops extending what this
// terminal verified, every later sync fails with log_inconsistent — also
// one with nothing new to send, which used to pass and clear the alarm.
func TestForkedLogAlarmStays(t *testing.T) {
	b := startBackend(t)
	a := enrolledTerminal(t, b)
	other := enrolledTerminal(t, b)
	record(t, a)
	if _, err := fieldsync.New(a, fieldsync.Options{}).Once(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	b.stop()
	backup := filepath.Join(t.TempDir(), "backup")
	if out, err := exec.Command("cp", "-a", b.data, backup).CombinedOutput(); err != nil {
		t.Fatalf("backup: %v %s", err, out)
	}
	b.start()
	record(t, a)
	if _, err := fieldsync.New(a, fieldsync.Options{}).Once(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	// The server comes back from the older copy and another terminal's
	// entries take the places in the log that a's second case had.
	b.stop()
	if out, err := exec.Command("sh", "-c", `rm -rf "$1" && cp -a "$2" "$1"`, "sh", b.data, backup).CombinedOutput(); err != nil {
		t.Fatalf("restore: %v %s", err, out)
	}
	b.start()
	record(t, other)
	if _, err := fieldsync.New(other, fieldsync.Options{}).Once(ctxT(t)); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		_, err := fieldsync.New(a, fieldsync.Options{}).Once(ctxT(t))
		if pe := syncproto.AsError(err); pe == nil || pe.Code != syncproto.CodeLogInconsistent {
			t.Fatalf("sync %d after the fork: %v, want log_inconsistent", i+1, err)
		}
	}
}
