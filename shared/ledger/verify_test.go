package ledger

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"io"
	"io/fs"
	"strings"
	"testing"
	"time"
)

type memMedia map[string][]byte

func (m memMedia) Open(hash string) (io.ReadCloser, error) {
	b, ok := m[hash]
	if !ok {
		return nil, fs.ErrNotExist
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

func newKey(t testing.TB, seed byte) ed25519.PrivateKey {
	t.Helper()
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

// buildCase makes a sealed three-entry chain: open, a photo, a signed record.
func buildCase(t *testing.T, key ed25519.PrivateKey) ([]Entry, memMedia) {
	t.Helper()
	media := memMedia{}
	photo := []byte("jpeg bytes of the scene")
	strokes := []byte(`[[{"x":1,"y":2},{"x":3,"y":4}]]`)
	png := []byte("png render")
	for _, b := range [][]byte{photo, strokes, png} {
		media[HashBytes(b)] = b
	}
	fields := json.RawMessage(`{"rights_version":"penalty-v1"}`)
	binds, err := ContentHash("C1", "notify_rights", fields, nil)
	if err != nil {
		t.Fatal(err)
	}
	signed, _ := json.Marshal(Payload{Fields: fields,
		Files:      []File{{Hash: HashBytes(strokes), Kind: KindSignStrokes}, {Hash: HashBytes(png), Kind: KindSignImage}},
		Signatures: []HandSignature{{Role: "party", Strokes: HashBytes(strokes), Image: HashBytes(png), Binds: binds}}})
	photoPayload, _ := json.Marshal(Payload{Files: []File{{Hash: HashBytes(photo), Kind: KindPhoto, Size: int64(len(photo))}}})
	steps := []struct {
		step    string
		payload []byte
		media   []string
	}{
		{"case_open", []byte(`{"party":"张三","type":"inspection"}`), nil},
		{"photo", photoPayload, []string{HashBytes(photo)}},
		{"notify_rights", signed, []string{HashBytes(strokes), HashBytes(png)}},
	}
	prev := GenesisHash
	var out []Entry
	for i, s := range steps {
		e := Entry{ID: "E" + string(rune('1'+i)), CaseID: "C1", Seq: int64(i + 1), DeviceID: "dev1", DeviceSeq: int64(i + 1),
			Step: s.step, Payload: s.payload, Officers: []string{"A001", "A002"},
			DeviceTime: FormatTime(time.Date(2026, 5, 6, 9, i, 0, 0, time.UTC)), Media: s.media, PrevHash: prev}
		if err := e.Seal(key); err != nil {
			t.Fatal(err)
		}
		prev = e.Hash
		out = append(out, e)
	}
	return out, media
}

// SPEC R2 R3 F10: every kind of tampering is found and located.
func TestVerifyCaseFindsTampering(t *testing.T) {
	key := newKey(t, 1)
	other := newKey(t, 2)
	keys := Keys{"dev1": key.Public().(ed25519.PublicKey)}
	tests := []struct {
		name   string
		tamper func(es []Entry, m memMedia) []Entry
		want   string
	}{
		{"intact", func(es []Entry, m memMedia) []Entry { return es }, ""},
		{"payload changed", func(es []Entry, m memMedia) []Entry {
			es[0].Payload = json.RawMessage(`{"party":"李四","type":"inspection"}`)
			return es
		}, "entry #1 (E1): content changed"},
		{"entry deleted from the middle", func(es []Entry, m memMedia) []Entry {
			return append(es[:1:1], es[2])
		}, "sequence gap: expected #2, found #3"},
		{"re-signed by another key", func(es []Entry, m memMedia) []Entry {
			_ = es[1].Seal(other)
			return es
		}, "entry #2 (E2): signature does not verify"},
		{"media byte changed", func(es []Entry, m memMedia) []Entry {
			h := es[1].Media[0]
			b := bytes.Clone(m[h])
			b[0] ^= 1
			m[h] = b
			return es
		}, "changed: its bytes now hash to"},
		{"media missing", func(es []Entry, m memMedia) []Entry {
			delete(m, es[1].Media[0])
			return es
		}, "is missing"},
		{"unknown signer", func(es []Entry, m memMedia) []Entry {
			es[2].DeviceID = "dev9"
			_ = es[2].Seal(key)
			return es
		}, "signer dev9 is unknown"},
		{"re-chained after edit", func(es []Entry, m memMedia) []Entry {
			es[1].Step = "video"
			_ = es[1].Seal(key)
			return es
		}, "entry #3 (E3): chain broken"},
		{"signature moved to another record", func(es []Entry, m memMedia) []Entry {
			es[2].Payload = bytes.Replace(es[2].Payload, []byte("penalty-v1"), []byte("penalty-v2"), 1)
			_ = es[2].Seal(key)
			return es
		}, "party signature is bound to another record"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			es, m := buildCase(t, key)
			got := VerifyCase("C1", tc.tamper(es, m), keys, m)
			if tc.want == "" {
				if len(got) != 0 {
					t.Fatalf("intact case has findings: %v", got)
				}
				return
			}
			var all []string
			for _, f := range got {
				all = append(all, f.String())
			}
			if !strings.Contains(strings.Join(all, "\n"), tc.want) {
				t.Fatalf("findings %q do not contain %q", all, tc.want)
			}
		})
	}
}

func TestCanonicalJSON(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"b":1,"a":{"d":"<x>","c":[1.50,2]}}`, `{"a":{"c":[1.50,2],"d":"<x>"},"b":1}`},
		{``, `{}`},
		{` {"z" : "中文"} `, `{"z":"中文"}`},
	}
	for _, tc := range tests {
		got, err := CanonicalJSON([]byte(tc.in))
		if err != nil || string(got) != tc.want {
			t.Errorf("CanonicalJSON(%s) = %s, %v; want %s", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{`{`, `{"a":1} {"b":2}`, `nope`} {
		if _, err := CanonicalJSON([]byte(bad)); err == nil {
			t.Errorf("CanonicalJSON(%s) accepted", bad)
		}
	}
}

func TestSealIsIndependentOfPayloadFormatting(t *testing.T) {
	key := newKey(t, 3)
	a := Entry{ID: "X", CaseID: "C", Seq: 1, Payload: json.RawMessage(`{"a": 1, "b": 2}`), PrevHash: GenesisHash}
	b := a
	b.Payload = json.RawMessage(`{"b":2,"a":1}`)
	if err := a.Seal(key); err != nil {
		t.Fatal(err)
	}
	if err := b.Seal(key); err != nil {
		t.Fatal(err)
	}
	if a.Hash != b.Hash {
		t.Fatalf("same payload, different hashes %s %s", a.Hash, b.Hash)
	}
}
