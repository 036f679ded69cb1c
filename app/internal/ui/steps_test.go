package ui

import (
	"fyne.io/fyne/v2/test"
)

// The steps of an inspection case as an officer does them on screen, for
// the tests that walk a case on other layouts or against a real backend.

// chooseOnDuty ticks officers on the first-run screen and starts work.
func (h *harness) chooseOnDuty(labels ...string) {
	h.t.Helper()
	for _, l := range labels {
		h.tapText(l)
	}
	test.Tap(h.u.firstRun.done)
	h.noDialog()
}

// openNewCase fills the new case screen with the officers on duty.
func (h *harness) openNewCase(party, place string) {
	h.t.Helper()
	u := h.u
	test.Tap(u.cases.newBtn)
	h.tapText("行政检查")
	test.Type(u.newCase.party, party)
	test.Type(u.newCase.place, place)
	test.Tap(u.newCase.open)
	h.noDialog()
	if u.current() != "procedure" {
		h.t.Fatalf("screen %s after opening the case, want the procedure", u.current())
	}
}

// sign draws a signature on a pad of the step's form: a role, or
// officer:CERT.
func (h *harness) sign(pad string) {
	h.t.Helper()
	b := h.u.form.signBtns[pad]
	if b == nil {
		h.t.Fatalf("no signature pad %s on %s", pad, h.u.form.def.Kind)
	}
	test.Tap(b)
	h.drawSignature()
	test.Tap(h.u.signer.confirm)
	h.noDialog()
}

// signOfficers signs on the pad of every officer on the case.
func (h *harness) signOfficers() {
	h.t.Helper()
	for _, o := range h.u.form.c.Officers {
		h.sign("officer:" + o.Cert)
	}
}

// record taps Record and expects the "recorded" dialog.
func (h *harness) record(step string) {
	h.t.Helper()
	test.Tap(h.u.form.record)
	h.recordedShown(step)
}

func (h *harness) step(kind string) {
	h.t.Helper()
	row := h.u.proc.steps.Row(kind)
	if row == nil {
		h.t.Fatalf("no step %s on the procedure screen", kind)
	}
	test.Tap(row)
	if h.u.form == nil || h.u.form.def.Kind != kind {
		h.t.Fatalf("the %s form did not open", kind)
	}
}

func (h *harness) attach(path string) {
	h.t.Helper()
	h.pick.next(path)
	test.Tap(h.u.form.addFile)
	h.noDialog()
}

func (h *harness) showID(video string) {
	h.t.Helper()
	h.step("show_id")
	h.attach(video)
	h.record("亮证")
}

func (h *harness) rightsSigned() {
	h.t.Helper()
	h.step("notify_rights")
	h.tapText("已宣读")
	h.tapText("当事人签字确认")
	h.u.form.entries["party_agent"].SetText("张伟")
	h.sign("party")
	h.record("权利告知")
}

func (h *harness) inspectionNotes(video string) {
	h.t.Helper()
	h.step("inspection_notes")
	test.Type(h.u.form.entries["findings"], "货架上3个品种的预包装食品标签未标注生产日期。")
	h.u.form.entries["party_agent"].SetText("张伟")
	h.attach(video)
	h.signOfficers()
	h.sign("party")
	h.record("现场检查笔录")
}

func (h *harness) opinion() {
	h.t.Helper()
	h.step("inspection_opinion")
	h.tapText("存在问题，责令改正")
	test.Type(h.u.form.entries["opinion"], "预包装食品标签不符合规定，责令改正。")
	h.u.form.entries["party_agent"].SetText("张伟")
	h.signOfficers()
	h.sign("party")
	h.record("签署检查意见")
}

func (h *harness) photo(caption, path string) {
	h.t.Helper()
	h.step("photo")
	test.Type(h.u.form.entries["caption"], caption)
	h.attach(path)
	h.record("拍照取证")
}

func (h *harness) sample(video string) {
	h.t.Helper()
	h.step("sample")
	rows := h.u.form.items["items"]
	for k, v := range map[string]string{"item": "五香瓜子", "quantity": "4袋", "seal_number": "FY-0001", "sample_id": "YP-001"} {
		test.Type(rows.rows[0].entries[k], v)
	}
	h.u.form.entries["party_agent"].SetText("张伟")
	h.attach(video)
	h.signOfficers()
	h.sign("party")
	h.record("抽样取证")
}

func (h *harness) serveLodging(audio string) {
	h.t.Helper()
	h.step("serve")
	test.Type(h.u.form.entries["document"], "现场检查笔录")
	h.tapText("其他执法文书")
	h.tapText("留置送达")
	test.Type(h.u.form.entries["refusal_reason"], "当事人拒绝签收")
	test.Type(h.u.form.entries["witness_name"], "刘芳")
	h.attach(audio)
	h.sign("server")
	h.sign("witness")
	h.record("文书送达")
}

func (h *harness) closeScene() {
	h.t.Helper()
	h.step("close_scene")
	h.record("结束现场执法")
}
