package syncproto

import (
	"encoding/hex"
	"strconv"
)

// LogBreak reports, once per restore epoch, that the terminal had verified
// a longer log (Seen, signed by the server key before its data was
// restored) than the restored one (Restored): the entries past Restored
// were lost with the restore and are being sent again, in a new order. The
// server records it as a signed security event with both tree heads
// (SPEC R2, X3; issue 14).
type LogBreak struct {
	Epoch    string   `json:"epoch"`
	Seen     TreeHead `json:"seen"`
	Restored TreeHead `json:"restored"`
}

// LogBreakMessage is the exact text the server signs when it records a
// log break reported by a device.
func LogBreakMessage(epoch, deviceID string, seen, restored TreeHead) []byte {
	return []byte("lawtrace-log-break-v1\n" + epoch + "\n" + deviceID + "\n" +
		strconv.FormatUint(seen.Size, 10) + "\n" + hex.EncodeToString(seen.Root) + "\n" +
		strconv.FormatUint(restored.Size, 10) + "\n" + hex.EncodeToString(restored.Root))
}

// RestoreMessage is the exact text the server signs when its data
// directory is restored from a backup taken at backupAt (RFC 3339): the
// new epoch and the restored log head.
func RestoreMessage(epoch, backupAt string, restored TreeHead) []byte {
	return []byte("lawtrace-restore-v1\n" + epoch + "\n" + backupAt + "\n" +
		strconv.FormatUint(restored.Size, 10) + "\n" + hex.EncodeToString(restored.Root))
}
