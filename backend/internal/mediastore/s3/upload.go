package s3

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"sync"

	"github.com/minio/minio-go/v7"

	"lawtrace/shared/blob"
)

// An unfinished upload of media/<hash> lives in the bucket as an S3
// multipart upload of whole parts plus, when a sync came before a part was
// full, a short tail object; partial/<hash>/state names the upload, its
// parts and the SHA-256 state after each part, so the hash is checked as
// the bytes arrive and the object is completed only when it matches.
//
// While chunks arrive, the server that receives them holds the upload in
// memory (upload): each full part goes to the bucket in the background,
// at most inFlight at a time, while the next one fills, and its bytes are
// hashed in order alongside. WriteChunk is durable only after SyncPartial,
// as the folder's is after an fsync: SyncPartial waits for the parts on
// their way, sends what is left as a part or the tail, writes the state
// (the only state write) and forgets the upload; a server that dies in
// between leaves parts the state does not name, which the next server
// sends again under the same numbers. Finish waits for the parts, checks
// the hash and completes with If-None-Match. A server holds at most
// inFlight parts and a part and a chunk per upload.
const (
	partSize = 8 << 20 // received bytes that make a part at once
	minPart  = 5 << 20 // S3's smallest part but the last
	inFlight = 2       // parts of one upload on their way at once
)

// partBufs holds the buffers parts gather in, room for a part and a
// chunk of the terminal's default 1 MiB, so that a busy server reuses them
// rather than faulting fresh memory in for every part; a part whose
// request failed keeps its buffer (the HTTP client may still read it).
var partBufs = sync.Pool{New: func() any { b := make([]byte, 0, bufSize); return &b }}

const bufSize = partSize + 1<<20

func stateKey(hash string) string { return "partial/" + hash + "/state" }
func tailKey(hash string) string  { return "partial/" + hash + "/tail" }

// state is what is durable of an unfinished upload.
type state struct {
	Upload string `json:"upload,omitempty"`
	Parts  []part `json:"parts,omitempty"`
	Tail   int64  `json:"tail,omitempty"` // bytes in the tail object after the parts
}

type part struct {
	N      int    `json:"n"`
	ETag   string `json:"etag"`
	Size   int64  `json:"size"`
	SHA256 []byte `json:"sha256"` // the hash's state after this part
}

func partsEnd(parts []part) int64 {
	var n int64
	for _, p := range parts {
		n += p.Size
	}
	return n
}

// hasher is the SHA-256 of the bytes in the parts.
func hasher(parts []part) (hash.Hash, error) {
	h := sha256.New()
	if len(parts) == 0 {
		return h, nil
	}
	if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(parts[len(parts)-1].SHA256); err != nil {
		return nil, fmt.Errorf("upload state: %w", err)
	}
	return h, nil
}

// upload is an unfinished upload as the server receiving it holds it
// between two syncs.
type upload struct {
	read    []byte          // the state object as this server read or wrote it (nil: none)
	durable int             // how many of parts it names
	id      string          // the multipart upload; "" before its first part
	parts   []part          // in the bucket, in order
	sending []*sending      // on their way, in order, after parts
	h       hash.Hash       // SHA-256 after parts and sending, once the last of them is hashed
	hashed  <-chan struct{} // closed when it is (nil: it is)
	start   int64           // where parts and sending end
	buf     []byte          // received bytes from start
}

func (u *upload) end() int64 { return u.start + int64(len(u.buf)) }

// sending is a part on its way to the bucket, hashed meanwhile.
type sending struct {
	part
	hashed chan struct{} // closed when the upload's hasher has its bytes
	done   chan struct{} // closed when sent and hashed
	err    error
}

