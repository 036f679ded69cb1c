package field

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// MediaStore keeps files by the SHA-256 of their bytes, never transformed (SPEC R3, F5).
type MediaStore struct{ dir string }

// OpenMediaStore opens the folder, removing partial copies left by a crash.
func OpenMediaStore(dir string) (*MediaStore, error) {
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o700); err != nil {
		return nil, err
	}
	if err := os.RemoveAll(filepath.Join(dir, "tmp")); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o700); err != nil {
		return nil, err
	}
	return &MediaStore{dir: dir}, nil
}

// Path is where the file with this hash lives.
func (m *MediaStore) Path(hash string) string {
	return filepath.Join(m.dir, hash[:2], hash)
}

// Open opens a stored file; a missing one is fs.ErrNotExist.
func (m *MediaStore) Open(hash string) (io.ReadCloser, error) {
	if !validHash(hash) {
		return nil, fs.ErrNotExist
	}
	return os.Open(m.Path(hash))
}

// Has reports whether the file is stored.
func (m *MediaStore) Has(hash string) bool {
	if !validHash(hash) {
		return false
	}
	_, err := os.Stat(m.Path(hash))
	return err == nil
}

// Put copies r into the store, hashing as it goes, syncs it to disk and
// returns its hash and size. A file already present is kept as it is.
func (m *MediaStore) Put(r io.Reader) (string, int64, error) {
	tmp, err := os.CreateTemp(filepath.Join(m.dir, "tmp"), "put-*")
	if err != nil {
		return "", 0, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), r)
	if err != nil {
		return "", 0, err
	}
	if err := tmp.Sync(); err != nil {
		return "", 0, err
	}
	if err := tmp.Close(); err != nil {
		return "", 0, err
	}
	hash := hex.EncodeToString(h.Sum(nil))
	if m.Has(hash) {
		return hash, n, nil
	}
	if err := os.MkdirAll(filepath.Dir(m.Path(hash)), 0o700); err != nil {
		return "", 0, err
	}
	if err := os.Rename(tmp.Name(), m.Path(hash)); err != nil {
		return "", 0, err
	}
	if err := syncDir(filepath.Dir(m.Path(hash))); err != nil {
		return "", 0, err
	}
	return hash, n, nil
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
	if !validHash(hash) {
		return errors.New("not a media hash")
	}
	err := os.Remove(m.Path(hash))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

func validHash(h string) bool {
	if len(h) != 64 {
		return false
	}
	return strings.Trim(h, "0123456789abcdef") == ""
}
