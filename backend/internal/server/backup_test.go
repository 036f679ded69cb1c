package server

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"lawtrace/backend/internal/store"
	"lawtrace/shared/syncproto"
)

// SPEC X3: a backup taken while the server runs restores into a new
// directory with every file verified, the same log, the media, and a new
// restore epoch recorded as a signed security event.
func TestBackupRestoresEveryFile(t *testing.T) {
	m, hash := setup(t)
	ctx := context.Background()
	var buf bytes.Buffer
	man, err := Backup(ctx, m.Data, &buf, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	th, err := m.Data.Store.TreeHead(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if man.TreeHead.Size != th.Size || man.Entries != int(th.Size) || len(man.Files) != 3 || man.Files[2].Path != "media/"+hash[:2]+"/"+hash {
		t.Fatalf("manifest %+v, log %d", man, th.Size)
	}
	dir := filepath.Join(t.TempDir(), "restored")
	r, err := Restore(ctx, bytes.NewReader(buf.Bytes()), dir, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	d, err := OpenData(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	rth, err := d.Store.TreeHead(ctx)
	if err != nil || rth.Size != th.Size || !bytes.Equal(rth.Root, th.Root) {
		t.Fatalf("restored log %+v %v, want size %d", rth, err, th.Size)
	}
	if ok, err := d.Blobs.Has(hash); !ok || err != nil {
		t.Fatalf("restored media %v %v", ok, err)
	}
	if epoch, err := d.Store.Setting(ctx, store.EpochSetting); err != nil || epoch != r.Epoch || len(epoch) != 32 {
		t.Fatalf("epoch %q %v, restore said %q", epoch, err, r.Epoch)
	}
	evs, err := d.Store.SecurityEvents(ctx, 10)
	if err != nil || len(evs) == 0 || evs[0].Kind != store.KindDataRestored || !strings.Contains(evs[0].Detail, "备份恢复") {
		t.Fatalf("security events %+v %v", evs, err)
	}
	var ev restoreEvidence
	if err := json.Unmarshal([]byte(evs[0].Evidence), &ev); err != nil {
		t.Fatal(err)
	}
	if !ed25519.Verify(m.Data.Key.Public().(ed25519.PublicKey), syncproto.RestoreMessage(ev.Epoch, ev.BackupAt, ev.TreeHead), ev.Signature) || ev.Epoch != r.Epoch {
		t.Fatalf("restore evidence does not verify: %+v", ev)
	}
	// A second restore of the same backup gets an epoch of its own, and
	// never lands on a directory that holds files.
	if _, err := Restore(ctx, bytes.NewReader(buf.Bytes()), dir, "", nil); !errors.Is(err, ErrNotEmpty) {
		t.Fatalf("restore over a data directory: %v", err)
	}
	r2, err := Restore(ctx, bytes.NewReader(buf.Bytes()), t.TempDir(), "", nil)
	if err != nil || r2.Epoch == r.Epoch {
		t.Fatalf("second restore %v, epochs %s %s", err, r.Epoch, r2.Epoch)
	}
}

// SPEC X3: a damaged or doctored archive is refused, and the target
// directory is left empty.
func TestRestoreRefusesDamagedBackups(t *testing.T) {
	m, _ := setup(t)
	var buf bytes.Buffer
	if _, err := Backup(context.Background(), m.Data, &buf, t.TempDir()); err != nil {
		t.Fatal(err)
	}
	good := readTar(t, buf.Bytes())
	for _, tc := range []struct {
		name, want string
		edit       func(files []tarFile) []tarFile
	}{
		{"a media byte flipped", "hashing to", func(fs []tarFile) []tarFile { fs[3].body[10] ^= 1; return fs }},
		{"the database truncated", "hashing to", func(fs []tarFile) []tarFile { fs[1].body = fs[1].body[:len(fs[1].body)-1]; return fs }},
		{"a file missing", "misses", func(fs []tarFile) []tarFile { return fs[:3] }},
		{"a file added", "does not list", func(fs []tarFile) []tarFile { return append(fs, tarFile{"media/x", []byte("x")}) }},
		{"a path outside", "not a data directory file", func(fs []tarFile) []tarFile {
			var man Manifest
			_ = json.Unmarshal(fs[0].body, &man)
			man.Files[2].Path = "../../etc/x"
			fs[0].body, _ = json.Marshal(man)
			return fs
		}},
		{"no manifest", "not a LawTrace backup", func(fs []tarFile) []tarFile { return fs[1:] }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			files := make([]tarFile, len(good))
			for i, f := range good {
				files[i] = tarFile{f.name, bytes.Clone(f.body)}
			}
			dir := t.TempDir()
			_, err := Restore(context.Background(), bytes.NewReader(writeTar(t, tc.edit(files))), dir, "", nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("restore: %v, want %q", err, tc.want)
			}
			if left, _ := os.ReadDir(dir); len(left) != 0 {
				t.Fatalf("restore left %d files behind", len(left))
			}
		})
	}
}

type tarFile struct {
	name string
	body []byte
}

func readTar(t *testing.T, b []byte) []tarFile {
	var out []tarFile
	tr := tar.NewReader(bytes.NewReader(b))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		body, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, tarFile{h.Name, body})
	}
}

func writeTar(t *testing.T, files []tarFile) []byte {
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o600, Size: int64(len(f.body)), Typeflag: tar.TypeReg}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(f.body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
