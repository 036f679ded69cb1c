package reviewsrv

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"

	"lawtrace/backend/internal/store"
	"lawtrace/shared/deadline"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
	"lawtrace/shared/review"
)

func byKind(items []Item) map[string]Item {
	out := map[string]Item{}
	for _, it := range items {
		out[it.Kind] = it
	}
	return out
}

// SPEC D5 R4 R5 R8 L4 P2: one monitor computes every running deadline of a
// case from what is stored — A/V upload (24 h), emergency approval (2
// working days), review (3 working days), publication (7 working days for
// a penalty), archive (30 days after the end) — across Labour Day 2026 and
// its adjusted Saturday, with state, remaining time and the last day; a
// change of state is published for the live board.
func TestDeadlineMonitor(t *testing.T) {
	f := newFixture(t, cstTime(2026, 4, 30, 10, 0)) // Thursday before Labour Day
	ctx := f.ctx
	const c = "20260430-ffff0006"
	video := []byte("body camera video")
	f.ingest(
		f.dev.Entry(c, "case_open", map[string]any{"procedure": "penalty", "party": "某超市", "party_kind": "org", "emergency_reason": "证据可能灭失，先行调查", "officers": crew}),
		f.dev.MediaEntry(c, ledger.KindVideo, video),
		f.dev.Entry(c, "close_scene", map[string]any{}),
	)
	subscription := f.bus.Subscribe(100)
	defer subscription.Close()
	sub := subscription.Events
	if ch, err := f.svc.Scan(ctx); err != nil || len(ch) != 0 {
		t.Fatalf("first scan with nothing overdue: %v %v", ch, err)
	}

	items, err := f.svc.Deadlines(ctx, Filter{Case: c})
	if err != nil {
		t.Fatal(err)
	}
	k := byKind(items)
	if len(items) != 2 || k[deadline.Upload].State != deadline.StateRunning || !k[deadline.Upload].Due.Equal(cstTime(2026, 5, 1, 10, 0)) ||
		k[deadline.Upload].Subject != ledger.HashBytes(video) || k[deadline.Upload].RemainingSeconds != 24*3600 {
		t.Fatalf("upload deadline %+v", k[deadline.Upload])
	}
	// 1-5 May off: Wed 6 and Thu 7 May are the two working days.
	if e := k[deadline.EmergencyStart]; !e.Due.Equal(cstTime(2026, 5, 8, 0, 0)) || e.LastDay != "2026-05-07" || !e.Verified || e.Remaining != "剩余 7 天 14 小时" {
		t.Fatalf("emergency approval %+v", e)
	}

	if _, err := f.svc.Propose(ctx, officer, c, ProposalRequest{Proposal: review.Proposal{Fine: 200000}}); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(cstTime(2026, 4, 30, 11, 0))
	if _, err := f.svc.Submit(ctx, officer, c, SubmitRequest{Materials: f.materials(c), Explanation: explanation}); err != nil {
		t.Fatal(err)
	}
	// The video is not uploaded a day later: overdue, and the board hears.
	f.clock.Set(cstTime(2026, 5, 1, 10, 0))
	changes, err := f.svc.Scan(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, ch := range changes {
		got = append(got, fmt.Sprintf("%s:%s→%s", ch.Kind, ch.From, ch.To))
	}
	if strings.Join(got, ",") != "av_upload:running→overdue,legal_review:→running" || changes[0].Subject != ledger.HashBytes(video) {
		t.Fatalf("changes %v", got)
	}
	k = byKind(mustDeadlines(t, f, Filter{Case: c}))
	if r := k[deadline.Review]; !r.Due.Equal(cstTime(2026, 5, 9, 0, 0)) || r.State != deadline.StateRunning {
		t.Fatalf("review deadline %+v", r)
	}
	if overdue := mustDeadlines(t, f, Filter{State: "overdue"}); len(overdue) != 1 || overdue[0].Kind != deadline.Upload || overdue[0].Remaining != "逾期 0 分" {
		t.Fatalf("overdue list %+v", overdue)
	}
	// The file arrives (late), the head approves the emergency start, the
	// reviewer agrees, the decision is made on Friday 8 May.
	if err := f.db.MediaStored(ctx, store.MediaFile{Hash: ledger.HashBytes(video), Size: int64(len(video)), DeviceID: f.dev.ID, StoredAt: f.clock.Now()}); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(cstTime(2026, 5, 7, 9, 0))
	if _, err := f.svc.ApproveEmergency(ctx, head, c, "同意先行调查"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.ApproveEmergency(ctx, head, c, "again"); enforce.ErrorCode(err) != enforce.EConflict {
		t.Fatalf("approved twice: %v", err)
	}
	if _, err := f.svc.GiveOpinion(ctx, lawyer, c, OpinionRequest{Kind: "agree", Findings: findings("agree", "")}); err != nil {
		t.Fatal(err)
	}
	f.clock.Set(cstTime(2026, 5, 8, 16, 0))
	if _, err := f.svc.MarkPublished(ctx, officer, c, "", ""); !strings.Contains(err.Error(), "no decision") {
		t.Fatalf("published before the decision: %v", err)
	}
	// SPEC C1 C2: 立案, the prior notice served and the party's written waiver.
	f.registered(c)
	f.noticeServed(c, review.Proposal{Measures: []string{"fine"}, Fine: 200000})
	f.life(officer, c, StepWaiver, LifeRequest{At: "2026-05-08", File: f.upload(c, "waiver.pdf", "放弃声明")})
	if _, err := f.svc.Decide(ctx, head, c, DecisionRequest{Document: DecisionDocument{Number: "罚〔2026〕20号", File: f.upload(c, "d.pdf", "决定书")}, Collective: collective(f, c)}); err != nil {
		t.Fatal(err)
	}
	f.life(officer, c, StepDecisionServed, LifeRequest{Method: "direct", Recipient: "某超市负责人", Present: true}) // SPEC C5
	k = byKind(mustDeadlines(t, f, Filter{Case: c}))
	if k[deadline.Upload].State != deadline.StateMissed || k[deadline.EmergencyStart].State != deadline.StateMet || k[deadline.Review].State != deadline.StateMet {
		t.Fatalf("after the decision %+v", k)
	}
	// 7 working days from Fri 8 May: Sat 9 May is an adjusted working day,
	// then 11-15 and Mon 18 May.
	if p := k[deadline.Publication]; !p.Due.Equal(cstTime(2026, 5, 19, 0, 0)) || p.State != deadline.StateRunning || p.Article != "002-publicity §12, 001" {
		t.Fatalf("publication %+v", p)
	}
	f.clock.Set(cstTime(2026, 5, 20, 10, 0))
	// SPEC C6 C7: the fine paid with its voucher, the closing reported and
	// approved by the head (a plain case_end is refused for a registered
	// penalty: 000-record §28, §34).
	if _, err := f.svc.EndCase(ctx, officer, c, ""); asEnforce(t, err).Article != "000-record §28, §34" {
		t.Fatalf("case_end of a registered penalty: %v", err)
	}
	f.life(officer, c, StepPerformance, LifeRequest{Content: "", At: "2026-05-15 10:00", File: f.upload(c, "voucher.pdf", "缴款凭证"), ExecRequest: ExecRequest{Status: "paid", Amount: 200000}})
	f.life(officer, c, StepClosingRequest, LifeRequest{Content: "罚款已缴清", ExecRequest: ExecRequest{Kind: "performed"}})
	f.life(head, c, StepClosing, LifeRequest{Outcome: "approve"})
	if _, err := f.svc.MarkPublished(ctx, officer, c, "https://example.gov.cn/gs/20", "逾期公示"); err != nil {
		t.Fatal(err)
	}
	k = byKind(mustDeadlines(t, f, Filter{Case: c}))
	if k[deadline.Publication].State != deadline.StateMissed {
		t.Fatalf("late publication %+v", k[deadline.Publication])
	}
	if a := k[deadline.Archive]; !a.Due.Equal(cstTime(2026, 6, 20, 0, 0)) || a.LastDay != "2026-06-19" || a.State != deadline.StateRunning {
		t.Fatalf("archive %+v", a)
	}
	f.clock.Set(cstTime(2026, 6, 19, 17, 0))
	if _, err := f.svc.MarkArchived(ctx, officer, c, "案卷 2026-20"); err != nil {
		t.Fatal(err)
	}
	if a := byKind(mustDeadlines(t, f, Filter{Case: c}))[deadline.Archive]; a.State != deadline.StateMet {
		t.Fatalf("archived in time %+v", a)
	}
	if open := mustDeadlines(t, f, Filter{State: "open"}); len(open) != 0 {
		t.Fatalf("nothing should be open: %+v", open)
	}
	var kinds []string
	for len(sub) > 0 {
		e := <-sub
		kinds = append(kinds, e.Kind)
	}
	if !strings.Contains(strings.Join(kinds, ","), EventOffice) || !strings.Contains(strings.Join(kinds, ","), EventDeadline) {
		t.Fatalf("bus events %v", kinds)
	}
	f.verifyChains()
}

func mustDeadlines(t *testing.T, f *fixture, flt Filter) []Item {
	t.Helper()
	items, err := f.svc.Deadlines(f.ctx, flt)
	if err != nil {
		t.Fatal(err)
	}
	return items
}

// A valid year file for 2027 (test data, not an official schedule).
func year2027(source string) []byte {
	b, _ := json.Marshal(map[string]any{"year": 2027, "source": source,
		"holidays": []map[string]any{{"name": "元旦", "days": []string{"2027-01-01"}}}, "workdays": []any{}})
	return b
}

// SPEC D5: a deadline running into a year the calendar does not hold is
// counted Monday–Friday and flagged unverified; once an admin loads that
// year's schedule it is recomputed on it and verified. Loading validates
// with workday.ParseYear, refuses a known year without replace, and is
// seen by a service in another process (the operator command).
func TestUnverifiedDatesAndLoadingAYear(t *testing.T) {
	f := newFixture(t, cstTime(2026, 12, 30, 10, 0)) // Wednesday
	ctx := f.ctx
	const c = "20261230-abcd0007"
	f.ingest(f.dev.Entry(c, "case_open", map[string]any{"procedure": "coercion", "party": "某仓库", "party_kind": "org", "emergency_reason": "当场查封", "officers": crew}))
	e := byKind(mustDeadlines(t, f, Filter{Case: c}))[deadline.EmergencyStart]
	// Thu 31 Dec, then Fri 1 Jan 2027 counted as a weekday: unverified.
	if !e.Due.Equal(cstTime(2027, 1, 2, 0, 0)) || e.Verified || !e.Unverified {
		t.Fatalf("into an unknown year %+v", e)
	}
	if _, err := f.svc.LoadYear(ctx, admin, []byte(`{"year":2027,"source":"x","holidays":[{"name":"元旦","days":["2027-02-30"]}]}`), false); enforce.ErrorCode(err) != enforce.EInvalid {
		t.Fatalf("an impossible date: %v", err)
	}
	shipped, _ := json.Marshal(map[string]any{"year": 2026, "source": "corrected notice", "holidays": []map[string]any{{"name": "元旦", "days": []string{"2026-01-01"}}}})
	if _, err := f.svc.LoadYear(ctx, admin, shipped, false); enforce.ErrorCode(err) != enforce.EConflict || !strings.Contains(err.Error(), "shipped") {
		t.Fatalf("a shipped year without replace: %v", err)
	}
	// Another process (lawtrace-server calendar load) loads 2027.
	other, err := New(ctx, Config{Store: f.db, Now: f.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	y, err := other.LoadYear(ctx, admin, year2027("国办发明电〔2026〕X号（测试）"), false)
	if err != nil || y.Year != 2027 || y.Origin != "loaded" {
		t.Fatalf("load 2027: %+v %v", y, err)
	}
	e = byKind(mustDeadlines(t, f, Filter{Case: c}))[deadline.EmergencyStart]
	if !e.Due.Equal(cstTime(2027, 1, 5, 0, 0)) || !e.Verified {
		t.Fatalf("after loading 2027 %+v", e)
	}
	years, _ := f.svc.Years(ctx)
	if len(years) != 4 || years[3].Year != 2027 || years[3].LoadedBy != "admin 系统管理员" || years[0].Origin != "shipped" || years[0].Source == "" {
		t.Fatalf("years %+v", years)
	}
	if _, err := f.svc.LoadYear(ctx, admin, year2027("corrected"), false); enforce.ErrorCode(err) != enforce.EConflict {
		t.Fatalf("2027 again without replace: %v", err)
	}
	if y, err := f.svc.LoadYear(ctx, admin, year2027("corrected"), true); err != nil || y.Source != "corrected" {
		t.Fatalf("replace: %v", err)
	}
	if _, err := f.svc.LoadYear(ctx, head, year2027("x"), true); !errors.As(err, new(*ForbiddenError)) {
		t.Fatalf("a head loading a year: %v", err)
	}
}
