package retention

import (
	"encoding/json"
	"testing"
	"time"

	"lawtrace/shared/ledger"
)

func at(y int, m time.Month, d, hh int) time.Time { return time.Date(y, m, d, hh, 0, 0, 0, cst) }

// SPEC R6, 003 §27: A/V at least 3 months from recording, evidence for the
// archive period of the case type from archiving; boundaries to the moment.
func TestRule(t *testing.T) {
	p := Default()
	rec := at(2026, 3, 1, 10)
	archived := at(2026, 5, 10, 9)
	for _, c := range []struct {
		name     string
		f        File
		proc     string
		archived time.Time
		now      time.Time
		class    string
		until    time.Time
		due      bool
	}{
		{"A/V exactly 3 months", File{Kind: "video", Recorded: rec}, "penalty", archived, at(2026, 6, 1, 10), ClassAV, at(2026, 6, 1, 10), true},
		{"A/V a day before", File{Kind: "video", Recorded: rec}, "penalty", archived, at(2026, 5, 31, 10), ClassAV, at(2026, 6, 1, 10), false},
		{"A/V a second before", File{Kind: "audio", Recorded: rec}, "inspection", archived, at(2026, 6, 1, 10).Add(-time.Second), ClassAV, at(2026, 6, 1, 10), false},
		{"A/V month end (民法典 §202)", File{Kind: "audio", Recorded: at(2025, 11, 30, 8)}, "penalty", at(2026, 1, 5, 9), at(2026, 2, 28, 8), ClassAV, at(2026, 2, 28, 8), true},
		// 003 §27 ¶2: the copy archived with the case file is what outlives the
		// 3 months; before the case file exists no A/V of the case is due.
		{"A/V of a case not archived: never due", File{Kind: "video", Recorded: rec}, "penalty", time.Time{}, at(2099, 1, 1, 0), ClassAV, time.Time{}, false},
		{"A/V archived after its 3 months: due at archiving", File{Kind: "video", Recorded: rec}, "penalty", at(2026, 7, 20, 9), at(2026, 7, 20, 9), ClassAV, at(2026, 7, 20, 9), true},
		{"A/V archived after its 3 months, a second before", File{Kind: "video", Recorded: rec}, "penalty", at(2026, 7, 20, 9), at(2026, 7, 20, 9).Add(-time.Second), ClassAV, at(2026, 7, 20, 9), false},
		{"A/V cited as evidence follows the archive", File{Kind: "video", Recorded: rec, Cited: true}, "penalty", archived, at(2026, 6, 1, 10), ClassEvidence, at(2056, 5, 10, 9), false},
		{"photo, case not archived: never due", File{Kind: "photo", Recorded: rec}, "inspection", time.Time{}, at(2099, 1, 1, 0), ClassEvidence, time.Time{}, false},
		{"penalty evidence, 30 years exactly", File{Kind: "photo", Recorded: rec}, "penalty", archived, at(2056, 5, 10, 9), ClassEvidence, at(2056, 5, 10, 9), true},
		{"penalty evidence, a day before 30 years", File{Kind: "photo", Recorded: rec}, "penalty", archived, at(2056, 5, 9, 9), ClassEvidence, at(2056, 5, 10, 9), false},
		{"coercion 30 years", File{Kind: "signature"}, "coercion", archived, at(2046, 5, 10, 9), ClassEvidence, at(2056, 5, 10, 9), false},
		{"inspection 10 years exactly", File{Kind: "photo"}, "inspection", archived, at(2036, 5, 10, 9), ClassEvidence, at(2036, 5, 10, 9), true},
		{"permit 10 years, a day before", File{Kind: "document"}, "permit", archived, at(2036, 5, 9, 9), ClassEvidence, at(2036, 5, 10, 9), false},
		{"unknown type: 30 years", File{Kind: "photo"}, "other", archived, at(2036, 5, 10, 9), ClassEvidence, at(2056, 5, 10, 9), false},
	} {
		got := p.For(c.f, c.proc, c.archived, c.now)
		if got.Class != c.class || !got.Until.Equal(c.until) || got.Due != c.due || got.Article == "" || got.Rule == "" {
			t.Errorf("%s: %+v, want class %s until %v due %v", c.name, got, c.class, c.until, c.due)
		}
	}
}

func TestPolicy(t *testing.T) {
	p, err := ParsePolicy(`{"years":{"inspection":15}}`)
	if err != nil {
		t.Fatal(err)
	}
	if p.ArchiveYears("inspection") != 15 || p.ArchiveYears("penalty") != 30 || p.ArchiveYears("x") != FallbackYears {
		t.Errorf("policy %v", p)
	}
	if _, err := ParsePolicy(`{"years":{"penalty":0}}`); err == nil {
		t.Error("a period of 0 years was accepted")
	}
	if p, err := ParsePolicy(""); err != nil || p.ArchiveYears("permit") != 10 {
		t.Errorf("default %v %v", p, err)
	}
}

func TestTombstones(t *testing.T) {
	fields, _ := json.Marshal(Tombstone{Files: []Disposed{{Hash: "aa", Size: 3}, {Hash: "bb", Size: 4}}, Reason: "r"})
	payload, _ := json.Marshal(ledger.Payload{Fields: fields})
	office := []ledger.Entry{
		{Seq: 1, Step: "proposal", DeviceID: "S1", Payload: json.RawMessage(`{}`)},
		{Seq: 2, Step: StepDisposal, DeviceID: "D9", Payload: payload}, // not the server: names nothing
		{Seq: 3, Step: StepDisposal, DeviceID: "S1", Payload: payload},
	}
	got := Tombstones(office, "S1")
	if len(got) != 2 || got["aa"] != 3 || got["bb"] != 3 {
		t.Errorf("tombstones %v", got)
	}
}
