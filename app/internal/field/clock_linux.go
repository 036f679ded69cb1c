//go:build linux

package field

import (
	"os"
	"strings"
	"syscall"
	"unsafe"
)

const clockBoottime = 7 // CLOCK_BOOTTIME: monotonic, counts suspend

// SystemMono reads the kernel's boot id and CLOCK_BOOTTIME (Linux and
// Android); where either is unavailable, one run of the app counts as a
// boot.
func SystemMono() (string, int64) {
	id, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	if err != nil {
		return processMono()
	}
	var ts syscall.Timespec
	if _, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockBoottime, uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		return processMono()
	}
	return strings.TrimSpace(string(id)), ts.Sec*1000 + ts.Nsec/1_000_000
}
