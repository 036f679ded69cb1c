package ui

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"lawtrace/app/internal/field"
	"lawtrace/app/internal/ui/widgets"
	"lawtrace/assets/i18n"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
)

func officer(name, cert, expires string) enforce.Officer {
	return enforce.Officer{Name: name, Cert: cert, Expires: expires, Unit: "市场监管综合执法大队一中队", Category: "市场监管", Area: "新城区"}
}

// seedOfficers puts the demo crew and an expired officer on the terminal
// and marks it set up with the crew on duty.
func seedOfficers(term *field.Terminal, _ string) {
	for _, o := range []struct{ name, cert, exp string }{{"王强", "15010001", "2027-12-31"}, {"李明", "15010002", "2027-12-31"}, {"赵刚", "15010009", "2026-04-30"}} {
		if err := term.PutOfficer(officer(o.name, o.cert, o.exp)); err != nil {
			panic(err)
		}
	}
	_ = term.SetSetting(setSetupDone, "1")
	_ = term.SetSetting(setOnDuty, "15010001,15010002")
}

// SPEC F13: the tablet layout shows the step list beside the step; a whole
// case is walked on it.
func TestWalkInspectionCaseOnTablet(t *testing.T) {
	h := newHarness(t, tablet, seedOfficers)
	u := h.u
	photo, video, audio := h.files()
	if !u.wide {
		t.Fatal("a 1280-wide window is not the tablet layout")
	}
	h.openNewCase("城关镇鑫源食品商行", "呼和浩特市新城区海东路12号")
	// the next step is open beside the list at once
	if u.form == nil || u.form.def.Kind != "show_id" {
		t.Fatalf("tablet opens on %v, want show_id beside the list", u.form)
	}
	h.see("执法步骤", "亮证", "王强", "执法证号15010001")
	h.showID(video)
	if u.form == nil || u.form.def.Kind != "notify_rights" {
		t.Fatal("after show ID the tablet does not move on to the next step")
	}
	h.rightsSigned()
	h.inspectionNotes(video)
	h.opinion()
	h.photo("门头", photo)
	h.sample(video)
	h.serveLodging(audio)
	h.closeScene()
	h.see("现场执法记录已结束")
	if u.current() != "procedure" {
		t.Fatalf("screen %s, want the procedure", u.current())
	}
}

// SPEC F1: a killed app loses nothing typed, attached, signed or chosen
// (the recorder), and reopens on the case and step it was on.
func TestKilledAppReopensOnCaseAndStepWithDraft(t *testing.T) {
	h := newHarness(t, phone, seedOfficers)
	u := h.u
	_, video, _ := h.files()
	h.openNewCase("鑫源食品商行", "海东路12号")
	caseID := u.proc.c.ID
	h.showID(video)
	h.step("inspection_notes")
	test.Type(u.form.entries["findings"], "标签未标注生产日期")
	if got := u.form.recorder.Selected; got != "王强  15010001" {
		t.Fatalf("recorder %q, want the officer who recorded show ID", got)
	}
	u.form.recorder.SetSelected("李明  15010002")
	h.attach(video)
	h.sign("officer:15010001")

	// "kill": drop the UI and the store handle without any shutdown step
	u.Stop()
	if err := h.term.Close(); err != nil {
		t.Fatal(err)
	}
	term, err := field.Open(h.home)
	if err != nil {
		t.Fatal(err)
	}
	term.Now = h.term.Now
	t.Cleanup(func() { term.Close() })
	h2 := openHarness(t, phone, term, h.home, Offline{})
	u2 := h2.u
	if u2.current() != "step:inspection_notes" || u2.proc == nil || u2.proc.c.ID != caseID {
		t.Fatalf("reopened on %s, want the inspection notes of case %s", u2.current(), caseID)
	}
	f := u2.form
	if got := f.entries["findings"].Text; got != "标签未标注生产日期" {
		t.Fatalf("findings %q after the restart", got)
	}
	if len(f.d.Attach) != 1 || f.d.Attach[0].Hash != ledger.HashBytes(mustRead(t, video)) {
		t.Fatalf("attachments after the restart: %+v", f.d.Attach)
	}
	if len(f.d.Sign) != 1 || f.d.Sign[0].Name != "王强" {
		t.Fatalf("signatures after the restart: %+v", f.d.Sign)
	}
	if f.d.Recorder != "15010002" || f.recorder.Selected != "李明  15010002" {
		t.Fatalf("recorder %q (%q) after the restart, want 15010002", f.d.Recorder, f.recorder.Selected)
	}
	h2.see("已签名：执法人员王强", "签名：执法人员李明")
	h2.sign("officer:15010002")
	u2.form.entries["party_agent"].SetText("张伟")
	h2.sign("party")
	h2.record("现场检查笔录")
	var p field.StepPayload
	if err := json.Unmarshal(u2.lastRecorded.Payload, &p); err != nil || p.Recorder == nil || p.Recorder.Cert != "15010002" {
		t.Fatalf("recorder of the notes %+v (%v), want 李明 15010002", p.Recorder, err)
	}
	// the next step defaults to the officer who recorded the last one
	h2.step("inspection_opinion")
	if got := u2.form.recorder.Selected; got != "李明  15010002" {
		t.Fatalf("recorder %q on the next step, want 李明", got)
	}
	u2.back()
	// back leaves the case: the next start is on the case list
	u2.back()
	if got, _ := term.Setting(setLastCase); got != "" {
		t.Fatalf("last case %q after leaving it", got)
	}
}

