// Package credential is the signed officer credential a terminal shows as a
// QR code and anyone can check offline (SPEC F3, P7, issue 11).
//
// The signed message is the UTF-8 text
//
//	lawtrace-credential-v1\n<cert>|<name>|<expires>
//
// (no trailing newline): the credential number, the officer's name as
// published, and the expiry date YYYY-MM-DD. The signature is Ed25519 by the
// server's signing key, written in unpadded base64url (RFC 4648 §5). A
// credential number and a date never contain "|", so the name is whatever
// lies between the first and the last "|".
//
// The signature says who the officer is and until when the credential was
// issued; whether it is suspended today is live data on the public officer
// page (/public/officers/<cert>).
package credential

import (
	"crypto/ed25519"
	"encoding/base64"
	"strings"
)

// Prefix starts every signed credential message; a new message format gets
// a new prefix.
const Prefix = "lawtrace-credential-v1\n"

// Message is the exact bytes the server signs for a credential.
func Message(cert, name, expires string) []byte {
	return []byte(Prefix + cert + "|" + name + "|" + expires)
}

// Sign signs a credential with the server key and returns the signature in
// unpadded base64url.
func Sign(key ed25519.PrivateKey, cert, name, expires string) string {
	return base64.RawURLEncoding.EncodeToString(ed25519.Sign(key, Message(cert, name, expires)))
}

// Decode reads a signature in base64url, with or without padding (a QR
// reader or a person may keep the "=").
func Decode(sig string) ([]byte, bool) {
	sig = strings.TrimRight(strings.TrimSpace(sig), "=")
	b, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || len(b) != ed25519.SignatureSize {
		return nil, false
	}
	return b, true
}

// Verify reports whether sig is the server's signature over the credential.
func Verify(pub ed25519.PublicKey, cert, name, expires, sig string) bool {
	if len(pub) != ed25519.PublicKeySize {
		return false
	}
	b, ok := Decode(sig)
	if !ok {
		return false
	}
	return ed25519.Verify(pub, Message(cert, name, expires), b)
}
