// Command lawtrace-server runs the LawTrace backend (sync, log, media, health, metrics) and its operator commands on the same data directory.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"lawtrace/backend/internal/server"
	"lawtrace/backend/internal/store"
	"lawtrace/backend/internal/web"
	"lawtrace/shared/cmdline"
	"lawtrace/shared/deadline"
	"lawtrace/shared/enforce"
)

const usage = `lawtrace-server — the LawTrace backend

usage: lawtrace-server [--data DIR] [serve options]          run the server
       lawtrace-server [--data DIR] COMMAND [options]        operator command

serve options:
  --listen ADDR            address to serve on (default 127.0.0.1:8080)
  --public-url URL         how terminals reach the server (default ws://LISTEN/sync)
  --demo                   seed a demo agency and officers with credentials
  --agency NAME            the agency name shown to terminals
  --skew-threshold D       flag device clocks off by more than D (default 1m)
  --log-format json|text   log format on stderr (default json)
  --log-level L            debug, info, warn, error (default info)
  --tls-cert FILE --tls-key FILE
                           serve HTTPS/WSS with this PEM certificate and key
                           (Secure cookies, HSTS)
  --trusted-proxy LIST     addresses or CIDRs of reverse proxies whose
                           X-Forwarded-For / X-Forwarded-Proto are believed
                           (comma-separated, repeatable; default none)
  --secure-cookies         mark cookies Secure (behind a TLS proxy)
  --metrics-token-file F   /metrics needs "Authorization: Bearer <token in F>"
                           (or $LAWTRACE_METRICS_TOKEN); default loopback only
  --upload-rule 24h|2wd    A/V upload deadline: 24 hours (default, 武汉市行政执法
                           全过程记录办法 第二十八条) or 2 working days (agencies
                           under the 2-working-day rule of their own regulation)
  --min-free-mb N          /healthz answers 503 below N MiB free in the data
                           directory (default $LAWTRACE_MIN_FREE_MB, else 256)
  --instance NAME          this instance's id in every metric and in /healthz
                           (default $LAWTRACE_INSTANCE, else HOSTNAME/LISTEN-ADDRESS)

commands:
  enroll --device-name NAME [--ttl 24h] [--server URL] [--json]
                           print a one-time enrolment code for a terminal
  devices [--json]         list devices: last seen, app version, outbox, clock skew
  revoke DEVICE [--reason R]
                           revoke a device; a connected one is cut off at once
  wipe DEVICE [--reason R] order a remote wipe of what the server confirmed
  verify [--json]          check every entry, signature, media hash and the log;
                           exit 1 with the findings
  stats [--json]           counts: devices, cases, entries, media files and bytes
  events [--limit N] [--json]
                           security events, newest first
  officer add --name N --cert C --expires YYYY-MM-DD [--unit U] [--category C] [--area A]
  officer suspend CERT     suspend a credential (pushed to terminals)
  officer list [--json]
  seed [--demo] [--agency NAME]
                           load procedure definitions and rights texts (and demo data)
  useradd --username U --name N --role supervisor|reviewer|officer|admin [--officer CERT] [--password-stdin]
                           add a web account; prints a one-time password unless given on stdin
  passwd USERNAME          give a web account a new one-time password (to be changed at sign-in)
` + reviewUsage + publicityUsage + archiveUsage + retentionUsage + backupUsage + `
--media s3://ACCESS:SECRET@HOST:PORT/BUCKET[?secure=false] keeps the media in an
S3-compatible bucket (default $LAWTRACE_MEDIA, else the data directory's media/).
--data defaults to $LAWTRACE_DATA, else ./lawtrace-data.
--db postgres://USER@HOST/DB keeps the records in PostgreSQL (default
$LAWTRACE_DB, else SQLite in the data directory, which still holds the
server key and the media).
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type cli struct {
	out, errOut io.Writer
	media       string // the --media bucket; "" is the data directory's folder
	data, db    string
}

func run(args []string, stdout, stderr io.Writer) int {
	global := flag.NewFlagSet("lawtrace-server", flag.ContinueOnError)
	global.SetOutput(io.Discard)
	def := os.Getenv("LAWTRACE_DATA")
	if def == "" {
		def = "lawtrace-data"
	}
	data := global.String("data", def, "data directory")
	db := global.String("db", os.Getenv("LAWTRACE_DB"), "PostgreSQL database (postgres://…); empty: SQLite in the data directory")
	media := global.String("media", os.Getenv("LAWTRACE_MEDIA"), "S3-compatible bucket for the media (s3://…)")
	help := global.Bool("help", false, "show help")
	// serve flags are accepted before a command too, so that
	// `lawtrace-server --data D --listen A` runs the server.
	sf := addServeFlags(global)
	if err := global.Parse(args); err != nil {
		fmt.Fprintf(stderr, "lawtrace-server: %v\n\n%s", err, usage)
		return 2
	}
	if *help {
		fmt.Fprint(stdout, usage)
		return 0
	}
	c := &cli{out: stdout, errOut: stderr, data: *data, db: *db}
	c.media = *media
	rest := global.Args()
	var err error
	if len(rest) == 0 || rest[0] == "serve" {
		if len(rest) > 0 {
			if err := global.Parse(rest[1:]); err != nil {
				fmt.Fprintf(stderr, "lawtrace-server: %v\n", err)
				return 2
			}
		}
		err = c.serve(sf)
	} else {
		err = c.dispatch(rest[0], rest[1:])
	}
	switch {
	case err == nil:
		return 0
	case errors.Is(err, cmdline.ErrUsage):
		fmt.Fprintf(stderr, "lawtrace-server: %v\n", err)
		return 2
	default:
		fmt.Fprintf(stderr, "lawtrace-server: %v\n", err)
		return 1
	}
}

type serveFlags struct {
	listen, publicURL, agency, logFormat, logLevel *string
	demo                                           *bool
	skew                                           *time.Duration
	tlsCert, tlsKey, metricsTokenFile              *string
	secureCookies                                  *bool
	proxies                                        listFlag
	uploadRule                                     *string
	minFreeMB                                      *uint64
	instance                                       *string
}

// listFlag collects a repeatable flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func addServeFlags(fs *flag.FlagSet) *serveFlags {
	sf := &serveFlags{
		listen:    fs.String("listen", "127.0.0.1:8080", "listen address"),
		publicURL: fs.String("public-url", "", "URL terminals use"),
		agency:    fs.String("agency", "", "agency name"),
		logFormat: fs.String("log-format", "json", "json or text"),
		logLevel:  fs.String("log-level", "info", "log level"),
		demo:      fs.Bool("demo", false, "seed demo data"),
		skew:      fs.Duration("skew-threshold", time.Minute, "clock skew threshold"),

		tlsCert:          fs.String("tls-cert", "", "TLS certificate (PEM)"),
		tlsKey:           fs.String("tls-key", "", "TLS private key (PEM)"),
		metricsTokenFile: fs.String("metrics-token-file", "", "file holding the /metrics bearer token"),
		secureCookies:    fs.Bool("secure-cookies", false, "mark cookies Secure"),
		uploadRule:       fs.String("upload-rule", deadline.UploadHours, "A/V upload deadline: 24h or 2wd"),
		minFreeMB:        fs.Uint64("min-free-mb", 0, "MiB free below which /healthz fails"),
		instance:         fs.String("instance", os.Getenv("LAWTRACE_INSTANCE"), "instance id in metrics and /healthz"),
	}
	fs.Var(&sf.proxies, "trusted-proxy", "trusted reverse proxy addresses or CIDRs")
	return sf
}

func (c *cli) serve(sf *serveFlags) error {
	var level slog.Level
	if err := level.UnmarshalText([]byte(*sf.logLevel)); err != nil {
		return fmt.Errorf("%w: --log-level %q", cmdline.ErrUsage, *sf.logLevel)
	}
	opts := &slog.HandlerOptions{Level: level}
	var h slog.Handler = slog.NewJSONHandler(c.errOut, opts)
	if *sf.logFormat == "text" {
		h = slog.NewTextHandler(c.errOut, opts)
	}
	logger := slog.New(h)
	metricsToken := os.Getenv("LAWTRACE_METRICS_TOKEN")
	if *sf.metricsTokenFile != "" {
		b, err := os.ReadFile(*sf.metricsTokenFile)
		if err != nil {
			return fmt.Errorf("metrics token: %w", err)
		}
		metricsToken = strings.TrimSpace(string(b))
	}
	if _, err := web.ParseProxies(sf.proxies); err != nil {
		return fmt.Errorf("%w: --trusted-proxy: %v", cmdline.ErrUsage, err)
	}
	if *sf.uploadRule != deadline.UploadHours && *sf.uploadRule != deadline.UploadWorkdays2 {
		return fmt.Errorf("%w: --upload-rule %q: want %s or %s", cmdline.ErrUsage, *sf.uploadRule, deadline.UploadHours, deadline.UploadWorkdays2)
	}
	m, err := server.Open(server.Config{DataDir: c.data, DB: c.db, Listen: *sf.listen, PublicURL: *sf.publicURL, Demo: *sf.demo,
		Agency: *sf.agency, Logger: logger, SkewThreshold: *sf.skew, TLSCert: *sf.tlsCert, TLSKey: *sf.tlsKey, MetricsToken: metricsToken,
		UploadRule: *sf.uploadRule, MinFreeBytes: *sf.minFreeMB << 20, Media: c.media, Instance: *sf.instance,
		Web: web.Options{SecureCookies: *sf.secureCookies, TrustedProxies: sf.proxies}})
	if err != nil {
		return err
	}
	if err := m.Start(); err != nil {
		m.Close()
		return err
	}
	fmt.Fprintf(c.out, "lawtrace-server listening on %s\n  terminals sync at %s\n  health %s/healthz, metrics %s/metrics\n  data in %s; enrol a terminal with: lawtrace-server --data %s enroll --device-name NAME\n",
		m.URL(), m.SyncURL(), m.URL(), m.URL(), c.data, c.data)
	fmt.Fprintf(c.out, "  web pages %s/login\n", m.URL())
	if m.FirstAdminFile != "" {
		fmt.Fprintf(c.out, "  first administrator: sign in as admin with the one-time password in %s, then choose a new one\n", m.FirstAdminFile)
	}
	if f, ok := c.out.(*os.File); ok {
		_ = f.Sync()
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	s := <-sig
	logger.Info("shutting down", "signal", s.String())
	return m.Close()
}

func (c *cli) withData(fn func(ctx context.Context, d *server.Data) error) error {
	d, err := server.OpenDataDB(c.data, c.db, nil)
	if err != nil {
		return err
	}
	defer d.Close()
	ctx := context.Background()
	if c.media != "" {
		if err := d.UseMedia(ctx, c.media); err != nil {
			return err
		}
	}
	return fn(ctx, d)
}

func (c *cli) dispatch(cmd string, args []string) error {
	switch cmd {
	case "enroll", "enrol":
		return c.enroll(args)
	case "devices":
		return c.devices(args)
	case "revoke":
		return c.revoke(args)
	case "wipe":
		return c.wipe(args)
	case "verify":
		return c.verify(args)
	case "stats":
		return c.stats(args)
	case "events":
		return c.events(args)
	case "officer":
		return c.officer(args)
	case "seed":
		return c.seed(args)
	case "useradd":
		return c.useradd(args)
	case "passwd":
		return c.passwd(args)
	case "catalog":
		return c.catalog(args)
	case "calendar":
		return c.calendar(args)
	case "reviewer":
		return c.reviewer(args)
	case "deadlines":
		return c.deadlines(args)
	case "review":
		return c.reviewShow(args)
	case "publicity":
		return c.publicity(args)
	case "archive":
		return c.archive(args)
	case "retention":
		return c.retention(args)
	case "backup":
		return c.backup(args)
	case "restore":
		return c.restore(args)
	case "help":
		fmt.Fprint(c.out, usage)
		return nil
	}
	return fmt.Errorf("%w: unknown command %q (run with --help)", cmdline.ErrUsage, cmd)
}

func (c *cli) enroll(args []string) error {
	fs := cmdline.FlagSet("enroll")
	name := fs.String("device-name", "", "device name")
	ttl := fs.Duration("ttl", 24*time.Hour, "how long the code is valid")
	serverURL := fs.String("server", "", "server URL terminals use")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return fmt.Errorf("%w: enroll --device-name NAME", cmdline.ErrUsage)
	}
	return c.withData(func(ctx context.Context, d *server.Data) error {
		ec, err := server.NewEnrolCode(ctx, d, *name, *ttl, *serverURL)
		if err != nil {
			return err
		}
		if *asJSON {
			return cmdline.PrintJSON(c.out, ec)
		}
		fmt.Fprintf(c.out, "enrolment code for %q: %s (one use, valid until %s)\non the terminal: %s\nQR payload: %s\nserver key fingerprint: %s\n",
			ec.DeviceName, ec.Code, ec.ExpiresAt.Format(time.RFC3339), ec.Command, ec.Payload, ec.ServerFingerprint)
		return nil
	})
}

func (c *cli) devices(args []string) error {
	fs := cmdline.FlagSet("devices")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	return c.withData(func(ctx context.Context, d *server.Data) error {
		devs, err := d.Store.Devices(ctx)
		if err != nil {
			return err
		}
		if *asJSON {
			if devs == nil {
				devs = []store.Device{}
			}
			return cmdline.PrintJSON(c.out, devs)
		}
		tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "DEVICE\tNAME\tLAST SEEN\tAPP\tLAST #\tOUTBOX\tCLOCK OFFSET\tSTATE")
		for _, dv := range devs {
			seen := "never"
			if !dv.LastSeen.IsZero() {
				seen = dv.LastSeen.Local().Format("2006-01-02 15:04:05")
			}
			state := "active"
			switch {
			case dv.Revoked():
				state = "revoked " + dv.RevokedAt.Local().Format("2006-01-02 15:04")
			case dv.WipePending():
				state = "wipe ordered"
			}
			if !dv.WipedAt.IsZero() {
				state += ", wiped"
			}
			skew := fmt.Sprintf("%+dms", dv.ClockOffsetMs)
			if dv.ClockSkewed {
				skew += " SKEWED"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\n", dv.ID, dv.Name, seen, dv.AppVersion, dv.LastSeq, dv.Outbox, skew, state)
		}
		return tw.Flush()
	})
}

func (c *cli) revoke(args []string) error {
	fs := cmdline.FlagSet("revoke")
	reason := fs.String("reason", "", "why")
	pos, err := cmdline.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: revoke DEVICE [--reason R]", cmdline.ErrUsage)
	}
	if store.IsServerSigner(pos[0]) {
		return fmt.Errorf("%s is the server's own signer (the office chains of the legal review), not a terminal: it cannot be revoked", pos[0])
	}
	return c.withData(func(ctx context.Context, d *server.Data) error {
		if err := d.Store.Revoke(ctx, pos[0], *reason, d.Now()); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("no device %s", pos[0])
			}
			return err
		}
		fmt.Fprintf(c.out, "device %s revoked; a live connection is cut off within a second\n", pos[0])
		return nil
	})
}

func (c *cli) wipe(args []string) error {
	fs := cmdline.FlagSet("wipe")
	reason := fs.String("reason", "", "why")
	pos, err := cmdline.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: wipe DEVICE [--reason R]", cmdline.ErrUsage)
	}
	if store.IsServerSigner(pos[0]) {
		return fmt.Errorf("%s is the server's own signer (the office chains of the legal review), not a terminal: it cannot be wiped", pos[0])
	}
	return c.withData(func(ctx context.Context, d *server.Data) error {
		if err := d.Store.RequestWipe(ctx, pos[0], *reason, d.Now()); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("no device %s", pos[0])
			}
			return err
		}
		fmt.Fprintf(c.out, "wipe of %s ordered: on its next connection the terminal removes what the server confirmed; unconfirmed records stay and are still sent\n", pos[0])
		return nil
	})
}

func (c *cli) verify(args []string) error {
	fs := cmdline.FlagSet("verify")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	return c.withData(func(ctx context.Context, d *server.Data) error {
		r, err := server.Verify(ctx, d)
		if err != nil {
			return err
		}
		if *asJSON {
			if err := cmdline.PrintJSON(c.out, r); err != nil {
				return err
			}
		} else {
			for _, f := range append(r.Findings, r.Disposed...) {
				fmt.Fprintln(c.out, f)
			}
			if len(r.Findings) == 0 {
				fmt.Fprintf(c.out, "intact: %d cases, %d entries, %d media files (%d bytes), log of %d leaves under %d signed tree heads verified\n",
					r.Cases, r.Entries, r.MediaFiles, r.MediaBytes, r.TreeSize, r.TreeHeads)
			}
			if len(r.PendingMedia) > 0 {
				fmt.Fprintf(c.out, "%d referenced files not uploaded yet (%d overdue, SPEC R4)\n", len(r.PendingMedia), r.Overdue)
			}
		}
		if len(r.Findings) > 0 {
			return fmt.Errorf("verify found %d problem(s)", len(r.Findings))
		}
		return nil
	})
}

func (c *cli) stats(args []string) error {
	fs := cmdline.FlagSet("stats")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	return c.withData(func(ctx context.Context, d *server.Data) error {
		s, err := d.Store.Stats(ctx, d.Now())
		if err != nil {
			return err
		}
		if *asJSON {
			return cmdline.PrintJSON(c.out, s)
		}
		fmt.Fprintf(c.out, "devices %d (%d revoked, %d skewed)\ncases %d\nentries %d\nmedia files %d (%d bytes), %d pending (%d overdue), %d uploads in progress\nsecurity events %d\nlog size %d\n",
			s.Devices, s.RevokedDevices, s.SkewedDevices, s.Cases, s.Entries, s.MediaFiles, s.MediaBytes, s.PendingMedia, s.OverdueMedia,
			s.UploadsResumable, s.SecurityEvents, s.TreeSize)
		return nil
	})
}

func (c *cli) events(args []string) error {
	fs := cmdline.FlagSet("events")
	limit := fs.Int("limit", 50, "how many")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	return c.withData(func(ctx context.Context, d *server.Data) error {
		evs, err := d.Store.SecurityEvents(ctx, *limit)
		if err != nil {
			return err
		}
		if *asJSON {
			if evs == nil {
				evs = []store.SecurityEvent{}
			}
			return cmdline.PrintJSON(c.out, evs)
		}
		for _, e := range evs {
			fmt.Fprintf(c.out, "%s\t%s\t%s\t%s\t%s\n", e.At.Local().Format(time.DateTime), e.Kind, e.DeviceID, e.Remote, e.Detail)
		}
		return nil
	})
}

func (c *cli) officer(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: officer add|suspend|list", cmdline.ErrUsage)
	}
	switch args[0] {
	case "add":
		fs := cmdline.FlagSet("officer add")
		var o enforce.Officer
		fs.StringVar(&o.Name, "name", "", "name")
		fs.StringVar(&o.Cert, "cert", "", "credential number")
		fs.StringVar(&o.Expires, "expires", "", "expiry YYYY-MM-DD")
		fs.StringVar(&o.Unit, "unit", "", "unit")
		fs.StringVar(&o.Category, "category", "", "category")
		fs.StringVar(&o.Area, "area", "", "area")
		if _, err := cmdline.Parse(fs, args[1:]); err != nil {
			return err
		}
		return c.withData(func(ctx context.Context, d *server.Data) error {
			it, added, err := server.PutOfficer(ctx, d.Store, o, d.Now())
			if err != nil {
				return err
			}
			if !added {
				fmt.Fprintf(c.out, "officer %s unchanged (version %d)\n", o.Cert, it.Version)
				return nil
			}
			fmt.Fprintf(c.out, "officer %s %s published as version %d; terminals receive it on their next sync\n", o.Cert, o.Name, it.Version)
			return nil
		})
	case "suspend":
		pos, err := cmdline.Parse(cmdline.FlagSet("officer suspend"), args[1:])
		if err != nil {
			return err
		}
		if len(pos) != 1 {
			return fmt.Errorf("%w: officer suspend CERT", cmdline.ErrUsage)
		}
		return c.withData(func(ctx context.Context, d *server.Data) error {
			officers, err := server.Officers(ctx, d.Store)
			if err != nil {
				return err
			}
			for _, o := range officers {
				if o.Cert == pos[0] {
					o.Suspended = true
					if _, _, err := server.PutOfficer(ctx, d.Store, o, d.Now()); err != nil {
						return err
					}
					fmt.Fprintf(c.out, "credential %s of %s suspended; terminals refuse it on new cases after their next sync\n", o.Cert, o.Name)
					return nil
				}
			}
			return fmt.Errorf("no officer with credential %s", pos[0])
		})
	case "list":
		fs := cmdline.FlagSet("officer list")
		asJSON := fs.Bool("json", false, "print JSON")
		if _, err := cmdline.Parse(fs, args[1:]); err != nil {
			return err
		}
		return c.withData(func(ctx context.Context, d *server.Data) error {
			officers, err := server.Officers(ctx, d.Store)
			if err != nil {
				return err
			}
			if *asJSON {
				return cmdline.PrintJSON(c.out, officers)
			}
			for _, o := range officers {
				state := "valid"
				if p := o.CredentialProblem(d.Now()); p != "" {
					state = p
				}
				fmt.Fprintf(c.out, "%s\t%s\t%s\t%s\t%s\n", o.Cert, o.Name, o.Unit, o.Expires, state)
			}
			return nil
		})
	}
	return fmt.Errorf("%w: officer add|suspend|list, not %q", cmdline.ErrUsage, args[0])
}

func (c *cli) seed(args []string) error {
	fs := cmdline.FlagSet("seed")
	demo := fs.Bool("demo", false, "demo agency and officers")
	agency := fs.String("agency", "", "agency name")
	if _, err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	return c.withData(func(ctx context.Context, d *server.Data) error {
		if err := server.Seed(ctx, d.Store, d.Now(), *demo, strings.TrimSpace(*agency)); err != nil {
			return err
		}
		s, err := d.Store.Stats(ctx, d.Now())
		if err != nil {
			return err
		}
		fmt.Fprintf(c.out, "catalog seeded: %d items\n", s.CatalogHead)
		return nil
	})
}