// SPEC F4: the party's refusal to sign is recorded with the circumstances
// and A/V; without them it is refused on screen.
func TestRightsRefusalNeedsReasonAndAV(t *testing.T) {
	h := newHarness(t, phone, seedOfficers)
	u := h.u
	_, video, audio := h.files()
	h.openNewCase("鑫源食品商行", "海东路12号")
	h.showID(video)
	h.step("notify_rights")
	h.dontSee("当事人拒绝签字的情况")
	h.tapText("当事人拒绝签字")
	h.see("当事人拒绝签字的情况", "当事人拒绝签字须完成", "音像记录")
	test.Tap(u.form.record)
	h.dialogShown("不能记录：权利告知", "当事人拒绝签字的情况", "音像记录", "《武汉市行政执法全过程记录办法》第十五条")
	h.dismiss("知道了")
	test.Type(u.form.entries["refusal_reason"], "当事人拒绝在告知书上签名，称需请示老板")
	h.attach(audio)
	h.record("权利告知")
	p, _ := ledger.DecodePayload(u.lastRecorded.Payload)
	if !strings.Contains(string(p.Fields), `"acknowledgement":"refused"`) || !strings.Contains(string(p.Fields), `"rights_version":"inspection-v1"`) {
		t.Fatalf("rights entry fields %s", p.Fields)
	}
}

// SPEC F5 (003 §7, §18): starting an A/V record prompts the statement of
// time, place, officers, party and stage; a resume asks for the reason.
func TestAVRecordStatementAndResume(t *testing.T) {
	h := newHarness(t, phone, seedOfficers)
	u := h.u
	_, video, _ := h.files()
	h.openNewCase("鑫源食品商行", "海东路12号")
	h.step("av_record")
	want := "现在是2026年5月6日10时30分，我们在海东路12号。执法人员：王强（执法证号 15010001）、李明（执法证号 15010002）。当事人：鑫源食品商行。执法环节：现场核查。现在开始音像记录。"
	h.see("开始录音录像时，请先口述：", want)
	if got := u.form.entries["statement"].Text; got != want {
		t.Fatalf("statement %q, want %q", got, want)
	}
	h.dontSee("中断原因")
	h.attach(video)
	h.record("音像记录")

	h.step("av_record")
	if got := u.form.value("segment"); got != "resume" {
		t.Fatalf("second A/V segment is %q, want resume", got)
	}
	h.see("中断原因", "中断后继续音像记录")
	h.attach(video)
	test.Tap(u.form.record)
	h.dialogShown("中断原因", "《武汉市行政执法全过程记录办法》第十八条")
	h.dismiss("知道了")
	test.Type(u.form.entries["interruption_reason"], "执法记录仪电量耗尽，更换电池")
	h.record("音像记录")
}

