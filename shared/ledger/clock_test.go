package ledger

import (
	"bytes"
	"crypto/ed25519"
	"encoding/json"
	"strings"
	"testing"
)

// Issue 13 finding 6, SPEC S4 R1: the optional clock readings are covered
// by the hash when present, and an entry without them hashes and signs
// exactly as before they existed (the hash and signature below were
// computed by the code before the field was added), so every stored entry
// still verifies.
func TestClockFieldKeepsOldEntriesValid(t *testing.T) {
	key := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{9}, 32))
	e := Entry{ID: "E1", CaseID: "C1", Seq: 1, DeviceID: "D0123456789abcdef", DeviceSeq: 1, Step: "case_open", Payload: []byte(`{"b":1,"a":"x"}`),
		DeviceTime: "2026-05-07T09:00:00.000000000Z", Place: &Place{Address: "东城区"}, Media: []string{"ab"}, PrevHash: GenesisHash}
	if err := e.Seal(key); err != nil {
		t.Fatal(err)
	}
	const oldHash = "257838c1a146b653f55d2057ef77e3854e4372e88adcc52d3d8ded902b3ff6ed"
	const oldSig = "B6tlpKgSOTlhH9Wo3hdTD1HjZyh5TH9DnAY9v2CWgI1M3pR9NldnOQlC7SM5DP/Qb0NUbO7LWXeLRCmXuQ5WCA=="
	if e.Hash != oldHash || e.Signature != oldSig {
		t.Fatalf("an entry without clock readings hashes differently now: %s", e.Hash)
	}
	body, _ := e.CanonicalBody()
	if strings.Contains(string(body), "clock") {
		t.Fatalf("canonical body mentions clock: %s", body)
	}
	// with the readings: hashed, verified, and a change is found
	c := e
	c.Clock = &Clock{Boot: "b1", MonoMs: 5000, Sync: &ClockSync{Boot: "b1", MonoMs: 1000, DeviceTime: "2026-05-07T08:59:56.000000000Z", OffsetMs: -20}}
	if err := c.Seal(key); err != nil {
		t.Fatal(err)
	}
	if c.Hash == oldHash || !c.CheckSignature(key.Public().(ed25519.PublicKey)) {
		t.Fatal("clock readings not covered by the hash")
	}
	raw, _ := json.Marshal(c)
	var back Entry
	if err := json.Unmarshal(raw, &back); err != nil {
		t.Fatal(err)
	}
	if h, _ := back.ComputeHash(); h != c.Hash {
		t.Fatal("clock readings do not survive a round trip")
	}
	back.Clock.MonoMs++
	if h, _ := back.ComputeHash(); h == c.Hash {
		t.Fatal("a changed monotonic reading keeps the hash")
	}
}
