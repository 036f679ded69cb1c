package syncsrv_test

import (
	"database/sql"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/mattn/go-sqlite3"

	"lawtrace/backend/internal/server"
	"lawtrace/shared/enforce"
	"lawtrace/shared/syncproto"
)

// Issue 13 finding 3, SPEC S5 D4 X3: an administrator's typo stopped
// every terminal syncing for good — two officers with 2.1 MB names made
// every later catalog pull exceed the frame limit. Now a 2 MB officer
// name is refused when entered (in Chinese, naming the field and the
// limit), so is any catalog body over syncproto.MaxCatalogItemBytes; and
// items that are already stored over the limit (written before it
// existed) are withheld — a KindWithheld marker at their position, logged
// and counted — so every terminal still pulls to the head, in frames
// that stay under the limit, and gets what comes after them.
func TestOversizedCatalogItemsNeverBreakSync(t *testing.T) {
	m := start(t, server.Config{Demo: true})
	ctx := ctxT(t)
	huge := strings.Repeat("王", 700_000) // 2.1 MB of UTF-8
	_, _, err := server.PutOfficer(ctx, m.Data.Store, enforce.Officer{Name: huge, Cert: "15018888", Expires: "2030-01-01"}, time.Now())
	if err == nil || !strings.Contains(err.Error(), "姓名不能超过 40 个字") {
		t.Fatalf("a 2 MB officer name was not refused at entry: %.200v", err)
	}
	body, _ := json.Marshal(map[string]string{"name": huge})
	if _, _, err := m.Data.Store.PutCatalogItem(ctx, syncproto.CatalogItem{Kind: syncproto.KindOfficer, Key: "15018889", Body: body}, time.Now()); err == nil || !strings.Contains(err.Error(), "下发内容过大") {
		t.Fatalf("a 2 MB catalog body was stored: %.200v", err)
	}
	// two oversized officers stored behind the checks' back, then a good one
	db, err := sql.Open("sqlite3", "file:"+filepath.Join(m.Data.Dir, "lawtrace.db")+"?_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, cert := range []string{"15017771", "15017772"} {
		ob, _ := json.Marshal(enforce.Officer{Name: huge, Cert: cert, Expires: "2030-01-01"})
		if _, err := db.Exec(`INSERT INTO catalog (kind, key, version, body, created_at) VALUES ('officer', ?, 1, ?, '2026-01-01T00:00:00Z')`, cert, ob); err != nil {
			t.Fatal(err)
		}
	}
	good := enforce.Officer{Name: "钱红", Cert: "15019999", Expires: "2030-01-01"}
	if _, _, err := server.PutOfficer(ctx, m.Data.Store, good, time.Now()); err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 2; round++ { // every terminal, every time
		c := enrolled(t, m, uint64(10+round))
		all, u := pullAll(t, ctx, c.Sess, 0) // fails on a frame over the byte budget
		withheld := map[string]syncproto.Withheld{}
		var gotGood bool
		for _, it := range all {
			switch {
			case it.Kind == syncproto.KindWithheld:
				var w syncproto.Withheld
				if err := json.Unmarshal(it.Body, &w); err != nil {
					t.Fatal(err)
				}
				withheld[it.Key] = w
			case len(it.Body) > syncproto.MaxCatalogItemBytes:
				t.Fatalf("item %s of %d bytes was sent", it.Key, len(it.Body))
			case it.Kind == syncproto.KindOfficer && it.Key == good.Cert:
				gotGood = true
			}
		}
		if len(withheld) != 2 || withheld["15017771"].Kind != syncproto.KindOfficer || withheld["15017772"].Bytes < 2_000_000 || !gotGood || all[len(all)-1].Seq != u.Head {
			t.Fatalf("round %d: withheld %v, the officer after them %v, last %d of head %d", round, withheld, gotGood, all[len(all)-1].Seq, u.Head)
		}
	}
	if n := m.Sync.M.CatalogWithheld.Value(); n != 4 {
		t.Fatalf("withheld counted %v times, want 4 (2 items × 2 terminals)", n)
	}
}
