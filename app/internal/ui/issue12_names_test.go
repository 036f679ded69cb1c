package ui

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// Issue 12 (9): names are typed once. The agent who signed for an
// organisation on an earlier step is the default signer of the next one,
// and the pad and the field that names the signer follow each other.
func TestIssue12PartyAgentTypedOnce(t *testing.T) {
	h := newHarness(t, fyne.NewSize(360, 720), seedOfficers)
	_, video, _ := h.files()
	h.openNewCase("鑫源食品商行", "海东路12号")
	h.showID(video)
	h.rightsSigned() // 张伟 signs for the shop

	h.step("inspection_notes")
	f := h.u.form
	if got := f.entries["party_agent"].Text; got != "张伟" {
		t.Fatalf("party agent %q on the notes, want 张伟 who signed the rights notice", got)
	}
	test.Tap(f.signBtns["party"])
	if got := h.u.signer.name.Text; got != "张伟" {
		t.Fatalf("the party's pad suggests %q, want 张伟", got)
	}
	// a name typed on the pad goes into the field
	h.u.signer.name.SetText("")
	test.Type(h.u.signer.name, "李娜")
	h.drawSignature()
	test.Tap(h.u.signer.confirm)
	h.noDialog()
	f = h.u.form
	if got := f.entries["party_agent"].Text; got != "李娜" {
		t.Fatalf("party agent %q after 李娜 signed, want the name from the pad", got)
	}
	h.see("已签名：当事人李娜")
	// a name typed in the field is the pad's
	f.entries["party_agent"].SetText("")
	test.Type(f.entries["party_agent"], "赵敏")
	h.see("已签名：当事人赵敏")
	test.Tap(f.signBtns["party"])
	if got := h.u.signer.name.Text; got != "赵敏" {
		t.Fatalf("the party's pad suggests %q after the field was changed, want 赵敏", got)
	}
	h.u.back()
}

// The organisation's own name is never the default signer: a person signs.
func TestIssue12OrganisationPadHasNoOrganisationName(t *testing.T) {
	h := newHarness(t, fyne.NewSize(360, 720), seedOfficers)
	_, video, _ := h.files()
	h.openNewCase("鑫源食品商行", "海东路12号")
	h.showID(video)
	h.step("notify_rights")
	h.tapText("已宣读")
	h.tapText("当事人签字确认")
	test.Tap(h.u.form.signBtns["party"])
	if got := h.u.signer.name.Text; got == "鑫源食品商行" {
		t.Fatalf("the party's pad suggests the organisation %q as the signer", got)
	}
	h.u.signer.name.SetText("")
	test.Type(h.u.signer.name, "张伟")
	h.drawSignature()
	test.Tap(h.u.signer.confirm)
	if got := h.u.form.entries["party_agent"].Text; got != "张伟" {
		t.Fatalf("party agent %q, want 张伟 typed on the pad", got)
	}
}

// The witness's pad and the 见证人 field follow each other both ways.
func TestIssue12WitnessNameBothWays(t *testing.T) {
	h := newHarness(t, fyne.NewSize(360, 720), seedOfficers)
	_, video, _ := h.files()
	h.openNewCase("鑫源食品商行", "海东路12号")
	h.showID(video)
	h.step("serve")
	h.tapText("其他执法文书")
	h.tapText("留置送达")
	test.Type(h.u.form.entries["witness_name"], "刘芳")
	test.Tap(h.u.form.signBtns["witness"])
	if got := h.u.signer.name.Text; got != "刘芳" {
		t.Fatalf("the witness pad suggests %q, want 刘芳 from the field", got)
	}
	h.u.signer.name.SetText("")
	test.Type(h.u.signer.name, "刘芳芳")
	h.drawSignature()
	test.Tap(h.u.signer.confirm)
	h.noDialog()
	if got := h.u.form.entries["witness_name"].Text; got != "刘芳芳" {
		t.Fatalf("witness field %q, want 刘芳芳 typed on the pad", got)
	}
	h.see("已签名：见证人刘芳芳")
	h.u.form.entries["witness_name"].SetText("刘一")
	h.see("已签名：见证人刘一")
}

