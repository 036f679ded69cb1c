package enforce_test

import (
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"lawtrace/assets"
	"lawtrace/shared/enforce"
)

func catalog(t *testing.T) *enforce.Catalog {
	t.Helper()
	c, err := enforce.LoadCatalog(assets.FS)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var (
	today   = time.Date(2026, 5, 6, 10, 0, 0, 0, time.Local)
	wang    = enforce.Officer{Name: "王强", Cert: "15010001", Expires: "2027-12-31"}
	li      = enforce.Officer{Name: "李明", Cert: "15010002", Expires: "2027-12-31"}
	expired = enforce.Officer{Name: "赵刚", Cert: "15010003", Expires: "2026-05-05"}
	suspend = enforce.Officer{Name: "钱伟", Cert: "15010004", Expires: "2027-12-31", Suspended: true}
	crew    = []enforce.Officer{wang, li}
)

func TestCatalogLoadsEveryProcedure(t *testing.T) {
	c := catalog(t)
	want := []string{"coercion", "inspection", "penalty", "penalty-simple", "permit"}
	if got := c.ProcedureIDs(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("procedures %v, want %v", got, want)
	}
}

// sig is who signed: role=name pairs.
func sig(pairs ...string) []enforce.Signer {
	var out []enforce.Signer
	for _, p := range pairs {
		role, name, _ := strings.Cut(p, "=")
		out = append(out, enforce.Signer{Role: role, Name: name})
	}
	return out
}

// officers is every officer of the crew signing.
func officers(extra ...string) []enforce.Signer {
	return append(sig("officer=王强", "officer=李明"), sig(extra...)...)
}

func with(m map[string]string, kv ...string) map[string]string {
	out := maps.Clone(m)
	for _, p := range kv {
		k, v, _ := strings.Cut(p, "=")
		if v == "" {
			delete(out, k)
		} else {
			out[k] = v
		}
	}
	return out
}

type guardCase struct {
	name      string
	proc      string
	partyKind string
	officers  []enforce.Officer
	recorded  map[string]int
	closed    bool
	settings  map[string]bool
	in        enforce.StepInput
	missing   []string // names of the items refused; nil means allowed
	article   string   // a citation the refusal must carry
}

func runGuard(t *testing.T, tests []guardCase) {
	t.Helper()
	c := catalog(t)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := *c.Procedures[tc.proc]
			if tc.settings != nil {
				p.Settings = tc.settings
			}
			party, kind := "张三", "person"
			if tc.partyKind == "org" {
				party, kind = "某某商贸有限公司", "org"
			}
			officers := tc.officers
			if officers == nil {
				officers = crew
			}
			recorded := tc.recorded
			if recorded == nil {
				recorded = map[string]int{"show_id": 1, "notify_rights": 1}
			}
			st := enforce.CaseState{Procedure: &p, Party: party, PartyKind: kind, Officers: officers, Recorded: recorded, SceneClosed: tc.closed, Today: today}
			err := st.CheckStep(tc.in)
			if tc.missing == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var e *enforce.Error
			if !errors.As(err, &e) {
				t.Fatalf("want a refusal naming %v, got %v", tc.missing, err)
			}
			for _, m := range tc.missing {
				if !slices.ContainsFunc(e.Missing, func(it enforce.Item) bool { return it.Name == m || strings.Contains(it.Zh, m) }) {
					t.Errorf("refusal does not name %q: %v", m, e)
				}
			}
			if !strings.Contains(e.Article, tc.article) {
				t.Errorf("refusal cites %q, want %q", e.Article, tc.article)
			}
			for _, it := range e.Missing {
				if it.Zh == "" || it.En == "" {
					t.Errorf("item %q lacks a Chinese or English text", it.Name)
				}
			}
			if !strings.Contains(e.Zh(), "《") {
				t.Errorf("Chinese refusal names no regulation: %s", e.Zh())
			}
		})
	}
}

