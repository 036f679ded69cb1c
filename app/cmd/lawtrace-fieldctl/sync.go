package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"lawtrace/app/internal/field"
	"lawtrace/app/internal/fieldsync"
	"lawtrace/shared/cmdline"
)

// appVersion is what this terminal tells the server.
const appVersion = "lawtrace-fieldctl/1"

func (c *cli) syncOptions(verbose bool) fieldsync.Options {
	level := slog.LevelWarn
	if verbose {
		level = slog.LevelInfo
	}
	return fieldsync.Options{AppVersion: appVersion, Logger: slog.New(slog.NewTextHandler(c.errOut, &slog.HandlerOptions{Level: level}))}
}

// enroll registers this terminal with a server using a one-time code.
func (c *cli) enroll(t *field.Terminal, args []string) error {
	fs := cmdline.FlagSet("enroll")
	server := fs.String("server", "", "server URL or lawtrace://enrol payload")
	code := fs.String("code", "", "one-time enrolment code")
	timeout := fs.Duration("timeout", 30*time.Second, "give up after")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	if *server == "" {
		return fmt.Errorf("%w: enroll --server URL --code CODE", cmdline.ErrUsage)
	}
	ctx, cancel := context.WithTimeout(context.Background(), *timeout)
	defer cancel()
	id, err := fieldsync.Enrol(ctx, t, *server, *code, c.syncOptions(false))
	if err != nil {
		return err
	}
	if *asJSON {
		return cmdline.PrintJSON(c.out, map[string]any{"device_id": t.DeviceID(), "server": id.URL, "server_id": id.ID, "agency": id.Agency})
	}
	fmt.Fprintf(c.out, "device %s enrolled with server %s at %s", t.DeviceID(), id.ID, id.URL)
	if id.Agency != "" {
		fmt.Fprintf(c.out, " (%s)", id.Agency)
	}
	fmt.Fprintln(c.out)
	return nil
}

// syncCmd runs one sync pass (exit 0 only when nothing is left queued) or,
// with --watch, the background loop until interrupted.
func (c *cli) syncCmd(t *field.Terminal, args []string) error {
	fs := cmdline.FlagSet("sync")
	watch := fs.Bool("watch", false, "keep syncing in the background, resuming after drops")
	batch := fs.Int("batch", 0, "entries per push (default 200)")
	chunk := fs.Int("chunk", 0, "media chunk bytes (default 1 MiB)")
	timeout := fs.Duration("timeout", 0, "give up a single pass after this long (0: no limit)")
	verbose := fs.Bool("verbose", false, "log progress on stderr")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	if _, err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	opt := c.syncOptions(*verbose || *watch)
	opt.BatchSize, opt.ChunkSize = *batch, *chunk
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if *watch {
		last := fieldsync.Phase("")
		opt.OnState = func(s fieldsync.State) {
			if s.Phase == last && s.Phase != fieldsync.PhaseOffline {
				return
			}
			last = s.Phase
			line := fmt.Sprintf("%s %s: outbox %d, pending media %d bytes", time.Now().Format(time.TimeOnly), s.Phase, s.Outbox, s.PendingBytes)
			if s.Err != "" {
				line += " — " + s.Err
			}
			if !s.NextAttempt.IsZero() {
				line += fmt.Sprintf(" (retry in %s)", time.Until(s.NextAttempt).Round(100*time.Millisecond))
			}
			fmt.Fprintln(c.out, line)
		}
		return fieldsync.New(t, opt).Run(ctx)
	}
	if *timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, *timeout)
		defer cancel()
	}
	res, err := fieldsync.New(t, opt).Once(ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		if err := cmdline.PrintJSON(c.out, res); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(c.out, "synced: %d entries confirmed (%d already held), %d media files (%d bytes sent), %d catalog items; clock offset %s",
			res.Confirmed, res.Duplicates, res.MediaFiles, res.MediaBytesSent, res.CatalogItems, res.ClockOffset.Round(time.Millisecond))
		if res.Skewed {
			fmt.Fprint(c.out, " (SKEWED: check the device clock)")
		}
		fmt.Fprintln(c.out)
		if res.Wiped != nil {
			fmt.Fprintf(c.out, "remote wipe: removed %d entries of %d cases and %d media files; kept %d unconfirmed entries\n",
				res.Wiped.Entries, res.Wiped.Cases, res.Wiped.Media, res.Wiped.Kept)
		}
		for _, e := range res.FileErrors {
			fmt.Fprintf(c.errOut, "media refused: %s\n", e)
		}
	}
	if res.Outbox > 0 || res.PendingMedia > 0 {
		return fmt.Errorf("still queued: %d entries, %d media files", res.Outbox, res.PendingMedia)
	}
	return nil
}

// proof shows the stored transparency-log proof of an entry, re-verified.
func (c *cli) proof(t *field.Terminal, args []string) error {
	fs := cmdline.FlagSet("proof")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := cmdline.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: proof ENTRY", cmdline.ErrUsage)
	}
	p, err := t.EntryProof(pos[0])
	if err != nil {
		return err
	}
	if *asJSON {
		if err := cmdline.PrintJSON(c.out, p); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(c.out, "entry %s (device #%d) is leaf %d of the server log of %d entries; %d proof hashes; confirmed %s\n",
			p.EntryID, p.DeviceSeq, p.LeafIndex, p.TreeHead.Size, len(p.Hashes), p.Confirmed)
	}
	if !p.Verified {
		return fmt.Errorf("the stored proof of %s does not verify", p.EntryID)
	}
	return nil
}
