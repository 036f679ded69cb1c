package ui

import (
	"encoding/json"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"

	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
)

// SPEC F1 F3 F4 F5 F6 F9 F10 F11 F13: a whole inspection case walked on the
// phone layout by tapping and typing on the real screens, with the refusals
// the guard gives shown on screen.
func TestWalkInspectionCaseOnPhone(t *testing.T) {
	h := newHarness(t, phone, nil)
	u := h.u
	photo, video, audio := h.files()
	// tests use the Chinese interface, the default
	h.see("设置本终端", "一、向后台注册本终端", "二、当班执法人员")

	// First run: enrolment is refused without a sync client, on screen.
	test.Type(u.firstRun.server, "ws://127.0.0.1:9/sync")
	test.Type(u.firstRun.code, "ABCD-EFGH-JKLM")
	test.Tap(u.firstRun.enrol)
	h.dialogShown("注册失败")
	h.dismiss("知道了")

	// Officers are added by hand (offline set-up) and two chosen on duty.
	for _, o := range []struct{ name, cert, expires string }{
		{"王强", "15010001", "2027-12-31"}, {"李明", "15010002", "2027-12-31"}, {"赵刚", "15010009", "2026-04-30"},
	} {
		test.Tap(u.firstRun.add)
		d := u.addOfficer
		test.Type(d.name, o.name)
		test.Type(d.cert, o.cert)
		test.Type(d.expires, o.expires)
		d.submit()
		h.noDialog()
	}
	h.see("王强15010001", "有效期至2027-12-31", "赵刚15010009", "已于2026-04-30过期")
	h.tapText("王强  15010001")
	h.tapText("李明  15010002")
	test.Tap(u.firstRun.done)

	// The case list is empty; a new case.
	h.see("今天还没有案件")
	test.Tap(u.cases.newBtn)
	nc := u.newCase
	h.tapText("行政检查")
	test.Type(nc.party, "城关镇鑫源食品商行")
	test.Type(nc.place, "呼和浩特市新城区海东路12号")
	h.see("王强15010001", "李明15010002")

	// An expired credential is refused on screen (SPEC D4, 003 §14).
	h.tapText("赵刚  15010009")
	test.Tap(nc.open)
	h.dialogShown("赵刚", "15010009", "2026-04-30", "《武汉市行政执法全过程记录办法》第十四条")
	h.dismiss("知道了")
	if u.current() != "newcase" {
		t.Fatalf("after the refusal the screen is %s, want the new case form kept", u.current())
	}

	// One officer only: the case opens, but show ID is blocked (003 §14).
	h.tapText("赵刚  15010009")
	h.tapText("李明  15010002")
	test.Tap(nc.open)
	h.noDialog()
	if u.current() != "procedure" {
		t.Fatalf("screen %s, want the procedure", u.current())
	}
	caseID := u.proc.c.ID
	h.see("城关镇鑫源食品商行", "本案只有1名执法人员", "亮证", "本案须有至少2名持有效执法证件的执法人员，现有1名")
	if it := u.proc.steps.Items()[0]; it.Kind != "show_id" || it.Status != enforce.StatusBlocked || !strings.Contains(it.Article, "《武汉市行政执法全过程记录办法》第十四条") {
		t.Fatalf("show_id is %+v, want blocked under 《武汉市行政执法全过程记录办法》第十四条", it)
	}
	test.Tap(u.proc.steps.Row("show_id"))
	h.see("本案须有至少2名持有效执法证件的执法人员")
	test.Tap(u.form.record)
	h.dialogShown("不能记录：亮证", "本案须有至少 2 名持有效执法证件的执法人员，现有 1 名", "依据：《武汉市行政执法全过程记录办法》第十四条")
	h.dismiss("知道了")
	u.back()

	// The second officer joins.
	test.Tap(u.proc.join)
	h.tapText("李明  15010002")
	u.joinSubmit()
	h.noDialog()
	if got := u.proc.steps.Items()[0].Status; got != enforce.StatusNext {
		t.Fatalf("show_id is %s after the second officer joined, want next", got)
	}

	// Closing the scene now is refused, naming each missing step (F11).
	test.Tap(u.proc.steps.Row("close_scene"))
	h.see("结束现场前检查：尚缺", "亮证", "权利告知", "现场检查笔录")
	test.Tap(u.form.record)
	h.dialogShown("不能记录：结束现场执法", "尚缺", "亮证", "权利告知", "现场检查笔录", "签署检查意见", "《武汉市行政执法全过程记录办法》第十四条")
	h.dismiss("知道了")
	u.back()

	// Show ID: both credentials with QR codes; the video of showing them.
	u.setSetting(setServerURL, "ws://127.0.0.1:8080/sync")
	test.Tap(u.proc.steps.Row("show_id"))
	h.see("王强", "执法证号15010001", "李明", "执法证号15010002", "http://127.0.0.1:8080/public/officers/15010001?exp=2027-12-31")
	if n := countImages(h); n < 2 {
		t.Fatalf("%d QR images on the show ID screen, want 2", n)
	}
	h.see("开始录音录像时，请先口述：", "现在是2026年5月6日10时30分")
	h.pick.next(video)
	test.Tap(u.form.addFile)
	sum := ledger.HashBytes(mustRead(t, video))
	h.see("SHA-256" + sum)
	test.Tap(u.form.record)
	h.recordedShown("亮证", sum)

	// Notify rights: the text in large type, the party signs on the pad.
	test.Tap(u.proc.steps.Row("notify_rights"))
	h.see("行政检查告知", "执法人员已向您出示执法证件", "inspection-v1")
	h.tapText("已宣读")
	h.tapText("当事人签字确认")
	h.see("签名：当事人")
	test.Tap(u.form.signBtns["party"])
	if !strings.HasPrefix(u.current(), "sign:") {
		t.Fatalf("screen %s, want the signature pad", u.current())
	}
	h.see("请在此签名")
	u.signer.name.SetText("")
	test.Type(u.signer.name, "城关镇鑫源食品商行（店长）")
	test.Tap(u.signer.confirm)
	h.dialogShown("签名板上还没有签名")
	h.dismiss("知道了")
	h.drawSignature()
	test.Tap(u.signer.confirm)
	h.see("已签名：当事人城关镇鑫源食品商行（店长）")
	test.Tap(u.form.record)
	h.recordedShown("权利告知", "签名", "当事人城关镇鑫源食品商行（店长）")
	if got := u.lastRecorded; !strings.Contains(string(mustPayload(t, got).Fields), `"party_agent":"城关镇鑫源食品商行（店长）"`) {
		t.Fatal("the name typed on the party's pad is not kept as the agent who signed")
	}

	// Photos, with the hash shown once chosen and once stored (F5).
	test.Tap(u.proc.steps.Row("photo"))
	test.Type(u.form.entries["caption"], "货架全景")
	h.pick.next(photo)
	test.Tap(u.form.addFile)
	psum := ledger.HashBytes(mustRead(t, photo))
	h.see("照片", "shopfront.png", psum)
	test.Tap(u.form.record)
	h.recordedShown("拍照取证", psum)

	// Inspection notes: fields, video, officer's and party's signatures.
	test.Tap(u.proc.steps.Row("inspection_notes"))
	if got := u.form.entries["location"].Text; got != "呼和浩特市新城区海东路12号" {
		t.Fatalf("place %q, want the case's address filled in", got)
	}
	test.Type(u.form.entries["findings"], "货架上3个品种的预包装食品标签未标注生产日期。")
	// the agent who signed the rights notice is the default (issue 12 (9))
	if got := u.form.entries["party_agent"].Text; got != "城关镇鑫源食品商行（店长）" {
		t.Fatalf("party agent %q on the notes, want the one who signed before", got)
	}
	u.form.entries["party_agent"].SetText("张伟")
	h.pick.next(video)
	test.Tap(u.form.addFile)
	// one pad per officer on the case, each under the officer's name (000-record §11)
	h.see("签名：执法人员王强", "签名：执法人员李明")
	test.Tap(u.form.signBtns["officer:15010001"])
	if got := u.signer.name.Text; got != "王强" || !u.signer.name.Disabled() {
		t.Fatalf("officer pad signer %q, want 王强 fixed", got)
	}
	h.drawSignature()
	test.Tap(u.signer.confirm)
	h.sign("officer:15010002")
	test.Tap(u.form.signBtns["party"])
	if got := u.signer.name.Text; got != "张伟" {
		t.Fatalf("party pad signer %q, want the agent named on the form", got)
	}
	h.drawSignature()
	test.Tap(u.signer.confirm)
	test.Tap(u.form.record)
	h.recordedShown("现场检查笔录", "执法人员 王强", "执法人员 李明", "当事人 张伟")
	h.opinion()

	// Sampling: an item list with rows added and removed (F6).
	test.Tap(u.proc.steps.Row("sample"))
	items := u.form.items["items"]
	fill := func(row int, vals map[string]string) {
		for k, v := range vals {
			test.Type(items.rows[row].entries[k], v)
		}
	}
	fill(0, map[string]string{"item": "五香瓜子", "spec": "200g/袋", "quantity": "4袋", "batch": "20260301", "seal_number": "FY-0001", "sample_id": "YP-001"})
	test.Tap(items.add)
	fill(1, map[string]string{"item": "牛肉干", "quantity": "6袋"})
	test.Tap(items.add)
	fill(2, map[string]string{"item": "多余的一行"})
	test.Tap(items.rows[2].remove)
	if len(items.rows) != 2 {
		t.Fatalf("%d rows after removing one, want 2", len(items.rows))
	}
	u.form.entries["party_agent"].SetText("张伟")
	h.pick.next(video)
	test.Tap(u.form.addFile)
	h.signOfficers()
	h.sign("party")
	// row 2 lacks its seal number: refused, naming the row and column
	test.Tap(u.form.record)
	h.dialogShown("不能记录：抽样取证", "抽样物品清单第2行：封样编号")
	h.dismiss("知道了")
	items = u.form.items["items"]
	fill(1, map[string]string{"seal_number": "FY-0002", "sample_id": "YP-002"})
	test.Tap(u.form.record)
	h.recordedShown("抽样取证")
	var sample struct {
		Items []map[string]string `json:"items"`
	}
	if p, err := ledger.DecodePayload(u.lastRecorded.Payload); err != nil {
		t.Fatal(err)
	} else if err := json.Unmarshal(p.Fields, &sample); err != nil || len(sample.Items) != 2 || sample.Items[1]["seal_number"] != "FY-0002" {
		t.Fatalf("sample list recorded as %s (%v)", p.Fields, err)
	}

	// Service by lodging: the checklist walks through it; without the
	// witness the guard refuses and the refusal is on screen (F9).
	test.Tap(u.proc.steps.Row("serve"))
	test.Type(u.form.entries["document"], "现场检查笔录、抽样物品清单")
	h.tapText("其他执法文书")
	h.tapText("留置送达")
	h.see("留置送达须完成", "拒收事由", "送达地点", "见证人", "音像记录", "送达人签名", "见证人签名")
	test.Type(u.form.entries["refusal_reason"], "店长拒绝在送达回证上签收")
	h.pick.next(audio)
	test.Tap(u.form.addFile)
	test.Tap(u.form.signBtns["server"])
	h.drawSignature()
	test.Tap(u.signer.confirm)
	test.Tap(u.form.record)
	h.dialogShown("不能记录：文书送达", "见证人", "见证人签名", "《呼和浩特市行政执法全过程记录办法（试行）》第二十一条")
	h.dismiss("知道了")
	test.Type(u.form.entries["witness_name"], "社区网格员刘芳")
	test.Tap(u.form.signBtns["witness"])
	if got := u.signer.name.Text; got != "社区网格员刘芳" {
		t.Fatalf("witness signer %q, want the witness named on the form", got)
	}
	h.drawSignature()
	test.Tap(u.signer.confirm)
	test.Tap(u.form.record)
	h.recordedShown("文书送达")

	// Close the scene.
	h.see("必做步骤均已记录")
	test.Tap(u.proc.steps.Row("close_scene"))
	test.Type(u.form.entries["summary"], "现场检查完毕，抽样2批次，文书留置送达。")
	test.Tap(u.form.record)
	h.recordedShown("结束现场执法")
	h.see("现场执法记录已结束")

	// A step after closing is refused (003 §29); a recorded one opens
	// read-only with its correction (issue 12 (1)).
	test.Tap(u.proc.steps.Row("inquiry_notes"))
	test.Tap(u.form.record)
	h.dialogShown("现场执法记录已结束，请改作更正记录", "《武汉市行政执法全过程记录办法》第二十九条")
	h.dismiss("知道了")
	u.back()
	test.Tap(u.proc.steps.Row("photo"))
	if !strings.HasPrefix(u.current(), "record:") {
		t.Fatalf("a recorded photo after closing opens %s, want its record", u.current())
	}
	h.see("货架全景", "更正本记录")
	u.back()

	// The case list shows the case closed and its entries queued for sync.
	u.popTo("cases")
	u.cases.all.SetChecked(true)
	h.see("城关镇鑫源食品商行", "现场执法已结束", "同步：", "条记录待上传")
	u.Refresh()
	if txt := u.syncInd.Text(); !strings.Contains(txt, "条待同步") {
		t.Fatalf("sync indicator %q, want the queued entries", txt)
	}

	// The whole record verifies: hash chain, signatures, media.
	findings, err := h.term.Verify(caseID)
	if err != nil || len(findings) > 0 {
		t.Fatalf("verify: %v %v", findings, err)
	}
	c, _ := h.term.Case(caseID)
	for _, k := range []string{"show_id", "notify_rights", "photo", "inspection_notes", "inspection_opinion", "sample", "serve", "close_scene"} {
		if c.Recorded[k] != 1 {
			t.Errorf("%s recorded %d times, want 1", k, c.Recorded[k])
		}
	}
	if missed := u.tr.missedKeys(); len(missed) > 0 {
		t.Errorf("strings without a translation: %q", missed)
	}
}

func countImages(h *harness) int {
	n := 0
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if !o.Visible() {
			return
		}
		switch v := o.(type) {
		case *canvas.Image:
			if v.Image != nil {
				n++
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

func mustPayload(t *testing.T, e *ledger.Entry) ledger.Payload {
	t.Helper()
	p, err := ledger.DecodePayload(e.Payload)
	if err != nil {
		t.Fatal(err)
	}
	return p
}
