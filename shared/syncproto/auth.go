package syncproto

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"time"
)

// DeviceIDFor derives a device id from its public key: "D" and the first 8
// bytes of the key's SHA-256 in hex. The server refuses an enrolment whose
// claimed id does not match the key.
func DeviceIDFor(pub ed25519.PublicKey) string { return "D" + idHex(pub) }

// ServerIDFor derives the server's signer id from its public key.
func ServerIDFor(pub ed25519.PublicKey) string { return "S" + idHex(pub) }

func idHex(pub []byte) string {
	sum := sha256.Sum256(pub)
	return hex.EncodeToString(sum[:8])
}

// AuthMessage is what a device signs to answer a challenge: bound to this
// nonce, this device and this server, and never valid as an entry signature.
func AuthMessage(nonce []byte, deviceID, serverID string) []byte {
	return []byte("lawtrace-auth-v1\n" + deviceID + "\n" + serverID + "\n" + hex.EncodeToString(nonce))
}

// ServerAuthMessage is what the server signs in a challenge so the terminal
// knows it speaks to the server it enrolled with.
func ServerAuthMessage(nonce []byte, deviceID, serverID string) []byte {
	return []byte("lawtrace-server-auth-v1\n" + deviceID + "\n" + serverID + "\n" + hex.EncodeToString(nonce))
}

// ClockOffset computes the device clock offset (device minus server) and
// the round trip from the four timestamps of one exchange, NTP style: the
// device sent Hello at t0 (device clock), the server received it at t1 and
// sent Challenge at t2 (server clock), the device received it at t3 (SPEC S4).
func ClockOffset(t0, t1, t2, t3 int64) (offset, roundTrip time.Duration) {
	offset = time.Duration(((t0 - t1) + (t3 - t2)) / 2)
	roundTrip = time.Duration((t3 - t0) - (t2 - t1))
	if roundTrip < 0 {
		roundTrip = 0
	}
	return offset, roundTrip
}
