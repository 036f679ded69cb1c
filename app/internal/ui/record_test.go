package ui

import (
	"fmt"
	"image"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"lawtrace/app/internal/escpos"
	"lawtrace/shared/casedoc"
	"lawtrace/shared/ledger"
	"lawtrace/shared/testtool"
)

// recordedShown checks the short confirmation of a recorded step — no
// dialog to dismiss (issue 12 (12)) — and that the record's own screen
// shows every want (the hashes and signatures the old dialog listed).
func (h *harness) recordedShown(step string, want ...string) {
	h.t.Helper()
	u := h.u
	h.noDialog()
	if len(u.toasts) == 0 || !strings.Contains(u.toasts[len(u.toasts)-1], "已记录："+step) || !u.toast.Visible() {
		h.t.Fatalf("no confirmation of %s under the top bar (toasts %q)", step, u.toasts)
	}
	if len(want) == 0 {
		return
	}
	e := u.lastRecorded
	u.openRecord(e.CaseID, e.ID)
	h.see(want...)
	u.back()
}

// images counts the images drawn (from an image or a resource).
func images(h *harness) int {
	n := 0
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		switch v := o.(type) {
		case *canvas.Image:
			if _, ours := v.Resource.(*fyne.StaticResource); ours {
				n++ // a photo, signature or page, not a theme icon
			}
		case *fyne.Container:
			for _, k := range v.Objects {
				walk(k)
			}
		case fyne.Widget:
			for _, k := range test.WidgetRenderer(v).Objects() {
				walk(k)
			}
		}
	}
	walk(h.w.Canvas().Content())
	return n
}

// phoneSmall is the 360×720 phone of the walk.
var phoneSmall = fyne.NewSize(360, 720)

