package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPublicityEndToEnd: the real binary imports decisions (a bad record
// refused with its reason, the rest queued), the demo reviewer approves
// them with the operator command while the server runs, and the public
// page shows them redacted (SPEC P2 P3, issue 11).
func TestPublicityEndToEnd(t *testing.T) {
	s := startServer(t)
	file := filepath.Join(t.TempDir(), "decisions.json")
	if err := os.WriteFile(file, []byte(`[
 {"decision_number":"呼市监罚〔2025〕301号","kind":"penalty","party":"张三","party_kind":"person","party_id_number":"110105199003071239",
  "facts":"当事人张三（手机13912345678，住址：新城区海拉尔东路12号）销售过期食品","basis":"《中华人民共和国食品安全法》第一百二十四条","result":"罚款 2000 元","decided_at":"2025-05-26"},
 {"decision_number":"bad","kind":"fine","party":"某公司","party_kind":"org","facts":"a","basis":"b","result":"c","decided_at":"26/05/2025"},
 {"decision_number":"呼市监罚〔2025〕302号","kind":"penalty","party":"呼和浩特市青城餐饮有限公司","party_kind":"org","facts":"未按规定公示许可证","basis":"《食品经营许可管理办法》第二十六条","result":"警告","decided_at":"2025-05-27"}
]`), 0o600); err != nil {
		t.Fatal(err)
	}
	out, code := s.op("publicity", "import", file)
	if code != 0 || !strings.Contains(out, "2 imported, 1 refused") || !strings.Contains(out, `kind "fine"`) {
		t.Fatalf("import: exit %d\n%s", code, out)
	}
	if out, code := s.op("publicity", "approve", "--all", "--by", "officer"); code == 0 {
		t.Fatalf("an officer approved: %s", out)
	}
	out = s.mustOp("publicity", "approve", "--all", "--by", "reviewer")
	if strings.Count(out, "published ") != 2 {
		t.Fatalf("approve: %s", out)
	}
	resp, err := http.Get(s.url() + "/public/decisions")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(body)
	if resp.StatusCode != 200 || !strings.Contains(page, "呼市监罚〔2025〕301号") || !strings.Contains(page, "张某") || !strings.Contains(page, "呼和浩特市青城餐饮有限公司") {
		t.Fatalf("public list: %d\n%s", resp.StatusCode, page)
	}
	for _, id := range []string{"1", "2"} {
		resp, err := http.Get(s.url() + "/public/decisions/" + id)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		page += string(b)
		if resp.StatusCode != 200 || resp.Header.Get("Set-Cookie") != "" {
			t.Fatalf("decision %s: %d %v", id, resp.StatusCode, resp.Header)
		}
	}
	for _, secret := range []string{"张三", "110105199003071239", "13912345678", "海拉尔东路12号"} {
		if strings.Contains(page, secret) {
			t.Errorf("public page contains %q", secret)
		}
	}
}
