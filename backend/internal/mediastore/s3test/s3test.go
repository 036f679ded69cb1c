// Package s3test starts a real S3 server for tests — the versitygw gateway over a temporary folder, built once from the Go module proxy into a cache — and stops it when the test ends.
package s3test

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"lawtrace/shared/testtool"
)

// Version is the pinned versitygw release the tests run.
const Version = "v1.8.0"

const pkg = "github.com/versity/versitygw/cmd/versitygw"

// Server is one running S3 server with one bucket.
type Server struct {
	Endpoint             string // 127.0.0.1:PORT
	AccessKey, SecretKey string
	Bucket               string
	Dir                  string // the folder the gateway stores buckets in

	stop func()
}

// Stop kills the server before the test ends (an object store gone).
func (s *Server) Stop() { s.stop() }

// URL is the server's bucket as lawtrace-server --media takes it.
func (s *Server) URL() string {
	return fmt.Sprintf("s3://%s:%s@%s/%s?secure=false", s.AccessKey, s.SecretKey, s.Endpoint, s.Bucket)
}

// Client is a minio client of the server.
func (s *Server) Client(t testing.TB) *minio.Client {
	t.Helper()
	c, err := minio.New(s.Endpoint, &minio.Options{Creds: credentials.NewStaticV4(s.AccessKey, s.SecretKey, "")})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// Binary is the versitygw binary: $LAWTRACE_S3_BIN, else built once into
// $(go env GOCACHE)/../lawtrace-s3/versitygw-VERSION/ and reused. A
// missing or unbuildable binary skips the test, or fails it under CI=true.
func Binary(t testing.TB) string {
	t.Helper()
	if p := os.Getenv("LAWTRACE_S3_BIN"); p != "" {
		return p
	}
	buildOnce.Do(func() { binPath, buildErr = Build() })
	if buildErr != nil {
		testtool.Missing(t, "the S3 test server versitygw "+Version+" cannot be built: "+buildErr.Error())
	}
	return binPath
}

// Build returns the cached binary, running go install through the module
// proxy first if it is not there; a lock file keeps parallel test binaries
// from building it twice.
func Build() (string, error) {
	goBin, err := exec.LookPath("go")
	if err != nil {
		return "", err
	}
	out, err := exec.Command(goBin, "env", "GOCACHE").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOCACHE: %w", err)
	}
	dir := filepath.Join(filepath.Dir(strings.TrimSpace(string(out))), "lawtrace-s3", "versitygw-"+Version)
	bin := filepath.Join(dir, "versitygw")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	lock, err := os.OpenFile(filepath.Join(dir, ".lock"), os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return "", err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX); err != nil {
		return "", err
	}
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	cmd := exec.Command(goBin, "install", pkg+"@"+Version)
	cmd.Dir = dir // outside any module: the pinned version alone decides
	cmd.Env = append(os.Environ(), "GOBIN="+dir, "GOFLAGS=", "GOWORK=off")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go install %s@%s: %v\n%s", pkg, Version, err, out)
	}
	return bin, nil
}

// Start runs a fresh server on a free loopback port over a temporary
// folder, waits until it answers, creates a bucket and stops it at the
// end of the test.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := Binary(t)
	s := &Server{AccessKey: "lawtrace" + randHex(4), SecretKey: randHex(16), Bucket: "media", Dir: t.TempDir()}
	var err error
	for range 3 { // a port found free can be taken before the server binds it
		if err = s.run(t, bin); err == nil {
			break
		}
	}
	if err != nil {
		t.Fatalf("start versitygw: %v", err)
	}
	if err := s.Client(t).MakeBucket(context.Background(), s.Bucket, minio.MakeBucketOptions{}); err != nil {
		t.Fatalf("create bucket: %v", err)
	}
	return s
}

func (s *Server) run(t testing.TB, bin string) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	s.Endpoint = ln.Addr().String()
	ln.Close()
	logf, err := os.CreateTemp(t.TempDir(), "versitygw-*.log")
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(bin, "--access", s.AccessKey, "--secret", s.SecretKey, "--port", s.Endpoint, "--quiet", "posix", s.Dir)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		return err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			_ = cmd.Process.Kill()
			<-exited
		})
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		select {
		case err := <-exited:
			b, _ := os.ReadFile(logf.Name())
			return fmt.Errorf("versitygw exited (%v):\n%s", err, b)
		default:
		}
		if resp, err := http.Get("http://" + s.Endpoint + "/"); err == nil {
			resp.Body.Close()
			s.stop = stop
			t.Cleanup(stop)
			return nil
		}
		if time.Now().After(deadline) {
			stop()
			return fmt.Errorf("versitygw did not answer on %s within 30s", s.Endpoint)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func randHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