// SPEC F3 F4 F9 F11: the general on-scene rules, each refused with its article.
func TestGuardOnScene(t *testing.T) {
	lodging := map[string]string{"document": "现场检查笔录", "document_kind": "other", "method": "lodging", "date": "2026-05-06", "place": "某市某路1号", "refusal_reason": "当事人拒收", "witness_name": "刘芳"}
	runGuard(t, []guardCase{
		{name: "show id with two valid officers and video", proc: "inspection", recorded: map[string]int{},
			in: enforce.StepInput{Kind: "show_id", FileKinds: []string{"video"}}},
		{name: "show id with one officer", proc: "inspection", officers: []enforce.Officer{wang}, recorded: map[string]int{},
			in: enforce.StepInput{Kind: "show_id", FileKinds: []string{"video"}}, missing: []string{}, article: "003 §14"},
		{name: "show id with an expired and a suspended credential", proc: "inspection", officers: []enforce.Officer{wang, expired, suspend}, recorded: map[string]int{},
			in: enforce.StepInput{Kind: "show_id", FileKinds: []string{"video"}}, missing: []string{"credential:15010003", "credential:15010004"}, article: "003 §14"},
		{name: "show id without A/V", proc: "inspection", recorded: map[string]int{},
			in: enforce.StepInput{Kind: "show_id"}, missing: []string{"av"}, article: "000-record §9"},
		{name: "show id in an emergency without A/V", proc: "inspection", recorded: map[string]int{},
			in: enforce.StepInput{Kind: "show_id", Fields: map[string]string{"emergency_reason": "当事人正在转移物品"}}},
		{name: "inspection before show id", proc: "inspection", recorded: map[string]int{},
			in: enforce.StepInput{Kind: "inspection_notes"}, missing: []string{"show_id"}, article: "003 §14"},
		{name: "rights without party signature or refusal", proc: "inspection", recorded: map[string]int{"show_id": 1},
			in: enforce.StepInput{Kind: "notify_rights", Fields: map[string]string{"rights_version": "inspection-v1", "acknowledgement": "signed"}}, missing: []string{"signature:party"}, article: "003 §17"},
		{name: "rights refused without A/V", proc: "inspection", recorded: map[string]int{"show_id": 1},
			in: enforce.StepInput{Kind: "notify_rights", Fields: map[string]string{"rights_version": "inspection-v1", "acknowledgement": "refused", "refusal_reason": "拒绝签字"}}, missing: []string{"av"}, article: "000-record §11"},
		{name: "rights signed by the party", proc: "inspection", recorded: map[string]int{"show_id": 1},
			in: enforce.StepInput{Kind: "notify_rights", Fields: map[string]string{"rights_version": "inspection-v1", "acknowledgement": "signed"}, Signatures: sig("party=张三")}},
		{name: "rights signed by the party's named agent", proc: "inspection", partyKind: "org", recorded: map[string]int{"show_id": 1},
			in: enforce.StepInput{Kind: "notify_rights", Fields: map[string]string{"rights_version": "inspection-v1", "acknowledgement": "signed", "party_agent": "周经理"}, Signatures: sig("party=周经理")}},
		{name: "rights signed by a stranger as the party", proc: "inspection", recorded: map[string]int{"show_id": 1},
			in: enforce.StepInput{Kind: "notify_rights", Fields: map[string]string{"rights_version": "inspection-v1", "acknowledgement": "signed"}, Signatures: sig("party=李四")}, missing: []string{"signer:party"}, article: "000-record §4"},
		{name: "rights recorded twice", proc: "inspection",
			in: enforce.StepInput{Kind: "notify_rights"}, missing: []string{}, article: "003 §29"},
		{name: "notes signed by one officer of two", proc: "inspection",
			in:      enforce.StepInput{Kind: "inspection_notes", Fields: map[string]string{"location": "仓库", "start_time": "2026-05-06 10:00", "findings": "无"}, FileKinds: []string{"video"}, Signatures: sig("officer=王强", "party=张三")},
			missing: []string{"signature:officer:15010002"}, article: "003 §15"},
		{name: "notes signed by every officer and the party", proc: "inspection",
			in: enforce.StepInput{Kind: "inspection_notes", Fields: map[string]string{"location": "仓库", "start_time": "2026-05-06 10:00", "findings": "无"}, FileKinds: []string{"video"}, Signatures: officers("party=张三")}},
		{name: "notes signed by someone not on the case as officer", proc: "inspection",
			in:      enforce.StepInput{Kind: "inspection_notes", Fields: map[string]string{"location": "仓库", "start_time": "2026-05-06 10:00", "findings": "无"}, FileKinds: []string{"video"}, Signatures: officers("officer=孙七", "party=张三")},
			missing: []string{"signer:officer"}, article: "000-record §4"},
		{name: "sample list: every row's missing columns at once", proc: "inspection",
			in: enforce.StepInput{Kind: "sample", Fields: map[string]string{"location": "仓库"}, Items: map[string][]map[string]string{"items": {
				{"item": "大米", "quantity": "2袋", "sample_id": "S1"}, {"item": "面粉", "quantity": "1袋"}}}, FileKinds: []string{"video"}, Signatures: officers("party=张三")},
			missing: []string{"items[1].seal_number", "items[2].seal_number", "items[2].sample_id"}, article: "000-record §11-12"},
		{name: "lodging complete", proc: "inspection",
			in: enforce.StepInput{Kind: "serve", Fields: lodging, FileKinds: []string{"video"}, Signatures: sig("server=王强", "witness=刘芳")}},
		{name: "lodging witness pad signed by another person", proc: "inspection",
			in:      enforce.StepInput{Kind: "serve", Fields: with(lodging, "witness_name=王五"), FileKinds: []string{"video"}, Signatures: sig("server=王强", "witness=李四")},
			missing: []string{"signer:witness"}, article: "000-record §21"},
		{name: "lodging served by someone not on the case", proc: "inspection",
			in:      enforce.StepInput{Kind: "serve", Fields: lodging, FileKinds: []string{"video"}, Signatures: sig("server=路人", "witness=刘芳")},
			missing: []string{"signer:server"}, article: "000-record §21"},
		{name: "lodging without witness, A/V or reason: all at once", proc: "inspection",
			in:      enforce.StepInput{Kind: "serve", Fields: with(lodging, "witness_name=", "refusal_reason="), Signatures: sig("server=王强")},
			missing: []string{"witness_name", "refusal_reason", "av", "signature:witness"}, article: "000-record §21"},
		{name: "direct service without the serving officer's signature", proc: "inspection",
			in:      enforce.StepInput{Kind: "serve", Fields: map[string]string{"document": "检查笔录", "document_kind": "other", "method": "direct", "date": "2026-05-06", "recipient_name": "张三"}, Signatures: sig("recipient=张三")},
			missing: []string{"signature:server"}, article: "003 §22(1)"},
		{name: "direct service signed by recipient and server", proc: "inspection",
			in: enforce.StepInput{Kind: "serve", Fields: map[string]string{"document": "检查笔录", "document_kind": "other", "method": "direct", "date": "2026-05-06", "recipient_name": "张三"}, Signatures: sig("recipient=张三", "server=李明")}},
		{name: "postal service without proof of posting", proc: "inspection",
			in:      enforce.StepInput{Kind: "serve", Fields: map[string]string{"document": "责令改正通知书", "document_kind": "other", "method": "postal", "date": "2026-05-06", "postal_number": "EMS1"}},
			missing: []string{"file:photo|document"}, article: "003 §22(3)"},
		{name: "electronic service of a decision refused by default", proc: "penalty",
			in:      enforce.StepInput{Kind: "serve", Fields: map[string]string{"document": "行政处罚决定书", "document_kind": "decision", "method": "electronic", "date": "2026-05-06", "electronic_address": "a@b.cn"}, FileKinds: []string{"photo"}},
			missing: []string{"rule:method=electronic"}, article: "003 §22(4)"},
		{name: "electronic service of a decision where the agency allows it, without consent", proc: "penalty", settings: map[string]bool{"electronic_decision_service": true},
			in:      enforce.StepInput{Kind: "serve", Fields: map[string]string{"document": "行政处罚决定书", "document_kind": "decision", "method": "electronic", "date": "2026-05-06", "electronic_address": "a@b.cn"}, FileKinds: []string{"video"}},
			missing: []string{"consent", "file:document|photo"}, article: "行政处罚法 §61"},
		{name: "electronic service of a decision where allowed, with consent", proc: "penalty", settings: map[string]bool{"electronic_decision_service": true},
			in: enforce.StepInput{Kind: "serve", Fields: map[string]string{"document": "行政处罚决定书", "document_kind": "decision", "method": "electronic", "date": "2026-05-06", "electronic_address": "a@b.cn", "consent": "电子送达确认书 2026-05-01"}, FileKinds: []string{"video", "document"}}},
		{name: "electronic service of another document with proof", proc: "inspection",
			in: enforce.StepInput{Kind: "serve", Fields: map[string]string{"document": "检查通知", "document_kind": "other", "method": "electronic", "date": "2026-05-06", "electronic_address": "a@b.cn"}, FileKinds: []string{"photo"}}},
		{name: "electronic service without proof of sending", proc: "inspection",
			in:      enforce.StepInput{Kind: "serve", Fields: map[string]string{"document": "检查通知", "document_kind": "other", "method": "electronic", "date": "2026-05-06", "electronic_address": "a@b.cn"}},
			missing: []string{"file:photo|video|audio|document"}, article: "003 §22(4)"},
		{name: "notice without the written notice and a photo", proc: "inspection",
			in:      enforce.StepInput{Kind: "serve", Fields: map[string]string{"document": "检查通知", "document_kind": "other", "method": "notice", "date": "2026-05-06", "notice_reason": "下落不明", "notice_medium": "公告栏"}, FileKinds: []string{"photo"}},
			missing: []string{"file:document"}, article: "003 §22(6)"},
		{name: "postal return receipt", proc: "inspection", recorded: map[string]int{"show_id": 1, "serve": 1, "close_scene": 1}, closed: true,
			in:      enforce.StepInput{Kind: "service_return", Fields: map[string]string{"postal_number": "EMS1", "outcome": "returned", "date": "2026-05-09"}, FileKinds: []string{"photo"}},
			missing: []string{"returned_reason"}, article: "003 §22(3)"},
		{name: "close with mandatory steps missing", proc: "inspection", recorded: map[string]int{"show_id": 1},
			in: enforce.StepInput{Kind: "close_scene"}, missing: []string{"notify_rights", "inspection_notes", "inspection_opinion"}, article: "003 §17"},
		{name: "step after the scene closed", proc: "inspection", recorded: map[string]int{"show_id": 1, "close_scene": 1}, closed: true,
			in: enforce.StepInput{Kind: "photo", Fields: map[string]string{"caption": "x"}, FileKinds: []string{"photo"}}, missing: []string{}, article: "003 §29"},
		{name: "malformed values all named", proc: "inspection",
			in:      enforce.StepInput{Kind: "serve", Fields: map[string]string{"document": "x", "document_kind": "other", "method": "pigeon", "date": "06/05/2026", "colour": "red"}},
			missing: []string{"method", "date", "colour"}},
	})
}

