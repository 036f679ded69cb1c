package enforce_test

import (
	"errors"
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
)

func TestCatalogLoadsEveryProcedure(t *testing.T) {
	c := catalog(t)
	want := []string{"coercion", "inspection", "penalty", "penalty-simple", "permit"}
	if got := c.ProcedureIDs(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("procedures %v, want %v", got, want)
	}
}

// SPEC F3 F4 F9 F11: each guard rule refuses with the article that requires it.
func TestGuardRefusals(t *testing.T) {
	p := catalog(t).Procedures["inspection"]
	crew := []enforce.Officer{wang, li}
	shown := map[string]int{"show_id": 1}
	lodging := map[string]string{"document": "现场检查笔录", "method": "lodging", "date": "2026-05-06", "place": "某市某路1号", "refusal_reason": "当事人拒收", "witness_name": "社区干部刘芳"}
	without := func(m map[string]string, key string) map[string]string {
		out := map[string]string{}
		for k, v := range m {
			if k != key {
				out[k] = v
			}
		}
		return out
	}
	tests := []struct {
		name     string
		officers []enforce.Officer
		recorded map[string]int
		closed   bool
		in       enforce.StepInput
		want     string // substring of the refusal; "" means allowed
		article  string
	}{
		{"show id with two valid officers and video", crew, nil, false,
			enforce.StepInput{Kind: "show_id", FileKinds: []string{"video"}}, "", ""},
		{"show id with one officer", []enforce.Officer{wang}, nil, false,
			enforce.StepInput{Kind: "show_id", FileKinds: []string{"video"}}, "at least 2 officers with valid credentials must be on the case, 1 are", "003 §14"},
		{"show id with an expired credential", []enforce.Officer{wang, expired}, nil, false,
			enforce.StepInput{Kind: "show_id", FileKinds: []string{"video"}}, "credential 15010003 of 赵刚 expired on 2026-05-05", "003 §14"},
		{"show id with a suspended credential", []enforce.Officer{wang, suspend}, nil, false,
			enforce.StepInput{Kind: "show_id", FileKinds: []string{"video"}}, "is suspended", "003 §14"},
		{"show id without A/V", crew, nil, false,
			enforce.StepInput{Kind: "show_id"}, "missing audio/video record (or emergency_reason)", "000-record §9"},
		{"show id in an emergency without A/V", crew, nil, false,
			enforce.StepInput{Kind: "show_id", Fields: map[string]string{"emergency_reason": "当事人正在转移物品"}}, "", ""},
		{"inspection before show id", crew, nil, false,
			enforce.StepInput{Kind: "inspection_notes"}, "earlier steps must be recorded first: missing show_id", "003 §14, 000-record §9"},
		{"rights without party signature or refusal", crew, shown, false,
			enforce.StepInput{Kind: "notify_rights", Fields: map[string]string{"rights_version": "inspection-v1", "acknowledgement": "signed"}}, "missing party signature", "003 §17"},
		{"rights refused without A/V", crew, shown, false,
			enforce.StepInput{Kind: "notify_rights", Fields: map[string]string{"rights_version": "inspection-v1", "acknowledgement": "refused", "refusal_reason": "拒绝签字"}}, "missing audio/video record", "003 §15, 000-record §11"},
		{"rights signed", crew, shown, false,
			enforce.StepInput{Kind: "notify_rights", Fields: map[string]string{"rights_version": "inspection-v1", "acknowledgement": "signed"}, Signatures: []string{"party"}}, "", ""},
		{"rights recorded twice", crew, map[string]int{"show_id": 1, "notify_rights": 1}, false,
			enforce.StepInput{Kind: "notify_rights"}, "already recorded", "003 §29"},
		{"lodging complete", crew, shown, false,
			enforce.StepInput{Kind: "serve", Fields: lodging, FileKinds: []string{"video"}, Signatures: []string{"server", "witness"}}, "", ""},
		{"lodging without witness", crew, shown, false,
			enforce.StepInput{Kind: "serve", Fields: without(lodging, "witness_name"), FileKinds: []string{"video"}, Signatures: []string{"server"}}, "method=lodging is incomplete: missing witness_name, witness signature", "000-record §21, 002-record §20"},
		{"lodging without A/V", crew, shown, false,
			enforce.StepInput{Kind: "serve", Fields: lodging, Signatures: []string{"server", "witness"}}, "missing audio/video record", "000-record §21, 002-record §20"},
		{"lodging without refusal reason", crew, shown, false,
			enforce.StepInput{Kind: "serve", Fields: without(lodging, "refusal_reason"), FileKinds: []string{"video"}, Signatures: []string{"server", "witness"}}, "missing refusal_reason", "000-record §21"},
		{"direct service without the recipient's signature", crew, shown, false,
			enforce.StepInput{Kind: "serve", Fields: map[string]string{"document": "检查笔录", "method": "direct", "date": "2026-05-06", "recipient_name": "张三"}}, "missing recipient signature", "000-record §19"},
		{"sample list row without seal number", crew, shown, false,
			enforce.StepInput{Kind: "sample", Fields: map[string]string{"location": "仓库"}, Items: map[string][]map[string]string{"items": {{"item": "大米", "quantity": "2袋", "sample_id": "S1"}}}, FileKinds: []string{"video"}, Signatures: []string{"officer", "party"}}, "items row 1: seal_number 封样编号 is empty", ""},
		{"close with mandatory steps missing", crew, shown, false,
			enforce.StepInput{Kind: "close_scene"}, "mandatory steps are not recorded: missing notify_rights 权利告知, inspection_notes 现场检查笔录", "003 §17"},
		{"close when complete", crew, map[string]int{"show_id": 1, "notify_rights": 1, "inspection_notes": 1}, false,
			enforce.StepInput{Kind: "close_scene"}, "", ""},
		{"step after the scene closed", crew, map[string]int{"show_id": 1, "close_scene": 1}, true,
			enforce.StepInput{Kind: "photo", Fields: map[string]string{"caption": "x"}, FileKinds: []string{"photo"}}, "the on-scene record is closed", "003 §29"},
		{"unknown step", crew, nil, false,
			enforce.StepInput{Kind: "teleport"}, "unknown step for procedure inspection", ""},
		{"unknown field", crew, nil, false,
			enforce.StepInput{Kind: "photo", Fields: map[string]string{"caption": "门店", "colour": "red"}, FileKinds: []string{"photo"}}, `unknown field "colour"`, ""},
		{"bad date", crew, shown, false,
			enforce.StepInput{Kind: "serve", Fields: map[string]string{"document": "x", "method": "postal", "date": "06/05/2026", "postal_number": "EMS1"}}, "date must be a date YYYY-MM-DD", ""},
		{"bad choice", crew, shown, false,
			enforce.StepInput{Kind: "serve", Fields: map[string]string{"document": "x", "method": "pigeon", "date": "2026-05-06"}}, "method must be one of direct, lodging", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			recorded := tc.recorded
			if recorded == nil {
				recorded = map[string]int{}
			}
			err := enforce.CaseState{Procedure: p, Officers: tc.officers, Recorded: recorded, SceneClosed: tc.closed, Today: today}.CheckStep(tc.in)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			var e *enforce.Error
			if !errors.As(err, &e) {
				t.Fatalf("want refusal containing %q, got %v", tc.want, err)
			}
			if !strings.Contains(e.Error(), tc.want) {
				t.Fatalf("refusal %q does not contain %q", e.Error(), tc.want)
			}
			if tc.article != "" && !strings.Contains(e.Article, tc.article) {
				t.Fatalf("refusal cites %q, want %q", e.Article, tc.article)
			}
		})
	}
}

