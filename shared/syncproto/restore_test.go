package syncproto

import "testing"

// SPEC X3 R2: the size a terminal checks its verified log against is the
// smallest restore point after its own epoch.
func TestRestoredSize(t *testing.T) {
	points := []RestorePoint{{"e1", 9}, {"e2", 18}, {"e3", 12}}
	for _, tc := range []struct {
		epoch string
		size  uint64
		ok    bool
	}{
		{"", 9, true},      // never saw a restore: the earliest
		{"e1", 12, true},   // saw e1's log: the smallest of e2, e3
		{"e2", 12, true},   // saw e2's log
		{"e3", 0, false},   // up to date
		{"e-old", 9, true}, // an epoch the backup does not know: all of them
	} {
		size, ok := RestoredSize(points, tc.epoch)
		if size != tc.size || ok != tc.ok {
			t.Errorf("RestoredSize(%q) = %d, %v; want %d, %v", tc.epoch, size, ok, tc.size, tc.ok)
		}
	}
	if _, ok := RestoredSize(nil, ""); ok {
		t.Error("no restore points, yet a size")
	}
}
