package ledger

import (
	"crypto/ed25519"
	"strings"
	"testing"
)

// Issue 15: the live board takes a signature that ingest verified in the
// same process as verified — only the same device, hash and signature, and
// only while remembered; everything else is still checked.
func TestVerifiedSignatures(t *testing.T) {
	key, wrong := newKey(t, 1), newKey(t, 2)
	entries, _ := buildCase(t, key)
	right := Keys{"dev1": key.Public().(ed25519.PublicKey)}
	other := Keys{"dev1": wrong.Public().(ed25519.PublicKey)}
	signatureFindings := func(fs []Finding) int {
		n := 0
		for _, f := range fs {
			if strings.Contains(f.Problem, "signature does not verify") {
				n++
			}
		}
		return n
	}
	tests := []struct {
		name     string
		verified func() *VerifiedSignatures
		keys     Keys
		edit     func([]Entry)
		want     int // entries whose signature is found wanting
	}{
		{"nothing remembered: every signature checked", func() *VerifiedSignatures { return nil }, other, nil, 3},
		{"all remembered: none checked again", func() *VerifiedSignatures {
			v := NewVerifiedSignatures(8)
			v.Add(entries)
			return v
		}, other, nil, 0},
		{"a signature changed since: checked", func() *VerifiedSignatures {
			v := NewVerifiedSignatures(8)
			v.Add(entries)
			return v
		}, right, func(es []Entry) { es[1].Signature = entries[0].Signature }, 1},
		{"capacity 2: the oldest forgotten and checked", func() *VerifiedSignatures {
			v := NewVerifiedSignatures(2)
			v.Add(entries)
			return v
		}, other, nil, 1},
		{"capacity 0 remembers nothing", func() *VerifiedSignatures {
			v := NewVerifiedSignatures(0)
			v.Add(entries)
			return v
		}, other, nil, 3},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			es := append([]Entry(nil), entries...)
			if tc.edit != nil {
				tc.edit(es)
			}
			if got := signatureFindings(tc.verified().VerifyFrom("C1", 0, GenesisHash, es, tc.keys)); got != tc.want {
				t.Fatalf("%d signatures found wanting, want %d", got, tc.want)
			}
		})
	}
}

// The sync service adds while the board reads: safe under -race.
func TestVerifiedSignaturesConcurrent(t *testing.T) {
	key := newKey(t, 1)
	entries, _ := buildCase(t, key)
	keys := Keys{"dev1": key.Public().(ed25519.PublicKey)}
	v := NewVerifiedSignatures(2)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range 200 {
			v.Add(entries)
		}
	}()
	for range 200 {
		if fs := v.VerifyFrom("C1", 0, GenesisHash, entries, keys); len(fs) != 0 {
			t.Fatalf("findings on a sound case: %v", fs)
		}
	}
	<-done
}
