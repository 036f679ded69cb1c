//go:build unix

package blob

import (
	"errors"
	"io/fs"
	"os"
	"syscall"
)

// renameOpenFiles: a staging file may be renamed into place while open, so
// its lock is held until it is there.
const renameOpenFiles = true

// holdStaging takes an exclusive lock on a staging file for as long as it
// stays open in this process; the lock dies with the process.
func holdStaging(f *os.File) error {
	return syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
}

// removeUnheld removes path unless another open file holds its lock.
func removeUnheld(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil // a live Put holds it
		}
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
