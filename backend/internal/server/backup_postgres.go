package server

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"lawtrace/backend/internal/mediastore/s3"
	"lawtrace/backend/internal/store/postgres"
)

// ErrBucketIncomplete fails a restore whose bucket lacks media the backup
// lists; MissingMediaError names them.
var ErrBucketIncomplete = errors.New("the media bucket lacks files the backup lists")

// MissingMediaError lists the backed-up media the bucket no longer holds.
type MissingMediaError struct{ Paths []string }

func (e *MissingMediaError) Error() string {
	return fmt.Sprintf("%v: %d missing: %s (restore them from the bucket's versions or replica; nothing was deleted)", ErrBucketIncomplete, len(e.Paths), strings.Join(e.Paths, ", "))
}

func (e *MissingMediaError) Unwrap() error { return ErrBucketIncomplete }

// BackupPostgres is Backup of data whose records are in the PostgreSQL
// database at dsn: the archive holds `pg_dump --format=custom` of it,
// taken in one snapshot while the servers keep running (SPEC X3).
func BackupPostgres(ctx context.Context, d *Data, dsn string, w io.Writer, scratch string) (Manifest, error) {
	tmp, err := os.MkdirTemp(scratch, ".lawtrace-backup-")
	if err != nil {
		return Manifest{}, err
	}
	defer os.RemoveAll(tmp)
	dump := filepath.Join(tmp, pgDumpName)
	h, err := postgres.Dump(ctx, dsn, dump)
	if err != nil {
		return Manifest{}, err
	}
	m := Manifest{Format: BackupFormat, CreatedAt: d.Now().UTC(), ServerID: d.ServerID(), Database: "postgres",
		Epoch: h.Epoch, TreeHead: h.TreeHead, Entries: int(h.TreeHead.Size)}
	return m, finishBackup(ctx, d, w, &m, pgDumpName, dump)
}

// RestorePostgres restores a PostgreSQL backup: the key and media folder
// into dir (new or empty), the dump into the empty database at dsn with
// pg_restore, then the same checks and new restore epoch as Restore. With
// media (s3://…) every object the backup lists must still be in the
// bucket: the missing ones are named, nothing is deleted.
func RestorePostgres(ctx context.Context, r io.Reader, dir, dsn, media string, now func() time.Time) (Restored, error) {
	if err := postgres.CheckEmpty(ctx, dsn); err != nil {
		return Restored{}, err
	}
	m, err := Unpack(r, dir)
	if err != nil {
		return Restored{}, err
	}
	res, err := restorePostgres(ctx, m, dir, dsn, media, now)
	if err != nil {
		cleanDir(dir)
	}
	return res, err
}

func restorePostgres(ctx context.Context, m Manifest, dir, dsn, media string, now func() time.Time) (Restored, error) {
	if m.Database != "postgres" {
		return Restored{}, errors.New("this backup holds a SQLite database: restore it without --db")
	}
	if err := checkBucket(ctx, m, media); err != nil {
		return Restored{}, err
	}
	dump := filepath.Join(dir, pgDumpName)
	if err := postgres.Load(ctx, dsn, dump); err != nil {
		return Restored{}, err
	}
	if err := os.Remove(dump); err != nil {
		return Restored{}, err
	}
	d, err := OpenDataDB(dir, dsn, now)
	if err != nil {
		return Restored{}, err
	}
	defer d.Close()
	return newEpoch(ctx, d, m)
}

// checkBucket checks, before anything is restored, that the bucket media
// (s3://…) still holds every object the backup lists.
func checkBucket(ctx context.Context, m Manifest, media string) error {
	if len(m.Bucket) == 0 {
		return nil
	}
	if media == "" {
		return fmt.Errorf("the backup's %d media files are in a bucket: give it with --media s3://…", len(m.Bucket))
	}
	bucket, err := s3.OpenURL(ctx, media)
	if err != nil {
		return err
	}
	var missing []string
	for _, f := range m.Bucket {
		ok, err := bucket.Has(f.SHA256)
		if err != nil {
			return fmt.Errorf("media bucket: %w", err)
		}
		if !ok {
			missing = append(missing, f.Path)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return &MissingMediaError{Paths: missing}
	}
	return nil
}