// SPEC F14: on-the-spot penalties only as 行政处罚法 §51-52, §67-71 allow.
func TestGuardOnTheSpotPenalty(t *testing.T) {
	base := map[string]string{"facts": "占道经营", "basis": "《某条例》第十条", "penalty": "fine", "amount": "200", "decision_number": "简罚〔2026〕1号",
		"place": "某路1号", "agency": "某区市场监督管理局", "reconsideration_organ": "某区人民政府", "statement_made": "waived", "payment": "bank", "bank": "工商银行某支行"}
	decide := func(fields map[string]string) enforce.StepInput {
		return enforce.StepInput{Kind: "on_spot_decision", Fields: fields, Signatures: officers("party=张三")}
	}
	decideOrg := func(fields map[string]string) enforce.StepInput {
		return enforce.StepInput{Kind: "on_spot_decision", Fields: fields, Signatures: officers("party=某某商贸有限公司")}
	}
	runGuard(t, []guardCase{
		{name: "the largest fine for a natural person", proc: "penalty-simple", in: decide(base)},
		{name: "a fine above 200 yuan for a natural person", proc: "penalty-simple", in: decide(with(base, "amount=200.01")), missing: []string{"bound:amount"}, article: "行政处罚法 §51"},
		{name: "a fine of 50,000 yuan for a natural person", proc: "penalty-simple", in: decide(with(base, "amount=50000")), missing: []string{"bound:amount"}, article: "行政处罚法 §51"},
		{name: "the largest fine for an organisation", proc: "penalty-simple", partyKind: "org", in: decideOrg(with(base, "amount=3000"))},
		{name: "a fine above 3,000 yuan for an organisation", proc: "penalty-simple", partyKind: "org", in: decideOrg(with(base, "amount=3001")), missing: []string{"bound:amount"}, article: "行政处罚法 §51"},
		{name: "a fine with no amount", proc: "penalty-simple", in: decide(with(base, "amount=")), missing: []string{"amount"}, article: "行政处罚法 §51"},
		{name: "a fine of zero", proc: "penalty-simple", in: decide(with(base, "amount=0")), missing: []string{"bound:amount"}, article: "行政处罚法 §51"},
		{name: "通报批评 on the spot", proc: "penalty-simple", in: decide(with(base, "penalty=criticism")), missing: []string{"penalty"}},
		{name: "a warning needs no amount or payment", proc: "penalty-simple", in: decide(with(base, "penalty=warning", "amount=", "payment=", "bank="))},
		{name: "no word on the statement", proc: "penalty-simple", in: decide(with(base, "statement_made=")), missing: []string{"statement_made"}, article: "行政处罚法 §51-52"},
		{name: "a statement without its review", proc: "penalty-simple", in: decide(with(base, "statement_made=made", "statement=我不知道")),
			missing: []string{"statement_review", "statement_adopted", "adoption_reason"}, article: "000-record §18(3)(4)"},
		{name: "a statement reviewed and not adopted", proc: "penalty-simple", in: decide(with(base, "statement_made=made", "statement=我不知道", "statement_review=经复核，事实清楚", "statement_adopted=not_adopted", "adoption_reason=证据确凿"))},
		{name: "collected on the spot without ground or receipt", proc: "penalty-simple", in: decide(with(base, "payment=on_spot", "bank=", "amount=50")),
			missing: []string{"on_spot_ground", "receipt_number"}, article: "行政处罚法 §68-70"},
		{name: "100 yuan collected on the spot as a small fine", proc: "penalty-simple", in: decide(with(base, "payment=on_spot", "bank=", "amount=100", "on_spot_ground=small", "receipt_number=No.0001"))},
		{name: "150 yuan collected on the spot as a small fine", proc: "penalty-simple", in: decide(with(base, "payment=on_spot", "bank=", "amount=150", "on_spot_ground=small", "receipt_number=No.0001")),
			missing: []string{"bound:amount"}, article: "行政处罚法 §68(1)"},
		{name: "150 yuan collected on the spot in a remote area", proc: "penalty-simple", in: decide(with(base, "payment=on_spot", "bank=", "amount=150", "on_spot_ground=remote", "receipt_number=No.0001"))},
		{name: "no agency, remedy body or place on the decision", proc: "penalty-simple", in: decide(with(base, "agency=", "reconsideration_organ=", "place=")),
			missing: []string{"agency", "reconsideration_organ", "place"}, article: "行政处罚法 §51-52"},
		{name: "party refuses to sign, noted without A/V", proc: "penalty-simple", in: enforce.StepInput{Kind: "on_spot_decision", Fields: with(base, "party_refusal=拒绝签收"), Signatures: officers()},
			missing: []string{"av:refusal:party"}, article: "000-record §11"},
		{name: "party refuses to sign, noted with A/V", proc: "penalty-simple", in: enforce.StepInput{Kind: "on_spot_decision", Fields: with(base, "party_refusal=拒绝签收"), FileKinds: []string{"video"}, Signatures: officers()}},
		{name: "signed by one officer only", proc: "penalty-simple", in: enforce.StepInput{Kind: "on_spot_decision", Fields: base, Signatures: sig("officer=王强", "party=张三")},
			missing: []string{"signature:officer:15010002"}, article: "行政处罚法 §51-52"},
		{name: "the decision served by e-mail", proc: "penalty-simple", recorded: map[string]int{"show_id": 1, "notify_rights": 1, "on_spot_decision": 1},
			in:      enforce.StepInput{Kind: "serve", Fields: map[string]string{"document": "当场行政处罚决定书", "document_kind": "decision", "method": "electronic", "date": "2026-05-06", "electronic_address": "a@b.cn"}, FileKinds: []string{"photo"}},
			missing: []string{"rule:method=electronic"}, article: "行政处罚法 §52"},
		{name: "the decision handed over on the spot", proc: "penalty-simple", recorded: map[string]int{"show_id": 1, "notify_rights": 1, "on_spot_decision": 1},
			in: enforce.StepInput{Kind: "serve", Fields: map[string]string{"document": "当场行政处罚决定书", "document_kind": "decision", "method": "direct", "date": "2026-05-06", "recipient_name": "张三"}, Signatures: sig("recipient=张三", "server=王强")}},
		{name: "money handed to the agency", proc: "penalty-simple", recorded: map[string]int{"show_id": 1, "notify_rights": 1, "on_spot_decision": 1, "close_scene": 1}, closed: true,
			in: enforce.StepInput{Kind: "fine_handover", Fields: map[string]string{"amount": "100", "handed_at": "2026-05-07 09:00", "received_by": "财务科刘会计", "voucher": "JK-1"}, FileKinds: []string{"photo"}}},
	})
}

