package main

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"lawtrace/shared/ledger"
	"lawtrace/shared/syncproto"
)

var (
	verifyOnce sync.Once
	verifyBin  string
	verifyErr  error
)

// buildVerify builds lawtrace-verify once, without cgo, as a court gets it.
func buildVerify(t testing.TB) string {
	verifyOnce.Do(func() {
		verifyBin = filepath.Join(filepath.Dir(serverBin), "lawtrace-verify")
		cmd := exec.Command("go", "build", "-o", verifyBin, "lawtrace/backend/cmd/lawtrace-verify")
		cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
		if out, err := cmd.CombinedOutput(); err != nil {
			verifyErr = fmt.Errorf("build lawtrace-verify: %v\n%s", err, out)
		}
	})
	if verifyErr != nil {
		t.Fatal(verifyErr)
	}
	return verifyBin
}

// runVerify runs lawtrace-verify and returns its output and exit code.
func runVerify(t testing.TB, args ...string) (string, int) {
	t.Helper()
	out, err := exec.Command(buildVerify(t), args...).CombinedOutput()
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		return string(out), exit.ExitCode()
	}
	if err != nil {
		t.Fatal(err)
	}
	return string(out), 0
}

// demoArchive records the demo inspection on a new terminal of s, syncs
// it and archives it; it returns the case id and the bundle's path.
func demoArchive(t *testing.T, s *srv, name string) (string, string) {
	t.Helper()
	tm := newTerminal(t, s, name, "")
	tm.must("demo")
	if out := tm.must("sync"); !strings.Contains(out, "entries confirmed") {
		t.Fatalf("sync: %s", out)
	}
	var cases []struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(tm.must("case", "list", "--json")), &cases); err != nil || len(cases) != 1 {
		t.Fatalf("case list: %v %+v", err, cases)
	}
	bundle := filepath.Join(t.TempDir(), cases[0].ID+".zip")
	out := s.mustOp("archive", cases[0].ID, "-o", bundle, "--by", "档案员 陈静")
	if !strings.Contains(out, "立卷归档 recorded") {
		t.Fatalf("archive: %s", out)
	}
	return cases[0].ID, bundle
}

// zipFiles reads a bundle's files in order.
func zipFiles(t *testing.T, path string) ([]string, map[string][]byte) {
	t.Helper()
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := buf.ReadFrom(rc); err != nil {
			t.Fatal(err)
		}
		rc.Close()
		names = append(names, f.Name)
		files[f.Name] = buf.Bytes()
	}
	return names, files
}

// writeZip writes files the way an attacker with a ZIP tool would.
func writeZip(t *testing.T, path string, names []string, files map[string][]byte) {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, n := range names {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: n, Method: zip.Store, Modified: time.Unix(1700000000, 0)})
		if err != nil {
			t.Fatal(err)
		}
		w.Write(files[n])
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// relist puts a file's new hash and size into the manifest (without the
// server key the attacker cannot sign it again).
func relist(t *testing.T, files map[string][]byte, path string) {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(files["manifest.json"], &m); err != nil {
		t.Fatal(err)
	}
	for _, f := range m["files"].([]any) {
		mf := f.(map[string]any)
		if mf["path"] == path {
			mf["sha256"] = ledger.HashBytes(files[path])
			mf["size"] = len(files[path])
		}
	}
	files["manifest.json"], _ = json.MarshalIndent(m, "", " ")
}

func firstWith(names []string, prefix string) string {
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			return n
		}
	}
	return ""
}

