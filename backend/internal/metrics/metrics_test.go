package metrics

import (
	"strings"
	"testing"
)

// SPEC X3: the exposition is valid Prometheus text format.
func TestExposition(t *testing.T) {
	r := NewRegistry()
	c := r.NewCounter("lawtrace_entries_ingested_total", "Entries accepted.")
	g := r.NewGauge("lawtrace_sync_connections", "Open connections.")
	h := r.NewHistogram("lawtrace_ack_latency_seconds", "Push to ack.", []float64{0.01, 0.1, 1})
	c.Add(3)
	g.Add(2)
	g.Add(-1)
	h.Observe(0.05)
	h.Observe(2)
	var b strings.Builder
	r.Write(&b)
	want := `# HELP lawtrace_ack_latency_seconds Push to ack.
# TYPE lawtrace_ack_latency_seconds histogram
lawtrace_ack_latency_seconds_bucket{le="0.01"} 0
lawtrace_ack_latency_seconds_bucket{le="0.1"} 1
lawtrace_ack_latency_seconds_bucket{le="1"} 1
lawtrace_ack_latency_seconds_bucket{le="+Inf"} 2
lawtrace_ack_latency_seconds_sum 2.05
lawtrace_ack_latency_seconds_count 2
# HELP lawtrace_entries_ingested_total Entries accepted.
# TYPE lawtrace_entries_ingested_total counter
lawtrace_entries_ingested_total 3
# HELP lawtrace_sync_connections Open connections.
# TYPE lawtrace_sync_connections gauge
lawtrace_sync_connections 1
`
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
}

// SPEC X2 X3, issue 14: with several instances behind a load balancer
// every sample carries instance="…" (escaped as the format says), so
// their figures stay apart.
func TestInstanceLabel(t *testing.T) {
	r := NewRegistry()
	r.SetInstance(`node-1/10.0.0.5:8080 "a\b"`)
	r.NewCounter("lawtrace_entries_ingested_total", "Entries accepted.").Add(3)
	r.NewGauge("lawtrace_sync_connections", "Open connections.").Set(2)
	r.NewHistogram("lawtrace_ack_latency_seconds", "Push to ack.", []float64{0.1}).Observe(0.05)
	var b strings.Builder
	r.Write(&b)
	const l = `instance="node-1/10.0.0.5:8080 \"a\\b\""`
	want := `# HELP lawtrace_ack_latency_seconds Push to ack.
# TYPE lawtrace_ack_latency_seconds histogram
lawtrace_ack_latency_seconds_bucket{` + l + `,le="0.1"} 1
lawtrace_ack_latency_seconds_bucket{` + l + `,le="+Inf"} 1
lawtrace_ack_latency_seconds_sum{` + l + `} 0.05
lawtrace_ack_latency_seconds_count{` + l + `} 1
# HELP lawtrace_entries_ingested_total Entries accepted.
# TYPE lawtrace_entries_ingested_total counter
lawtrace_entries_ingested_total{` + l + `} 3
# HELP lawtrace_sync_connections Open connections.
# TYPE lawtrace_sync_connections gauge
lawtrace_sync_connections{` + l + `} 2
`
	if b.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", b.String(), want)
	}
}
