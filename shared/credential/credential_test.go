package credential

import (
	"crypto/ed25519"
	"encoding/base64"
	"strings"
	"testing"
)

func testKey(b byte) ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = b
	}
	return ed25519.NewKeyFromSeed(seed)
}

// SPEC F3 P7: the message format is fixed, a signature verifies with the
// server key and with nothing else, and any change of cert, name or expiry
// breaks it.
func TestSignVerify(t *testing.T) {
	if got := string(Message("15010001", "王强", "2027-12-31")); got != "lawtrace-credential-v1\n15010001|王强|2027-12-31" {
		t.Fatalf("message %q", got)
	}
	key := testKey(1)
	pub := key.Public().(ed25519.PublicKey)
	sig := Sign(key, "15010001", "王强", "2027-12-31")
	if strings.ContainsAny(sig, "+/=") {
		t.Errorf("signature %q is not unpadded base64url", sig)
	}
	if !Verify(pub, "15010001", "王强", "2027-12-31", sig) {
		t.Fatal("own signature does not verify")
	}
	if !Verify(pub, "15010001", "王强", "2027-12-31", sig+"==") {
		t.Error("padded form refused")
	}
	// The signature is a plain Ed25519 signature over the message: any
	// tool can check it.
	raw, _ := base64.RawURLEncoding.DecodeString(sig)
	if !ed25519.Verify(pub, []byte("lawtrace-credential-v1\n15010001|王强|2027-12-31"), raw) {
		t.Error("not an Ed25519 signature over the documented message")
	}
	for _, c := range []struct{ cert, name, exp, sig string }{
		{"15010002", "王强", "2027-12-31", sig},
		{"15010001", "王强强", "2027-12-31", sig},
		{"15010001", "王强", "2028-12-31", sig},
		{"15010001", "王强", "2027-12-31", Sign(testKey(2), "15010001", "王强", "2027-12-31")},
		{"15010001", "王强", "2027-12-31", ""},
		{"15010001", "王强", "2027-12-31", "not base64!"},
		{"15010001", "王强", "2027-12-31", sig[:len(sig)-4]},
	} {
		if Verify(pub, c.cert, c.name, c.exp, c.sig) {
			t.Errorf("%+v verified", c)
		}
	}
	if Verify(nil, "15010001", "王强", "2027-12-31", sig) {
		t.Error("verified without a key")
	}
}
