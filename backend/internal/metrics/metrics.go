// Package metrics keeps the backend's counters, gauges and histograms and writes them in the Prometheus text exposition format for /metrics (SPEC X3).
package metrics

import (
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// Registry holds named metrics and renders them, every sample labelled
// with the registry's instance when it has one.
type Registry struct {
	mu       sync.Mutex
	metrics  map[string]metric
	instance string
}

type metric interface {
	// write renders the samples; labels is "" or `name="value"` pairs
	// every sample carries.
	write(w io.Writer, name, labels string)
	help() string
	kind() string
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{metrics: map[string]metric{}} }

func (r *Registry) add(name string, m metric) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, dup := r.metrics[name]; dup {
		panic("metrics: duplicate metric " + name)
	}
	r.metrics[name] = m
}

// SetInstance labels every sample instance="id": the server instance
// that exports it, so the metrics of several instances behind a load
// balancer stay apart (SPEC X2, X3; issue 14).
func (r *Registry) SetInstance(id string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.instance = id
}

// labelEscaper escapes a label value as the text exposition format says.
var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)

// Write renders every metric, sorted by name.
func (r *Registry) Write(w io.Writer) {
	r.mu.Lock()
	names := make([]string, 0, len(r.metrics))
	for n := range r.metrics {
		names = append(names, n)
	}
	ms := r.metrics
	labels := ""
	if r.instance != "" {
		labels = `instance="` + labelEscaper.Replace(r.instance) + `"`
	}
	r.mu.Unlock()
	sort.Strings(names)
	for _, n := range names {
		m := ms[n]
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", n, m.help(), n, m.kind())
		m.write(w, n, labels)
	}
}

// braced is labels in braces, "" for none.
func braced(labels string) string {
	if labels == "" {
		return ""
	}
	return "{" + labels + "}"
}

// Counter only goes up.
type Counter struct {
	h string
	v atomic.Uint64
}

// NewCounter registers a counter.
func (r *Registry) NewCounter(name, help string) *Counter {
	c := &Counter{h: help}
	r.add(name, c)
	return c
}

// Add adds n.
func (c *Counter) Add(n uint64) { c.v.Add(n) }

// Inc adds one.
func (c *Counter) Inc() { c.v.Add(1) }

// Value reads the counter.
func (c *Counter) Value() uint64 { return c.v.Load() }

func (c *Counter) write(w io.Writer, n, labels string) {
	fmt.Fprintf(w, "%s%s %d\n", n, braced(labels), c.v.Load())
}
func (c *Counter) help() string { return c.h }
func (c *Counter) kind() string { return "counter" }

// Gauge goes up and down.
type Gauge struct {
	h string
	v atomic.Int64
}

// NewGauge registers a gauge.
func (r *Registry) NewGauge(name, help string) *Gauge {
	g := &Gauge{h: help}
	r.add(name, g)
	return g
}

// Add adds n (which may be negative).
func (g *Gauge) Add(n int64) { g.v.Add(n) }

// Set sets the value.
func (g *Gauge) Set(n int64) { g.v.Store(n) }

// Value reads the gauge.
func (g *Gauge) Value() int64 { return g.v.Load() }

func (g *Gauge) write(w io.Writer, n, labels string) {
	fmt.Fprintf(w, "%s%s %d\n", n, braced(labels), g.v.Load())
}
func (g *Gauge) help() string { return g.h }
func (g *Gauge) kind() string { return "gauge" }

// Histogram counts observations into cumulative buckets.
type Histogram struct {
	h      string
	mu     sync.Mutex
	bounds []float64
	counts []uint64
	sum    float64
	count  uint64
}

// NewHistogram registers a histogram with the given upper bounds.
func (r *Registry) NewHistogram(name, help string, bounds []float64) *Histogram {
	b := append([]float64(nil), bounds...)
	sort.Float64s(b)
	h := &Histogram{h: help, bounds: b, counts: make([]uint64, len(b))}
	r.add(name, h)
	return h
}

// Observe records one value.
func (h *Histogram) Observe(v float64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for i, b := range h.bounds {
		if v <= b {
			h.counts[i]++
		}
	}
	h.sum += v
	h.count++
}

// Count is the number of observations.
func (h *Histogram) Count() uint64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.count
}

func (h *Histogram) write(w io.Writer, n, labels string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	le := "{"
	if labels != "" {
		le += labels + ","
	}
	for i, b := range h.bounds {
		fmt.Fprintf(w, "%s_bucket%sle=\"%s\"} %d\n", n, le, formatFloat(b), h.counts[i])
	}
	l := braced(labels)
	fmt.Fprintf(w, "%s_bucket%sle=\"+Inf\"} %d\n%s_sum%s %s\n%s_count%s %d\n", n, le, h.count, n, l, formatFloat(h.sum), n, l, h.count)
}
func (h *Histogram) help() string { return h.h }
func (h *Histogram) kind() string { return "histogram" }

func formatFloat(f float64) string {
	if math.IsInf(f, 1) {
		return "+Inf"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}
