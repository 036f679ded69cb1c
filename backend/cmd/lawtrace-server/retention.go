package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"lawtrace/backend/internal/auth"
	"lawtrace/backend/internal/reviewsrv"
	"lawtrace/backend/internal/server"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/cmdline"
	"lawtrace/shared/enforce"
	"lawtrace/shared/retention"
)

// retentionUsage is the retention and disposal command (SPEC R6; 003 §27;
// issue 10).
const retentionUsage = `  retention list [--all] [--json]
                           stored files due for disposal after retention, by case
                           and file, with the rule (003 §27); --all lists every file
  retention dispose CASE|HASH --by USERNAME --approved-by HEAD --reason R [--json]
                           remove the bytes of a case's files (or one file) whose
                           retention is over, with the head's approval; appends a
                           server-signed disposal tombstone to the case's office
                           chain; entries and hashes stay
  retention settings [--years TYPE=N ...]
                           show or set the archive periods by case type (years)
`

func (c *cli) retention(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: retention list|dispose|settings\n%s", cmdline.ErrUsage, retentionUsage)
	}
	switch args[0] {
	case "list":
		return c.retentionList(args[1:])
	case "dispose":
		return c.retentionDispose(args[1:])
	case "settings":
		return c.retentionSettings(args[1:])
	}
	return fmt.Errorf("%w: retention list|dispose|settings\n%s", cmdline.ErrUsage, retentionUsage)
}

func (c *cli) retentionList(args []string) error {
	fs := cmdline.FlagSet("retention list")
	all := fs.Bool("all", false, "list every stored file, not only those due")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	return c.withReview(func(ctx context.Context, d *server.Data, s *reviewsrv.Service) error {
		items, err := s.Retention(ctx)
		if err != nil {
			return err
		}
		shown := []reviewsrv.RetentionItem{}
		for _, it := range items {
			if *all || (it.Due && it.Tombstone == 0 && it.Present) {
				shown = append(shown, it)
			}
		}
		if *asJSON {
			return cmdline.PrintJSON(c.out, shown)
		}
		if len(shown) == 0 {
			fmt.Fprintln(c.out, "no stored file is due for disposal (003 §27)")
			return nil
		}
		tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CASE\tFILE\tKIND\tBYTES\tKEPT UNTIL\tSTATE\tRULE")
		for _, it := range shown {
			until := "-"
			if !it.Until.IsZero() {
				until = it.Until.Local().Format(time.DateTime)
			}
			state := "in retention"
			switch {
			case it.Tombstone > 0:
				state = fmt.Sprintf("disposed (tombstone #%d)", it.Tombstone)
			case !it.Present:
				state = "not stored"
			case it.Due:
				state = "due"
			case it.HeldBy != "":
				state = "held: " + it.HeldBy
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%s\t%s\t%s（%s）\n", it.CaseID, it.Hash, it.Kind, it.Size, until, state, it.Rule, it.Article)
		}
		return tw.Flush()
	})
}

func (c *cli) retentionDispose(args []string) error {
	fs := cmdline.FlagSet("retention dispose")
	by := fs.String("by", "", "the username of who disposes (admin or supervisor account)")
	approvedBy := fs.String("approved-by", "", "the username of the head who approved (supervisor account)")
	reason := fs.String("reason", "", "why (recorded in the tombstone)")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := cmdline.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *by == "" {
		return fmt.Errorf("%w: retention dispose CASE|HASH --by USERNAME --approved-by HEAD --reason R\n%s", cmdline.ErrUsage, retentionUsage)
	}
	return c.withReview(func(ctx context.Context, d *server.Data, s *reviewsrv.Service) error {
		who, err := accountUser(ctx, d, *by)
		if err != nil {
			return err
		}
		var head reviewsrv.User
		if *approvedBy != "" {
			if head, err = accountUser(ctx, d, *approvedBy); err != nil {
				return err
			}
		}
		res, err := s.Dispose(ctx, who, head, pos[0], *reason)
		if err != nil {
			if e := (*enforce.Error)(nil); errors.As(err, &e) && e.MessageZh != "" {
				return fmt.Errorf("%v\n拒绝：%s（依据%s）", err, e.MessageZh, enforce.Cite(e.Article))
			}
			return err
		}
		if *asJSON {
			return cmdline.PrintJSON(c.out, res)
		}
		for _, f := range res.Files {
			fmt.Fprintf(c.out, "disposed %s (%d bytes, %s)\n", f.Hash, f.Size, f.Kind)
		}
		for id, seq := range res.Cases {
			fmt.Fprintf(c.out, "tombstone #%d appended to the office chain of %s (hashes kept)\n", seq, id)
		}
		for _, k := range res.Kept {
			fmt.Fprintf(c.out, "kept %s: %s\n", k.Hash, k.Rule)
		}
		return nil
	})
}

// accountUser resolves an enabled web account to the user it acts as.
func accountUser(ctx context.Context, d *server.Data, username string) (reviewsrv.User, error) {
	acc, err := d.Store.AccountByUsername(ctx, username)
	if errors.Is(err, store.ErrNotFound) {
		return reviewsrv.User{}, fmt.Errorf("no account %q", username)
	} else if err != nil {
		return reviewsrv.User{}, err
	}
	if acc.Disabled {
		return reviewsrv.User{}, fmt.Errorf("account %q is disabled", username)
	}
	return reviewsrv.User{ID: strconv.FormatInt(acc.ID, 10), Username: acc.Username, Name: acc.Name, Role: auth.Role(acc.Role), OfficerCert: acc.OfficerCert}, nil
}

func (c *cli) retentionSettings(args []string) error {
	fs := cmdline.FlagSet("retention settings")
	var years []string
	fs.Func("years", "TYPE=N: the archive period of a case type in years (repeatable)", func(v string) error {
		years = append(years, v)
		return nil
	})
	if _, err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	return c.withData(func(ctx context.Context, d *server.Data) error {
		cur, _ := d.Store.Setting(ctx, retention.SettingKey)
		p, err := retention.ParsePolicy(cur)
		if err != nil {
			return err
		}
		if len(years) > 0 {
			for _, y := range years {
				k, v, ok := strings.Cut(y, "=")
				n, err := strconv.Atoi(v)
				if !ok || err != nil || n < 1 || strings.TrimSpace(k) == "" {
					return fmt.Errorf("%w: --years TYPE=N with N at least 1, not %q", cmdline.ErrUsage, y)
				}
				p.Years[strings.TrimSpace(k)] = n
			}
			text, err := jsonText(p)
			if err != nil {
				return err
			}
			if err := d.Store.SetSetting(ctx, retention.SettingKey, text); err != nil {
				return err
			}
		}
		fmt.Fprintf(c.out, "archive periods (years, from archiving; other types %d): %s\nA/V not cited as evidence: at least %d months from recording (003 §27)\n",
			retention.FallbackYears, p, retention.AVMonths)
		return nil
	})
}

func jsonText(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}
