package main

import (
	"encoding/json"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"lawtrace/app/internal/demo"
	"lawtrace/shared/ledger"
)

// fields is a step's form as --set pairs.
type fields map[string]string

// with copies the form and sets "k=v" pairs; "k=" removes k.
func (f fields) with(kv ...string) fields {
	out := maps.Clone(f)
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

func (f fields) args() []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(f)) {
		out = append(out, "--set", k+"="+f[k])
	}
	return out
}

// ruleCase is one attempt at a step through the built binary: allowed when
// article is empty, otherwise refused citing article in English and the
// regulation (with the article number zhArticle) in the 拒绝 line.
type ruleCase struct {
	name    string
	fixture string // the case the step is tried on, see ruleFixture
	step    string
	fields  fields
	items   string   // NAME=JSON for --items
	attach  []string // files, by kind: video, audio, photo
	sign    []string // ROLE:NAME; the strokes file is chosen by role
	by      string   // --by; "-" leaves it out

	says       string // what the English line names as missing or wrong
	article    string // in the English line; empty: the step is allowed
	regulation string // the regulation's Chinese name in the 拒绝 line
	zhArticle  string // the article number as Chinese text, also in the 拒绝 line
}

const (
	lawPenalty  = "《中华人民共和国行政处罚法》"
	lawCoercion = "《中华人民共和国行政强制法》"
	record000   = "《呼和浩特市行政执法全过程记录办法（试行）》"
	record003   = "《武汉市行政执法全过程记录办法》"
)

