package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strconv"

	"lawtrace/backend/internal/publicity"
	"lawtrace/backend/internal/server"
	"lawtrace/backend/internal/store"
	"lawtrace/backend/internal/web"
	"lawtrace/shared/cmdline"
)

// publicityUsage lists the operator commands of the publication queue (issue 11, SPEC P2).
const publicityUsage = `  publicity import FILE.json [--json]
                           queue decisions for internal review: a JSON array of
                           {decision_number, kind, party, party_kind, party_id_number?,
                           facts, basis, result, decided_at, agency?}; bad records are
                           refused one by one with the reason, the rest imported
  publicity approve (ID ... | --all) --by USERNAME
                           record the internal review and publish (redacted)
  publicity list [--state queued|published|not_published|withdrawn] [--json]
  publicity settings [--person-years 1-5] [--annual-due 01-20|01-31]
                           show or change the withdrawal period of natural persons'
                           penalties and the day of January the annual statistics are
                           due (001: 01-20, the default; 002-publicity §9: 01-31);
                           a change is recorded in the audit log
  publicity annual (generate|approve) YEAR --by USERNAME [--note TEXT]
                           generate a year's statistics from the data for review, or
                           record the review and publish them (/public/statistics/YEAR)
`

func (c *cli) publicity(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: publicity import|approve|list|settings|annual", cmdline.ErrUsage)
	}
	switch args[0] {
	case "settings":
		return c.publicitySettings(args[1:])
	case "annual":
		return c.publicityAnnual(args[1:])
	case "import":
		fs := cmdline.FlagSet("publicity import")
		asJSON := fs.Bool("json", false, "print the result as JSON")
		pos, err := cmdline.Parse(fs, args[1:])
		if err != nil {
			return err
		}
		if len(pos) != 1 {
			return fmt.Errorf("%w: publicity import FILE.json", cmdline.ErrUsage)
		}
		data, err := os.ReadFile(pos[0])
		if err != nil {
			return err
		}
		return c.withData(func(ctx context.Context, d *server.Data) error {
			agency, _ := d.Store.Setting(ctx, "agency")
			decisions, refused, err := publicity.ParseImport(data, agency)
			if err != nil {
				return err
			}
			svc := web.PublicityService(d.Store, d.Now)
			type done struct {
				ID     int64  `json:"id"`
				Number string `json:"decision_number"`
				State  string `json:"state"`
			}
			var imported []done
			for i, dec := range decisions {
				q, err := svc.Queue(ctx, dec, publicity.Actor{Username: "operator", Name: "lawtrace-server 运维命令", Role: "operator"})
				if errors.Is(err, publicity.ErrExists) || errors.Is(err, publicity.ErrRefused) {
					refused = append(refused, publicity.Refusal{Index: i, Number: dec.Number, Reason: err.Error()})
					continue
				}
				if err != nil {
					return err
				}
				imported = append(imported, done{q.ID, q.Number, q.State})
			}
			if *asJSON {
				return json.NewEncoder(c.out).Encode(map[string]any{"imported": imported, "refused": refused})
			}
			for _, x := range imported {
				fmt.Fprintf(c.out, "queued %d %s (%s)\n", x.ID, x.Number, publicity.StateNames[x.State])
			}
			for _, r := range refused {
				fmt.Fprintf(c.out, "refused record %d %s: %s\n", r.Index, r.Number, r.Reason)
			}
			fmt.Fprintf(c.out, "%d imported, %d refused\n", len(imported), len(refused))
			return nil
		})
	case "approve":
		fs := cmdline.FlagSet("publicity approve")
		all := fs.Bool("all", false, "every decision awaiting review")
		by := fs.String("by", "", "the reviewer's or supervisor's username (required)")
		pos, err := cmdline.Parse(fs, args[1:])
		if err != nil {
			return err
		}
		if *by == "" || *all == (len(pos) > 0) {
			return fmt.Errorf("%w: publicity approve (ID ... | --all) --by USERNAME", cmdline.ErrUsage)
		}
		return c.withData(func(ctx context.Context, d *server.Data) error {
			acc, err := d.Store.AccountByUsername(ctx, *by)
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("no account %q", *by)
			}
			if err != nil {
				return err
			}
			if acc.Disabled || acc.Role != "supervisor" && acc.Role != "reviewer" {
				return fmt.Errorf("%s is not an enabled reviewer or supervisor: the internal review is theirs (000-publicity §23)", *by)
			}
			actor := publicity.Actor{Username: acc.Username, Name: acc.Name, Role: acc.Role}
			svc := web.PublicityService(d.Store, d.Now)
			var ids []int64
			if *all {
				list, _, err := d.Store.Publications(ctx, publicity.Query{States: []string{publicity.StateQueued}, Limit: -1})
				if err != nil {
					return err
				}
				for _, x := range list {
					ids = append(ids, x.ID)
				}
			}
			for _, p := range pos {
				id, err := strconv.ParseInt(p, 10, 64)
				if err != nil {
					return fmt.Errorf("%w: %q is not a publication id", cmdline.ErrUsage, p)
				}
				ids = append(ids, id)
			}
			failed := 0
			for _, id := range ids {
				x, err := svc.Approve(ctx, id, actor, "运维命令审核通过")
				if err != nil {
					failed++
					fmt.Fprintf(c.out, "not published %d: %v\n", id, err)
					continue
				}
				fmt.Fprintf(c.out, "published %d %s /public/decisions/%d\n", x.ID, x.Public.Number, x.ID)
			}
			if failed > 0 {
				return fmt.Errorf("%d of %d not published", failed, len(ids))
			}
			return nil
		})
	case "list":
		fs := cmdline.FlagSet("publicity list")
		state := fs.String("state", "", "only this state")
		asJSON := fs.Bool("json", false, "JSON")
		if _, err := cmdline.Parse(fs, args[1:]); err != nil {
			return err
		}
		return c.withData(func(ctx context.Context, d *server.Data) error {
			q := publicity.Query{Limit: -1}
			if *state != "" {
				q.States = []string{*state}
			}
			list, _, err := d.Store.Publications(ctx, q)
			if err != nil {
				return err
			}
			if *asJSON {
				if list == nil {
					list = []publicity.Decision{}
				}
				return json.NewEncoder(c.out).Encode(list)
			}
			for _, x := range list {
				fmt.Fprintf(c.out, "%d\t%s\t%s\t%s\t%s\n", x.ID, x.Number, publicity.KindNames[x.Kind], x.DecidedAt, publicity.StateNames[x.State])
			}
			return nil
		})
	}
	return fmt.Errorf("%w: publicity import|approve|list|settings|annual", cmdline.ErrUsage)
}