// SPEC F9: each of the six service methods asks for what its article
// requires, and only that.
func TestServiceMethods(t *testing.T) {
	h := newHarness(t, phone, seedOfficers)
	u := h.u
	photo, video, _ := h.files()
	h.openNewCase("鑫源食品商行", "海东路12号")
	h.showID(video)
	h.step("serve")
	test.Type(u.form.entries["document"], "责令改正通知书")
	h.tapText("其他执法文书")
	cases := []struct {
		method string
		needs  []string
		hidden []string
	}{
		{"直接送达", []string{"受送达人/签收人", "受送达人签名", "送达人签名"}, []string{"见证人", "挂号信"}},
		{"留置送达", []string{"拒收事由", "见证人", "送达人签名", "见证人签名", "音像记录"}, []string{"挂号信"}},
		{"邮寄送达", []string{"挂号信/特快专递单号"}, []string{"见证人", "拒收事由"}},
		{"电子送达（传真、电子邮件）", []string{"传真号码/电子邮箱"}, []string{"见证人"}},
		{"委托、转交送达", []string{"委托、转交原因", "受送达人/签收人", "送达人签名", "受送达人签名"}, []string{"见证人"}},
		{"公告送达", []string{"其他方式均无法送达的情况", "公告方式和载体", "附件：文书（PDF）", "附件：照片或视频"}, []string{"见证人"}},
	}
	for _, c := range cases {
		h.tapText(c.method)
		h.see(append([]string{c.method + "须完成"}, c.needs...)...)
		for _, hid := range c.hidden {
			h.dontSee(hid)
		}
	}
	// postal service records with the mail number and a photo of the receipt
	h.tapText("邮寄送达")
	test.Type(u.form.entries["postal_number"], "EMS1234567890")
	h.attach(photo)
	h.record("文书送达")
}

// SPEC F7 F8: the other forms are driven by the procedure's fields: inquiry
// notes, evidence preservation with an object list, refusal to cooperate
// with a witness.
func TestOtherForms(t *testing.T) {
	h := newHarness(t, phone, seedOfficers)
	u := h.u
	_, video, _ := h.files()
	h.openNewCase("鑫源食品商行", "海东路12号")
	h.showID(video)

	h.step("inquiry_notes")
	test.Type(u.form.entries["person_name"], "张伟")
	h.tapText("当事人")
	test.Type(u.form.entries["questions_answers"], "问：货品从何处进货？答：批发市场。")
	h.signOfficers()
	test.Type(u.form.entries["person_refusal"], "被询问人拒绝签名")
	h.record("询问笔录")

	h.step("preserve")
	test.Type(u.form.entries["reason"], "证据可能灭失，经负责人批准先行登记保存")
	objs := u.form.items["objects"]
	test.Type(objs.rows[0].entries["name"], "五香瓜子")
	test.Type(objs.rows[0].entries["quantity"], "20袋")
	h.tapText("先行登记保存")
	test.Type(u.form.entries["approval"], "赵局长")
	h.attach(video)
	u.form.entries["party_agent"].SetText("张伟")
	h.signOfficers()
	h.sign("party")
	h.record("先行登记保存")

	h.step("refusal")
	test.Type(u.form.entries["description"], "当事人拒绝打开仓库接受检查")
	h.attach(video)
	h.signOfficers()
	test.Tap(u.form.record)
	h.dialogShown("不能记录：当事人拒绝配合", "见证人")
	h.dismiss("知道了")
	test.Type(u.form.entries["witness_name"], "刘芳")
	h.sign("witness")
	h.record("当事人拒绝配合")
}

// SPEC S1 S4 S6: the global indicator shows queued entries and files,
// the last sync, clock skew and revocation.
func TestSyncIndicator(t *testing.T) {
	term, home := newTerminal(t)
	seedOfficers(term, home)
	fs := &fakeSync{}
	h := openHarness(t, phone, term, home, fs)
	u := h.u
	if txt := u.syncInd.Text(); txt != "离线（未注册） · 全部已确认" {
		t.Fatalf("indicator %q on an empty terminal", txt)
	}
	h.openNewCase("鑫源食品商行", "海东路12号")
	if fs.kicks == 0 {
		t.Fatal("opening a case did not ask sync to run")
	}
	u.Refresh()
	if txt := u.syncInd.Text(); txt != "离线（未注册） · 1 条待同步" {
		t.Fatalf("indicator %q after a case opened", txt)
	}
	fs.state = SyncState{Enrolled: true, Server: "ws://s/sync", Connected: true, Phase: "uploading", UploadDone: 50, UploadSize: 200, Skewed: true}
	_ = term.SetSetting("clock_offset_ms", "-95000")
	u.Refresh()
	if txt := u.syncInd.Text(); txt != "正在上传文件 25% · 1 条待同步 · 时钟偏差 -95.0s" {
		t.Fatalf("indicator %q while uploading with a skewed clock", txt)
	}
	test.Tap(u.syncInd)
	h.dialogShown("同步", "ws://s/sync", "时钟偏差", "-95.0s（超出允许偏差）", "立即同步")
	kicks := fs.kicks
	h.tapText("立即同步")
	if fs.kicks != kicks+1 {
		t.Fatal("Sync now did not kick sync")
	}
	fs.state = SyncState{Enrolled: true, Revoked: true, Phase: "revoked", LastError: "device revoked: lost"}
	u.Refresh()
	if txt := u.syncInd.Text(); txt != "本终端已停用" {
		t.Fatalf("indicator %q when revoked", txt)
	}
}

