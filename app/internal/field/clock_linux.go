//go:build linux

package field

import (
	"os"
	"strings"
	"sync"
	"syscall"
	"unsafe"
)

const clockBoottime = 7 // CLOCK_BOOTTIME: monotonic, counts suspend

// bootID is the kernel's boot id, read once: a process never outlives the
// boot it started in (reading it on every entry cost a sixth of an append).
var bootID = sync.OnceValues(func() (string, error) {
	id, err := os.ReadFile("/proc/sys/kernel/random/boot_id")
	return strings.TrimSpace(string(id)), err
})

// SystemMono reads the kernel's boot id and CLOCK_BOOTTIME (Linux and
// Android); where either is unavailable, one run of the app counts as a
// boot.
func SystemMono() (string, int64) {
	id, err := bootID()
	if err != nil {
		return processMono()
	}
	var ts syscall.Timespec
	if _, _, errno := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, clockBoottime, uintptr(unsafe.Pointer(&ts)), 0); errno != 0 {
		return processMono()
	}
	return id, ts.Sec*1000 + ts.Nsec/1_000_000
}
