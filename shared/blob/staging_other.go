//go:build !unix

package blob

import (
	"errors"
	"io/fs"
	"os"
)

// renameOpenFiles: elsewhere (Windows) an open file cannot be renamed.
const renameOpenFiles = false

// holdStaging needs no lock where an open file cannot be removed.
func holdStaging(*os.File) error { return nil }

// removeUnheld removes path; a file another process has open cannot be
// removed there, and is left.
func removeUnheld(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, fs.ErrPermission) {
		return err
	}
	return nil
}
