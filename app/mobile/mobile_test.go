package mobile

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"lawtrace/app/internal/demo"

	"lawtrace/shared/testtool"
)

func open(t *testing.T) *Terminal {
	t.Helper()
	m, err := Open(filepath.Join(t.TempDir(), "home"), "mobile test")
	if err != nil {
		if strings.Contains(err.Error(), "CGO_ENABLED=0") {
			t.Skip("the field store needs cgo (mattn/go-sqlite3)")
		}
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

// SPEC F1 F3 F11: the bindable API opens a case, records steps from JSON,
// shows the guard's refusals as results, and reports status as JSON.
func TestCaseThroughTheBindableAPI(t *testing.T) {
	m := open(t)
	in, err := demo.WriteInputs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range [][3]string{{"王强", "15010001", "2099-12-31"}, {"李明", "15010002", "2099-12-31"}, {"赵刚", "15010009", "2020-01-01"}} {
		if err := m.AddOfficer(o[0], o[1], o[2], "一中队"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.NewCase(&NewCaseRequest{Type: "inspection", Party: "鑫源食品商行", PartyKind: "org", Officers: "15010001,15010009"}); err == nil || !strings.Contains(err.Error(), "expired") {
		t.Fatalf("an expired credential was not refused: %v", err)
	}
	id, err := m.NewCase(&NewCaseRequest{Type: "inspection", Party: "鑫源食品商行", PartyKind: "org", Source: "complaint", Officers: "15010001", Address: "海东路12号"})
	if err != nil {
		t.Fatal(err)
	}
	show := `{"kind":"show_id","recorder":"15010001","attach":[{"path":` + quote(in.Video) + `,"caption":"出示执法证件"}]}`
	r, err := m.RecordStep(id, show)
	if err != nil || r.OK || r.Reason != "crew" || !strings.Contains(r.Article, "003 §14") || !strings.Contains(r.Chinese, "《武汉市行政执法全过程记录办法》第十四条") {
		t.Fatalf("show ID with one officer: %+v %v, want refused under 003 §14", r, err)
	}
	if err := m.JoinOfficers(id, "15010002"); err != nil {
		t.Fatal(err)
	}
	if r, err = m.RecordStep(id, show); err != nil || !r.OK || r.Seq != 3 || len(r.Hash) != 64 {
		t.Fatalf("show ID: %+v %v", r, err)
	}
	strokes, _ := json.Marshal(demo.Strokes(1))
	rights := `{"kind":"notify_rights","recorder":"15010002","fields":{"acknowledgement":"signed","party_agent":"张伟"},"sign":[{"role":"party","name":"张伟","strokes":` + string(strokes) + `}]}`
	if r, err = m.RecordStep(id, rights); err != nil || !r.OK {
		t.Fatalf("rights: %+v %v", r, err)
	}
	r, err = m.RecordStep(id, `{"kind":"close_scene","recorder":"15010001"}`)
	if err != nil || r.OK || !strings.Contains(r.Missing, "现场检查笔录") {
		t.Fatalf("close with notes missing: %+v %v", r, err)
	}
	if _, err := m.RecordStep(id, `{"kind":`); err == nil {
		t.Fatal("malformed JSON accepted")
	}

	var plan struct {
		Steps []struct{ Kind, Status string }
	}
	js, err := m.CaseJSON(id)
	if err != nil || json.Unmarshal([]byte(js), &plan) != nil {
		t.Fatalf("case JSON %s: %v", js, err)
	}
	if plan.Steps[0].Status != "recorded" || plan.Steps[2].Kind != "inspection_notes" || plan.Steps[2].Status != "next" {
		t.Fatalf("plan %+v", plan.Steps)
	}
	var st struct {
		Outbox int `json:"outbox"`
		Cases  int `json:"cases"`
	}
	js, err = m.StatusJSON()
	if err != nil || json.Unmarshal([]byte(js), &st) != nil || st.Outbox != 4 || st.Cases != 1 {
		t.Fatalf("status %s: %v", js, err)
	}
	if cs, err := m.CasesJSON(0); err != nil || !strings.Contains(cs, "鑫源食品商行") {
		t.Fatalf("cases %s: %v", cs, err)
	}
	if f, err := m.Verify(id); err != nil || f != "" {
		t.Fatalf("verify: %q %v", f, err)
	}
}

func quote(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

// The exported API is bindable: gobind generates Java and Objective-C for
// every exported function, type and method, skipping none; the Java
// compiles where a JDK is installed (against a stub of android.content.Context).
func TestGobindBindsEverything(t *testing.T) {
	if testing.Short() {
		t.Skip("runs gobind")
	}
	out := t.TempDir()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	cmd := exec.Command("go", "tool", "gobind", "-lang=go,java,objc", "-outdir", out, "./app/mobile")
	cmd.Dir = root
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("gobind: %v\n%s", err, b)
	}
	var java []string
	err := filepath.Walk(out, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if strings.Contains(string(b), "skipped") {
			t.Errorf("%s: gobind skipped something:\n%s", p, b)
		}
		if strings.HasSuffix(p, ".java") {
			java = append(java, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Terminal.java", "NewCaseRequest.java", "StepResult.java", "Mobile.java"} {
		if !strings.Contains(strings.Join(java, " "), want) {
			t.Errorf("no %s generated", want)
		}
	}
	javac := testtool.Path(t, "javac", "apt-get install openjdk-17-jdk-headless")
	stub := filepath.Join(out, "stub", "android", "content", "Context.java")
	if err := os.MkdirAll(filepath.Dir(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(stub, []byte("package android.content;\npublic class Context {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"-encoding", "UTF-8", "-d", filepath.Join(out, "classes"), stub}, java...)
	if b, err := exec.Command(javac, args...).CombinedOutput(); err != nil {
		t.Fatalf("javac: %v\n%s", err, b)
	}
}
