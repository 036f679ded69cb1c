package deadline

import (
	"testing"
	"time"
)

// SPEC P6 D5: last year's statistics are due by 20 January (001), or by
// 31 January where the agency chose 002-publicity §9; the day is included.
func TestAnnual(t *testing.T) {
	d := Annual(2025, Settings{}, time.Time{})
	if d.Kind != AnnualReport || !d.Start.Equal(at(2026, 1, 1, 0)) || !d.Due.Equal(at(2026, 1, 21, 0)) || d.Article != "001" {
		t.Fatalf("default: %+v", d)
	}
	if s := d.State(at(2026, 1, 20, 23)); s != StateRunning {
		t.Errorf("on 20 January: %s", s)
	}
	if s := d.State(at(2026, 1, 21, 0)); s != StateOverdue {
		t.Errorf("on 21 January: %s", s)
	}
	d = Annual(2025, Settings{AnnualDue: AnnualJan31}, at(2026, 1, 25, 10))
	if !d.Due.Equal(at(2026, 2, 1, 0)) || d.Article != "002-publicity §9" || d.State(at(2026, 3, 1, 0)) != StateMet {
		t.Fatalf("31 January: %+v %s", d, d.State(at(2026, 3, 1, 0)))
	}
	if d := Annual(2025, Settings{}, at(2026, 1, 25, 10)); d.State(at(2026, 3, 1, 0)) != StateMissed {
		t.Errorf("published on 25 January against the 20th: %s", d.State(at(2026, 3, 1, 0)))
	}
}
