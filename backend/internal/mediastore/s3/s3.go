// Package s3 keeps media in an S3-compatible object store through minio-go: objects by SHA-256 under media/<hash>, never overwritten, resumable uploads as multipart uploads whose parts go out in the background while the next fill, verified before they are completed (SPEC X2, R3, S3).
package s3

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"lawtrace/shared/blob"
)

// Config says which bucket of which server.
type Config struct {
	Endpoint             string // host:port
	AccessKey, SecretKey string
	Bucket               string
	Secure               bool // https
}

// ParseURL reads s3://ACCESS:SECRET@HOST:PORT/BUCKET[?secure=false].
func ParseURL(raw string) (Config, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return Config{}, fmt.Errorf("media URL: %w", err)
	}
	if u.Scheme != "s3" {
		return Config{}, fmt.Errorf("media URL %q: want s3://ACCESS:SECRET@HOST:PORT/BUCKET", u.Redacted())
	}
	secret, _ := u.User.Password()
	c := Config{Endpoint: u.Host, AccessKey: u.User.Username(), SecretKey: secret, Bucket: strings.Trim(u.Path, "/"), Secure: true}
	if v := u.Query().Get("secure"); v != "" {
		if c.Secure, err = strconv.ParseBool(v); err != nil {
			return Config{}, fmt.Errorf("media URL %q: secure=%q is not true or false", u.Redacted(), v)
		}
	}
	if c.Endpoint == "" || c.Bucket == "" || strings.Contains(c.Bucket, "/") || c.AccessKey == "" || c.SecretKey == "" {
		return Config{}, fmt.Errorf("media URL %q: want s3://ACCESS:SECRET@HOST:PORT/BUCKET", u.Redacted())
	}
	return c, nil
}

// Store is a blob.Store in one bucket.
type Store struct {
	core   minio.Core
	bucket string

	mu      sync.Mutex
	locks   map[string]*hashLock // one per hash being worked on
	uploads map[string]*upload   // received and not yet durable
}

var _ blob.Store = (*Store)(nil)

// Open connects to the bucket and checks that it exists.
func Open(ctx context.Context, c Config) (*Store, error) {
	cl, err := minio.New(c.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(c.AccessKey, c.SecretKey, ""), Secure: c.Secure})
	if err != nil {
		return nil, fmt.Errorf("media store %s: %w", c.Endpoint, err)
	}
	ok, err := cl.BucketExists(ctx, c.Bucket)
	if err != nil {
		return nil, fmt.Errorf("media store %s: %w", c.Endpoint, err)
	}
	if !ok {
		return nil, fmt.Errorf("media store %s has no bucket %q; create it first", c.Endpoint, c.Bucket)
	}
	return &Store{core: minio.Core{Client: cl}, bucket: c.Bucket, locks: map[string]*hashLock{}, uploads: map[string]*upload{}}, nil
}

// OpenURL opens the store an s3:// URL names.
func OpenURL(ctx context.Context, raw string) (*Store, error) {
	c, err := ParseURL(raw)
	if err != nil {
		return nil, err
	}
	return Open(ctx, c)
}

// Ping checks that the bucket answers, for /healthz.
func (s *Store) Ping(ctx context.Context) error {
	ok, err := s.core.BucketExists(ctx, s.bucket)
	if err == nil && !ok {
		err = fmt.Errorf("bucket %q is gone", s.bucket)
	}
	return err
}

func objectKey(hash string) string { return "media/" + hash }

func checkHash(h string) error {
	if len(h) != 64 || strings.Trim(h, "0123456789abcdef") != "" {
		return fmt.Errorf("%q is not a SHA-256 hex hash", h)
	}
	return nil
}

func notFound(err error) bool {
	code := minio.ToErrorResponse(err).Code
	return code == "NoSuchKey" || code == "NotFound" || code == "NoSuchUpload"
}

// exists says the server refused a write because the object is there.
func exists(err error) bool {
	return minio.ToErrorResponse(err).StatusCode == http.StatusPreconditionFailed
}

// size is the stored object's size; ok is false when it is absent.
func (s *Store) size(ctx context.Context, key string) (int64, bool, error) {
	info, err := s.core.StatObject(ctx, s.bucket, key, minio.StatObjectOptions{})
	if notFound(err) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	return info.Size, true, nil
}

// Has reports whether the verified file is stored.
func (s *Store) Has(hash string) (bool, error) {
	if err := checkHash(hash); err != nil {
		return false, err
	}
	_, ok, err := s.size(context.Background(), objectKey(hash))
	return ok, err
}

// Open opens a stored file; the reader seeks and reads at offsets with
// ranged GETs, as the players' range requests need.
func (s *Store) Open(hash string) (io.ReadCloser, error) {
	if checkHash(hash) != nil {
		return nil, fs.ErrNotExist
	}
	obj, err := s.core.Client.GetObject(context.Background(), s.bucket, objectKey(hash), minio.GetObjectOptions{})
	if err != nil {
		return nil, err
	}
	if _, err := obj.Stat(); err != nil {
		obj.Close()
		if notFound(err) {
			return nil, fmt.Errorf("media %s: %w", hash, fs.ErrNotExist)
		}
		return nil, err
	}
	return obj, nil
}

// putNew stores an object unless one is there already (If-None-Match).
func (s *Store) putNew(ctx context.Context, key string, r io.Reader, size int64, sha string) error {
	opts := minio.PutObjectOptions{}
	opts.SetMatchETagExcept("*")
	_, err := s.core.PutObject(ctx, s.bucket, key, r, size, "", sha, opts)
	if exists(err) {
		return nil
	}
	return err
}

// Put stores a whole file: staged in a local temporary file while it is
// hashed, then sent once under its hash unless that object exists.
func (s *Store) Put(r io.Reader) (string, int64, error) {
	tmp, err := os.CreateTemp("", "lawtrace-media-*")
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
	hash := hex.EncodeToString(h.Sum(nil))
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return "", 0, err
	}
	ctx := context.Background()
	if ok, err := s.Has(hash); err != nil || ok {
		return hash, n, err
	}
	if err := s.putNew(ctx, objectKey(hash), tmp, n, hash); err != nil {
		return "", 0, fmt.Errorf("store media %s: %w", hash, err)
	}
	return hash, n, nil
}

type hashLock struct {
	sync.Mutex
	users int
}

// lock takes the store's lock for one hash; the returned func releases it.
func (s *Store) lock(hash string) (unlock func()) {
	s.mu.Lock()
	l, ok := s.locks[hash]
	if !ok {
		l = new(hashLock)
		s.locks[hash] = l
	}
	l.users++
	s.mu.Unlock()
	l.Lock()
	return func() {
		l.Unlock()
		s.mu.Lock()
		if l.users--; l.users == 0 {
			delete(s.locks, hash)
		}
		s.mu.Unlock()
	}
}
