package web

import (
	"fmt"
	"html"
	"strings"
)

// Charts are drawn on the server as inline SVG: no script, no library,
// they print, and they scale with the page (viewBox, width 100%).

var palette = []string{"#1d5fa8", "#d9822b", "#2f9e6f", "#b8433b", "#7a5bb5", "#3a9bb5", "#8c7a3a", "#c05a92", "#5a6b7a"}

// Bar is one labelled value.
type Bar struct {
	Label string
	Value int
	Note  string // shown in the tooltip
}

// Series is one coloured series of a column chart.
type Series struct {
	Name   string
	Values []int
}

func esc(s string) string { return html.EscapeString(s) }

// HBarChart draws labelled horizontal bars, longest first as given.
func HBarChart(title string, bars []Bar) string {
	if len(bars) == 0 {
		return emptyChart(title)
	}
	const w, labelW, rowH, top = 640, 210, 30, 34
	h := top + rowH*len(bars) + 12
	max := 1
	for _, b := range bars {
		if b.Value > max {
			max = b.Value
		}
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, w, h, esc(title))
	fmt.Fprintf(&sb, `<text x="0" y="20" class="chart-title">%s</text>`, esc(title))
	for i, b := range bars {
		y := top + i*rowH
		bw := float64(w-labelW-60) * float64(b.Value) / float64(max)
		tip := fmt.Sprintf("%s：%d", b.Label, b.Value)
		if b.Note != "" {
			tip += "（" + b.Note + "）"
		}
		fmt.Fprintf(&sb, `<g><title>%s</title><text x="%d" y="%d" text-anchor="end" class="chart-label">%s</text>`, esc(tip), labelW-8, y+19, esc(truncate(b.Label, 14)))
		fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="%.1f" height="%d" rx="3" fill="%s"/>`, labelW, y+5, bw, rowH-10, palette[i%len(palette)])
		fmt.Fprintf(&sb, `<text x="%.1f" y="%d" class="chart-value">%d</text></g>`, float64(labelW)+bw+6, y+19, b.Value)
	}
	sb.WriteString(`</svg>`)
	return sb.String()
}

// ColumnChart draws columns over labels (days, weeks), one colour per
// series, stacked.
func ColumnChart(title string, labels []string, series []Series) string {
	total := 0
	for _, s := range series {
		for _, v := range s.Values {
			total += v
		}
	}
	if len(labels) == 0 || total == 0 {
		return emptyChart(title)
	}
	const w, h, left, right, top, bottom = 640, 280, 40, 10, 34, 52
	plotW, plotH := float64(w-left-right), float64(h-top-bottom)
	max := 1
	for i := range labels {
		sum := 0
		for _, s := range series {
			if i < len(s.Values) {
				sum += s.Values[i]
			}
		}
		if sum > max {
			max = sum
		}
	}
	step := niceStep(max)
	top2 := ((max + step - 1) / step) * step
	var sb strings.Builder
	fmt.Fprintf(&sb, `<svg class="chart" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, w, h, esc(title))
	fmt.Fprintf(&sb, `<text x="0" y="20" class="chart-title">%s</text>`, esc(title))
	for v := 0; v <= top2; v += step {
		y := float64(top) + plotH - plotH*float64(v)/float64(top2)
		fmt.Fprintf(&sb, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" class="chart-grid"/><text x="%d" y="%.1f" text-anchor="end" class="chart-axis">%d</text>`,
			left, w-right, y, y, left-6, y+4, v)
	}
	colW := plotW / float64(len(labels))
	every := 1
	if len(labels) > 16 {
		every = (len(labels) + 9) / 10
	}
	for i, l := range labels {
		x := float64(left) + colW*float64(i)
		base := float64(top) + plotH
		var tip []string
		for si, s := range series {
			if i >= len(s.Values) || s.Values[i] == 0 {
				continue
			}
			bh := plotH * float64(s.Values[i]) / float64(top2)
			base -= bh
			fmt.Fprintf(&sb, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`, x+colW*0.15, base, colW*0.7, bh, palette[si%len(palette)])
			tip = append(tip, fmt.Sprintf("%s %d", s.Name, s.Values[i]))
		}
		if len(tip) > 0 {
			fmt.Fprintf(&sb, `<rect x="%.1f" y="%d" width="%.1f" height="%.1f" fill="transparent"><title>%s：%s</title></rect>`, x, top, colW, plotH, esc(l), esc(strings.Join(tip, "，")))
		}
		if i%every == 0 {
			fmt.Fprintf(&sb, `<text x="%.1f" y="%d" text-anchor="middle" class="chart-axis">%s</text>`, x+colW/2, h-bottom+16, esc(l))
		}
	}
	if len(series) > 1 {
		x := left
		for si, s := range series {
			fmt.Fprintf(&sb, `<rect x="%d" y="%d" width="12" height="12" fill="%s"/><text x="%d" y="%d" class="chart-legend">%s</text>`,
				x, h-18, palette[si%len(palette)], x+16, h-8, esc(s.Name))
			x += 24 + 14*len([]rune(s.Name))
		}
	}
	sb.WriteString(`</svg>`)
	return sb.String()
}

func niceStep(max int) int {
	for _, s := range []int{1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000} {
		if max/s <= 5 {
			return s
		}
	}
	return max / 5
}

func emptyChart(title string) string {
	return fmt.Sprintf(`<svg class="chart" viewBox="0 0 640 80" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg"><text x="0" y="20" class="chart-title">%s</text><text x="0" y="56" class="chart-axis">暂无数据</text></svg>`,
		esc(title), esc(title))
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
