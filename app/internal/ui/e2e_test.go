package ui

import (
	"bufio"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"lawtrace/app/internal/fieldsync"
)

// quietSync hides a Sync's change notices: the tests refresh the screen
// themselves on the test goroutine instead of from the sync goroutine.
type quietSync struct{ Sync }

func (quietSync) OnChange(func()) {}

// moduleRoot is the repository root (where go.mod is).
func moduleRoot(t *testing.T) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

// startBackend builds and starts lawtrace-server with demo data on a
// loopback port and returns its binary, data directory and sync URL.
func startBackend(t *testing.T) (bin, data, syncURL string) {
	t.Helper()
	root := moduleRoot(t)
	if _, err := os.Stat(filepath.Join(root, "backend", "cmd", "lawtrace-server")); err != nil {
		t.Skip("backend/cmd/lawtrace-server is not in this tree")
	}
	bin = filepath.Join(t.TempDir(), "lawtrace-server")
	build := exec.Command("go", "build", "-o", bin, "./backend/cmd/lawtrace-server")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=1")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("build lawtrace-server: %v\n%s", err, out)
	}
	data = filepath.Join(t.TempDir(), "server")
	cmd := exec.Command(bin, "--data", data, "--listen", "127.0.0.1:0", "--demo", "--log-format", "text", "--log-level", "warn")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		re := regexp.MustCompile(`terminals sync at (\S+)`)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case syncURL = <-found:
	case <-time.After(30 * time.Second):
		t.Fatal("lawtrace-server did not say where terminals sync")
	}
	return bin, data, syncURL
}

// SPEC S1 S2 S5 S6 F3: the officer enrols the terminal against a real
// backend on loopback by pasting the enrolment payload, the officers arrive
// by down-sync, a whole inspection case is walked on screen, and sync
// confirms every entry and file — shown on the indicator and the case list.
func TestEnrolWalkAndSyncAgainstRealBackend(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs lawtrace-server")
	}
	term, home := newTerminal(t)
	term.Now = time.Now // the server checks the device clock
	bin, data, _ := startBackend(t)

	out, err := exec.Command(bin, "--data", data, "enroll", "--device-name", "UI test terminal", "--json").Output()
	if err != nil {
		t.Fatalf("enroll code: %v", err)
	}
	var code struct{ Payload, Code, Server string }
	if err := json.Unmarshal(out, &code); err != nil || code.Payload == "" {
		t.Fatalf("enrol code %s: %v", out, err)
	}

	live := NewLiveSync(term, fieldsync.Options{MinBackoff: 100 * time.Millisecond, MaxBackoff: time.Second, PollInterval: 100 * time.Millisecond})
	h := openHarness(t, phone, term, home, quietSync{live})
	u := h.u
	photo, video, audio := h.files()

	// Paste the payload: it fills server and code; enrol.
	test.Type(u.firstRun.payload, code.Payload)
	if u.firstRun.server.Text != code.Server || u.firstRun.code.Text != code.Code {
		t.Fatalf("payload filled server %q code %q", u.firstRun.server.Text, u.firstRun.code.Text)
	}
	test.Tap(u.firstRun.enrol)
	h.noDialog()
	h.see("已注册到")

	// The demo officers arrive by down-sync.
	waitFor(t, "officers by down-sync", func() bool {
		o, err := term.Officers()
		return err == nil && len(o) >= 2
	})
	u.firstRun.officers.reload()
	h.chooseOnDuty("王强  15010001", "李明  15010002")

	h.openNewCase("城关镇鑫源食品商行", "呼和浩特市新城区海东路12号")
	caseID := u.proc.c.ID
	h.showID(video)
	h.rightsSigned()
	h.inspectionNotes(video)
	h.opinion()
	h.photo("货架全景", photo)
	h.sample(video)
	h.serveLodging(audio)
	h.closeScene()

	// Sync confirms everything; the screen says so.
	waitFor(t, "every entry and file confirmed", func() bool {
		st, err := term.Status()
		return err == nil && st.Outbox == 0 && st.PendingMedia == 0
	})
	u.Refresh()
	if txt := u.syncInd.Text(); !strings.Contains(txt, "全部已确认") || !strings.Contains(txt, "已同步") {
		t.Fatalf("sync indicator %q, want everything confirmed and the last sync time", txt)
	}
	u.popTo("cases")
	u.cases.reload()
	h.see("城关镇鑫源食品商行", "现场执法已结束", "同步：全部记录已确认")
	if c, err := term.Case(caseID); err != nil || c.Unconfirmed != 0 {
		t.Fatalf("case %s: %d unconfirmed (%v)", caseID, c.Unconfirmed, err)
	}
	// The backend verifies what it received: entries, signatures, media, log.
	if out, err := exec.Command(bin, "--data", data, "verify").CombinedOutput(); err != nil {
		t.Fatalf("lawtrace-server verify: %v\n%s", err, out)
	}
}

func waitFor(t *testing.T, what string, ok func() bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for !ok() {
		select {
		case <-ctx.Done():
			t.Fatalf("timed out waiting for %s", what)
		case <-time.After(50 * time.Millisecond):
		}
	}
}
