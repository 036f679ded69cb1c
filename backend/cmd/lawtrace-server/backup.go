package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"lawtrace/backend/internal/server"
	"lawtrace/shared/cmdline"
)

// backupUsage is the backup and restore commands (SPEC X3; issue 14).
const backupUsage = `  backup -o FILE [--json]  write one archive of the database (online copy, the
                           server may keep running), the server key and the media
                           files, with a manifest of SHA-256s; with --db postgres://…
                           a pg_dump of the database, with --media s3://… a listing
                           of the bucket's media (the bucket's versioning keeps them)
  restore FILE --data NEWDIR [--json]
                           unpack and verify a backup into a new or empty data
                           directory under a new restore epoch; terminals then send
                           again what was recorded after the backup; with
                           --db postgres://…/EMPTYDB pg_restore into an empty
                           database, with --media s3://… check the bucket holds
                           every listed file
`

func (c *cli) backup(args []string) error {
	fs := cmdline.FlagSet("backup")
	out := fs.String("o", "", "archive to write")
	asJSON := fs.Bool("json", false, "print the manifest as JSON")
	if _, err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return fmt.Errorf("%w: backup -o FILE", cmdline.ErrUsage)
	}
	f, err := os.OpenFile(*out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return err
	}
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(*out)
		}
	}()
	return c.withData(func(ctx context.Context, d *server.Data) error {
		backup := server.Backup
		if c.db != "" {
			backup = func(ctx context.Context, d *server.Data, w io.Writer, scratch string) (server.Manifest, error) {
				return server.BackupPostgres(ctx, d, c.db, w, scratch)
			}
		}
		m, err := backup(ctx, d, f, filepath.Dir(*out))
		if err != nil {
			return err
		}
		if err := f.Sync(); err != nil {
			return err
		}
		if err := f.Close(); err != nil {
			return err
		}
		ok = true
		if *asJSON {
			return cmdline.PrintJSON(c.out, m)
		}
		var bytes int64
		for _, f := range m.Files {
			bytes += f.Size
		}
		fmt.Fprintf(c.out, "backup %s: %d files, %d bytes; log of %d entries, root %s\n",
			*out, len(m.Files), bytes, m.TreeHead.Size, hex.EncodeToString(m.TreeHead.Root))
		return nil
	})
}

func (c *cli) restore(args []string) error {
	fs := cmdline.FlagSet("restore")
	data := fs.String("data", "", "new data directory")
	asJSON := fs.Bool("json", false, "print what was restored as JSON")
	rest, err := cmdline.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(rest) != 1 {
		return fmt.Errorf("%w: restore FILE --data NEWDIR", cmdline.ErrUsage)
	}
	dir := *data
	if dir == "" {
		dir = c.data
	}
	f, err := os.Open(rest[0])
	if err != nil {
		return err
	}
	defer f.Close()
	var r server.Restored
	if c.db != "" {
		r, err = server.RestorePostgres(context.Background(), f, dir, c.db, c.media, nil)
	} else {
		r, err = server.Restore(context.Background(), f, dir, c.media, nil)
	}
	if err != nil {
		return err
	}
	if *asJSON {
		return cmdline.PrintJSON(c.out, r)
	}
	fmt.Fprintf(c.out, "restored %d files into %s from the backup of %s; log of %d entries, root %s; restore epoch %s\n",
		len(r.Manifest.Files), dir, r.Manifest.CreatedAt.Format("2006-01-02 15:04:05Z07:00"), r.TreeHead.Size, hex.EncodeToString(r.TreeHead.Root), r.Epoch)
	return nil
}