// SPEC F15: seizure as 行政强制法 §18-19, §25, §27-28 allow.
func TestGuardCoercion(t *testing.T) {
	objects := map[string][]map[string]string{"objects": {{"name": "电动车", "quantity": "3辆"}}}
	base := map[string]string{"decision_number": "强〔2026〕1号", "place": "某路1号", "approval": "prior", "approver": "局长赵某", "approved_at": "2026-05-06 09:00",
		"approval_means": "written", "term_days": "30", "party_presence": "present"}
	seize := func(fields map[string]string, signers []enforce.Signer) enforce.StepInput {
		return enforce.StepInput{Kind: "seizure", Fields: fields, Items: objects, FileKinds: []string{"video"}, Signatures: signers}
	}
	after := map[string]int{"show_id": 1, "notify_rights": 1, "seizure": 1}
	runGuard(t, []guardCase{
		{name: "approved beforehand, party present and signing", proc: "coercion", in: seize(base, officers("party=张三"))},
		{name: "no approval recorded", proc: "coercion", in: seize(with(base, "approval=", "approver=", "approved_at=", "approval_means="), officers("party=张三")), missing: []string{"approval"}, article: "行政强制法 §18"},
		{name: "prior approval without who and when", proc: "coercion", in: seize(with(base, "approver=", "approved_at="), officers("party=张三")), missing: []string{"approver", "approved_at"}, article: "行政强制法 §18(1)"},
		{name: "emergency without its reason", proc: "coercion", in: seize(with(base, "approval=emergency", "approver=", "approved_at=", "approval_means="), officers("party=张三")), missing: []string{"emergency_reason"}, article: "行政强制法 §19"},
		{name: "emergency with its reason", proc: "coercion", in: seize(with(base, "approval=emergency", "approver=", "approved_at=", "approval_means=", "emergency_reason=正在转移财物"), officers("party=张三"))},
		{name: "party absent and no witness", proc: "coercion", in: seize(with(base, "party_presence=absent"), officers()), missing: []string{"witness_name", "signature:witness"}, article: "行政强制法 §18(10)"},
		{name: "party absent, witness named and signing", proc: "coercion", in: seize(with(base, "party_presence=absent", "witness_name=社区刘芳"), officers("witness=社区刘芳"))},
		{name: "party absent, the pad signed by someone else", proc: "coercion", in: seize(with(base, "party_presence=absent", "witness_name=王五"), officers("witness=李四")), missing: []string{"signer:witness"}, article: "000-record §4"},
		{name: "party refuses to sign, noted", proc: "coercion", in: seize(with(base, "party_refusal=当事人拒绝签名，已录像"), officers())},
		{name: "a term of 31 days", proc: "coercion", in: seize(with(base, "term_days=31"), officers("party=张三")), missing: []string{"bound:term_days"}, article: "行政强制法 §25"},
		{name: "seizure without A/V", proc: "coercion", in: enforce.StepInput{Kind: "seizure", Fields: base, Items: objects, Signatures: officers("party=张三")}, missing: []string{"av"}, article: "000-record §12"},
		{name: "emergency not approved afterwards", proc: "coercion", recorded: after,
			in: enforce.StepInput{Kind: "seizure_approval", Fields: map[string]string{"result": "not_approved", "approver": "局长赵某", "reported_at": "2026-05-06 12:00", "decided_at": "2026-05-06 13:00"}}},
		{name: "extension of 31 days", proc: "coercion", recorded: after,
			in:      enforce.StepInput{Kind: "seizure_extension", Fields: map[string]string{"reason": "需检测", "approver": "局长赵某", "approved_at": "2026-06-01 09:00", "extra_days": "31", "notice_number": "延〔2026〕1号"}},
			missing: []string{"bound:extra_days"}, article: "行政强制法 §25"},
		{name: "a second extension", proc: "coercion", recorded: map[string]int{"show_id": 1, "notify_rights": 1, "seizure": 1, "seizure_extension": 1},
			in: enforce.StepInput{Kind: "seizure_extension"}, missing: []string{}, article: "003 §29"},
		{name: "release before any seizure", proc: "coercion",
			in: enforce.StepInput{Kind: "release"}, missing: []string{"seizure"}, article: "行政强制法 §18"},
		{name: "release recorded", proc: "coercion", recorded: after,
			in: enforce.StepInput{Kind: "release", Fields: map[string]string{"ground": "not_approved", "decision_number": "解〔2026〕1号", "date": "2026-05-06", "objects_returned": "电动车3辆已退还"}, FileKinds: []string{"video"}, Signatures: officers("party=张三")}},
	})
}

