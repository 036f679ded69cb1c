package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"lawtrace/shared/syncproto"
)

// DefaultMinFreeBytes is the free space below which /healthz reports the
// server unavailable (issue 13 finding 9): enough for a few large videos
// in flight and the database's WAL; LAWTRACE_MIN_FREE_MB or
// Config.MinFreeBytes change it.
const DefaultMinFreeBytes = 256 << 20

// minFreeFromEnv reads LAWTRACE_MIN_FREE_MB (0 when unset or not a number).
func minFreeFromEnv() uint64 {
	n, err := strconv.ParseUint(os.Getenv("LAWTRACE_MIN_FREE_MB"), 10, 64)
	if err != nil {
		return 0
	}
	return n << 20
}

// setInstance fixes the instance id once listening (the configured one,
// else hostname/listen address) and labels the metrics with it (issue 14).
func (m *Main) setInstance() {
	m.Instance = m.cfg.Instance
	if m.Instance == "" {
		host, err := os.Hostname()
		if err != nil {
			host = "localhost"
		}
		m.Instance = host + "/" + m.ln.Addr().String()
	}
	m.Metrics.SetInstance(m.Instance)
}

// healthz answers 200 when this instance can take evidence — the
// database answers a query, the log's tree head reads, the media bucket
// answers, the data directory has room and takes a write — and 503 with
// the reason otherwise; both name the instance (SPEC X2, X3).
func (m *Main) healthz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	unavailable := func(err error, extra map[string]any) {
		m.log.Error("healthz: unavailable", "instance", m.Instance, "err", err)
		v := map[string]any{"status": "unavailable", "instance": m.Instance, "error": err.Error()}
		for k, x := range extra {
			v[k] = x
		}
		writeJSON(w, http.StatusServiceUnavailable, v)
	}
	if err := m.Data.Store.Ping(ctx); err != nil {
		unavailable(fmt.Errorf("数据库不可用 (database: %v)", err), nil)
		return
	}
	th, err := m.Data.Store.TreeHead(ctx)
	if err != nil {
		unavailable(fmt.Errorf("数据库无法读取日志树头 (database: tree head: %v)", err), nil)
		return
	}
	if p, ok := m.Data.Blobs.(interface{ Ping(context.Context) error }); ok { // the media bucket (SPEC X2)
		if err := p.Ping(ctx); err != nil {
			unavailable(fmt.Errorf("媒体存储不可用 (media store: %v)", err), nil)
			return
		}
	}
	free, err := diskHealth(m.Data.Dir, m.cfg.MinFreeBytes)
	if err != nil {
		unavailable(err, map[string]any{"free_bytes": free, "min_free_bytes": m.cfg.MinFreeBytes})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "instance": m.Instance, "server_id": m.Data.ServerID(), "tree_size": th.Size,
		"connections": m.Sync.Live(), "protocol": syncproto.ProtocolVersion, "free_bytes": free, "min_free_bytes": m.cfg.MinFreeBytes})
}

// diskHealth checks the data directory can still take evidence: the file
// system's free space (for an unprivileged process) is at least minFree,
// and a small probe file can be written and fsynced. It returns the free
// bytes and, when unhealthy, the reason in Chinese and English for the
// operator.
func diskHealth(dir string, minFree uint64) (free uint64, err error) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, fmt.Errorf("数据目录无法读取剩余空间 (statfs %s: %v)", dir, err)
	}
	free = st.Bavail * uint64(st.Bsize)
	if free < minFree {
		return free, fmt.Errorf("数据目录剩余空间不足：剩余 %d MiB，低于 %d MiB (disk space low: %d bytes free, threshold %d)", free>>20, minFree>>20, free, minFree)
	}
	if err := probeWrite(dir); err != nil {
		return free, fmt.Errorf("数据目录写入测试失败 (probe write: %v)", err)
	}
	return free, nil
}

// probeWrite writes, fsyncs and removes a small file in dir.
func probeWrite(dir string) error {
	p := filepath.Join(dir, ".healthz-probe")
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	_, werr := f.Write(make([]byte, 4096))
	serr := f.Sync()
	cerr := f.Close()
	rerr := os.Remove(p)
	return errors.Join(werr, serr, cerr, rerr)
}