func (c *cli) publicitySettings(args []string) error {
	fs := cmdline.FlagSet("publicity settings")
	years := fs.String("person-years", "", "withdrawal period of natural persons' penalties, 1-5 years")
	due := fs.String("annual-due", "", "01-20 or 01-31")
	if _, err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	return c.withData(func(ctx context.Context, d *server.Data) error {
		detail, err := web.SetPublicitySettings(ctx, d.Store, *years, *due)
		if err != nil {
			return err
		}
		if detail != "" {
			if err := d.Store.AppendAudit(ctx, store.AuditRecord{At: d.Now(), Username: "operator", Action: "settings_publicity", Detail: detail + " (lawtrace-server publicity settings)"}); err != nil {
				return err
			}
		}
		svc := web.PublicityService(d.Store, d.Now)
		fmt.Fprintf(c.out, "%s=%d\n%s=%s\n", publicity.PersonYearsSetting, web.PublicityPersonYears(ctx, d.Store), publicity.AnnualDueSetting, svc.AnnualSettings(ctx).AnnualDue)
		return nil
	})
}

func (c *cli) publicityAnnual(args []string) error {
	if len(args) == 0 || args[0] != "generate" && args[0] != "approve" {
		return fmt.Errorf("%w: publicity annual (generate|approve) YEAR --by USERNAME", cmdline.ErrUsage)
	}
	fs := cmdline.FlagSet("publicity annual " + args[0])
	by := fs.String("by", "", "the reviewer's or supervisor's username (required)")
	note := fs.String("note", "", "an explanation published with the statistics (redacted)")
	pos, err := cmdline.Parse(fs, args[1:])
	if err != nil {
		return err
	}
	year := 0
	if len(pos) == 1 {
		year, _ = strconv.Atoi(pos[0])
	}
	if *by == "" || year == 0 {
		return fmt.Errorf("%w: publicity annual %s YEAR --by USERNAME", cmdline.ErrUsage, args[0])
	}
	return c.withData(func(ctx context.Context, d *server.Data) error {
		acc, err := d.Store.AccountByUsername(ctx, *by)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no account %q", *by)
		}
		if err != nil {
			return err
		}
		if acc.Disabled || acc.Role != "supervisor" && acc.Role != "reviewer" {
			return fmt.Errorf("%s is not an enabled reviewer or supervisor: the internal review is theirs (000-publicity §23)", *by)
		}
		actor := publicity.Actor{Username: acc.Username, Name: acc.Name, Role: acc.Role}
		svc := web.PublicityService(d.Store, d.Now)
		if args[0] == "generate" {
			agency, _ := d.Store.Setting(ctx, "agency")
			r, err := svc.GenerateAnnual(ctx, year, agency, *note, actor)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.out, "generated the %d statistics for review (%d sections)\n", r.Year, len(r.Stats.Sections))
			return nil
		}
		r, err := svc.ApproveAnnual(ctx, year, actor, *note)
		if err != nil {
			return err
		}
		fmt.Fprintf(c.out, "published the %d statistics /public/statistics/%d\n", r.Year, r.Year)
		return nil
	})
}
