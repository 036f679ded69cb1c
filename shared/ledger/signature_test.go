package ledger

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha512"
	"fmt"
	"testing"

	"github.com/oasisprotocol/curve25519-voi/curve"
	"github.com/oasisprotocol/curve25519-voi/curve/scalar"
	voi "github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
)

// sigCase is one public key, message and signature to verify.
type sigCase struct {
	name          string
	pub, msg, sig []byte
}

func randomScalar(t *testing.T) *scalar.Scalar {
	s, err := scalar.New().SetRandom(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func encode(p *curve.EdwardsPoint) []byte {
	var c curve.CompressedEdwardsY
	c.SetEdwardsPoint(p)
	return c[:]
}

func scalarBytes(t *testing.T, s *scalar.Scalar) []byte {
	b := make([]byte, 32)
	if err := s.ToBytes(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// forge signs msg by the Ed25519 equations with secret scalar a, nonce r and
// the given encodings of A and R, which need not be aB and rB: S = r + kA.
func forge(t *testing.T, a, r *scalar.Scalar, pubEnc, rEnc, msg []byte) []byte {
	h := sha512.New()
	h.Write(rEnc)
	h.Write(pubEnc)
	h.Write(msg)
	k, err := scalar.New().SetBytesModOrderWide(h.Sum(nil))
	if err != nil {
		t.Fatal(err)
	}
	s := scalar.New().Mul(k, a)
	s.Add(s, r)
	return append(append([]byte{}, rEnc...), scalarBytes(t, s)...)
}

// nonCanonicalY lists encodings of y ≥ p (2^255-19 … 2^255-1), with and
// without the sign bit.
func nonCanonicalY() [][]byte {
	var out [][]byte
	for k := 0; k < 19; k++ {
		b := make([]byte, 32)
		for i := range b {
			b[i] = 0xff
		}
		b[31] = 0x7f
		b[0] = byte(0xed + k) // 2^255-19+k, little-endian
		out = append(out, b)
		signed := append([]byte{}, b...)
		signed[31] |= 0x80
		out = append(out, signed)
	}
	return out
}

// signatureCases builds honest signatures and the edge cases on which
// Ed25519 verifiers are known to disagree: torsion in R or A (cofactored
// and cofactorless verification differ), small-order keys and nonces,
// non-canonical encodings of A, R and S, and damaged signatures.
func signatureCases(t *testing.T) []sigCase {
	msg := signedMessage("3f0a6c2e9b7d4a1c8e5f2b6d9a0c3e7f1b4d8a2c6e9f0b3d7a1c5e8f2b4d6a9c")
	B := curve.ED25519_BASEPOINT_POINT
	var cases []sigCase
	for i := 0; i < 8; i++ {
		a, r := randomScalar(t), randomScalar(t)
		A := curve.NewEdwardsPoint().Mul(B, a)
		R := curve.NewEdwardsPoint().Mul(B, r)
		pub := encode(A)
		honest := forge(t, a, r, pub, encode(R), msg)
		cases = append(cases, sigCase{fmt.Sprintf("honest %d", i), pub, msg, honest})
		for bit := 0; bit < 512; bit += 61 {
			bad := append([]byte{}, honest...)
			bad[bit/8] ^= 1 << (bit % 8)
			cases = append(cases, sigCase{fmt.Sprintf("flipped bit %d of %d", bit, i), pub, msg, bad})
		}
		// S + L: the same point equation with a non-canonical S.
		sPlusL := append([]byte{}, honest...)
		var carry uint16
		order := [32]byte{0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 31: 0x10}
		for j := 0; j < 32; j++ {
			v := uint16(sPlusL[32+j]) + uint16(order[j]) + carry
			sPlusL[32+j], carry = byte(v), v>>8
		}
		cases = append(cases, sigCase{fmt.Sprintf("S+L %d", i), pub, msg, sPlusL})
		for ti, T := range curve.EIGHT_TORSION {
			// Torsion in R: cofactored verification accepts, cofactorless refuses.
			RT := curve.NewEdwardsPoint().Add(R, T)
			cases = append(cases, sigCase{fmt.Sprintf("R+T%d %d", ti, i), pub, msg, forge(t, a, r, pub, encode(RT), msg)})
			// Torsion in A.
			AT := curve.NewEdwardsPoint().Add(A, T)
			atEnc := encode(AT)
			cases = append(cases, sigCase{fmt.Sprintf("A+T%d %d", ti, i), atEnc, msg, forge(t, a, r, atEnc, encode(R), msg)})
		}
	}
	zero := make([]byte, 32)
	for ai, A := range curve.EIGHT_TORSION {
		for ri, R := range curve.EIGHT_TORSION {
			// Small-order key and nonce with S = 0.
			cases = append(cases, sigCase{fmt.Sprintf("small A=T%d R=T%d", ai, ri), encode(A), msg, append(encode(R), zero...)})
		}
	}
	for i, y := range nonCanonicalY() {
		identity := encode(curve.NewEdwardsPoint().Identity())
		cases = append(cases,
			sigCase{fmt.Sprintf("non-canonical A %d", i), y, msg, append(append([]byte{}, identity...), zero...)},
			sigCase{fmt.Sprintf("non-canonical R %d", i), identity, msg, append(append([]byte{}, y...), zero...)})
	}
	cases = append(cases,
		sigCase{"short signature", cases[0].pub, msg, cases[0].sig[:63]},
		sigCase{"short key", cases[0].pub[:31], msg, cases[0].sig},
		sigCase{"other message", cases[0].pub, signedMessage("other"), cases[0].sig})
	return cases
}

// SPEC R2: a device signature verifies on the server exactly when
// crypto/ed25519 (the terminal, verify, the outside verifier) says it does.
func TestSignatureMatchesStdlib(t *testing.T) {
	cases := signatureCases(t)
	var cofactoredOnly, accepted int
	for _, c := range cases {
		want := len(c.pub) == ed25519.PublicKeySize && ed25519.Verify(c.pub, c.msg, c.sig)
		if got := verifySignature(c.pub, c.msg, c.sig); got != want {
			t.Errorf("%s: verifySignature = %v, crypto/ed25519 = %v", c.name, got, want)
		}
		if got := verifySignature(c.pub, c.msg, c.sig); got != want {
			t.Errorf("%s (cached key): verifySignature = %v, crypto/ed25519 = %v", c.name, got, want)
		}
		if want {
			accepted++
		}
		if x, err := voi.NewExpandedPublicKey(voi.PublicKey(c.pub)); err == nil && len(c.sig) == 64 &&
			!want && voi.VerifyExpandedWithOptions(x, c.msg, c.sig, &voi.Options{Verify: voi.VerifyOptionsFIPS_186_5}) {
			cofactoredOnly++
		}
	}
	// The cases must reach the disagreement they guard against: signatures
	// a cofactored verifier accepts and crypto/ed25519 refuses.
	if cofactoredOnly < 50 {
		t.Errorf("only %d cases separate cofactored from cofactorless verification", cofactoredOnly)
	}
	if accepted < 8 {
		t.Errorf("only %d cases verify; the honest signatures must", accepted)
	}
}

func TestExpandedKeyCacheIsBounded(t *testing.T) {
	for i := 0; i < maxExpandedKeys+10; i++ {
		pub, _, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		if verifySignature(pub, []byte("m"), make([]byte, 64)) {
			t.Fatal("a zero signature verified")
		}
	}
	expandedKeys.Lock()
	n := len(expandedKeys.m)
	expandedKeys.Unlock()
	if n > maxExpandedKeys {
		t.Fatalf("%d expanded keys cached, limit %d", n, maxExpandedKeys)
	}
}