// The case file end to end with the real binaries (SPEC R2, R5, issue 10):
// the demo inspection recorded and synced by lawtrace-fieldctl, archived by
// lawtrace-server, passed by lawtrace-verify; then each tampering fails
// with a finding naming the file or entry.
func TestArchiveEndToEnd(t *testing.T) {
	s := startServer(t)
	caseID, bundle := demoArchive(t, s, "patrol-archive")
	dir := t.TempDir()

	report := filepath.Join(dir, "report.pdf")
	out, code := runVerify(t, "--pdf", report, bundle)
	if code != 0 || !strings.Contains(out, "结论：完好") || !strings.Contains(out, caseID) {
		t.Fatalf("verify of a fresh bundle: exit %d\n%s", code, out)
	}
	if pdf, err := os.ReadFile(report); err != nil || !bytes.HasPrefix(pdf, []byte("%PDF")) {
		t.Fatalf("PDF report: %v", err)
	}
	t.Logf("lawtrace-verify:\n%s", out)
	names, files := zipFiles(t, bundle)
	if names[0] != "00-toc.pdf" || names[len(names)-1] != "manifest.sig" {
		t.Fatalf("layout: %v", names)
	}
	var entries, office []ledger.Entry
	json.Unmarshal(files["entries/case.json"], &entries)
	json.Unmarshal(files["entries/office.json"], &office)
	if len(entries) != 9 || len(office) != 1 || office[0].Step != "case_archived" {
		t.Fatalf("entries %d, office %+v", len(entries), office)
	}
	if !strings.Contains(string(office[0].Payload), "档案员 陈静") {
		t.Fatalf("archive entry: %s", office[0].Payload)
	}
	if os.Getenv("LAWTRACE_KEEP_BUNDLE") != "" {
		os.WriteFile(os.Getenv("LAWTRACE_KEEP_BUNDLE"), mustRead(t, bundle), 0o644)
		os.WriteFile(os.Getenv("LAWTRACE_KEEP_BUNDLE")+".toc.pdf", files["00-toc.pdf"], 0o644)
		os.WriteFile(os.Getenv("LAWTRACE_KEEP_BUNDLE")+".report.pdf", mustRead(t, report), 0o644)
	}

	// The archive is a server-signed office entry: the server's own verify
	// stays clean, the case shows archived, a second archive adds nothing.
	s.verifyClean()
	var st struct {
		Archived string `json:"archived"`
	}
	if err := json.Unmarshal([]byte(s.mustOp("review", "show", caseID, "--json")), &st); err != nil || st.Archived == "" {
		t.Fatalf("review show: %v %+v", err, st)
	}
	// The deadline monitor counts the case file as made (R5: 30 days).
	var dls []struct {
		Kind  string `json:"kind"`
		State string `json:"state"`
	}
	if err := json.Unmarshal([]byte(s.mustOp("deadlines", "--case", caseID, "--json")), &dls); err != nil {
		t.Fatal(err)
	}
	archiveMet := false
	for _, d := range dls {
		archiveMet = archiveMet || d.Kind == "archive" && d.State == "met"
	}
	if !archiveMet {
		t.Fatalf("deadlines after archiving: %+v", dls)
	}
	again := filepath.Join(dir, "again.zip")
	if out := s.mustOp("archive", caseID, "-o", again); !strings.Contains(out, "already archived") {
		t.Fatalf("second archive: %s", out)
	}
	if out, code := runVerify(t, again); code != 0 {
		t.Fatalf("second bundle: %s", out)
	}

	// A second server with its own log and key, for proofs of another tree.
	s2 := startServer(t)
	_, other := demoArchive(t, s2, "patrol-other")
	_, otherFiles := zipFiles(t, other)

	media := firstWith(names, "media/")
	doc := firstWith(names, "documents/")
	var otherDoc string
	for _, n := range names {
		if strings.HasPrefix(n, "documents/") && n != doc {
			otherDoc = n
		}
	}
	cases := []struct {
		name   string
		tamper func(names []string, files map[string][]byte) []string
		want   []string
	}{
		{"media byte flipped", func(names []string, f map[string][]byte) []string {
			b := bytes.Clone(f[media])
			b[len(b)/2] ^= 0x01
			f[media] = b
			return names
		}, []string{media, "内容与清单不符", "所附文件内容被改动"}},
		{"media byte flipped, manifest relisted", func(names []string, f map[string][]byte) []string {
			b := bytes.Clone(f[media])
			b[len(b)/2] ^= 0x01
			f[media] = b
			relist(t, f, media)
			return names
		}, []string{"manifest.sig", "所附文件内容被改动"}},
		{"entry removed", func(names []string, f map[string][]byte) []string {
			var es []json.RawMessage
			json.Unmarshal(f["entries/case.json"], &es)
			es = append(es[:4], es[5:]...)
			f["entries/case.json"], _ = json.MarshalIndent(es, "", " ")
			relist(t, f, "entries/case.json")
			return names
		}, []string{"现场记录 #6", "序号不连续", "manifest.sig"}},
		{"PDF replaced", func(names []string, f map[string][]byte) []string {
			f[doc] = f[otherDoc]
			relist(t, f, doc)
			return names
		}, []string{doc, "文书被替换或改动"}},
		{"proof from another tree", func(names []string, f map[string][]byte) []string {
			var mine, theirs []syncproto.InclusionProof
			json.Unmarshal(f["log/proofs.json"], &mine)
			json.Unmarshal(otherFiles["log/proofs.json"], &theirs)
			mine[2].Hashes, mine[2].LeafIndex = theirs[2].Hashes, theirs[2].LeafIndex
			f["log/proofs.json"], _ = json.MarshalIndent(mine, "", " ")
			relist(t, f, "log/proofs.json")
			return names
		}, []string{"现场记录 #3", "另一棵日志树"}},
		{"tree head of another server", func(names []string, f map[string][]byte) []string {
			f["log/tree-head.json"] = otherFiles["log/tree-head.json"]
			relist(t, f, "log/tree-head.json")
			return names
		}, []string{"log/tree-head.json", "不是由本案卷服务器公钥签名", "现场记录 #1"}},
		{"manifest entry edited", func(names []string, f map[string][]byte) []string {
			var m map[string]any
			json.Unmarshal(f["manifest.json"], &m)
			m["files"].([]any)[1].(map[string]any)["sha256"] = strings.Repeat("0", 64)
			f["manifest.json"], _ = json.MarshalIndent(m, "", " ")
			return names
		}, []string{"manifest.sig", names[1], "内容与清单不符"}},
		{"file added", func(names []string, f map[string][]byte) []string {
			f["media/extra.txt"] = []byte("not evidence")
			return append(names, "media/extra.txt")
		}, []string{"media/extra.txt", "清单外"}},
		{"keys swapped", func(names []string, f map[string][]byte) []string {
			f["keys/server.json"] = otherFiles["keys/server.json"]
			return names
		}, []string{"keys/server.json", "manifest.sig"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			n, f := zipFiles(t, bundle)
			n = c.tamper(n, f)
			path := filepath.Join(t.TempDir(), "tampered.zip")
			writeZip(t, path, n, f)
			out, code := runVerify(t, path)
			if code != 1 {
				t.Fatalf("exit %d, want 1\n%s", code, out)
			}
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("report lacks %q:\n%s", w, out)
				}
			}
		})
	}

	// A byte changed anywhere in the file — file data, headers, directory —
	// is found.
	orig := mustRead(t, bundle)
	step := max(1, len(orig)/97)
	for off := 0; off < len(orig); off += step {
		b := bytes.Clone(orig)
		b[off] ^= 0x20
		path := filepath.Join(dir, "flip.zip")
		os.WriteFile(path, b, 0o644)
		if out, code := runVerify(t, path); code != 1 || strings.Contains(out, "结论：完好") {
			t.Fatalf("byte %d of %d flipped: exit %d\n%s", off, len(orig), code, out)
		}
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// BenchmarkArchiveVerify measures `lawtrace-server archive` and
// `lawtrace-verify` of the demo case, each a process of its own as an
// operator and a court run them.
func BenchmarkArchiveVerify(b *testing.B) {
	dir := b.TempDir()
	data, home := filepath.Join(dir, "server"), filepath.Join(dir, "terminal")
	run := func(bin string, args ...string) string {
		out, err := exec.Command(bin, args...).CombinedOutput()
		if err != nil {
			b.Fatalf("%s %v: %v\n%s", filepath.Base(bin), args, err, out)
		}
		return string(out)
	}
	ln := freeAddrB(b)
	srvCmd := exec.Command(serverBin, "--data", data, "--listen", ln, "--demo", "--log-level", "warn")
	if err := srvCmd.Start(); err != nil {
		b.Fatal(err)
	}
	defer func() { srvCmd.Process.Kill(); srvCmd.Wait() }()
	for i := 0; i < 400; i++ {
		if resp, err := http.Get("http://" + ln + "/healthz"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				break
			}
		}
		time.Sleep(25 * time.Millisecond)
	}
	var ec struct {
		Code string `json:"code"`
	}
	json.Unmarshal([]byte(run(serverBin, "--data", data, "enroll", "--device-name", "bench", "--json")), &ec)
	run(fieldctlBin, "--home", home, "init", "--device-name", "bench")
	run(fieldctlBin, "--home", home, "enroll", "--server", "ws://"+ln+"/sync", "--code", ec.Code)
	run(fieldctlBin, "--home", home, "demo")
	run(fieldctlBin, "--home", home, "sync")
	var cases []struct {
		ID string `json:"id"`
	}
	json.Unmarshal([]byte(run(fieldctlBin, "--home", home, "case", "list", "--json")), &cases)
	bundle := filepath.Join(dir, "case.zip")
	verify := buildVerify(b)
	var archiveTime, verifyTime time.Duration
	n := 0
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		run(serverBin, "--data", data, "archive", cases[0].ID, "-o", bundle)
		mid := time.Now()
		run(verify, bundle)
		archiveTime += mid.Sub(start)
		verifyTime += time.Since(mid)
		n++
	}
	b.ReportMetric(float64(archiveTime.Milliseconds())/float64(n), "archive-ms")
	b.ReportMetric(float64(verifyTime.Milliseconds())/float64(n), "verify-ms")
	if st, err := os.Stat(bundle); err == nil {
		b.ReportMetric(float64(st.Size()), "bundle-bytes")
	}
}

func freeAddrB(b *testing.B) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