// SPEC R1 F9 F10 F12, issue 12 (1): a recorded step opens read-only — its
// fields, signatures as images, photos as thumbnails, files with hash and
// sync state, the entry verified — and is corrected from there: the
// correction is guarded by the step's rules (every problem listed at once)
// and the original stays.
func TestRecordedStepOpensReadOnlyAndIsCorrected(t *testing.T) {
	h := newHarness(t, phoneSmall, seedOfficers)
	u := h.u
	photo, video, _ := h.files()
	h.openNewCase("鑫源食品商行", "海东路12号")
	caseID := u.proc.c.ID
	h.showID(video)
	h.rightsSigned()
	h.inspectionNotes(video)
	h.photo("门头", photo)
	h.sample(video)

	// Tapping a recorded step opened a blank form; now the form of a step
	// that may be recorded again lists its records, each a tap away.
	test.Tap(u.proc.steps.Row("inspection_notes"))
	ne := recordsOf(u.proc.c, "inspection_notes")[0]
	h.tapText(fmt.Sprintf("查看第 %d 条记录（%s）", ne.Seq, u.when(ne)))
	if !strings.HasPrefix(u.current(), "record:") || u.record == nil {
		t.Fatalf("tapping the recorded notes opens %s, want the record", u.current())
	}
	h.see("第 4 条记录", "记录人：王强 15010001", "检查情况：货架上3个品种的预包装食品标签未标注生产日期。",
		"签名", "执法人员 王强", "执法人员 李明", "当事人 张伟", "录像", "SHA-256 "+ledger.HashBytes(mustRead(t, video)),
		"等待上传", "本机核验通过", "后台尚未确认", "条目哈希 "+u.record.r.Entry.Hash, "更正本记录", "预览并打印文书")
	if n := images(h); n < 3 {
		t.Fatalf("%d images on the notes record, want the three signatures", n)
	}
	u.back()
	u.back()

	// A repeatable step opens its form, with each record a tap away.
	test.Tap(u.proc.steps.Row("photo"))
	pe := recordsOf(u.proc.c, "photo")[0]
	h.tapText(fmt.Sprintf("查看第 %d 条记录（%s）", pe.Seq, u.when(pe)))
	h.see("拍照取证", "照片 · shopfront.png", "门头", ledger.HashBytes(mustRead(t, photo)))
	if n := images(h); n != 1 {
		t.Fatalf("%d images on the photo record, want its thumbnail", n)
	}
	u.back()
	u.back()

	// Correct the sampling: both rows lack what the step needs — refused,
	// naming every problem at once, the input kept.
	test.Tap(u.proc.steps.Row("sample"))
	u.back() // the form (sampling is repeatable); open the record instead
	se := recordsOf(u.proc.c, "sample")[0]
	u.openRecord(caseID, se.ID)
	test.Tap(u.record.correct)
	cs := u.correction
	if cs == nil || !strings.HasPrefix(u.current(), "correct:") {
		t.Fatalf("screen %s, want the correction", u.current())
	}
	h.see("更正：抽样取证", "原记录保持不变", "《武汉市行政执法全过程记录办法》第二十九条", "记录人", "更正理由", "五香瓜子")
	items := cs.items["items"]
	items.rows[0].entries["seal_number"].SetText("")
	test.Tap(items.add)
	test.Type(items.rows[1].entries["item"], "牛肉干")
	test.Tap(cs.save)
	h.dialogShown("不能更正：抽样取证", "更正后", "抽样物品清单第1行：封样编号", "抽样物品清单第2行：数量", "抽样物品清单第2行：封样编号", "抽样物品清单第2行：样品编号", "更正理由")
	if n := len(u.lastRefusal.Missing); n != 5 {
		t.Fatalf("the refusal names %d problems, want all 5: %q", n, u.lastRefusal.Missing)
	}
	h.dismiss("知道了")
	test.Type(cs.reason, "封条号写错，补记第二件样品")
	if got := cs.reason.Text; got != "封条号写错，补记第二件样品" {
		t.Fatalf("the reason was lost after the refusal: %q", got)
	}
	items.rows[0].entries["seal_number"].SetText("FY-0009")
	for k, v := range map[string]string{"quantity": "6袋", "seal_number": "FY-0010", "sample_id": "YP-002"} {
		test.Type(items.rows[1].entries[k], v)
	}
	test.Tap(cs.save)
	h.noDialog()
	if !strings.HasPrefix(u.current(), "record:") || !strings.Contains(u.toasts[len(u.toasts)-1], "已记录更正") {
		t.Fatalf("after the correction: screen %s, toasts %q", u.current(), u.toasts)
	}
	h.see("已更正 1 次", "封样编号：FY-0009", "牛肉干", "（已更正；原记录为 1 行）", "理由：封条号写错，补记第二件样品", "更正事项：抽样物品清单")
	r, err := h.term.Entry(caseID, se.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Items["items"][0]["seal_number"] != "FY-0001" || len(r.Corrections) != 1 || r.Corrections[0].Entry.Corrects != se.ID {
		t.Fatalf("original %v, corrections %+v", r.Items, r.Corrections)
	}

	// After close scene a recorded step still opens read-only and corrects.
	u.back()
	h.opinion()
	h.closeScene()
	test.Tap(u.proc.steps.Row("show_id"))
	if !strings.HasPrefix(u.current(), "record:") {
		t.Fatalf("show ID after close opens %s, want its record", u.current())
	}
	h.see("亮证")
	if f, err := h.term.Verify(""); err != nil || len(f) != 0 {
		t.Fatalf("verify: %v %v", f, err)
	}
}

// SPEC F12 F16, issue 12 (print on the spot): every printable record of
// the case previews as rendered pages and prints to a 58 or 80 mm thermal
// printer; the ESC/POS stream decodes back to the rendered document.
func TestPrintPreviewAndESCPOSOfEachDocument(t *testing.T) {
	testtool.Path(t, "pdftoppm", "apt-get install poppler-utils")
	h := newHarness(t, phoneSmall, seedOfficers)
	u := h.u
	photo, video, _ := h.files()
	h.openNewCase("鑫源食品商行", "海东路12号")
	caseID := u.proc.c.ID
	h.showID(video)
	h.rightsSigned()
	h.inspectionNotes(video)
	h.photo("门头", photo)
	h.sample(video)
	c, _ := h.term.Case(caseID)
	printed := 0
	for _, e := range c.Entries {
		if !casedoc.Prints(c.Procedure, e) {
			continue
		}
		printed++
		u.openRecord(caseID, e.ID)
		test.Tap(u.record.print)
		ps := u.printer
		if ps == nil || !strings.HasPrefix(u.current(), "print:") || len(ps.pages) == 0 {
			t.Fatalf("%s: no print preview (screen %s)", e.Step, u.current())
		}
		h.see("以下为打印出的文书", "第 1 页", "分享或打开 PDF", "便携打印机打印（80 毫米）")
		if n := images(h); n != len(ps.pages) {
			t.Fatalf("%s: %d page images, want %d", e.Step, n, len(ps.pages))
		}
		for _, mm := range []string{"80", "58"} {
			u.setSetting(setPrinterWidth, mm)
			test.Tap(ps.thermal)
			h.noDialog()
			if !strings.Contains(u.toasts[len(u.toasts)-1], "打印内容已保存为") || !strings.HasSuffix(ps.lastPath, "-"+mm+"mm.escpos") {
				t.Fatalf("%s: thermal print without a printer: %q %s", e.Step, u.toasts[len(u.toasts)-1], ps.lastPath)
			}
			dots := map[string]int{"80": escpos.Width80, "58": escpos.Width58}[mm]
			got, err := escpos.Decode(mustRead(t, ps.lastPath))
			if err != nil {
				t.Fatal(err)
			}
			sameAsRendered(t, e.Step+" "+mm+"mm", ps.pages, got, dots)
		}
		u.setSetting(setPrinterWidth, "")
		var shared string
		u.opt.Share = func(path string) error { shared = path; return nil }
		test.Tap(ps.share)
		if shared == "" || !strings.HasPrefix(string(mustRead(t, shared)), "%PDF") {
			t.Fatalf("%s: the PDF was not handed over (%q)", e.Step, shared)
		}
		u.back()
		u.back()
	}
	if printed < 5 {
		t.Fatalf("%d documents printed, want every step of the walk", printed)
	}
}

// sameAsRendered compares a decoded thermal print with the rendered pages:
// as wide as the paper, as tall as the pages scaled to it (with the feeds),
// and ink in the same rows as the page, row by row.
func sameAsRendered(t *testing.T, what string, pages []image.Image, got *image.Gray, dots int) {
	t.Helper()
	if got.Bounds().Dx() != dots {
		t.Fatalf("%s: print is %d dots wide, want %d", what, got.Bounds().Dx(), dots)
	}
	y, rows, agree := 0, 0, 0
	for i, p := range pages {
		if i > 0 {
			y += 2 * 24
		}
		ref := escpos.Scale(escpos.Crop(p, 160), dots)
		for ry := 0; ry < ref.Bounds().Dy(); ry++ {
			var inkRef, inkGot int
			for x := 0; x < dots; x++ {
				if ref.GrayAt(x, ry).Y < 160 {
					inkRef++
				}
				if got.GrayAt(x, y+ry).Y == 0 {
					inkGot++
				}
			}
			rows++
			if inkRef == inkGot {
				agree++
			}
		}
		y += ref.Bounds().Dy()
	}
	if want := y + 4*24; got.Bounds().Dy() != want {
		t.Fatalf("%s: print is %d dots long, want %d", what, got.Bounds().Dy(), want)
	}
	if agree != rows {
		t.Fatalf("%s: %d of %d rows differ from the rendered document", what, rows-agree, rows)
	}
}

var _ = widget.NewLabel