// 003 §3, 000-record §7, 行政处罚法 §56: the steps the scene was missing.
func TestGuardMissingProcedures(t *testing.T) {
	runGuard(t, []guardCase{
		{name: "permit acceptance with supplement told at once", proc: "permit", recorded: map[string]int{},
			in:      enforce.StepInput{Kind: "acceptance", Fields: map[string]string{"matter": "食品经营许可", "applicant": "张三", "received_at": "2026-05-06 09:00", "outcome": "supplement", "receipt_number": "SL-1"}, FileKinds: []string{"video"}},
			missing: []string{"supplement_items", "supplement_deadline"}, article: "行政许可法 §32(4)"},
		{name: "permit acceptance without A/V", proc: "permit", recorded: map[string]int{},
			in:      enforce.StepInput{Kind: "acceptance", Fields: map[string]string{"matter": "食品经营许可", "applicant": "张三", "received_at": "2026-05-06 09:00", "outcome": "accepted", "receipt_number": "SL-1"}},
			missing: []string{"av"}, article: "000-record §7"},
		{name: "inspection opinion before notes", proc: "inspection",
			in: enforce.StepInput{Kind: "inspection_opinion"}, missing: []string{"inspection_notes"}, article: "003 §15"},
		{name: "order to correct without a deadline", proc: "inspection", recorded: map[string]int{"show_id": 1, "notify_rights": 1, "inspection_notes": 1, "inspection_opinion": 1},
			in:      enforce.StepInput{Kind: "rectify_order", Fields: map[string]string{"document_number": "责改〔2026〕1号", "problems": "过期食品", "requirement": "下架", "basis": "食品安全法"}, Signatures: officers("party=张三")},
			missing: []string{"deadline"}, article: "003 §3"},
		{name: "re-check after the scene closed", proc: "inspection", closed: true, recorded: map[string]int{"show_id": 1, "notify_rights": 1, "inspection_notes": 1, "inspection_opinion": 1, "rectify_order": 1, "close_scene": 1},
			in: enforce.StepInput{Kind: "recheck", Fields: map[string]string{"date": "2026-05-20", "findings": "已下架", "result": "corrected"}, FileKinds: []string{"photo"}, Signatures: officers("party=张三")}},
		{name: "preservation without the head's approval", proc: "penalty",
			in:      enforce.StepInput{Kind: "preserve", Fields: map[string]string{"reason": "可能灭失", "form": "先行登记保存"}, Items: map[string][]map[string]string{"objects": {{"name": "账册", "quantity": "3本"}}}, FileKinds: []string{"video"}, Signatures: officers("party=张三")},
			missing: []string{"approval", "approved_at"}, article: "行政处罚法 §56"},
	})
}

// Records made under a procedure version without the binding rule are not
// judged by it: a v1 inspection's lodging signed by a witness not named.
func TestSignerBindingOnlyWhereTheProcedureCarriesIt(t *testing.T) {
	var v1 *enforce.Procedure
	for _, name := range []string{"procedures/inspection.v1.json"} {
		data, err := assets.FS.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if v1, err = enforce.ParseProcedure(data); err != nil {
			t.Fatal(err)
		}
	}
	v2 := catalog(t).Procedures["inspection"]
	fields := []byte(`{"method":"lodging","witness_name":"王五"}`)
	signers := sig("witness=李四")
	for _, tc := range []struct {
		proc *enforce.Procedure
		want int
	}{{v1, 0}, {v2, 1}} {
		st := enforce.CaseState{Procedure: tc.proc, Party: "张三", Officers: crew}
		if got := st.RecordedSignerIssues("serve", fields, signers); len(got) != tc.want {
			t.Errorf("v%d: %d issues %v, want %d", tc.proc.Version, len(got), got, tc.want)
		}
	}
}
