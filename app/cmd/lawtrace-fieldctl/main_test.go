package main

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"lawtrace/app/internal/demo"
	"lawtrace/shared/ledger"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fieldctl-bin")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "lawtrace-fieldctl")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		panic(fmt.Sprintf("build: %v\n%s", err, out))
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

func fieldctl(t *testing.T, home string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"--home", home}, args...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return result{code, out.String(), errOut.String()}
}

func must(t *testing.T, home string, args ...string) string {
	t.Helper()
	r := fieldctl(t, home, args...)
	if r.code != 0 {
		t.Fatalf("%v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
	}
	return strings.TrimSpace(r.stdout)
}

func refused(t *testing.T, home, want string, args ...string) {
	t.Helper()
	r := fieldctl(t, home, args...)
	if r.code == 0 || !strings.Contains(r.stderr, want) {
		t.Fatalf("%v: exit %d, stderr %q; want a refusal containing %q", args, r.code, r.stderr, want)
	}
}

type status struct {
	Outbox, Cases, Entries, PendingMedia int
}

func readStatus(t *testing.T, home string) status {
	t.Helper()
	var s struct {
		Outbox       int `json:"outbox"`
		Cases        int `json:"cases"`
		Entries      int `json:"entries"`
		PendingMedia int `json:"pending_media"`
	}
	if err := json.Unmarshal([]byte(must(t, home, "status", "--json")), &s); err != nil {
		t.Fatal(err)
	}
	return status{s.Outbox, s.Cases, s.Entries, s.PendingMedia}
}

// setUp initialises a terminal with two valid officers and one expired.
func setUp(t *testing.T) (string, demo.Inputs) {
	t.Helper()
	home := filepath.Join(t.TempDir(), "home")
	must(t, home, "init", "--device-name", "测试终端")
	year := time.Now().Year() + 1
	must(t, home, "officer", "add", "--name", "王强", "--cert", "15010001", "--expires", fmt.Sprintf("%d-12-31", year))
	must(t, home, "officer", "add", "--name", "李明", "--cert", "15010002", "--expires", fmt.Sprintf("%d-12-31", year))
	must(t, home, "officer", "add", "--name", "赵刚", "--cert", "15010003", "--expires", "2020-01-01")
	in, err := demo.WriteInputs(filepath.Join(t.TempDir(), "input"))
	if err != nil {
		t.Fatal(err)
	}
	return home, in
}

// SPEC F2 F3 F4 F6 F9 F10 F11 R1 R2: a full inspection with sampling and
// service by lodging, step by step through the built binary.
func TestInspectionScenarioEndToEnd(t *testing.T) {
	home, in := setUp(t)
	id := must(t, home, "case", "new", "--type", "inspection", "--party", "惠民便利店", "--party-kind", "org", "--source", "complaint",
		"--officer", "15010001", "--officer", "15010002", "--place", "中山东路 88 号")
	today := time.Now().Format("2006-01-02")
	// 王强 records; both officers sign notes; the shop's manager 张伟 signs
	// for the party as its named agent; 李明 serves (000-record §4, §11, §21).
	officers := []string{"--sign", "officer:王强=" + in.OfficerSign, "--sign", "officer:李明=" + in.ServerSign}
	agent := []string{"--set", "party_agent=张伟", "--sign", "party:张伟=" + in.PartySign}
	steps := [][]string{
		{"step", id, "show_id", "--attach", in.Video},
		{"step", id, "notify_rights", "--set", "acknowledgement=signed", "--set", "read_aloud=true", "--set", "party_agent=张伟", "--sign", "party=" + in.PartySign, "--signer", "party=张伟"},
		join([]string{"step", id, "inspection_notes", "--set", "location=店内", "--set", "start_time=" + today + " 09:30", "--set", "findings=3 个品种标签未标注生产日期",
			"--attach", in.Video}, officers, agent),
		{"step", id, "photo", "--set", "caption=货架", "--attach", in.Photo},
		join([]string{"step", id, "sample", "--set", "location=仓库", "--items", `items=[{"item":"瓜子","quantity":"4袋","seal_number":"FY-1","sample_id":"YP-1"}]`,
			"--attach", in.Video}, officers, agent),
		join([]string{"step", id, "inspection_opinion", "--set", "conclusion=rectify", "--set", "opinion=标签不合格，责令改正"}, officers, agent),
		{"step", id, "serve", "--set", "document=现场检查笔录", "--set", "document_kind=other", "--set", "method=lodging", "--set", "date=" + today, "--set", "place=店内",
			"--set", "refusal_reason=拒绝签收", "--set", "witness_name=刘芳", "--attach", in.Audio, "--sign", "server:李明=" + in.ServerSign, "--sign", "witness:刘芳=" + in.WitnessSign},
		{"case", "close-scene", id},
	}
	for _, s := range steps {
		out := must(t, home, append(s, "--by", "15010001")...)
		if !strings.HasPrefix(out, "recorded ") {
			t.Fatalf("%v printed %q", s, out)
		}
	}
	if out := must(t, home, "verify", id); !strings.HasPrefix(out, "intact") {
		t.Fatalf("verify: %s", out)
	}
	st := readStatus(t, home)
	if st.Entries != 9 || st.Outbox != 9 || st.Cases != 1 {
		t.Fatalf("status %+v, want 9 entries all in the outbox, 1 case", st)
	}
	var entries []ledger.Entry
	if err := json.Unmarshal([]byte(must(t, home, "log", id, "--json")), &entries); err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, e := range entries {
		kinds = append(kinds, e.Step)
	}
	if got := strings.Join(kinds, ","); got != "case_open,show_id,notify_rights,inspection_notes,photo,sample,inspection_opinion,serve,close_scene" {
		t.Fatalf("entries %s", got)
	}
	refused(t, home, "the on-scene record is closed", "step", id, "photo", "--by", "15010001", "--set", "caption=x", "--attach", in.Photo)

	// SPEC F12: the on-scene documents print as PDF.
	for _, step := range []string{"notify_rights", "inspection_notes", "sample", "serve"} {
		pdf := filepath.Join(t.TempDir(), step+".pdf")
		must(t, home, "document", id, step, "-o", pdf)
		if b, err := os.ReadFile(pdf); err != nil || !bytes.HasPrefix(b, []byte("%PDF-")) {
			t.Fatalf("%s: not a PDF (%v)", step, err)
		}
	}
	refused(t, home, "has no printed form", "document", id, "case_open", "-o", filepath.Join(t.TempDir(), "x.pdf"))
}

// SPEC F3 F9 F11: the guard's refusals reach the officer with the article,
// and nothing is written.
func TestGuardRefusalsThroughCLI(t *testing.T) {
	home, in := setUp(t)
	solo := must(t, home, "case", "new", "--type", "inspection", "--party", "张三", "--party-kind", "person", "--officer", "15010001")
	refused(t, home, "at least 2 officers with valid credentials must be on the case, 1 are (003 §14, 行政处罚法 §42)", "step", solo, "show_id", "--by", "15010001", "--attach", in.Video)
	refused(t, home, "credential 15010003 of 赵刚 expired on 2020-01-01", "case", "new", "--type", "inspection", "--party", "张三", "--party-kind", "person", "--officer", "15010001", "--officer", "15010003")
	id := must(t, home, "case", "new", "--type", "inspection", "--party", "张三", "--party-kind", "person", "--officer", "15010001", "--officer", "15010002")
	refused(t, home, "missing audio/video record (or emergency_reason) (000-record §9)", "step", id, "show_id", "--by", "15010001")
	refused(t, home, "earlier steps must be recorded first: missing show_id", "step", id, "inspection_notes", "--by", "15010001")
	must(t, home, "step", id, "show_id", "--by", "15010001", "--set", "emergency_reason=当事人正在销毁证据，来不及录像")
	lodging := []string{"step", id, "serve", "--by", "15010001", "--set", "document=责令改正通知书", "--set", "document_kind=other", "--set", "method=lodging",
		"--set", "date=2026-05-06", "--set", "place=住所", "--set", "refusal_reason=拒收"}
	refused(t, home, "missing witness_name, witness signature (000-record §21, 002-record §20)", append(lodging, "--attach", in.Audio, "--sign", "server:王强="+in.ServerSign)...)
	refused(t, home, "missing audio/video record (000-record §21, 002-record §20)", append(lodging, "--set", "witness_name=刘芳", "--sign", "server:王强="+in.ServerSign, "--sign", "witness:刘芳="+in.WitnessSign)...)
	refused(t, home, "close_scene: mandatory steps are not recorded: missing notify_rights 权利告知, inspection_notes 现场检查笔录, inspection_opinion 签署检查意见", "case", "close-scene", id, "--by", "15010001")
	if st := readStatus(t, home); st.Entries != 3 {
		t.Fatalf("refusals wrote entries: %+v", st)
	}
}

// Bad input: a clear error and nothing written.
func TestBadInputIsRefusedClearly(t *testing.T) {
	home, in := setUp(t)
	id := must(t, home, "case", "new", "--type", "inspection", "--party", "张三", "--party-kind", "person", "--officer", "15010001", "--officer", "15010002")
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"width":600,"height":240,"strokes":[[{"x":1,`), 0o600)
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"step", id, "show_id", "--by", "15010001", "--attach", "/no/such/video.mp4"}, 1, "attachment /no/such/video.mp4 cannot be read"},
		{[]string{"step", id, "notify_rights", "--by", "15010001", "--set", "acknowledgement=signed", "--sign", "party=" + bad}, 1, "party signature:"},
		{[]string{"step", id, "teleport", "--by", "15010001"}, 1, "unknown step for procedure inspection"},
		{[]string{"step", id, "show_id", "--by", "15010001", "--attach", in.Video, "--colour", "red"}, 2, "flag provided but not defined: -colour"},
		{[]string{"step", id, "photo", "--by", "15010001", "--set", "caption"}, 2, "--set wants key=value"},
		{[]string{"step", "no-such-case", "photo", "--by", "15010001"}, 1, "no case no-such-case"},
		{[]string{"fly"}, 2, `unknown command "fly"`},
		{[]string{"officer", "add", "--name", "x", "--cert", "9", "--expires", "next year"}, 1, "expiry must be a date"},
		{[]string{"step", id, "photo", "--by", "15010001", "--set", "caption=x", "--items", "items=notjson", "--attach", in.Photo}, 1, "--items items: not a JSON array"},
	}
	for _, tc := range tests {
		r := fieldctl(t, home, tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.want) {
			t.Errorf("%v: exit %d stderr %q; want exit %d and %q", tc.args, r.code, r.stderr, tc.code, tc.want)
		}
	}
	if st := readStatus(t, home); st.Entries != 1 || st.PendingMedia != 0 {
		t.Fatalf("bad input wrote something: %+v", st)
	}
	if r := fieldctl(t, filepath.Join(t.TempDir(), "nothing"), "status"); r.code != 1 || !strings.Contains(r.stderr, "holds no terminal; run init first") {
		t.Fatalf("status on an empty home: %+v", r)
	}
}

// demoHome records the demo case and returns the home, its case id and an
// open handle on its SQLite file for tampering.
func demoHome(t *testing.T) (string, string, *sql.DB) {
	t.Helper()
	home := filepath.Join(t.TempDir(), "home")
	out := must(t, home, "demo")
	line := out[strings.LastIndex(out, "case "):]
	id := strings.Fields(line)[1]
	db, err := sql.Open("sqlite3", filepath.Join(home, "terminal.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`DROP TRIGGER entries_append_only; DROP TRIGGER entries_no_delete`); err != nil {
		t.Fatal(err)
	}
	return home, id, db
}

// SPEC R2 R3: verify finds tampering done behind the application's back.
func TestVerifyDetectsTampering(t *testing.T) {
	tests := []struct {
		name   string
		tamper func(t *testing.T, home string, db *sql.DB)
		where  string
		want   string
	}{
		{"payload changed in the SQLite file", func(t *testing.T, home string, db *sql.DB) {
			mustExec(t, db, `UPDATE entries SET body = replace(body, '3 个品种', '1 个品种') WHERE step = 'inspection_notes'`)
		}, "entry #4 (", "content changed"},
		{"entry deleted from the middle of the chain", func(t *testing.T, home string, db *sql.DB) {
			mustExec(t, db, `DELETE FROM entries WHERE seq = 5`)
		}, "entry #6 (", "sequence gap: expected #5, found #6"},
		{"one byte of a media file changed", func(t *testing.T, home string, db *sql.DB) {
			var hash string
			if err := db.QueryRow(`SELECT hash FROM media WHERE kind = 'photo'`).Scan(&hash); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(home, "media", hash[:2], hash)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			b[len(b)/2] ^= 0x01
			os.Chmod(p, 0o600)
			if err := os.WriteFile(p, b, 0o600); err != nil {
				t.Fatal(err)
			}
		}, "entry #5 (", "changed: its bytes now hash to"},
		{"entry re-signed by another key", func(t *testing.T, home string, db *sql.DB) {
			var body []byte
			if err := db.QueryRow(`SELECT body FROM entries WHERE seq = 3`).Scan(&body); err != nil {
				t.Fatal(err)
			}
			var e ledger.Entry
			json.Unmarshal(body, &e)
			_, other, _ := ed25519.GenerateKey(rand.Reader)
			e.Seal(other)
			nb, _ := json.Marshal(e)
			mustExec(t, db, `UPDATE entries SET body = ? WHERE seq = 3`, nb)
		}, "entry #3 (", "signature does not verify"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			home, id, db := demoHome(t)
			tc.tamper(t, home, db)
			r := fieldctl(t, home, "verify", id)
			if r.code != 1 || !strings.Contains(r.stdout, tc.where) || !strings.Contains(r.stdout, tc.want) {
				t.Fatalf("verify exit %d\n%s%s\nwant a finding at %q containing %q", r.code, r.stdout, r.stderr, tc.where, tc.want)
			}
		})
	}
}

// join concatenates argument lists.
func join(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

func mustExec(t *testing.T, db *sql.DB, q string, args ...any) {
	t.Helper()
	if _, err := db.Exec(q, args...); err != nil {
		t.Fatal(err)
	}
}

// SPEC R1 F1: a process killed with SIGKILL in the middle of a step leaves a
// store that opens and verifies, with every acknowledged entry present.
func TestKilledMidStepLosesNothingAcknowledged(t *testing.T) {
	home, in := setUp(t)
	id := must(t, home, "case", "new", "--type", "inspection", "--party", "张三", "--party-kind", "person", "--officer", "15010001", "--officer", "15010002")
	must(t, home, "step", id, "show_id", "--by", "15010001", "--attach", in.Video)
	big := filepath.Join(t.TempDir(), "long-video.mp4")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	chunk := bytes.Repeat([]byte{0xAB}, 1<<20)
	for i := 0; i < 256; i++ {
		f.Write(chunk)
	}
	f.Close()
	const size = 256 << 20
	acknowledged := readStatus(t, home).Entries
	tmp := filepath.Join(home, "media", "tmp")
	// stagedPart is the size of a staging file of the copy when one is
	// there and not yet complete: the process is inside the step.
	stagedPart := func() int64 {
		names, _ := os.ReadDir(tmp)
		for _, n := range names {
			if fi, err := n.Info(); err == nil && fi.Size() > 0 && fi.Size() < size {
				return fi.Size()
			}
		}
		return 0
	}
	for round := 0; round < 3; round++ {
		landed := false
		// A round counts only when the kill lands while the copy is under
		// way (issue 13: a kill test that passes without a kill proves
		// nothing); a step that finished first is kept and tried again.
		for attempt := 0; attempt < 5 && !landed; attempt++ {
			cmd := exec.Command(binary, "--home", home, "step", id, "av_record", "--by", "15010002", "--set", "segment=start", "--set", "statement=现在是……", "--attach", big)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			var part int64
			for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline) && part == 0; time.Sleep(200 * time.Microsecond) {
				part = stagedPart()
			}
			cmd.Process.Kill()
			err := cmd.Wait()
			var exit *exec.ExitError
			killed := errors.As(err, &exit) && !exit.Exited() // ended by the signal, not by itself
			if err == nil {
				acknowledged++ // the step finished before the kill: it must be kept
			}
			landed = killed && part > 0
			t.Logf("round %d attempt %d: staging file at %d of %d bytes when killed; process ended with %v", round, attempt, part, size, err)
			st := readStatus(t, home)
			if st.Entries != acknowledged {
				t.Fatalf("round %d: %d entries after the kill, %d acknowledged", round, st.Entries, acknowledged)
			}
			if out := must(t, home, "verify"); !strings.HasPrefix(out, "intact") {
				t.Fatalf("round %d: verify after kill: %s", round, out)
			}
		}
		if !landed {
			t.Fatalf("round %d: no kill landed in the middle of the copy in 5 attempts", round)
		}
	}
	must(t, home, "step", id, "photo", "--by", "15010002", "--set", "caption=kill 后继续", "--attach", in.Photo)
	if names, _ := os.ReadDir(filepath.Join(home, "media", "tmp")); len(names) != 0 {
		t.Fatalf("partial copies left after reopening: %d", len(names))
	}
}