// SPEC F9 F11 F14 F15 R1: every refusal of the on-scene rules and each
// allowed boundary, through the built lawtrace-fieldctl: a refusal exits 1,
// cites the article in English and names the regulation in Chinese, and
// writes nothing (no entry, no outbox item, no media file); an allowed step
// writes exactly one entry.
func TestOnSceneRulesThroughCLI(t *testing.T) {
	home, in := setUp(t)
	decision := fields{"facts": "占道经营", "basis": "《某市市容管理条例》第十条", "penalty": "fine", "amount": "200", "decision_number": "简罚〔2026〕1号",
		"place": "某路1号", "agency": "某区城市管理综合执法局", "reconsideration_organ": "某区人民政府", "statement_made": "waived", "payment": "bank", "bank": "工商银行某支行"}
	onSpot := func(f fields) fields { return f.with("payment=on_spot", "bank=", "receipt_number=No.0001") }
	seizure := fields{"decision_number": "强〔2026〕1号", "place": "某路1号", "approval": "prior", "approver": "局长赵某", "approved_at": "2026-05-06 09:00",
		"approval_means": "written", "term_days": "30", "party_presence": "present"}
	objects := `objects=[{"name":"电动车","quantity":"3辆"}]`
	lodging := fields{"document": "现场检查笔录", "document_kind": "other", "method": "lodging", "date": "2026-05-06", "place": "某路1号",
		"refusal_reason": "当事人拒收", "witness_name": "刘芳"}
	crew := []string{"officer:王强", "officer:李明"}
	and := func(a []string, b ...string) []string { return append(slices.Clone(a), b...) }

	tests := []ruleCase{
		// SPEC F14, 行政处罚法 §51: a fine on the spot is at most 200 yuan for a natural person.
		{name: "fine of 50,000 yuan to a natural person", fixture: "simple-person", step: "on_spot_decision", fields: decision.with("amount=50000"), sign: and(crew, "party:张三"),
			says: "amount must be at most 200 (the party is a natural person, penalty=fine) (got 50000)", article: "行政处罚法 §51", regulation: lawPenalty, zhArticle: "第五十一条"},
		// SPEC F14, 行政处罚法 §51: 200 yuan is the largest fine for a natural person.
		{name: "fine of 200 yuan to a natural person", fixture: "simple-person", step: "on_spot_decision", fields: decision, sign: and(crew, "party:张三")},
		// SPEC F14, 行政处罚法 §51: one fen above the limit.
		{name: "fine of 200.01 yuan to a natural person", fixture: "simple-person", step: "on_spot_decision", fields: decision.with("amount=200.01"), sign: and(crew, "party:张三"),
			says: "amount must be at most 200 (the party is a natural person, penalty=fine) (got 200.01)", article: "行政处罚法 §51", regulation: lawPenalty, zhArticle: "第五十一条"},
		// SPEC F14, 行政处罚法 §51: 3,000 yuan is the largest fine for an organisation.
		{name: "fine of 3,000 yuan to an organisation", fixture: "simple-org", step: "on_spot_decision", fields: decision.with("amount=3000", "party_agent=周经理"), sign: and(crew, "party:周经理")},
		// SPEC F14, 行政处罚法 §51: one yuan above the organisation's limit.
		{name: "fine of 3,001 yuan to an organisation", fixture: "simple-org", step: "on_spot_decision", fields: decision.with("amount=3001", "party_agent=周经理"), sign: and(crew, "party:周经理"),
			says: "amount must be at most 3000 (the party is an organisation, penalty=fine) (got 3001)", article: "行政处罚法 §51", regulation: lawPenalty, zhArticle: "第五十一条"},
		// SPEC F14, 行政处罚法 §51, §67: a fine names its amount.
		{name: "fine with no amount", fixture: "simple-person", step: "on_spot_decision", fields: decision.with("amount="), sign: and(crew, "party:张三"),
			says: "missing amount (", article: "行政处罚法 §51", regulation: lawPenalty, zhArticle: "第五十一条"},
		// SPEC F14, 行政处罚法 §51: only a warning or a fine may be decided on the spot, not 通报批评.
		{name: "通报批评 on the spot", fixture: "simple-person", step: "on_spot_decision", fields: decision.with("penalty=criticism", "amount=", "payment=", "bank="), sign: and(crew, "party:张三"),
			says: "penalty must be one of warning, fine, got \"criticism\"", article: "行政处罚法 §51-52", regulation: lawPenalty, zhArticle: "第五十一条至第五十二条"},
		// SPEC F14, 000-record §18(3)(4), 行政处罚法 §45: a statement is reviewed and adopted or not, with reasons.
		{name: "statement made without review", fixture: "simple-person", step: "on_spot_decision", fields: decision.with("statement_made=made", "statement=我不知道这里不能摆摊"), sign: and(crew, "party:张三"),
			says: "missing statement_review, statement_adopted, adoption_reason", article: "000-record §18(3)(4)", regulation: record000, zhArticle: "第十八条第（三）项第（四）项"},
		// SPEC F14, 行政处罚法 §68(1): collected on the spot as a small fine only up to 100 yuan.
		{name: "150 yuan collected on the spot as a small fine", fixture: "simple-person", step: "on_spot_decision", fields: onSpot(decision).with("amount=150", "on_spot_ground=small"), sign: and(crew, "party:张三"),
			says: "amount must be at most 100 (on_spot_ground=small, payment=on_spot) (got 150)", article: "行政处罚法 §68(1)", regulation: lawPenalty, zhArticle: "第六十八条第（一）项"},
		// SPEC F14, 行政处罚法 §68(1): 100 yuan is the largest small fine collected on the spot.
		{name: "100 yuan collected on the spot as a small fine", fixture: "simple-person", step: "on_spot_decision", fields: onSpot(decision).with("amount=100", "on_spot_ground=small"), sign: and(crew, "party:张三")},
		// SPEC F14, 行政处罚法 §68(2)/§69: in a remote area the whole fine may be collected on the spot.
		{name: "150 yuan collected on the spot in a remote area", fixture: "simple-person", step: "on_spot_decision", fields: onSpot(decision).with("amount=150", "on_spot_ground=remote"), sign: and(crew, "party:张三")},
		// SPEC F9 F14, 行政处罚法 §52 (and 003 §22(4), 行政处罚法 §61): the on-the-spot decision is handed over, never e-mailed.
		{name: "on-the-spot decision served by e-mail", fixture: "simple-decided", step: "serve",
			fields: fields{"document": "当场行政处罚决定书", "document_kind": "decision", "method": "electronic", "date": "2026-05-06", "electronic_address": "zhangsan@example.cn"}, attach: []string{"photo"},
			says: "method=electronic is not allowed here", article: "行政处罚法 §52", regulation: lawPenalty, zhArticle: "第五十二条"},
		// SPEC F15, 行政强制法 §18(10): the party absent, a named witness signs.
		{name: "seizure with the party absent and no witness", fixture: "coercion", step: "seizure", fields: seizure.with("party_presence=absent"), items: objects, attach: []string{"video"}, sign: crew,
			says: "missing witness_name, witness signature", article: "行政强制法 §18(10)", regulation: lawCoercion, zhArticle: "第十八条第（十）项"},
		// SPEC F15, 行政强制法 §18(10): the witness named in witness_name signs.
		{name: "seizure with the party absent and the named witness signing", fixture: "coercion", step: "seizure", fields: seizure.with("party_presence=absent", "witness_name=社区刘芳"),
			items: objects, attach: []string{"video"}, sign: and(crew, "witness:社区刘芳")},
		// SPEC F15, 行政强制法 §18: the head's approval (or an emergency) is recorded before a seizure.
		{name: "seizure without approval", fixture: "coercion", step: "seizure", fields: seizure.with("approval=", "approver=", "approved_at=", "approval_means="),
			items: objects, attach: []string{"video"}, sign: and(crew, "party:张三"),
			says: "missing approval (", article: "行政强制法 §18", regulation: lawCoercion, zhArticle: "第十八条"},
		// SPEC F15, 行政强制法 §25: a seizure lasts at most 30 days.
		{name: "seizure for a term of 31 days", fixture: "coercion", step: "seizure", fields: seizure.with("term_days=31"), items: objects, attach: []string{"video"}, sign: and(crew, "party:张三"),
			says: "term_days must be at most 30 (got 31)", article: "行政强制法 §25", regulation: lawCoercion, zhArticle: "第二十五条"},
		// SPEC F9 F10, 000-record §21, §4: the lodging witness pad is signed by the witness the record names.
		{name: "lodging witness pad signed by 李四 while witness_name is 王五", fixture: "inspection", step: "serve", fields: lodging.with("witness_name=王五"),
			attach: []string{"audio"}, sign: []string{"server:王强", "witness:李四"},
			says: "witness signature by 李四, but witness_name is 王五", article: "000-record §21", regulation: record000, zhArticle: "第二十一条"},
		// SPEC F9, 000-record §21: lodging with the named witness signing is allowed.
		{name: "lodging signed by the named witness", fixture: "inspection", step: "serve", fields: lodging, attach: []string{"audio"}, sign: []string{"server:王强", "witness:刘芳"}},
		// SPEC F7 F11, 003 §15, 000-record §11-12: every officer on the case signs the notes.
		{name: "notes signed by one officer of two", fixture: "inspection", step: "inspection_notes",
			fields: fields{"location": "仓库", "start_time": "2026-05-06 10:00", "findings": "无异常"}, attach: []string{"video"}, sign: []string{"officer:王强", "party:张三"},
			says: "missing officer signature of 李明 (15010002)", article: "003 §15", regulation: record003, zhArticle: "第十五条"},
		// SPEC R1, 000-record §4: every record names the officer who makes it.
		{name: "a step without --by", fixture: "inspection", step: "photo", fields: fields{"caption": "货架"}, attach: []string{"photo"}, by: "-",
			says: "name the officer making the record by credential number", article: "000-record §4", regulation: record000, zhArticle: "第四条"},
		// SPEC R1, 000-record §4: the recorder is an officer on the case.
		{name: "a step recorded by an officer not on the case", fixture: "inspection", step: "photo", fields: fields{"caption": "货架"}, attach: []string{"photo"}, by: "15010003",
			says: "officer 15010003 is not on case", article: "000-record §4", regulation: record000, zhArticle: "第四条"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			id := ruleFixture(t, home, in, tc.fixture)
			args := append([]string{"step", id, tc.step}, tc.fields.args()...)
			if tc.items != "" {
				args = append(args, "--items", tc.items)
			}
			for _, kind := range tc.attach {
				args = append(args, "--attach", map[string]string{"video": in.Video, "audio": in.Audio, "photo": in.Photo}[kind])
			}
			for _, who := range tc.sign {
				role, _, _ := strings.Cut(who, ":")
				file := map[string]string{"officer": in.OfficerSign, "party": in.PartySign, "witness": in.WitnessSign, "server": in.ServerSign}[role]
				if who == "officer:李明" {
					file = in.ServerSign
				}
				args = append(args, "--sign", who+"="+file)
			}
			switch tc.by {
			case "":
				args = append(args, "--by", "15010001")
			case "-":
			default:
				args = append(args, "--by", tc.by)
			}

			entries, outbox, media := logCount(t, home, id), readStatus(t, home).Outbox, mediaFiles(t, home)
			r := fieldctl(t, home, args...)
			if tc.article == "" {
				if r.code != 0 {
					t.Fatalf("refused: exit %d\n%s", r.code, r.stderr)
				}
				if n := logCount(t, home, id); n != entries+1 {
					t.Fatalf("%d entries after the step, want %d", n, entries+1)
				}
				if last := lastStep(t, home, id); last != tc.step {
					t.Fatalf("last entry %s, want %s", last, tc.step)
				}
				return
			}
			if tc.says == "" {
				t.Fatal("a refusal case must say what is refused")
			}
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			if r.code != 1 || len(lines) != 2 {
				t.Fatalf("exit %d, want 1 with two lines on stderr:\n%s", r.code, r.stderr)
			}
			if !strings.HasPrefix(lines[0], "lawtrace-fieldctl: "+tc.step+": ") || !strings.Contains(lines[0], tc.says) || !strings.Contains(lines[0], tc.article) {
				t.Errorf("English line does not name %q citing %q: %s", tc.says, tc.article, lines[0])
			}
			if !strings.HasPrefix(lines[1], "拒绝：") || !strings.Contains(lines[1], tc.regulation) || !strings.Contains(lines[1], tc.zhArticle) {
				t.Errorf("拒绝 line does not name %s %s: %s", tc.regulation, tc.zhArticle, lines[1])
			}
			if n := logCount(t, home, id); n != entries {
				t.Errorf("the refusal wrote an entry: %d, was %d", n, entries)
			}
			if n := readStatus(t, home).Outbox; n != outbox {
				t.Errorf("the refusal queued something: outbox %d, was %d", n, outbox)
			}
			if n := mediaFiles(t, home); !slices.Equal(n, media) {
				t.Errorf("the refusal stored media files: %d, were %d", len(n), len(media))
			}
		})
	}
	if out := must(t, home, "verify"); !strings.HasPrefix(out, "intact") {
		t.Fatalf("verify after the rules: %s", out)
	}
}

