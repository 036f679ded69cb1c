package s3

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"hash"
	"io"
	"io/fs"

	"github.com/minio/minio-go/v7"

	"lawtrace/shared/blob"
)

// An unfinished upload of media/<hash> lives in the bucket as an S3
// multipart upload of whole parts plus, when a sync came before a part was
// full, a short tail object; partial/<hash>/state names the upload, its
// parts and the SHA-256 state after each part, so the hash is checked as
// the bytes arrive and the object is completed only when it matches.
// Received bytes wait in memory until they make a part or a sync comes
// (at most a part and a chunk per upload), as the folder's wait in the
// page cache: WriteChunk is durable only after SyncPartial.
const (
	partSize = 8 << 20 // received bytes that make a part at once
	minPart  = 5 << 20 // S3's smallest part but the last
)

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

// partsEnd is where the tail starts.
func (st *state) partsEnd() int64 {
	var n int64
	for _, p := range st.Parts {
		n += p.Size
	}
	return n
}

// hasher is the SHA-256 of the bytes in the parts.
func (st *state) hasher() (hash.Hash, error) {
	h := sha256.New()
	if len(st.Parts) == 0 {
		return h, nil
	}
	if err := h.(encoding.BinaryUnmarshaler).UnmarshalBinary(st.Parts[len(st.Parts)-1].SHA256); err != nil {
		return nil, fmt.Errorf("upload state: %w", err)
	}
	return h, nil
}

// pending is received bytes from start not yet in the bucket; keep is how
// many of the durable parts they follow.
type pending struct {
	start int64
	keep  int
	buf   []byte
}

func (p *pending) end() int64 { return p.start + int64(len(p.buf)) }

func (s *Store) load(ctx context.Context, hash string) (state, error) {
	var st state
	rc, _, _, err := s.core.GetObject(ctx, s.bucket, stateKey(hash), minio.GetObjectOptions{})
	if notFound(err) {
		return st, nil
	}
	if err != nil {
		return st, err
	}
	defer rc.Close()
	if err := json.NewDecoder(rc).Decode(&st); err != nil {
		return st, fmt.Errorf("upload state of %s: %w", hash, err)
	}
	return st, nil
}

func (s *Store) save(ctx context.Context, hash string, st state) error {
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	_, err = s.core.PutObject(ctx, s.bucket, stateKey(hash), bytes.NewReader(b), int64(len(b)), "", "", minio.PutObjectOptions{ContentType: "application/json"})
	return err
}

func (s *Store) readTail(ctx context.Context, hash string, n int64) ([]byte, error) {
	if n == 0 {
		return nil, nil
	}
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

// PartialSize is how many bytes of the upload this store holds.
func (s *Store) PartialSize(hash string) (int64, error) {
	if err := checkHash(hash); err != nil {
		return 0, err
	}
	defer s.lock(hash)()
	if p := s.pendingOf(hash); p != nil {
		return p.end(), nil
	}
	st, err := s.load(context.Background(), hash)
	return st.partsEnd() + st.Tail, err
}

func (s *Store) pendingOf(hash string) *pending {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.pending[hash]
}

func (s *Store) setPending(hash string, p *pending) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p == nil {
		delete(s.pending, hash)
	} else {
		s.pending[hash] = p
	}
}

