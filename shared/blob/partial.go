package blob

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"os"
	"sync"
)

// maxOpenPartials bounds the partial files a Folder keeps open; over it,
// an idle one is closed (its next chunk opens it again and re-reads what
// it holds to hash it).
const maxOpenPartials = 256

// partial is an unfinished upload kept open between chunks: the file, its
// size as written through it, the SHA-256 of those bytes, and whether
// anything is unsynced. Another Folder on the same directory (a restart in
// tests) may change the file meanwhile; at checks that the file on disk
// is still this one at this size before trusting the hash.
type partial struct {
	mu    sync.Mutex
	f     *os.File
	size  int64
	sum   hash.Hash
	dirty bool
}

// partialOf returns the upload's entry, locked; a new one is empty.
func (f *Folder) partialOf(hash string) *partial {
	f.mu.Lock()
	p := f.open[hash]
	if p == nil {
		p = &partial{}
		f.open[hash] = p
		if len(f.open) > maxOpenPartials {
			for h, q := range f.open {
				if q != p && q.mu.TryLock() {
					q.close()
					delete(f.open, h)
					q.mu.Unlock()
					break
				}
			}
		}
	}
	f.mu.Unlock()
	p.mu.Lock()
	return p
}

// forget drops the entry once the upload is finished or discarded.
func (f *Folder) forget(hash string, p *partial) {
	f.mu.Lock()
	if f.open[hash] == p {
		delete(f.open, hash)
	}
	f.mu.Unlock()
}

// current reports whether the open file is still the one at path, with
// the size written through it.
func (p *partial) current(path string) bool {
	if p.f == nil {
		return false
	}
	onDisk, err := os.Stat(path)
	if err != nil {
		return false
	}
	st, err := p.f.Stat()
	return err == nil && os.SameFile(onDisk, st) && st.Size() == p.size
}

// at makes the open file end at offset with the hash of [0, offset):
// nothing to do for the next chunk in order; otherwise the file is
// (re)opened, cut at offset and its first offset bytes hashed — once per
// resume or rewind, never per chunk.
func (p *partial) at(path string, offset int64) error {
	if p.current(path) && p.size == offset {
		return nil
	}
	p.close()
	file, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return err
	}
	st, err := file.Stat()
	if err != nil {
		file.Close()
		return err
	}
	if st.Size() < offset {
		file.Close()
		return fmt.Errorf("%w: %d bytes on disk, chunk at %d", ErrShortPartial, st.Size(), offset)
	}
	if st.Size() > offset {
		if err := file.Truncate(offset); err != nil {
			file.Close()
			return err
		}
	}
	sum := sha256.New()
	if _, err := io.Copy(sum, io.NewSectionReader(file, 0, offset)); err != nil {
		file.Close()
		return err
	}
	p.f, p.size, p.sum, p.dirty = file, offset, sum, st.Size() > offset
	return nil
}

func (p *partial) write(data []byte) error {
	if _, err := p.f.WriteAt(data, p.size); err != nil {
		p.close()
		return err
	}
	p.sum.Write(data)
	p.size += int64(len(data))
	p.dirty = true
	return nil
}

// sync fsyncs the partial file, through the open file when there is one.
func (p *partial) sync(path string) error {
	if p.current(path) {
		if !p.dirty {
			return nil
		}
		if err := p.f.Sync(); err != nil {
			p.close()
			return err
		}
		p.dirty = false
		return nil
	}
	p.close()
	file, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	defer file.Close()
	if err := file.Sync(); err != nil {
		return err
	}
	return file.Close()
}

// finish returns the size and hash of the partial file, synced and closed
// (read back only if the open file is not current).
func (p *partial) finish(path string) (int64, string, error) {
	defer p.close()
	if !p.current(path) {
		p.close()
		file, err := os.OpenFile(path, os.O_RDWR, 0)
		if err != nil {
			return 0, "", err
		}
		p.f, p.sum, p.dirty = file, sha256.New(), true
		if p.size, err = io.Copy(p.sum, file); err != nil {
			return 0, "", err
		}
	}
	if p.dirty {
		if err := p.f.Sync(); err != nil {
			return 0, "", err
		}
	}
	return p.size, hex.EncodeToString(p.sum.Sum(nil)), nil
}

func (p *partial) close() {
	if p.f != nil {
		p.f.Close()
		p.f = nil
	}
}
