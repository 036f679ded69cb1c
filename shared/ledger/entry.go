package ledger

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// TimeLayout is the one textual form of a device time inside a signed entry.
const TimeLayout = "2006-01-02T15:04:05.000000000Z"

// GenesisHash is the previous-entry hash of the first entry of every case.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// signaturePrefix separates entry signatures from any other use of a device key.
const signaturePrefix = "lawtrace-entry-v1\n"

// Place is where an entry was recorded, when the terminal knows it.
type Place struct {
	Lat     float64 `json:"lat,omitempty"`
	Lon     float64 `json:"lon,omitempty"`
	Address string  `json:"address,omitempty"`
}

// Clock is what the terminal's clocks said when it recorded an entry, so
// the server can calibrate the entry with the offset in force at that
// moment rather than at the sync that delivered it (SPEC S4, issue 13
// finding 6). Boot names the terminal's boot (Linux: the kernel's boot_id;
// elsewhere one run of the app), MonoMs is a monotonic reading that keeps
// running while the device sleeps (CLOCK_BOOTTIME) and never jumps when
// the wall clock is set; Sync is the last measurement of the device clock
// against the server before the entry (absent when there was none). Two
// readings of the same Boot differ by the real time between them.
type Clock struct {
	Boot   string     `json:"boot"`
	MonoMs int64      `json:"mono_ms"`
	Sync   *ClockSync `json:"sync,omitempty"`
}

// ClockSync is one measurement of the device clock against the server:
// at monotonic MonoMs of Boot the device clock read DeviceTime and was
// OffsetMs ahead of the server (negative: behind).
type ClockSync struct {
	Boot       string `json:"boot"`
	MonoMs     int64  `json:"mono_ms"`
	DeviceTime string `json:"device_time"`
	OffsetMs   int64  `json:"offset_ms"`
}

// Entry is one append-only record of the case file. Everything but Hash and
// Signature is covered by Hash; Signature is the signer's Ed25519 signature
// over Hash. Entries are never edited: a correction is a new entry whose
// Corrects field names the entry it corrects (SPEC R1).
type Entry struct {
	ID         string          `json:"id"`
	CaseID     string          `json:"case_id"`
	Seq        int64           `json:"seq"`
	DeviceID   string          `json:"device_id"`
	DeviceSeq  int64           `json:"device_seq"`
	Step       string          `json:"step"`
	Payload    json.RawMessage `json:"payload"`
	Officers   []string        `json:"officers"`
	DeviceTime string          `json:"device_time"`
	Place      *Place          `json:"place,omitempty"`
	Media      []string        `json:"media,omitempty"`
	Corrects   string          `json:"corrects,omitempty"`
	// Clock is optional and covered by Hash when present; entries without
	// it hash exactly as they did before it existed.
	Clock     *Clock `json:"clock,omitempty"`
	PrevHash  string `json:"prev_hash"`
	Hash      string `json:"hash"`
	Signature string `json:"sig"`
}

// FormatTime renders t in the layout signed entries use.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeLayout) }

// ParseTime reads a time written by FormatTime.
func ParseTime(s string) (time.Time, error) { return time.Parse(TimeLayout, s) }

// body is the hashed part of an entry, in a fixed field order.
type body struct {
	ID         string          `json:"id"`
	CaseID     string          `json:"case_id"`
	Seq        int64           `json:"seq"`
	DeviceID   string          `json:"device_id"`
	DeviceSeq  int64           `json:"device_seq"`
	Step       string          `json:"step"`
	Payload    json.RawMessage `json:"payload"`
	Officers   []string        `json:"officers"`
	DeviceTime string          `json:"device_time"`
	Place      *Place          `json:"place,omitempty"`
	Media      []string        `json:"media,omitempty"`
	Corrects   string          `json:"corrects,omitempty"`
	Clock      *Clock          `json:"clock,omitempty"`
	PrevHash   string          `json:"prev_hash"`
}

// CanonicalBody returns the exact bytes Hash is computed over: the entry
// without Hash and Signature, with the payload in canonical JSON.
func (e *Entry) CanonicalBody() ([]byte, error) {
	payload, err := CanonicalJSON(e.Payload)
	if err != nil {
		return nil, fmt.Errorf("entry %s payload: %w", e.ID, err)
	}
	officers := e.Officers
	if officers == nil {
		officers = []string{}
	}
	return marshal(body{
		ID: e.ID, CaseID: e.CaseID, Seq: e.Seq, DeviceID: e.DeviceID, DeviceSeq: e.DeviceSeq,
		Step: e.Step, Payload: payload, Officers: officers, DeviceTime: e.DeviceTime,
		Place: e.Place, Media: e.Media, Corrects: e.Corrects, Clock: e.Clock, PrevHash: e.PrevHash,
	})
}

// ComputeHash returns the hex SHA-256 of the entry's canonical body.
func (e *Entry) ComputeHash() (string, error) {
	b, err := e.CanonicalBody()
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:]), nil
}

// Seal canonicalises the payload, sets Hash and signs it with key.
func (e *Entry) Seal(key ed25519.PrivateKey) error { return e.SealWith(key) }

// SealWith is Seal with any Ed25519 signer (the server's key may live in a
// hardware module or key service behind crypto.Signer).
func (e *Entry) SealWith(signer crypto.Signer) error {
	payload, err := CanonicalJSON(e.Payload)
	if err != nil {
		return fmt.Errorf("entry %s payload: %w", e.ID, err)
	}
	e.Payload = payload
	if e.Officers == nil {
		e.Officers = []string{}
	}
	h, err := e.ComputeHash()
	if err != nil {
		return err
	}
	e.Hash = h
	sig, err := signer.Sign(nil, signedMessage(h), crypto.Hash(0))
	if err != nil {
		return fmt.Errorf("entry %s signature: %w", e.ID, err)
	}
	e.Signature = base64.StdEncoding.EncodeToString(sig)
	return nil
}

// CheckSignature reports whether Signature is pub's signature over Hash.
func (e *Entry) CheckSignature(pub ed25519.PublicKey) bool {
	sig, err := base64.StdEncoding.DecodeString(e.Signature)
	if err != nil {
		return false
	}
	return verifySignature(pub, signedMessage(e.Hash), sig)
}

func signedMessage(hash string) []byte { return []byte(signaturePrefix + hash) }

// CanonicalJSON re-encodes a JSON value with object keys sorted, no
// insignificant whitespace, no HTML escaping and numbers kept as written.
// An empty input is the empty object.
func CanonicalJSON(raw []byte) (json.RawMessage, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return json.RawMessage("{}"), nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	if dec.More() {
		return nil, errors.New("not valid JSON: trailing data")
	}
	return marshal(v)
}

func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// HashBytes returns the hex SHA-256 of b.
func HashBytes(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// KeyFingerprint is a short, readable identity of a public key: the first 16
// bytes of its SHA-256 in groups of four hex digits.
func KeyFingerprint(pub ed25519.PublicKey) string {
	sum := sha256.Sum256(pub)
	h := hex.EncodeToString(sum[:16])
	var b bytes.Buffer
	for i := 0; i < len(h); i += 4 {
		if i > 0 {
			b.WriteByte(':')
		}
		b.WriteString(h[i : i+4])
	}
	return b.String()
}