func TestProcedureValidateRefusesBrokenDefinitions(t *testing.T) {
	tests := []struct{ name, json, want string }{
		{"not json", `{`, "not valid JSON"},
		{"no show_id", `{"id":"x","version":1,"name":"X","min_officers":2,"stages":[{"id":"s"}],"steps":[{"kind":"close_scene","stage":"s","label":"结束","article":"a"}]}`, "needs a show_id step"},
		{"unknown stage", `{"id":"x","version":1,"name":"X","min_officers":2,"stages":[{"id":"s"}],"steps":[{"kind":"show_id","stage":"q","label":"亮证","article":"a"}]}`, "unknown stage"},
		{"after unknown", `{"id":"x","version":1,"name":"X","min_officers":2,"stages":[{"id":"s"}],"steps":[{"kind":"show_id","stage":"s","label":"亮证","article":"a","after":["ghost"]},{"kind":"close_scene","stage":"s","label":"结束","article":"a"}]}`, "unknown step \"ghost\""},
		{"bad field type", `{"id":"x","version":1,"name":"X","min_officers":2,"stages":[{"id":"s"}],"steps":[{"kind":"show_id","stage":"s","label":"亮证","article":"a","fields":[{"name":"f","label":"F","type":"colour"}]}]}`, "unknown type"},
		{"variant on a non-option", `{"id":"x","version":1,"name":"X","min_officers":2,"stages":[{"id":"s"}],"steps":[{"kind":"show_id","stage":"s","label":"亮证","article":"a","fields":[{"name":"m","label":"M","type":"choice","options":["a"]}],"variants":[{"field":"m","equals":"b"}]}]}`, "does not match a choice field option"},
		{"label for an unknown option", `{"id":"x","version":1,"name":"X","min_officers":2,"stages":[{"id":"s"}],"steps":[{"kind":"show_id","stage":"s","label":"亮证","article":"a","fields":[{"name":"m","label":"M","type":"choice","options":["a"],"option_labels":{"b":"乙"}}]}]}`, "labels unknown option"},
		{"zero officers", `{"id":"x","version":1,"name":"X","min_officers":0}`, "min_officers"},
	}
	for _, tc := range tests {
		_, err := enforce.ParseProcedure([]byte(tc.json))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want error containing %q", tc.name, err, tc.want)
		}
	}
}