// WriteChunk puts data at offset, dropping what the upload held beyond it.
func (s *Store) WriteChunk(hash string, offset int64, data []byte) error {
	if err := checkHash(hash); err != nil {
		return err
	}
	defer s.lock(hash)()
	ctx := context.Background()
	p := s.pendingOf(hash)
	if p != nil && offset > p.end() {
		return fmt.Errorf("%w: %d bytes received, chunk at %d", blob.ErrShortPartial, p.end(), offset)
	}
	if p == nil || offset < p.start {
		s.setPending(hash, nil)
		st, err := s.load(ctx, hash)
		if err != nil {
			return err
		}
		if size := st.partsEnd() + st.Tail; offset > size {
			return fmt.Errorf("%w: %d bytes stored, chunk at %d", blob.ErrShortPartial, size, offset)
		}
		keep, at := 0, int64(0)
		for keep < len(st.Parts) && at+st.Parts[keep].Size <= offset {
			at += st.Parts[keep].Size
			keep++
		}
		if keep < len(st.Parts) && offset != at {
			// inside a part already sent: its bytes cannot be read back
			if err := s.discard(ctx, hash); err != nil {
				return err
			}
			return fmt.Errorf("%w: chunk at %d falls inside a part already in the bucket; the upload restarts from 0", blob.ErrShortPartial, offset)
		}
		p = &pending{start: offset, keep: keep, buf: make([]byte, 0, partSize+len(data))}
		s.setPending(hash, p)
	}
	p.buf = append(p.buf[:offset-p.start], data...)
	if len(p.buf) >= partSize {
		return s.flush(ctx, hash)
	}
	return nil
}

// SyncPartial sends the received bytes to the bucket: a part when there
// are enough, else the tail object.
func (s *Store) SyncPartial(hash string) error {
	if err := checkHash(hash); err != nil {
		return err
	}
	defer s.lock(hash)()
	if s.pendingOf(hash) == nil {
		return nil
	}
	return s.flush(context.Background(), hash)
}

// collect is the durable state, its hasher, and the bytes after its parts
// (tail and pending) that are not yet in a part.
func (s *Store) collect(ctx context.Context, hash string) (state, hash.Hash, []byte, error) {
	st, err := s.load(ctx, hash)
	if err != nil {
		return st, nil, nil, err
	}
	p := s.pendingOf(hash)
	if p == nil {
		p = &pending{start: st.partsEnd() + st.Tail, keep: len(st.Parts)}
	}
	if p.keep > len(st.Parts) {
		s.setPending(hash, nil)
		return st, nil, nil, errChanged
	}
	if p.keep < len(st.Parts) {
		st.Parts, st.Tail = st.Parts[:p.keep], 0
	}
	from := st.partsEnd()
	if p.start < from || p.start > from+st.Tail {
		s.setPending(hash, nil)
		return st, nil, nil, errChanged
	}
	h, err := st.hasher()
	if err != nil {
		return st, nil, nil, err
	}
	tail, err := s.readTail(ctx, hash, p.start-from)
	if err != nil {
		return st, nil, nil, err
	}
	if len(tail) == 0 {
		return st, h, p.buf, nil
	}
	return st, h, append(tail, p.buf...), nil
}

func (s *Store) flush(ctx context.Context, hash string) error {
	st, h, data, err := s.collect(ctx, hash)
	if err != nil {
		return err
	}
	if len(data) < minPart {
		if _, err := s.core.PutObject(ctx, s.bucket, tailKey(hash), bytes.NewReader(data), int64(len(data)), "", "", minio.PutObjectOptions{}); err != nil {
			return fmt.Errorf("tail of upload %s: %w", hash, err)
		}
		st.Tail = int64(len(data))
	} else {
		if err := s.addPart(ctx, hash, &st, h, data); err != nil {
			return err
		}
		st.Tail = 0
	}
	if err := s.save(ctx, hash, st); err != nil {
		return err
	}
	s.setPending(hash, nil)
	return nil
}