// resume reads the upload's state from the bucket, with the bytes of its
// tail up to offset.
func (s *Store) resume(ctx context.Context, hash string, offset int64) (*upload, error) {
	raw, st, err := s.load(ctx, hash)
	if err != nil {
		return nil, err
	}
	h, err := hasher(st.Parts)
	if err != nil {
		return nil, err
	}
	u := &upload{read: raw, durable: len(st.Parts), id: st.Upload, parts: st.Parts, h: h, start: partsEnd(st.Parts)}
	if n := min(offset-u.start, st.Tail); n > 0 {
		if u.buf, err = s.readTail(ctx, hash, n); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// load reads the state object as it is and as a state.
func (s *Store) load(ctx context.Context, hash string) ([]byte, state, error) {
	var st state
	rc, _, _, err := s.core.GetObject(ctx, s.bucket, stateKey(hash), minio.GetObjectOptions{})
	if notFound(err) {
		return nil, st, nil
	}
	if err != nil {
		return nil, st, err
	}
	defer rc.Close()
	raw, err := io.ReadAll(rc)
	if err != nil {
		return nil, st, err
	}
	if err := json.Unmarshal(raw, &st); err != nil {
		return nil, st, fmt.Errorf("upload state of %s: %w", hash, err)
	}
	return raw, st, nil
}

func (s *Store) save(ctx context.Context, hash string, st state) ([]byte, error) {
	b, err := json.Marshal(st)
	if err != nil {
		return nil, err
	}
	_, err = s.core.PutObject(ctx, s.bucket, stateKey(hash), bytes.NewReader(b), int64(len(b)), "", "", minio.PutObjectOptions{ContentType: "application/json"})
	return b, err
}

func (s *Store) readTail(ctx context.Context, hash string, n int64) ([]byte, error) {
	opts := minio.GetObjectOptions{}
	if err := opts.SetRange(0, n-1); err != nil {
		return nil, err
	}
	rc, _, _, err := s.core.GetObject(ctx, s.bucket, tailKey(hash), opts)
	if err != nil {
		return nil, fmt.Errorf("tail of upload %s: %w", hash, err)
	}
	defer rc.Close()
	b := make([]byte, n)
	if _, err := io.ReadFull(rc, b); err != nil {
		return nil, fmt.Errorf("tail of upload %s: %w", hash, err)
	}
	return b, nil
}

func (s *Store) uploadOf(hash string) *upload {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.uploads[hash]
}

func (s *Store) setUpload(hash string, u *upload) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if u == nil {
		delete(s.uploads, hash)
	} else {
		s.uploads[hash] = u
	}
}

// forget drops the upload from memory once its parts are no longer on
// their way.
func (s *Store) forget(hash string, u *upload) {
	_ = u.settle()
	s.setUpload(hash, nil)
}

// PartialSize is how many bytes of the upload this store holds.
func (s *Store) PartialSize(hash string) (int64, error) {
	if err := checkHash(hash); err != nil {
		return 0, err
	}
	defer s.lock(hash)()
	if u := s.uploadOf(hash); u != nil {
		return u.end(), nil
	}
	_, st, err := s.load(context.Background(), hash)
	return partsEnd(st.Parts) + st.Tail, err
}

// WriteChunk puts data at offset, dropping what the upload held beyond it.
func (s *Store) WriteChunk(hash string, offset int64, data []byte) error {
	if err := checkHash(hash); err != nil {
		return err
	}
	defer s.lock(hash)()
	ctx := context.Background()
	u := s.uploadOf(hash)
	if u == nil {
		var err error
		if u, err = s.resume(ctx, hash, offset); err != nil {
			return err
		}
		if offset > u.end() {
			return fmt.Errorf("%w: %d bytes stored, chunk at %d", blob.ErrShortPartial, u.end(), offset)
		}
		s.setUpload(hash, u)
	} else if offset > u.end() {
		return fmt.Errorf("%w: %d bytes received, chunk at %d", blob.ErrShortPartial, u.end(), offset)
	}
	if offset < u.start {
		if err := s.rewind(ctx, hash, u, offset); err != nil {
			return err
		}
	}
	keep := offset - u.start
	if need := keep + int64(len(data)); need > int64(cap(u.buf)) {
		var buf []byte
		if need <= bufSize {
			buf = (*partBufs.Get().(*[]byte))[:keep]
		} else {
			buf = make([]byte, keep, max(need, partSize+int64(len(data))))
		}
		copy(buf, u.buf)
		u.buf = buf
	}
	u.buf = append(u.buf[:keep], data...)
	if len(u.buf) < partSize {
		return nil
	}
	if err := s.send(ctx, hash, u); err != nil {
		s.forget(hash, u)
		return err
	}
	return nil
}

// rewind goes back to offset before the end of the parts: to the end of
// the part there, or, inside a part (its bytes cannot be read back), to 0.
// The state stops naming the parts dropped first: the next ones take their
// numbers, and a state naming a part another has replaced could never be
// completed.
func (s *Store) rewind(ctx context.Context, hash string, u *upload, offset int64) error {
	if err := u.settle(); err != nil {
		s.forget(hash, u)
		return err
	}
	keep, at := 0, int64(0)
	for keep < len(u.parts) && at+u.parts[keep].Size <= offset {
		at += u.parts[keep].Size
		keep++
	}
	if offset != at {
		if err := s.discard(ctx, hash); err != nil {
			return err
		}
		return fmt.Errorf("%w: chunk at %d falls inside a part already in the bucket; the upload restarts from 0", blob.ErrShortPartial, offset)
	}
	h, err := hasher(u.parts[:keep])
	if err != nil {
		return err
	}
	if keep < u.durable {
		raw, err := s.save(ctx, hash, state{Upload: u.id, Parts: u.parts[:keep]})
		if err != nil {
			s.forget(hash, u)
			return err
		}
		u.read, u.durable = raw, keep
	}
	u.parts, u.h, u.hashed, u.start, u.buf = u.parts[:keep], h, nil, at, u.buf[:0]
	return nil
}

// send starts the received bytes on their way as the next part, after
// waiting for the oldest part on its way if inFlight are.
func (s *Store) send(ctx context.Context, hash string, u *upload) error {
	if u.id == "" {
		id, err := s.core.NewMultipartUpload(ctx, s.bucket, objectKey(hash), minio.PutObjectOptions{})
		if err != nil {
			return fmt.Errorf("start upload of %s: %w", hash, err)
		}
		u.id = id
	}
	if len(u.sending) == inFlight {
		if err := u.arrived(1); err != nil {
			return err
		}
	}
	data := u.buf
	p := &sending{part: part{N: len(u.parts) + len(u.sending) + 1, Size: int64(len(data))}, hashed: make(chan struct{}), done: make(chan struct{})}
	id, h, prev := u.id, u.h, u.hashed
	u.sending, u.hashed = append(u.sending, p), p.hashed
	u.start, u.buf = u.end(), nil
	go func() {
		defer close(p.done)
		// the running hash goes on while the part is sent (the part itself
		// is protected by the request's streaming signature)
		var herr error
		go func() {
			defer close(p.hashed)
			if prev != nil {
				<-prev
			}
			h.Write(data)
			p.SHA256, herr = h.(encoding.BinaryMarshaler).MarshalBinary()
		}()
		op, err := s.core.PutObjectPart(ctx, s.bucket, objectKey(hash), id, p.N, bytes.NewReader(data), p.Size, minio.PutObjectPartOptions{})
		<-p.hashed
		if err != nil {
			p.err = fmt.Errorf("part %d of upload %s: %w", p.N, hash, err)
			return
		}
		p.ETag, p.err = op.ETag, herr
		if cap(data) == bufSize {
			data = data[:0]
			partBufs.Put(&data)
		}
	}()
	return nil
}

// arrived waits for the oldest n parts on their way and moves them to
// parts; the first that failed is the error, and the upload is then to be
// forgotten.
func (u *upload) arrived(n int) error {
	var first error
	for _, p := range u.sending[:n] {
		<-p.done
		if p.err != nil && first == nil {
			first = p.err
		}
		if first == nil {
			u.parts = append(u.parts, p.part)
		}
	}
	u.sending = u.sending[n:]
	return first
}

// settle waits for every part on its way.
func (u *upload) settle() error { return u.arrived(len(u.sending)) }

// SyncPartial makes the received bytes durable: the parts on their way
// arrive, the rest goes as a part when there are enough, else as the tail
// object, and the state names them.
func (s *Store) SyncPartial(hash string) error {
	if err := checkHash(hash); err != nil {
		return err
	}
	defer s.lock(hash)()
	u := s.uploadOf(hash)
	if u == nil {
		return nil
	}
	defer s.forget(hash, u)
	ctx := context.Background()
	st := state{}
	if len(u.buf) >= minPart {
		if err := s.send(ctx, hash, u); err != nil {
			return err
		}
	}
	// while the parts are on their way: has another server changed the
	// upload since this one read it?
	raw, _, err := s.load(ctx, hash)
	if err != nil {
		return err
	}
	if !bytes.Equal(raw, u.read) {
		return errChanged
	}
	if len(u.buf) > 0 {
		if _, err := s.core.PutObject(ctx, s.bucket, tailKey(hash), bytes.NewReader(u.buf), int64(len(u.buf)), "", "", minio.PutObjectOptions{}); err != nil {
			return fmt.Errorf("tail of upload %s: %w", hash, err)
		}
		st.Tail = int64(len(u.buf))
	}
	if err := u.settle(); err != nil {
		return err
	}
	st.Upload, st.Parts = u.id, u.parts
	_, err = s.save(ctx, hash, st)
	return err
}

// Finish checks the upload's SHA-256 and only then completes media/<hash>;
// an object already there stays as it is. A completion that fails leaves
// the upload as it was, for another Finish.
func (s *Store) Finish(hash string) (int64, error) {
	if err := checkHash(hash); err != nil {
		return 0, err
	}
	defer s.lock(hash)()
	ctx := context.Background()
	u := s.uploadOf(hash)
	if u == nil {
		var err error
		if u, err = s.resume(ctx, hash, 1<<62); err != nil {
			return 0, err
		}
	}
	if u.end() == 0 {
		return 0, fmt.Errorf("no upload of %s: %w", hash, fs.ErrNotExist)
	}
	// the last part is sent while the hash is checked: only the
	// completion waits for it
	if len(u.buf) > 0 && u.id != "" {
		if err := s.send(ctx, hash, u); err != nil {
			s.forget(hash, u)
			return 0, err
		}
	}
	if err := u.settle(); err != nil {
		s.forget(hash, u)
		return 0, err
	}
	got, err := u.sum()
	if err != nil {
		return 0, err
	}
	if got != hash {
		if err := s.discard(ctx, hash); err != nil {
			return 0, err
		}
		return u.end(), &blob.MismatchError{Want: hash, Got: got}
	}
	if err := s.commit(ctx, hash, u); err != nil {
		return 0, err
	}
	return u.end(), s.discard(ctx, hash)
}

// sum is the SHA-256 of the bytes received, once no part is on its way.
func (u *upload) sum() (string, error) {
	h, err := u.h.(hash.Cloner).Clone()
	if err != nil {
		return "", err
	}
	h.Write(u.buf)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// commit makes the verified bytes media/<hash>, If-None-Match: an object
// already stored is never overwritten.
func (s *Store) commit(ctx context.Context, hash string, u *upload) error {
	if len(u.parts) == 0 {
		return s.putNew(ctx, objectKey(hash), bytes.NewReader(u.buf), int64(len(u.buf)), hash)
	}
	parts := make([]minio.CompletePart, len(u.parts))
	for i, p := range u.parts {
		parts[i] = minio.CompletePart{PartNumber: p.N, ETag: p.ETag}
	}
	opts := minio.PutObjectOptions{}
	opts.SetMatchETagExcept("*")
	if _, err := s.core.CompleteMultipartUpload(ctx, s.bucket, objectKey(hash), u.id, parts, opts); err != nil && !exists(err) {
		return fmt.Errorf("complete upload of %s: %w", hash, err)
	}
	return nil
}

// Discard drops an unfinished upload.
func (s *Store) Discard(hash string) error {
	if err := checkHash(hash); err != nil {
		return err
	}
	defer s.lock(hash)()
	return s.discard(context.Background(), hash)
}

// discard forgets the upload, aborts every multipart upload of
// media/<hash> (also one whose state a crash did not save) and removes the
// state and the tail, all at once.
func (s *Store) discard(ctx context.Context, hash string) error {
	if u := s.uploadOf(hash); u != nil {
		s.forget(hash, u)
	}
	key := objectKey(hash)
	errs := make(chan error, 3)
	go func() {
		res, err := s.core.ListMultipartUploads(ctx, s.bucket, key, "", "", "", 1000)
		if err != nil {
			errs <- fmt.Errorf("list uploads of %s: %w", hash, err)
			return
		}
		for _, u := range res.Uploads {
			if u.Key != key {
				continue
			}
			if err := s.core.AbortMultipartUpload(ctx, s.bucket, key, u.UploadID); err != nil && !notFound(err) {
				errs <- fmt.Errorf("abort upload of %s: %w", hash, err)
				return
			}
		}
		errs <- nil
	}()
	for _, k := range []string{stateKey(hash), tailKey(hash)} {
		go func() {
			if err := s.core.RemoveObject(ctx, s.bucket, k, minio.RemoveObjectOptions{}); err != nil && !notFound(err) {
				errs <- fmt.Errorf("remove %s: %w", k, err)
				return
			}
			errs <- nil
		}()
	}
	return errors.Join(<-errs, <-errs, <-errs)
}

var errChanged = errors.New("the partial upload changed in the bucket while this server held unsent bytes of it")
