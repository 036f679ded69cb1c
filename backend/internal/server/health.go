package server

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
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
