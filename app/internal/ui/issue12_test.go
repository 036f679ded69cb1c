package ui

import (
	"crypto/ed25519"
	"database/sql"
	"net"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lawtrace/app/internal/field"
	"lawtrace/app/internal/fieldsync"
	"lawtrace/shared/syncproto"
)

// The defects of issue 12 (2–12), each reproduced by walking the screens
// with fyne's test driver (SPEC F13, S1).

// abs is where o is drawn on the window.
func abs(o fyne.CanvasObject) fyne.Position {
	return fyne.CurrentApp().Driver().AbsolutePositionForObject(o)
}

// Issue 12 (2): officers sent down by sync after enrolment appear on the
// first-run screen without tapping 注册 again.
func TestIssue12OfficersArriveOnFirstRun(t *testing.T) {
	sy := &fakeSync{}
	term, home := newTerminal(t)
	h := openHarness(t, phone, term, home, sy)
	h.see("还没有执法人员")
	// down-sync writes the officers into the store, then sync reports a change
	if err := term.PutOfficer(officer("王强", "15010001", "2027-12-31")); err != nil {
		t.Fatal(err)
	}
	h.u.tick()
	h.see("王强", "15010001")
	h.dontSee("还没有执法人员")
	h.tapText("王强  15010001")
	test.Tap(h.u.firstRun.done)
	h.noDialog()
	if h.u.current() != "cases" {
		t.Fatalf("screen %s after 开始工作, want the case list", h.u.current())
	}
}

// Issue 12 (3): after a file is attached on the photo step, the checklist
// is below the caption entry and the add-photo button, not drawn over them.
func TestIssue12PhotoChecklistBelowTheEvidence(t *testing.T) {
	h := newHarness(t, fyne.NewSize(360, 720), seedOfficers)
	photo, video, _ := h.files()
	h.openNewCase("鑫源食品商行", "海东路12号")
	h.showID(video)
	h.step("photo")
	f := h.u.form
	test.Type(f.entries["caption"], "门头")
	h.attach(photo)
	h.attach(photo)
	bottom := abs(f.addFile).Y + f.addFile.Size().Height
	for _, o := range f.attachBox.Objects {
		if b := abs(o).Y + o.Size().Height; b > abs(f.addFile).Y+1 {
			t.Errorf("an attached file ends at %.0f, below the top of the add button at %.0f", b, abs(f.addFile).Y)
		}
	}
	if top := abs(f.checklist).Y; top < bottom {
		t.Fatalf("the checklist starts at %.0f, over the add-photo button that ends at %.0f", top, bottom)
	}
}

// Issue 12 (4): no screen is wider than a 360-unit phone in either theme,
// and switching high contrast on and off leaves the window's minimum width
// within the phone.
func TestIssue12ScreensFitThePhoneInBothThemes(t *testing.T) {
	small := fyne.NewSize(360, 720)
	for _, hc := range []bool{false, true} {
		for _, name := range Screens {
			if name == "sync" {
				continue
			}
			t.Run(map[bool]string{false: "default", true: "high-contrast"}[hc]+"/"+name, func(t *testing.T) {
				h := newDemoHarness(t, small)
				if hc {
					h.u.SetHighContrast(true)
				}
				if err := h.u.Open(name); err != nil {
					t.Fatal(err)
				}
				// the window pads its content by the theme's padding on each side
				// (6 in high contrast: the print screen's PDF button took it)
				room := small.Width - 2*fyne.CurrentApp().Settings().Theme().Size(theme.SizeNamePadding)
				if w := h.w.Canvas().Content().MinSize().Width; w > room {
					t.Errorf("%s needs %.0f units of width, the phone has %.0f inside its padding", name, w, room)
				}
			})
		}
	}
	t.Run("switch", func(t *testing.T) {
		h := newDemoHarness(t, small)
		h.u.Open("settings")
		test.Tap(h.u.settings.contrast)
		if w := h.w.Canvas().Content().MinSize().Width; w > small.Width {
			t.Errorf("settings in high contrast needs %.0f units", w)
		}
		test.Tap(h.u.settings.contrast)
		if w := h.w.Canvas().Content().MinSize().Width; w > small.Width {
			t.Errorf("settings after switching back needs %.0f units", w)
		}
		if h.u.settingsBtn.Hidden {
			// settings is on top: go back and check the gear is inside the window
		}
		h.u.back()
		g := h.u.settingsBtn
		if x := abs(g).X + g.Size().Width; x > small.Width {
			t.Errorf("the settings gear ends at %.0f, outside the %.0f-wide window", x, small.Width)
		}
	})
}

