package web_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"lawtrace/backend/internal/simdev"
	"lawtrace/shared/ledger"
)

// reconnect opens and closes a second session of an enrolled terminal that
// sends again entries the server has: a sync that changes nothing.
func reconnect(t *testing.T, e *env, d *simdev.Device, again []ledger.Entry) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := simdev.Connect(ctx, e.m.SyncURL(), d, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Push(ctx, again, 0); err != nil {
		t.Fatal(err)
	}
	c.Close()
}

// SPEC D1 (issue 13 finding 10): a board gets a row only when it changed.
// A sync that changes nothing sends no row; a new entry of one case sends
// that case's row and not the other cases of the same terminal.
func TestBoardSendsOnlyChangedRows(t *testing.T) {
	e := start(t, nil)
	tm := e.terminal(51, "一中队 5 号")
	tm.push(t, tm.d.Case("A1", 2)...)
	b1 := tm.d.Case("B1", 2)
	tm.push(t, b1...)

	ws, _, err := dialBoard(t, e, e.as("supervisor"), e.url)
	if err != nil {
		t.Fatal(err)
	}
	defer ws.Close()
	if ids := rowIDs(next(t, ws, "snapshot")); len(ids) != 2 {
		t.Fatalf("snapshot %v", ids)
	}
	reconnect(t, e, tm.d, b1)
	reconnect(t, e, tm.d, b1)
	time.Sleep(200 * time.Millisecond) // past the debounce: anything sent would be on its way
	tm.push(t, tm.d.Entry("A1", "inspection_notes", map[string]any{"fields": map[string]string{"findings": "复查：已整改"}}))
	for {
		m := next(t, ws, "rows")
		if ids := rowIDs(m); slices.Contains(ids, "B1") || len(ids) != 1 {
			t.Fatalf("rows sent %v: a row that did not change was sent again", ids)
		}
		if strings.Contains(m.Rows[0].HTML, "共 3 条") {
			break
		}
	}
}

// SPEC D1 (issue 13 finding 10), in Chromium: a sync that changes nothing
// neither reorders nor flashes the terminal's cases; a changed case is
// updated where it stands; a new case goes on top; and the summary tiles
// follow the rows live.
func TestBrowserBoardOrderAndTiles(t *testing.T) {
	needChromium(t)
	e := start(t, nil)
	tm := e.terminal(52, "一中队 6 号")
	var all []ledger.Entry
	for _, id := range []string{"K1", "K2", "K3"} {
		es := tm.d.Case(id, 2)
		tm.push(t, es...)
		all = append(all, es...)
	}
	browser := newChromium(t, 1280, 900)
	signIn(t, browser, e.url, "supervisor", "lawtrace-supervisor")
	waitJS(t, browser, `document.getElementById("live").getAttribute("data-state") === "live-ok" && window.ltBoard.snapshots > 0`)
	order := func() string {
		return eval[string](t, browser, `Array.from(document.querySelectorAll("#rows > tr")).map(function (tr) { return tr.id }).join(",")`)
	}
	tile := func(name string) string { return text(t, browser, "#sum-"+name) }
	before := order()
	if strings.Count(before, "case-") != 3 || tile("cases") != "3" || tile("pending") != "0" {
		t.Fatalf("first render: rows %s, tiles %s/%s", before, tile("cases"), tile("pending"))
	}

	// A sync that changes nothing: no reorder, no flash.
	reconnect(t, e, tm.d, all)
	reconnect(t, e, tm.d, all)
	time.Sleep(500 * time.Millisecond)
	if got := order(); got != before {
		t.Fatalf("a sync that changed nothing reordered the board: %s, was %s", got, before)
	}
	if n := eval[int](t, browser, `window.ltBoard.flashes`); n != 0 {
		t.Fatalf("a sync that changed nothing flashed %d rows", n)
	}

	// The last row gets a file not yet uploaded: updated in place, the
	// pending and warning tiles count it at once.
	ids := regexp.MustCompile(`case-([A-Z0-9]+)`).FindAllStringSubmatch(before, -1)
	last := ids[len(ids)-1][1]
	audio := wav(1)
	tm.push(t, tm.d.Entry(last, "av_record", ledger.Payload{Files: []ledger.File{{Hash: ledger.HashBytes(audio), Kind: ledger.KindAudio,
		Name: "statement.wav", Mime: "audio/wav", Size: int64(len(audio))}}}, ledger.HashBytes(audio)))
	waitJS(t, browser, fmt.Sprintf(`document.getElementById("case-%s").getAttribute("data-pending") === "1"`, last))
	if got := order(); got != before {
		t.Fatalf("an update moved the row: %s, was %s", got, before)
	}
	waitJS(t, browser, `document.getElementById("sum-pending").textContent === "1" && document.getElementById("sum-warnings").textContent === "1"`)
	if n := eval[int](t, browser, `window.ltBoard.flashes`); n != 1 {
		t.Fatalf("%d rows flashed for one changed row", n)
	}
	if !eval[bool](t, browser, `document.getElementById("sum-pending").parentNode.classList.contains("warn")`) {
		t.Fatal("the pending tile is not marked")
	}

	// A new case goes on top and is counted.
	tm.push(t, tm.d.Case("K4", 1)...)
	waitJS(t, browser, `document.getElementById("case-K4") !== null && document.getElementById("sum-cases").textContent === "4"`)
	if got := order(); got != "case-K4,"+before {
		t.Fatalf("after a new case: %s, was %s", got, before)
	}
	if tile("open") != "4" {
		t.Fatalf("open tile %s", tile("open"))
	}
}

// SPEC D3 (issue 13 finding 10): a terminal whose syncs are refused is not
// 正常 on the device page: it shows 同步失败, the last refusal and how many
// since the last sync that delivered an entry; a good sync clears it.
func TestDevicePageShowsFailingSyncs(t *testing.T) {
	e := start(t, nil)
	tm := e.terminal(53, "二中队 7 号")
	tm.push(t, tm.d.Case("F1", 2)...)
	admin := e.as("admin")
	row := func() string {
		body := admin.get("/admin/devices").body
		i := strings.Index(body, `<tr id="device-`+tm.d.ID+`"`)
		if i < 0 {
			return ""
		}
		j := strings.Index(body[i:], "</tr>")
		return body[i : i+j]
	}
	if r := row(); !strings.Contains(r, "正常") {
		t.Fatalf("a good terminal: %s", r)
	}

	good := tm.d.Entry("F1", "inspection_notes", map[string]any{"fields": map[string]string{"findings": "复查"}})
	bad := good
	bad.Payload = []byte(`{"fields":{"findings":"改过的内容"}}`)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := simdev.Connect(ctx, e.m.SyncURL(), tm.d, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Push(ctx, []ledger.Entry{bad}, 0); err == nil {
		t.Fatal("a tampered entry was accepted")
	}
	c.Close()
	r := row()
	if strings.Contains(r, ">正常<") || !strings.Contains(r, "同步失败") || !strings.Contains(r, "被拒绝 1 次") || !strings.Contains(r, "记录的哈希、链或签名验证失败") {
		t.Fatalf("a terminal whose sync was refused: %s", r)
	}

	c2, err := simdev.Connect(ctx, e.m.SyncURL(), tm.d, "")
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	if _, err := c2.Push(ctx, []ledger.Entry{good}, 0); err != nil {
		t.Fatal(err)
	}
	if r := row(); !strings.Contains(r, "正常") || strings.Contains(r, "同步失败") {
		t.Fatalf("after a good sync: %s", r)
	}
}
