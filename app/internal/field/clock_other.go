//go:build !linux

package field

// SystemMono is one run of the app as a boot and the time since it
// started (no boot-time clock read here).
func SystemMono() (string, int64) { return processMono() }