// Issue 12 (10): the sampling checklist lists every row's missing cell.
func TestIssue12SamplingChecklistNamesRowCells(t *testing.T) {
	h := newDemoHarness(t, phone)
	if err := h.u.Open("sample"); err != nil {
		t.Fatal(err)
	}
	f := h.u.form
	l := f.items["items"]
	for k, v := range map[string]string{"item": "五香瓜子", "quantity": "4袋", "seal_number": "FY-0001", "sample_id": "YP-001"} {
		test.Type(l.rows[0].entries[k], v)
	}
	test.Tap(l.add)
	for k, v := range map[string]string{"item": "原味瓜子", "quantity": "4袋", "sample_id": "YP-002"} {
		test.Type(l.rows[1].entries[k], v)
	}
	var list []string
	for _, d := range drawn(f.checklist) {
		list = append(list, d.text.Text)
	}
	got := strings.Join(list, " | ")
	if !strings.Contains(got, "第2行：封样编号") {
		t.Fatalf("the checklist does not name row 2's seal number: %s", got)
	}
	if strings.Contains(got, "第1行") || strings.Contains(got, "第2行：样品名称") {
		t.Fatalf("the checklist lists cells that are filled: %s", got)
	}
	if l := checklistLabel(f, "抽样物品清单"); l == nil || l.Importance != widget.DangerImportance {
		t.Fatalf("抽样物品清单 is ticked while row 2 lacks its seal number: %s", got)
	}
	test.Type(l.rows[1].entries["seal_number"], "FY-0002")
	if l := checklistLabel(f, "抽样物品清单"); l == nil || l.Importance == widget.DangerImportance {
		t.Fatal("抽样物品清单 is not ticked with every cell filled")
	}
}

// checklistLabel is the checklist's line with text s.
func checklistLabel(f *stepForm, s string) *widget.Label {
	var found *widget.Label
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *widget.Label:
			if v.Text == s {
				found = v
			}
		case *cjkLabel:
			if v.raw == s {
				found = &v.Label
			}
		case *fyne.Container:
			for _, k := range v.Objects {
				walk(k)
			}
		}
	}
	walk(f.checklist)
	return found
}

