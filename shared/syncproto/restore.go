package syncproto

import (
	"encoding/hex"
	"strconv"
)

// RestorePoint is one restore of the server's data: the epoch it began
// and the size of the log it put in place.
type RestorePoint struct {
	Epoch string `json:"epoch"`
	Size  uint64 `json:"size"`
}

// RestoredSize is the size up to which the server's log is guaranteed to
// be the log a terminal of epoch saw: the smallest restore point after
// that epoch (after all of them when epoch is not in the list). ok is
// false when no restore followed it.
func RestoredSize(points []RestorePoint, epoch string) (size uint64, ok bool) {
	from := 0
	for i, p := range points {
		if p.Epoch == epoch {
			from = i + 1
		}
	}
	for _, p := range points[from:] {
		if !ok || p.Size < size {
			size, ok = p.Size, true
		}
	}
	return size, ok
}

// LogBreak reports, once per restore epoch, that the terminal had verified
// a longer log (Seen, signed by the server key before its data was
// restored) than the server kept (RestoredSize, a restore point): the
// entries past it were lost with a restore and are being sent again, in a
// new order. The server records it as a signed security event with both
// tree heads (SPEC R2, X3; issue 14).
type LogBreak struct {
	Epoch        string   `json:"epoch"`
	Seen         TreeHead `json:"seen"`
	RestoredSize uint64   `json:"restored_size"`
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