// ruleFixture opens a fresh case ready for the step under test:
//
//	simple-person   penalty-simple, party 张三: credentials shown, rights signed
//	simple-org      penalty-simple, party 某某商贸有限公司, its manager 周经理 signing
//	simple-decided  simple-person with a 200-yuan fine decided on the spot
//	coercion        coercion, party 张三: credentials shown, rights signed
//	inspection      inspection, party 张三: credentials shown, rights signed
func ruleFixture(t *testing.T, home string, in demo.Inputs, name string) string {
	t.Helper()
	proc, party, kind := map[string]string{"simple-person": "penalty-simple", "simple-org": "penalty-simple", "simple-decided": "penalty-simple",
		"coercion": "coercion", "inspection": "inspection"}[name], "张三", "person"
	if proc == "" {
		t.Fatalf("no fixture %q", name)
	}
	rights := []string{"--set", "acknowledgement=signed", "--sign", "party:张三=" + in.PartySign}
	if name == "simple-org" {
		party, kind = "某某商贸有限公司", "org"
		rights = []string{"--set", "acknowledgement=signed", "--set", "party_agent=周经理", "--sign", "party:周经理=" + in.PartySign}
	}
	id := must(t, home, "case", "new", "--type", proc, "--party", party, "--party-kind", kind, "--officer", "15010001", "--officer", "15010002")
	must(t, home, "step", id, "show_id", "--by", "15010001", "--attach", in.Video)
	must(t, home, append([]string{"step", id, "notify_rights", "--by", "15010001"}, rights...)...)
	if name == "simple-decided" {
		must(t, home, "step", id, "on_spot_decision", "--by", "15010001", "--set", "facts=占道经营", "--set", "basis=《某市市容管理条例》第十条",
			"--set", "penalty=fine", "--set", "amount=200", "--set", "decision_number=简罚〔2026〕2号", "--set", "place=某路1号",
			"--set", "agency=某区城市管理综合执法局", "--set", "reconsideration_organ=某区人民政府", "--set", "statement_made=waived",
			"--set", "payment=bank", "--set", "bank=工商银行某支行",
			"--sign", "officer:王强="+in.OfficerSign, "--sign", "officer:李明="+in.ServerSign, "--sign", "party:张三="+in.PartySign)
	}
	return id
}

// logEntries reads the case's entries as `log CASE --json` prints them.
func logEntries(t *testing.T, home, id string) []ledger.Entry {
	t.Helper()
	var entries []ledger.Entry
	if err := json.Unmarshal([]byte(must(t, home, "log", id, "--json")), &entries); err != nil {
		t.Fatal(err)
	}
	return entries
}

func logCount(t *testing.T, home, id string) int { return len(logEntries(t, home, id)) }

func lastStep(t *testing.T, home, id string) string {
	es := logEntries(t, home, id)
	return es[len(es)-1].Step
}

// mediaFiles lists every file in the home's media folder.
func mediaFiles(t *testing.T, home string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(filepath.Join(home, "media"), func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			out = append(out, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(out)
	return out
}
