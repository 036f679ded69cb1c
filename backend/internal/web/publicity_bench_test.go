package web_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"testing"
	"time"

	"lawtrace/backend/internal/publicity"
	"lawtrace/backend/internal/web"
)

// BenchmarkPublicPages: every public page with 10,000 published decisions
// (issue 11: under 50 ms each). go test -run x -bench PublicPages ./backend/internal/web/
func BenchmarkPublicPages(b *testing.B) {
	clk := &clock{t: time.Date(2025, 6, 3, 10, 0, 0, 0, cstZone)}
	e := start(&testing.T{}, clk)
	svc := web.PublicityService(e.m.Data.Store, clk.Now)
	ctx := context.Background()
	const n = 10000
	for i := 0; i < n; i++ {
		kind, pk, party := "penalty", "org", fmt.Sprintf("呼和浩特市第%d商贸有限公司", i)
		if i%2 == 0 {
			pk, party = "person", "张三"
		}
		d := publicity.Decision{Source: publicity.SourceImport, Number: fmt.Sprintf("呼市监罚〔2025〕%d号", i), Kind: kind, Party: party, PartyKind: pk,
			Facts: "当事人销售过期食品，手机13912345678，住址：新城区海拉尔东路12号。", Basis: "《中华人民共和国食品安全法》第一百二十四条", Result: "罚款 2000 元",
			Agency: "呼和浩特市市场监督管理局", DecidedAt: fmt.Sprintf("2025-05-%02d", 1+i%28)}
		q, err := svc.Queue(ctx, d, publicity.System)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := svc.Approve(ctx, q.ID, publicity.Actor{Username: "reviewer", Role: "reviewer"}, ""); err != nil {
			b.Fatal(err)
		}
	}
	for _, path := range []string{"/public/decisions", "/public/decisions?page=400", "/public/decisions/5000",
		"/public/decisions?number=" + "%E5%91%BC%E5%B8%82%E7%9B%91%E7%BD%9A%E3%80%942025%E3%80%955001%E5%8F%B7",
		"/public/decisions?org=%E7%AC%AC4999%E5%95%86%E8%B4%B8", "/public/decisions?date=2025-05-07",
		"/public/decisions/feed.atom", "/sitemap.xml"} {
		b.Run(path, func(b *testing.B) {
			for b.Loop() {
				resp, err := http.Get(e.url + path)
				if err != nil || resp.StatusCode != 200 {
					b.Fatalf("%s: %v %v", path, err, resp)
				}
				_, _ = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
		})
	}
}