// Issue 12 (12): the add-officer dialog on a 360×720 phone shows all its
// inputs and both buttons, not a row and a half.
func TestIssue12AddOfficerDialogShowsEveryRow(t *testing.T) {
	h := newHarness(t, fyne.NewSize(360, 720), nil)
	test.Tap(h.u.firstRun.add)
	top := h.w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no dialog")
	}
	d := h.u.addOfficer
	// the inputs end above the Save button, which is inside the window
	var save *widget.Button
	for _, o := range test.LaidOutObjects(top) {
		if b, ok := o.(*widget.Button); ok && b.Text == "保存" {
			save = b
		}
	}
	if save == nil {
		t.Fatal("no 保存 button on the dialog")
	}
	bottom := abs(save).Y
	if bottom+save.Size().Height > h.w.Canvas().Size().Height {
		t.Fatalf("the Save button at %.0f is below the window", bottom)
	}
	for i, e := range []*widget.Entry{d.name, d.cert, d.expires, d.unit} {
		y := abs(e).Y
		if !e.Visible() || e.Size().Height < 30 || y+e.Size().Height > bottom+1 || y < 0 {
			t.Errorf("input %d at y %.0f height %.0f is not shown in the dialog (bottom %.0f)", i+1, y, e.Size().Height, bottom)
		}
	}
}

// Issue 12 (12): the photo step's picker offers only images, and Fyne's
// file dialog names its places in Chinese (主目录, 此电脑), not Home and
// Computer.
func TestIssue12PhotoPickerImagesOnlyPlacesInChinese(t *testing.T) {
	h := newHarness(t, fyne.NewSize(360, 720), seedOfficers)
	_, video, _ := h.files()
	h.openNewCase("鑫源食品商行", "海东路12号")
	h.showID(video)
	h.step("photo")
	dir := t.TempDir()
	for _, n := range []string{"shop.png", "clip.mp4", "voice.m4a"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	h.u.setSetting(pickDirKey, dir)
	h.u.opt.PickFile = nil // Fyne's own dialog
	test.Tap(h.u.form.addFile)
	top := h.w.Canvas().Overlays().Top()
	if top == nil {
		t.Fatal("no file dialog")
	}
	var texts []string
	for _, d := range drawn(top) {
		texts = append(texts, d.text.Text)
	}
	got := strings.Join(texts, " | ")
	for _, want := range []string{"主目录", "此电脑", "shop"} {
		if !strings.Contains(got, want) {
			t.Errorf("the file dialog does not show %q: %s", want, got)
		}
	}
	for _, bad := range []string{"Home", "Computer", "clip", "voice"} {
		if strings.Contains(got, bad) {
			t.Errorf("the file dialog shows %q: %s", bad, got)
		}
	}
	if slices.Contains(h.u.pickExts, ".mp4") || !slices.Contains(h.u.pickExts, ".jpg") {
		t.Errorf("the photo step's picker offers %v", h.u.pickExts)
	}
}

// The screens added for the issue 12 screenshots open as described.
func TestIssue12ScreenshotScreens(t *testing.T) {
	h := newDemoHarness(t, fyne.NewSize(360, 720))
	if err := h.u.Open("sample-rows"); err != nil {
		t.Fatal(err)
	}
	h.see("第2行：封样编号")
	h2 := newDemoHarness(t, fyne.NewSize(360, 720))
	if err := h2.u.Open("photo-attached"); err != nil {
		t.Fatal(err)
	}
	h2.see("shopfront.png", "门头及货架全景")
	h3 := newDemoHarness(t, fyne.NewSize(360, 720))
	if err := h3.u.Open("addofficer"); err != nil {
		t.Fatal(err)
	}
	h3.dialogShown("添加执法人员")
}