// SPEC D3: enrolment with a code, and its failure, are shown on the first
// run screen.
func TestFirstRunEnrolment(t *testing.T) {
	term, home := newTerminal(t)
	fs := &fakeSync{enrolErr: errors.New("enrolment code unknown or used")}
	h := openHarness(t, phone, term, home, fs)
	u := h.u
	test.Tap(u.firstRun.enrol)
	h.dialogShown("请填写服务器地址和一次性注册码。")
	h.dismiss("知道了")
	test.Type(u.firstRun.payload, "lawtrace://enrol?code=K7QP-2M4X-9TRA&fp=ab12&server=ws%3A%2F%2F10.0.0.5%3A8080%2Fsync")
	if u.firstRun.server.Text != "ws://10.0.0.5:8080/sync" || u.firstRun.code.Text != "K7QP-2M4X-9TRA" {
		t.Fatalf("payload gave server %q code %q", u.firstRun.server.Text, u.firstRun.code.Text)
	}
	test.Tap(u.firstRun.enrol)
	h.dialogShown("注册失败", "enrolment code unknown or used")
	h.dismiss("知道了")
	fs.enrolErr = nil
	test.Tap(u.firstRun.enrol)
	h.noDialog()
	h.see("已注册到 ws://10.0.0.5:8080/sync")
	test.Tap(u.firstRun.done)
	h.dialogShown("请至少选择一名当班执法人员。")
	h.dismiss("知道了")
}

// SPEC F13: English through the translation files; step and field labels
// from the procedure's English labels.
func TestEnglish(t *testing.T) {
	h := newHarness(t, phone, seedOfficers)
	u := h.u
	test.Tap(u.settingsBtn)
	h.tapText("English")
	h.see("Settings", "Language", "High contrast, large text (outdoors)")
	u.popTo("cases")
	h.see("Cases", "New case", "No cases today")
	test.Tap(u.cases.newBtn)
	h.see("Enforcement type", "Administrative inspection", "Organisation")
	h.tapText("Administrative inspection")
	test.Type(u.newCase.party, "Xinyuan Foods")
	test.Tap(u.newCase.open)
	h.see("Steps", "Show credentials", "mandatory", "Notify rights", "Close the scene")
	h.step("close_scene")
	test.Tap(u.form.record)
	h.dialogShown("Cannot record: Close the scene", "mandatory steps are not recorded", "Show credentials", "Legal basis: 003 §14")
	h.dismiss("OK")
	if missed := u.tr.missedKeys(); len(missed) > 0 {
		t.Errorf("strings without an English translation: %q", missed)
	}
}

// SPEC F13: every string the screens use has a Chinese and an English
// translation, and the two files hold the same keys.
func TestTranslationFilesAreComplete(t *testing.T) {
	all, err := translations()
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range i18n.Languages {
		if len(all[l]) == 0 {
			t.Fatalf("no %s translations", l)
		}
	}
	for k := range all[LangZh] {
		if _, ok := all[LangEn][k]; !ok {
			t.Errorf("key %q is in zh.json, not in en.json", k)
		}
	}
	for k := range all[LangEn] {
		if _, ok := all[LangZh][k]; !ok {
			t.Errorf("key %q is in en.json, not in zh.json", k)
		}
	}
	files, _ := filepath.Glob("*.go")
	re := regexp.MustCompile(`\.T\("((?:[^"\\]|\\.)*)"`)
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			var key string
			if err := json.Unmarshal([]byte(`"`+m[1]+`"`), &key); err != nil {
				t.Fatal(err)
			}
			if _, ok := all[LangZh][key]; !ok {
				t.Errorf("%s: %q has no translation in assets/i18n/zh.json", f, key)
			}
		}
	}
}