// addPart sends data as the next part and records the hash's state after
// it (h nil: the last part, whose state nobody reads).
func (s *Store) addPart(ctx context.Context, hash string, st *state, h hash.Hash, data []byte) error {
	if st.Upload == "" {
		id, err := s.core.NewMultipartUpload(ctx, s.bucket, objectKey(hash), minio.PutObjectOptions{})
		if err != nil {
			return fmt.Errorf("start upload of %s: %w", hash, err)
		}
		st.Upload = id
	}
	n := len(st.Parts) + 1
	// the running hash goes on while the part is sent (the part itself is
	// protected by the request's streaming signature)
	var hs []byte
	hashed := make(chan error, 1)
	go func() {
		if h == nil {
			hashed <- nil
			return
		}
		h.Write(data)
		var err error
		hs, err = h.(encoding.BinaryMarshaler).MarshalBinary()
		hashed <- err
	}()
	op, err := s.core.PutObjectPart(ctx, s.bucket, objectKey(hash), st.Upload, n, bytes.NewReader(data), int64(len(data)), minio.PutObjectPartOptions{})
	if herr := <-hashed; herr != nil {
		return herr
	}
	if err != nil {
		return fmt.Errorf("part %d of upload %s: %w", n, hash, err)
	}
	st.Parts = append(st.Parts, part{N: n, ETag: op.ETag, Size: int64(len(data)), SHA256: hs})
	return nil
}

// Finish checks the upload's SHA-256 and only then completes media/<hash>;
// an object already there stays as it is.
func (s *Store) Finish(hash string) (int64, error) {
	if err := checkHash(hash); err != nil {
		return 0, err
	}
	defer s.lock(hash)()
	ctx := context.Background()
	st, h, data, err := s.collect(ctx, hash)
	if err != nil {
		return 0, err
	}
	if len(st.Parts) == 0 && len(data) == 0 {
		return 0, fmt.Errorf("no upload of %s: %w", hash, fs.ErrNotExist)
	}
	size := st.partsEnd() + int64(len(data))
	h.Write(data)
	if got := hex.EncodeToString(h.Sum(nil)); got != hash {
		if err := s.discard(ctx, hash); err != nil {
			return 0, err
		}
		return size, &blob.MismatchError{Want: hash, Got: got}
	}
	if err := s.commit(ctx, hash, st, data); err != nil {
		return 0, err
	}
	return size, s.discard(ctx, hash)
}

// commit makes the verified bytes media/<hash>, If-None-Match: an object
// already stored is never overwritten.
func (s *Store) commit(ctx context.Context, hash string, st state, last []byte) error {
	if ok, err := s.Has(hash); err != nil || ok {
		return err
	}
	if len(st.Parts) == 0 {
		return s.putNew(ctx, objectKey(hash), bytes.NewReader(last), int64(len(last)), hash)
	}
	if len(last) > 0 {
		if err := s.addPart(ctx, hash, &st, nil, last); err != nil {
			return err
		}
	}
	parts := make([]minio.CompletePart, len(st.Parts))
	for i, p := range st.Parts {
		parts[i] = minio.CompletePart{PartNumber: p.N, ETag: p.ETag}
	}
	opts := minio.PutObjectOptions{}
	opts.SetMatchETagExcept("*")
	if _, err := s.core.CompleteMultipartUpload(ctx, s.bucket, objectKey(hash), st.Upload, parts, opts); err != nil && !exists(err) {
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

// discard aborts every multipart upload of media/<hash> (also one whose
// state a crash did not save) and removes the state and the tail.
func (s *Store) discard(ctx context.Context, hash string) error {
	s.setPending(hash, nil)
	key := objectKey(hash)
	res, err := s.core.ListMultipartUploads(ctx, s.bucket, key, "", "", "", 1000)
	if err != nil {
		return fmt.Errorf("list uploads of %s: %w", hash, err)
	}
	for _, u := range res.Uploads {
		if u.Key != key {
			continue
		}
		if err := s.core.AbortMultipartUpload(ctx, s.bucket, key, u.UploadID); err != nil && !notFound(err) {
			return fmt.Errorf("abort upload of %s: %w", hash, err)
		}
	}
	for _, k := range []string{stateKey(hash), tailKey(hash)} {
		if err := s.core.RemoveObject(ctx, s.bucket, k, minio.RemoveObjectOptions{}); err != nil && !notFound(err) {
			return err
		}
	}
	return nil
}
