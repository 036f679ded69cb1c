package server

import (
	"archive/tar"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"lawtrace/backend/internal/store"
	"lawtrace/backend/internal/store/sqlite"
	"lawtrace/shared/blob"
	"lawtrace/shared/syncproto"
)

// A backup is one tar archive: manifest.json first, then every file it
// lists — the database copied with SQLite's online backup API, the server
// key and each stored media file — each with its size and SHA-256, so a
// restore verifies every byte before the data directory is used (SPEC X3).
// Unfinished uploads (media/partial) and staging files are not kept: the
// terminals send those again.

// BackupFormat names the archive layout.
const BackupFormat = "lawtrace-backup-v1"

// Manifest describes a backup.
type Manifest struct {
	Format    string    `json:"format"`
	CreatedAt time.Time `json:"created_at"`
	ServerID  string    `json:"server_id"`
	// Epoch is the data directory's restore epoch when the backup was
	// taken ("" for one never restored).
	Epoch string `json:"epoch,omitempty"`
	// TreeHead is the log as the copied database holds it.
	TreeHead syncproto.TreeHead `json:"tree_head"`
	Entries  int                `json:"entries"`
	// Database is "postgres" for a pg_dump of a PostgreSQL store (file
	// lawtrace.pgdump), "" for the SQLite file lawtrace.db.
	Database string       `json:"database,omitempty"`
	Files    []BackupFile `json:"files"`
	// Bucket lists the media kept in an S3-compatible bucket, by object
	// name (the SHA-256): not in the archive, the bucket's own versioning
	// keeps them; a restore checks the bucket still holds each.
	Bucket []BackupFile `json:"bucket,omitempty"`
}

