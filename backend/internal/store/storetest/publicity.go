package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"lawtrace/backend/internal/publicity"
	"lawtrace/backend/internal/store"
)

// SPEC P2-P6: the publication queue — a decision queued once, found by id
// and case, published and found by the public queries, corrections kept
// per decision, annual reports per year.
func testPublicity(t *testing.T, open Opener) {
	ctx := context.Background()
	db := openAt(t, open, t0).Store
	queue := func(caseID, number, partyKind string) publicity.Decision {
		t.Helper()
		p, err := db.PutPublication(ctx, publicity.Decision{Source: "case", CaseID: caseID, Number: number, Kind: "penalty", Party: "某公司",
			PartyKind: partyKind, DecidedAt: "2026-05-07", QueuedAt: t0, State: publicity.StateQueued})
		if err != nil || p.ID == 0 {
			t.Fatalf("queue %s: %+v %v", number, p, err)
		}
		return p
	}
	a := queue("C1", "某市监罚〔2026〕1号", "org")
	b := queue("", "某市监罚〔2026〕2号", "person")
	if _, err := db.PutPublication(ctx, publicity.Decision{CaseID: "C2", Number: a.Number, QueuedAt: t0, State: publicity.StateQueued}); !errors.Is(err, publicity.ErrExists) {
		t.Fatalf("a number queued twice: %v", err)
	}
	if _, err := db.PutPublication(ctx, publicity.Decision{CaseID: "C1", Number: "x", QueuedAt: t0, State: publicity.StateQueued}); !errors.Is(err, publicity.ErrExists) {
		t.Fatalf("a case queued twice: %v", err)
	}
	if got, err := db.PublicationByCase(ctx, "C1"); err != nil || got.ID != a.ID {
		t.Fatalf("by case %+v %v", got, err)
	}
	if _, err := db.Publication(ctx, 999); !errors.Is(err, store.ErrNotFound) || !errors.Is(err, publicity.ErrNotFound) {
		t.Fatalf("unknown publication: %v", err)
	}
	pub, err := db.UpdatePublication(ctx, a.ID, func(p *publicity.Decision) error {
		p.State, p.PublishedAt, p.ExpiresAt = publicity.StatePublished, t0.Add(time.Hour), t0.Add(24*time.Hour)
		p.Public = &publicity.PublicFields{Number: "某市监罚〔2026〕1号", Party: "某某超市有限公司"}
		return nil
	})
	if err != nil || pub.State != publicity.StatePublished {
		t.Fatalf("publish %+v %v", pub, err)
	}
	refusal := errors.New("no")
	if _, err := db.UpdatePublication(ctx, b.ID, func(*publicity.Decision) error { return refusal }); !errors.Is(err, refusal) {
		t.Fatalf("a refusal from fn: %v", err)
	}
	tests := []struct {
		name string
		q    publicity.Query
		want []int64
	}{
		{"all", publicity.Query{Limit: -1}, []int64{b.ID, a.ID}},
		{"queued", publicity.Query{States: []string{publicity.StateQueued}}, []int64{b.ID}},
		{"public", publicity.Query{Public: true, Now: t0.Add(2 * time.Hour)}, []int64{a.ID}},
		{"public after expiry", publicity.Query{Public: true, Now: t0.Add(25 * time.Hour)}, nil},
		{"number prefix", publicity.Query{Public: true, Now: t0, Number: "某市监罚〔2026〕"}, []int64{a.ID}},
		{"organisation", publicity.Query{Public: true, Now: t0, Org: "超市"}, []int64{a.ID}},
		{"organisation, LIKE escaped", publicity.Query{Public: true, Now: t0, Org: "%"}, nil},
		{"date", publicity.Query{Date: "2026-05-07"}, []int64{b.ID, a.ID}},
		{"expired by", publicity.Query{ExpiredBy: t0.Add(24 * time.Hour)}, []int64{a.ID}},
	}
	for _, tc := range tests {
		got, total, err := db.Publications(ctx, tc.q)
		var ids []int64
		for _, p := range got {
			ids = append(ids, p.ID)
		}
		if err != nil || total != len(tc.want) || !equalIDs(ids, tc.want) {
			t.Errorf("%s: %v (total %d) %v, want %v", tc.name, ids, total, err, tc.want)
		}
	}
	if idx, err := db.PublishedIndex(ctx, t0.Add(2*time.Hour)); err != nil || len(idx) != 1 || idx[0].ID != a.ID || !idx[0].PublishedAt.Equal(t0.Add(time.Hour)) {
		t.Fatalf("index %+v %v", idx, err)
	}

	c, err := db.PutCorrection(ctx, publicity.Correction{DecisionID: a.ID, Text: "名称有误", At: t0, Due: t0.Add(72 * time.Hour), State: "open"})
	if err != nil || c.ID == 0 {
		t.Fatalf("correction %+v %v", c, err)
	}
	if _, err := db.UpdateCorrection(ctx, c.ID, func(c *publicity.Correction) error {
		c.State, c.Answer, c.AnsweredAt = "answered", "已更正", t0.Add(time.Hour)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if open, _ := db.Corrections(ctx, a.ID, true); len(open) != 0 {
		t.Fatalf("open corrections %+v", open)
	}
	if all, _ := db.Corrections(ctx, 0, false); len(all) != 1 || all[0].Answer != "已更正" {
		t.Fatalf("corrections %+v", all)
	}

	if _, err := db.AnnualReport(ctx, 2026); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("no report yet: %v", err)
	}
	for _, state := range []string{"draft", "published"} {
		if err := db.PutAnnualReport(ctx, publicity.AnnualReport{Year: 2026, State: state, GeneratedAt: t0}); err != nil {
			t.Fatal(err)
		}
	}
	if r, err := db.AnnualReport(ctx, 2026); err != nil || r.State != "published" {
		t.Fatalf("report %+v %v", r, err)
	}
	if rs, err := db.AnnualReports(ctx); err != nil || len(rs) != 1 {
		t.Fatalf("reports %+v %v", rs, err)
	}
}

func equalIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