// Issue 12 (5): the case card's sync line follows sync: when the server
// confirms the entries, the card says so without leaving the screen.
func TestIssue12CaseCardFollowsSync(t *testing.T) {
	h := newHarness(t, phone, seedOfficers)
	_, video, _ := h.files()
	h.openNewCase("鑫源食品商行", "海东路12号")
	h.showID(video)
	h.u.back()
	if h.u.current() != "cases" {
		t.Fatalf("screen %s, want the case list", h.u.current())
	}
	h.see("条记录待上传")
	// sync confirms every entry (as fieldsync does after the server's proofs)
	db, err := sql.Open("sqlite3", filepath.Join(h.home, "terminal.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE entries SET acked = 1`); err != nil {
		t.Fatal(err)
	}
	h.u.tick()
	h.see("同步：全部记录已确认")
	h.dontSee("条记录待上传")
	// and on the procedure screen's case card
	h.openNewCase("城关镇鑫源食品商行", "海东路12号")
	h.see("条记录待上传")
	if _, err := db.Exec(`UPDATE entries SET acked = 1`); err != nil {
		t.Fatal(err)
	}
	h.u.tick()
	h.dontSee("条记录待上传")
}

// scrollOf is the first vertical scroll under o.
func scrollOf(o fyne.CanvasObject) *container.Scroll {
	switch v := o.(type) {
	case *container.Scroll:
		return v
	case *fyne.Container:
		for _, k := range v.Objects {
			if s := scrollOf(k); s != nil {
				return s
			}
		}
	}
	return nil
}

// Issue 12 (6): after a signature the form is where the officer left it.
func TestIssue12ScrollKeptAfterSignature(t *testing.T) {
	h := newHarness(t, fyne.NewSize(360, 720), seedOfficers)
	_, video, _ := h.files()
	h.openNewCase("鑫源食品商行", "海东路12号")
	h.showID(video)
	h.step("inspection_notes")
	sc := scrollOf(h.u.body)
	if sc == nil {
		t.Fatal("the form has no scroll")
	}
	sc.ScrollToOffset(fyne.NewPos(0, 500))
	want := sc.Offset.Y
	if want < 400 {
		t.Fatalf("the form scrolled to %.0f only", want)
	}
	h.sign("officer:15010001")
	sc = scrollOf(h.u.body)
	sc.Refresh()
	if got := sc.Offset.Y; got < want-1 || got > want+1 {
		t.Fatalf("after the signature the form is at %.0f, it was at %.0f", got, want)
	}
}

var _ = widget.NewLabel
var _ field.Status

// Issue 12 (11): a half-filled new-case form survives the app being
// killed: relaunched, the app is on the new case screen with what was typed.
func TestIssue12NewCaseDraftSurvivesKill(t *testing.T) {
	h := newHarness(t, phone, seedOfficers)
	u := h.u
	test.Tap(u.cases.newBtn)
	h.tapText("行政检查")
	test.Type(u.newCase.party, "鑫源食品商行")
	h.tapText("个人")
	test.Type(u.newCase.place, "海东路12号")
	test.Type(u.newCase.emergency, "群众举报现场正在销售")
	h.tapText("赵刚  15010009")
	// killed: the store closes without the screen being left
	u.Stop()
	if err := h.term.Close(); err != nil {
		t.Fatal(err)
	}
	term, err := field.Open(h.home)
	if err != nil {
		t.Fatal(err)
	}
	term.Now = func() time.Time { return testDay }
	t.Cleanup(func() { term.Close() })
	h2 := openHarness(t, phone, term, h.home, Offline{})
	u2 := h2.u
	if u2.current() != "newcase" || u2.newCase == nil {
		t.Fatalf("reopened on %s, want the new case screen", u2.current())
	}
	s := u2.newCase
	if s.types.Selected != "行政检查" || s.party.Text != "鑫源食品商行" || s.partyKind.Selected != "个人" ||
		s.place.Text != "海东路12号" || s.emergency.Text != "群众举报现场正在销售" {
		t.Fatalf("after the restart: type %q party %q kind %q place %q emergency %q", s.types.Selected, s.party.Text, s.partyKind.Selected, s.place.Text, s.emergency.Text)
	}
	if got := strings.Join(s.officers.selected(), ","); got != "15010001,15010002,15010009" {
		t.Fatalf("officers after the restart: %s", got)
	}
	// opening the case forgets the draft
	h2.tapText("赵刚  15010009")
	test.Type(s.emergency, "") // no emergency after all
	s.emergency.SetText("")
	test.Tap(s.open)
	h2.noDialog()
	if got, _ := term.Setting(setNewCaseDraft); got != "" {
		t.Fatalf("new case draft %q after opening the case", got)
	}
}

// Issue 12 (8): a sync failure is told to the officer as what to do, the
// raw error only under 详情 — a real connection refused by a closed port.
func TestIssue12SyncErrorAdvice(t *testing.T) {
	term, home := newTerminal(t)
	seedOfficers(term, home)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	pub, _, _ := ed25519.GenerateKey(nil)
	if err := term.SetServer(field.ServerIdentity{URL: "ws://" + addr + "/sync", ID: syncproto.ServerIDFor(pub), Key: pub}); err != nil {
		t.Fatal(err)
	}
	sy := NewLiveSync(term, fieldsync.Options{MinBackoff: 50 * time.Millisecond, MaxBackoff: 100 * time.Millisecond})
	h := openHarness(t, phone, term, home, sy)
	sy.Start(h.u.ctx)
	waitFor(t, "the sync error", func() bool { return sy.State().LastError != "" })
	h.u.Refresh()
	var advice, details string
	for _, r := range h.u.syncInd.details() {
		switch r[0] {
		case "问题":
			advice = r[1]
		case "详情":
			details = r[1]
		}
	}
	if !strings.Contains(advice, "服务器地址") || strings.Contains(advice, "connection refused") {
		t.Fatalf("the sync details advise %q, want what to do about a refused connection", advice)
	}
	if !strings.Contains(details, addr) {
		t.Fatalf("the raw error %q is not under 详情", details)
	}
}