// BackupFile is one file of the archive, by its path in the data directory.
type BackupFile struct {
	Path   string `json:"path"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

const (
	manifestName = "manifest.json"
	dbName       = "lawtrace.db"
	pgDumpName   = "lawtrace.pgdump"
	keyName      = "server.key"
	mediaDir     = "media"
)

// Backup writes a backup of the open data directory to w while the server
// may keep running. scratch is a directory for the database copy (the
// output file's directory: the copy needs as much room as the database).
func Backup(ctx context.Context, d *Data, w io.Writer, scratch string) (Manifest, error) {
	tmp, err := os.MkdirTemp(scratch, ".lawtrace-backup-")
	if err != nil {
		return Manifest{}, err
	}
	defer os.RemoveAll(tmp)
	snap := filepath.Join(tmp, dbName)
	var st any = d.Store
	snapper, ok := st.(interface {
		Snapshot(ctx context.Context, dest string) error
	})
	if !ok {
		return Manifest{}, errors.New("this backup copies the SQLite store; back a PostgreSQL store up with BackupPostgres (backup --db postgres://…)")
	}
	if err := snapper.Snapshot(ctx, snap); err != nil {
		return Manifest{}, err
	}
	m := Manifest{Format: BackupFormat, CreatedAt: d.Now().UTC(), ServerID: d.ServerID()}
	if err := describeSnapshot(ctx, snap, &m); err != nil {
		return Manifest{}, err
	}
	return m, finishBackup(ctx, d, w, &m, dbName, snap)
}

// finishBackup lists the database copy (archive name dbFile, on disk at
// dbPath), the server key and the media in m and writes the archive.
func finishBackup(ctx context.Context, d *Data, w io.Writer, m *Manifest, dbFile, dbPath string) error {
	sources := map[string]string{dbFile: dbPath, keyName: filepath.Join(d.Dir, keyName)}
	for _, name := range []string{dbFile, keyName} {
		f, err := hashFile(sources[name])
		if err != nil {
			return err
		}
		f.Path = name
		m.Files = append(m.Files, f)
	}
	if err := addMedia(ctx, d, m, sources); err != nil {
		return err
	}
	return writeArchive(ctx, w, *m, sources)
}

// writeArchive writes the manifest and then every file it lists, read
// from sources (archive path to file on disk).
func writeArchive(ctx context.Context, w io.Writer, m Manifest, sources map[string]string) error {
	tw := tar.NewWriter(w)
	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	if err := tw.WriteHeader(&tar.Header{Name: manifestName, Mode: 0o600, Size: int64(len(body)), ModTime: m.CreatedAt, Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	if _, err := tw.Write(body); err != nil {
		return err
	}
	for _, f := range m.Files {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := copyIntoTar(tw, f, sources[f.Path], m.CreatedAt); err != nil {
			return err
		}
	}
	return tw.Close()
}

// addMedia lists the media: the files of the media folder go into the
// archive; media in a bucket are listed by object (from the store's record
// of stored files) for the restore to check.
func addMedia(ctx context.Context, d *Data, m *Manifest, sources map[string]string) error {
	folder, ok := d.Blobs.(*blob.Folder)
	if !ok {
		files, err := d.Store.MediaFiles(ctx)
		if err != nil {
			return err
		}
		for _, f := range files {
			m.Bucket = append(m.Bucket, BackupFile{Path: "media/" + f.Hash, Size: f.Size, SHA256: f.Hash})
		}
		return nil
	}
	media, err := mediaFiles(folder.Dir())
	if err != nil {
		return err
	}
	for _, f := range media {
		sources[f.Path] = filepath.Join(d.Dir, filepath.FromSlash(f.Path))
	}
	m.Files = append(m.Files, media...)
	return nil
}

// describeSnapshot reads the log head, entry count and epoch of the copy.
func describeSnapshot(ctx context.Context, path string, m *Manifest) error {
	db, err := sqlite.Open(path, sqlite.Options{})
	if err != nil {
		return err
	}
	defer db.Close()
	if m.TreeHead, err = db.TreeHead(ctx); err != nil {
		return err
	}
	m.Entries = int(m.TreeHead.Size)
	m.Epoch, err = db.Setting(ctx, store.EpochSetting)
	return err
}

// mediaFiles lists the stored media files (DIR/ab/abcd…, named by their
// hash), with the hash as the expected SHA-256; copyIntoTar checks it.
func mediaFiles(dir string) ([]BackupFile, error) {
	var out []BackupFile
	err := filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if e.IsDir() {
			if rel == "partial" || rel == "tmp" {
				return filepath.SkipDir
			}
			return nil
		}
		name := e.Name()
		if !e.Type().IsRegular() || !isHash(name) || filepath.Base(filepath.Dir(p)) != name[:2] {
			return nil
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		out = append(out, BackupFile{Path: path.Join(mediaDir, filepath.ToSlash(rel)), Size: info.Size(), SHA256: name})
		return nil
	})
	return out, err
}

func isHash(s string) bool {
	return len(s) == 64 && strings.Trim(s, "0123456789abcdef") == ""
}

func hashFile(p string) (BackupFile, error) {
	f, err := os.Open(p)
	if err != nil {
		return BackupFile{}, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, f)
	if err != nil {
		return BackupFile{}, err
	}
	return BackupFile{Size: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// copyIntoTar streams one file into the archive, hashing it on the way: a
// media file that no longer hashes to its name fails the backup.
func copyIntoTar(tw *tar.Writer, f BackupFile, src string, at time.Time) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("backup %s: %w", f.Path, err)
	}
	defer in.Close()
	if err := tw.WriteHeader(&tar.Header{Name: f.Path, Mode: 0o600, Size: f.Size, ModTime: at, Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(tw, h), io.LimitReader(in, f.Size))
	if err != nil {
		return fmt.Errorf("backup %s: %w", f.Path, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); n != f.Size || got != f.SHA256 {
		return fmt.Errorf("backup %s: the file on disk has %d bytes hashing to %.12s, not %d bytes hashing to %.12s; run verify", f.Path, n, got, f.Size, f.SHA256)
	}
	return nil
}

// ErrNotEmpty refuses a restore into a directory that holds files.
var ErrNotEmpty = errors.New("the target data directory is not empty; restore only into a new or empty directory")

// Unpack reads a backup into dir, which must not exist or be empty, and
// verifies every file against the manifest: a file missing, extra,
// outside the data directory, of another size or hash fails the restore
// and leaves dir empty.
func Unpack(r io.Reader, dir string) (m Manifest, err error) {
	if entries, err := os.ReadDir(dir); err == nil && len(entries) > 0 {
		return m, fmt.Errorf("%s: %w", dir, ErrNotEmpty)
	} else if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return m, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return m, err
	}
	defer func() {
		if err != nil {
			cleanDir(dir)
		}
	}()
	tr := tar.NewReader(r)
	hdr, err := tr.Next()
	if err != nil || hdr.Name != manifestName || hdr.Size > 256<<20 {
		return m, fmt.Errorf("not a LawTrace backup: %s is not its first file", manifestName)
	}
	if err := json.NewDecoder(tr).Decode(&m); err != nil {
		return m, fmt.Errorf("backup manifest: %w", err)
	}
	if m.Format != BackupFormat {
		return m, fmt.Errorf("backup format %q, this server reads %q", m.Format, BackupFormat)
	}
	want := map[string]BackupFile{}
	for _, f := range m.Files {
		if !filepath.IsLocal(f.Path) || path.Clean(f.Path) != f.Path || !(f.Path == dbName || f.Path == pgDumpName || f.Path == keyName || strings.HasPrefix(f.Path, mediaDir+"/")) {
			return m, fmt.Errorf("backup manifest names %q, which is not a data directory file", f.Path)
		}
		want[f.Path] = f
	}
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return m, fmt.Errorf("backup archive: %w", err)
		}
		f, ok := want[hdr.Name]
		if !ok || hdr.Typeflag != tar.TypeReg {
			return m, fmt.Errorf("backup holds %q, which its manifest does not list (or twice)", hdr.Name)
		}
		delete(want, hdr.Name)
		if err := unpackFile(tr, dir, f); err != nil {
			return m, err
		}
	}
	for p := range want {
		return m, fmt.Errorf("backup misses %s, which its manifest lists", p)
	}
	for _, d := range []string{filepath.Join(dir, mediaDir), dir} {
		if err := syncPath(d); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return m, err
		}
	}
	return m, nil
}

func unpackFile(r io.Reader, dir string, f BackupFile) error {
	dest := filepath.Join(dir, filepath.FromSlash(f.Path))
	if err := os.MkdirAll(filepath.Dir(dest), 0o700); err != nil {
		return err
	}
	out, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	defer out.Close()
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), io.LimitReader(r, f.Size+1))
	if err != nil {
		return fmt.Errorf("restore %s: %w", f.Path, err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); n != f.Size || got != f.SHA256 {
		return fmt.Errorf("restore %s: %d bytes hashing to %.12s, the manifest says %d bytes hashing to %.12s", f.Path, n, got, f.Size, f.SHA256)
	}
	if err := out.Sync(); err != nil {
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return syncPath(filepath.Dir(dest))
}

// cleanDir empties dir after a failed restore.
func cleanDir(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		_ = os.RemoveAll(filepath.Join(dir, e.Name()))
	}
}

func syncPath(p string) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	return f.Sync()
}
