package field

import (
	"fmt"
	"os"

	"lawtrace/shared/blob"
)

// MediaStore keeps files by the SHA-256 of their bytes, never transformed
// (SPEC R3, F5): the shared content-addressed folder, plus what the terminal
// needs of it.
type MediaStore struct{ *blob.Folder }

// OpenMediaStore opens the folder, removing staging copies left by a
// crash, never one another command on the same home is writing now.
func OpenMediaStore(dir string) (*MediaStore, error) {
	f, err := blob.OpenFolder(dir)
	if err != nil {
		return nil, err
	}
	if err := f.CleanStaging(); err != nil {
		return nil, err
	}
	return &MediaStore{f}, nil
}

// Has reports whether the file is stored; a malformed hash is not.
func (m *MediaStore) Has(hash string) bool {
	ok, err := m.Folder.Has(hash)
	return ok && err == nil
}

// PutFile stores a file from disk.
func (m *MediaStore) PutFile(path string) (string, int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", 0, fmt.Errorf("attachment: %w", err)
	}
	defer f.Close()
	return m.Put(f)
}

// Remove deletes a stored file (only after the server confirmed it).
func (m *MediaStore) Remove(hash string) error {
	if ok, err := m.Folder.Has(hash); err != nil || !ok {
		return err
	}
	return os.Remove(m.Path(hash))
}
