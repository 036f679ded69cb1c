// Package blob keeps media files by the SHA-256 of their bytes, never transformed — a folder now, an S3-compatible store later — with resumable partial uploads that count only once their bytes hash to the announced hash (SPEC R3, S3).
package blob

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
	"sync"
)

// Store is where media lives.
type Store interface {
	// Has reports whether the complete, verified file is stored.
	Has(hash string) (bool, error)
	// Open opens a stored file; a missing one is fs.ErrNotExist.
	Open(hash string) (io.ReadCloser, error)
	// PartialSize is how many bytes of an unfinished upload are on disk.
	PartialSize(hash string) (int64, error)
	// WriteChunk writes data at offset of the unfinished upload, dropping
	// anything stored beyond offset. It is durable only after SyncPartial.
	WriteChunk(hash string, offset int64, data []byte) error
	// SyncPartial makes the unfinished upload durable (fsync).
	SyncPartial(hash string) error
	// Finish checks that the unfinished upload hashes to hash and makes it
	// a stored file; on a mismatch the partial bytes are discarded and the
	// error is a *MismatchError.
	Finish(hash string) (size int64, err error)
	// Discard drops an unfinished upload.
	Discard(hash string) error
	// Put stores a whole file in one go and returns its hash and size.
	Put(r io.Reader) (hash string, size int64, err error)
}

// MismatchError says the uploaded bytes hash to something else.
type MismatchError struct{ Want, Got string }

func (e *MismatchError) Error() string {
	return fmt.Sprintf("the uploaded bytes hash to %s, not to the announced %s", e.Got, e.Want)
}

// ErrShortPartial is returned when a chunk would leave a hole.
var ErrShortPartial = errors.New("partial upload is shorter than the offset")

// Folder is a Store in a local directory: complete files at
// DIR/ab/abcd…, unfinished uploads in DIR/partial. An upload's partial
// file stays open between chunks with the SHA-256 of its bytes so far
// (partial.go), so a chunk is one write and Finish reads nothing back.
type Folder struct {
	dir string

	mu   sync.Mutex
	open map[string]*partial // by hash
}

var _ Store = (*Folder)(nil)

// OpenFolder opens (creating) the media folder.
func OpenFolder(dir string) (*Folder, error) {
	if err := os.MkdirAll(filepath.Join(dir, "partial"), 0o700); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(dir, "tmp"), 0o700); err != nil {
		return nil, err
	}
	return &Folder{dir: dir, open: map[string]*partial{}}, nil
}

// Dir is the folder's path.
func (f *Folder) Dir() string { return f.dir }

// Path is where the stored file with this hash lives.
func (f *Folder) Path(hash string) string { return filepath.Join(f.dir, hash[:2], hash) }

func (f *Folder) partial(hash string) string { return filepath.Join(f.dir, "partial", hash+".part") }

func checkHash(h string) error {
	if len(h) != 64 || strings.Trim(h, "0123456789abcdef") != "" {
		return fmt.Errorf("%q is not a SHA-256 hex hash", h)
	}
	return nil
}

// Has reports whether the file is stored.
func (f *Folder) Has(hash string) (bool, error) {
	if err := checkHash(hash); err != nil {
		return false, err
	}
	_, err := os.Stat(f.Path(hash))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil, err
}

// Open opens a stored file.
func (f *Folder) Open(hash string) (io.ReadCloser, error) {
	if checkHash(hash) != nil {
		return nil, fs.ErrNotExist
	}
	return os.Open(f.Path(hash))
}

// PartialSize returns the size of the unfinished upload, 0 if none.
func (f *Folder) PartialSize(hash string) (int64, error) {
	if err := checkHash(hash); err != nil {
		return 0, err
	}
	st, err := os.Stat(f.partial(hash))
	if errors.Is(err, fs.ErrNotExist) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// WriteChunk writes a chunk at the end of the partial upload (after
// cutting anything beyond offset), hashing it on the way.
func (f *Folder) WriteChunk(hash string, offset int64, data []byte) error {
	if err := checkHash(hash); err != nil {
		return err
	}
	p := f.partialOf(hash)
	defer p.mu.Unlock()
	if err := p.at(f.partial(hash), offset); err != nil {
		return err
	}
	return p.write(data)
}

// SyncPartial fsyncs an unfinished upload.
func (f *Folder) SyncPartial(hash string) error {
	if err := checkHash(hash); err != nil {
		return err
	}
	p := f.partialOf(hash)
	defer p.mu.Unlock()
	return p.sync(f.partial(hash))
}

// Finish verifies and stores the upload: the hash of the bytes as they
// were written (read back only if this process did not write them all),
// an fsync if anything is unsynced, the rename.
func (f *Folder) Finish(hash string) (int64, error) {
	if err := checkHash(hash); err != nil {
		return 0, err
	}
	p := f.partialOf(hash)
	defer p.mu.Unlock()
	path := f.partial(hash)
	n, got, err := p.finish(path)
	if err != nil {
		return 0, err
	}
	f.forget(hash, p)
	if got != hash {
		_ = os.Remove(path)
		return n, &MismatchError{Want: hash, Got: got}
	}
	if err := f.install(path, hash); err != nil {
		return 0, err
	}
	return n, nil
}

// install moves a verified file into place; a file already there stays.
func (f *Folder) install(from, hash string) error {
	if ok, _ := f.Has(hash); ok {
		return os.Remove(from)
	}
	if err := os.MkdirAll(filepath.Dir(f.Path(hash)), 0o700); err != nil {
		return err
	}
	if err := os.Rename(from, f.Path(hash)); err != nil {
		return err
	}
	return syncDir(filepath.Dir(f.Path(hash)))
}

// Discard removes an unfinished upload.
func (f *Folder) Discard(hash string) error {
	if err := checkHash(hash); err != nil {
		return err
	}
	p := f.partialOf(hash)
	p.close()
	f.forget(hash, p)
	p.mu.Unlock()
	err := os.Remove(f.partial(hash))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// Put stores a whole file: written to a staging file that this process
// holds locked until it is in place, fsynced, renamed.
func (f *Folder) Put(r io.Reader) (string, int64, error) {
	tmp, err := os.CreateTemp(filepath.Join(f.dir, "tmp"), "put-*")
	if err != nil {
		return "", 0, err
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	if err := holdStaging(tmp); err != nil {
		return "", 0, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tmp, h), r)
	if err != nil {
		return "", 0, err
	}
	if err := tmp.Sync(); err != nil {
		return "", 0, err
	}
	hash := hex.EncodeToString(h.Sum(nil))
	if renameOpenFiles {
		return hash, n, f.install(tmp.Name(), hash)
	}
	if err := tmp.Close(); err != nil {
		return "", 0, err
	}
	return hash, n, f.install(tmp.Name(), hash)
}

// CleanStaging removes staging files no live process holds: those left by
// a process that died mid-Put. Another process storing a file right now,
// on the same folder, keeps its own.
func (f *Folder) CleanStaging() error {
	dir := filepath.Join(f.dir, "tmp")
	files, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range files {
		if err := removeUnheld(filepath.Join(dir, e.Name())); err != nil {
			return err
		}
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