// SPEC F3 P7: the QR code of a credential points at the public officer
// registry of the server the terminal enrolled with.
func TestCredentialPayload(t *testing.T) {
	for server, want := range map[string]string{
		"ws://127.0.0.1:8080/sync":     "http://127.0.0.1:8080/public/officers/15010001",
		"wss://zf.example.gov.cn/sync": "https://zf.example.gov.cn/public/officers/15010001",
		"https://zf.example.gov.cn":    "https://zf.example.gov.cn/public/officers/15010001",
		"":                             "",
		"not a url":                    "",
	} {
		if got := registryURL(server, "15010001"); got != want {
			t.Errorf("registryURL(%q) = %q, want %q", server, got, want)
		}
	}
	term, home := newTerminal(t)
	seedOfficers(term, home)
	h := openHarness(t, phone, term, home, Offline{})
	_ = term.SetSetting(setServerURL, "wss://zf.example.gov.cn/sync")
	_ = term.SetSetting(credentialSigKey("15010001"), "c2ln")
	o, _ := term.Officer("15010001")
	if got := credentialPayload(h.u, o); got != "https://zf.example.gov.cn/public/officers/15010001?exp=2027-12-31&sig=c2ln" {
		t.Fatalf("payload %q", got)
	}
}

func TestParseEnrolPayload(t *testing.T) {
	s, c, ok := parseEnrolPayload(" lawtrace://enrol?server=ws%3A%2F%2Fh%3A1%2Fsync&code=AB-CD&fp=x ")
	if !ok || s != "ws://h:1/sync" || c != "AB-CD" {
		t.Fatalf("got %q %q %v", s, c, ok)
	}
	for _, bad := range []string{"", "ws://h/sync", "lawtrace://enrol?server=x", "https://enrol?server=a&code=b"} {
		if _, _, ok := parseEnrolPayload(bad); ok {
			t.Errorf("%q parsed as a payload", bad)
		}
	}
}

// SPEC F13: in high contrast the touch targets are at least
// widgets.MinTouchTarget high, for gloved hands.
func TestHighContrastTouchTargets(t *testing.T) {
	h := newHarness(t, phone, seedOfficers)
	u := h.u
	u.SetHighContrast(true)
	h.openNewCase("鑫源食品商行", "海东路12号")
	h.step("serve")
	f := u.form
	for name, o := range map[string]interface{ MinSize() fyne.Size }{
		"record": f.record, "add file": f.addFile, "document entry": f.entries["document"], "method choice": f.choices["method"],
	} {
		if hgt := o.MinSize().Height; hgt < widgets.MinTouchTarget {
			t.Errorf("%s is %.0f high, want at least %d", name, hgt, widgets.MinTouchTarget)
		}
	}
	if hgt := f.choices["method"].MinSize().Height / 6; hgt < widgets.MinTouchTarget {
		t.Errorf("each service method option is %.0f high, want at least %d", hgt, widgets.MinTouchTarget)
	}
	if u.setting(setHighContrast) != "1" {
		t.Fatal("high contrast is not saved")
	}
}

// SPEC F9 F11: a refused step names every missing item at once, in
// Chinese, with the regulation named: service by lodging without the
// refusal reason, the witness, the A/V record and the signatures.
func TestRefusalListsEveryMissingItem(t *testing.T) {
	h := newHarness(t, phone, seedOfficers)
	u := h.u
	_, video, _ := h.files()
	h.openNewCase("鑫源食品商行", "海东路12号")
	h.showID(video)
	h.step("serve")
	test.Type(u.form.entries["document"], "现场检查笔录")
	h.tapText("其他执法文书")
	h.tapText("留置送达")
	test.Tap(u.form.record)
	h.dialogShown("不能记录：文书送达", "“文书送达”尚不能记录，缺少或不符合以下事项", "尚缺：",
		"• 拒收事由", "• 见证人", "• 音像记录", "• 送达人签名", "• 见证人签名",
		"依据：《呼和浩特市行政执法全过程记录办法（试行）》第二十一条、《薛城区行政执法全过程记录办法》第二十条")
	if r := u.lastRefusal; len(r.Missing) != 5 {
		t.Fatalf("the refusal lists %q, want the five missing items", r.Missing)
	}
	h.dontSee("000-record")
	h.dismiss("知道了")
}
