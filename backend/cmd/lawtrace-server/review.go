package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"lawtrace/backend/internal/auth"
	"lawtrace/backend/internal/reviewsrv"
	"lawtrace/backend/internal/server"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/cmdline"
)

// reviewUsage lists the operator commands of the legal review (issue 6).
const reviewUsage = `  catalog publish FILE     publish a new version of the review catalog (validated)
  catalog show [--version N]
                           print the catalog in force, or a version, as JSON
  catalog list [--json]    every published version
  calendar load FILE [--replace]
                           add a year's official holiday schedule (cn-YYYY.json);
                           --replace corrects a year the calendar already holds
  calendar list [--json]   the years known, shipped or loaded
  reviewer add --username U --name N --qualification Q [--unit U] [--since YYYY-MM-DD]
  reviewer remove --username U
  reviewer list [--json]   legal reviewers, their qualification, and the ratio to officers
  deadlines [--case C] [--kind K] [--state running|overdue|met|missed|open] [--json]
                           every deadline of every case: due, remaining, state
  review show CASE [--json]
                           a case's review, decision and office chain
`

// operator is who the operator commands act as: an admin, named in the
// records they write.
var operator = reviewsrv.User{ID: "operator", Username: "operator", Name: "lawtrace-server 运维命令", Role: auth.Admin}

func (c *cli) withReview(fn func(ctx context.Context, d *server.Data, s *reviewsrv.Service) error) error {
	return c.withData(func(ctx context.Context, d *server.Data) error {
		s, err := reviewsrv.New(ctx, reviewsrv.Config{Store: d.Store, Blobs: d.Blobs, Now: d.Now, ServerID: d.ServerID()})
		if err != nil {
			return err
		}
		return fn(ctx, d, s)
	})
}

func (c *cli) catalog(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: catalog publish|show|list", cmdline.ErrUsage)
	}
	switch args[0] {
	case "publish":
		pos, err := cmdline.Parse(cmdline.FlagSet("catalog publish"), args[1:])
		if err != nil {
			return err
		}
		if len(pos) != 1 {
			return fmt.Errorf("%w: catalog publish FILE", cmdline.ErrUsage)
		}
		data, err := os.ReadFile(pos[0])
		if err != nil {
			return err
		}
		return c.withReview(func(ctx context.Context, _ *server.Data, s *reviewsrv.Service) error {
			ci, err := s.PublishCatalog(ctx, operator, data)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.out, "review catalog v%d of %s published (%d rules, sha256 %s); it decides every proposal from now on\n",
				ci.Version, ci.Agency, len(ci.Catalog.Rules), ci.SHA256[:16])
			return nil
		})
	case "show":
		fs := cmdline.FlagSet("catalog show")
		version := fs.Int("version", 0, "version (default: in force)")
		if _, err := cmdline.Parse(fs, args[1:]); err != nil {
			return err
		}
		return c.withReview(func(ctx context.Context, _ *server.Data, s *reviewsrv.Service) error {
			ci, err := s.Catalog(ctx, *version)
			if err != nil {
				return err
			}
			return cmdline.PrintJSON(c.out, ci.Catalog)
		})
	case "list":
		fs := cmdline.FlagSet("catalog list")
		asJSON := fs.Bool("json", false, "print JSON")
		if _, err := cmdline.Parse(fs, args[1:]); err != nil {
			return err
		}
		return c.withReview(func(ctx context.Context, _ *server.Data, s *reviewsrv.Service) error {
			list, err := s.Catalogs(ctx)
			if err != nil || *asJSON {
				if err == nil {
					err = cmdline.PrintJSON(c.out, list)
				}
				return err
			}
			for _, v := range list {
				fmt.Fprintf(c.out, "v%d\t%s\t%s\t%s\n", v.Version, v.PublishedAt.Local().Format(time.DateTime), v.PublishedBy, v.Agency)
			}
			return nil
		})
	}
	return fmt.Errorf("%w: catalog publish|show|list, not %q", cmdline.ErrUsage, args[0])
}

func (c *cli) calendar(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: calendar load|list", cmdline.ErrUsage)
	}
	switch args[0] {
	case "load":
		fs := cmdline.FlagSet("calendar load")
		replace := fs.Bool("replace", false, "replace a year the calendar holds")
		pos, err := cmdline.Parse(fs, args[1:])
		if err != nil {
			return err
		}
		if len(pos) != 1 {
			return fmt.Errorf("%w: calendar load FILE [--replace]", cmdline.ErrUsage)
		}
		data, err := os.ReadFile(pos[0])
		if err != nil {
			return err
		}
		return c.withReview(func(ctx context.Context, _ *server.Data, s *reviewsrv.Service) error {
			y, err := s.LoadYear(ctx, operator, data, *replace)
			if err != nil {
				return err
			}
			fmt.Fprintf(c.out, "holiday schedule %d loaded (%s); deadlines in %d are now counted on it and verified\n", y.Year, y.Source, y.Year)
			return nil
		})
	case "list":
		fs := cmdline.FlagSet("calendar list")
		asJSON := fs.Bool("json", false, "print JSON")
		if _, err := cmdline.Parse(fs, args[1:]); err != nil {
			return err
		}
		return c.withReview(func(ctx context.Context, _ *server.Data, s *reviewsrv.Service) error {
			years, err := s.Years(ctx)
			if err != nil {
				return err
			}
			if *asJSON {
				return cmdline.PrintJSON(c.out, reviewsrv.CalendarInfo{Years: years, Note: reviewsrv.UnverifiedNote})
			}
			for _, y := range years {
				by := ""
				if y.Origin == "loaded" {
					by = " by " + y.LoadedBy + " at " + y.LoadedAt.Local().Format(time.DateTime)
				}
				fmt.Fprintf(c.out, "%d\t%s%s\t%s\n", y.Year, y.Origin, by, y.Source)
			}
			fmt.Fprintln(c.out, "other years: Monday to Friday, flagged unverified")
			return nil
		})
	}
	return fmt.Errorf("%w: calendar load|list, not %q", cmdline.ErrUsage, args[0])
}

func (c *cli) reviewer(args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: reviewer add|remove|list", cmdline.ErrUsage)
	}
	switch args[0] {
	case "add", "remove":
		fs := cmdline.FlagSet("reviewer " + args[0])
		var r store.Reviewer
		fs.StringVar(&r.Username, "username", "", "the reviewer's web account")
		fs.StringVar(&r.Name, "name", "", "name")
		fs.StringVar(&r.Qualification, "qualification", "", "legal professional qualification certificate number")
		fs.StringVar(&r.Unit, "unit", "", "unit")
		fs.StringVar(&r.Since, "since", "", "reviewer since YYYY-MM-DD")
		if _, err := cmdline.Parse(fs, args[1:]); err != nil {
			return err
		}
		r.Active = args[0] == "add"
		return c.withReview(func(ctx context.Context, _ *server.Data, s *reviewsrv.Service) error {
			if !r.Active {
				list, err := activeReviewers(ctx, s)
				if err != nil {
					return err
				}
				found := false
				for _, x := range list {
					if x.Username == r.Username {
						r, found = x, true
						r.Active = false
					}
				}
				if !found {
					return fmt.Errorf("no reviewer %s", r.Username)
				}
			}
			if _, err := s.PutReviewer(ctx, operator, r); err != nil {
				return err
			}
			fmt.Fprintf(c.out, "reviewer %s (%s) %s\n", r.Username, r.Name, map[bool]string{true: "recorded with qualification " + r.Qualification, false: "no longer reviews"}[r.Active])
			return nil
		})
	case "list":
		fs := cmdline.FlagSet("reviewer list")
		asJSON := fs.Bool("json", false, "print JSON")
		if _, err := cmdline.Parse(fs, args[1:]); err != nil {
			return err
		}
		return c.withReview(func(ctx context.Context, _ *server.Data, s *reviewsrv.Service) error {
			st, err := s.Staffing(ctx)
			if err != nil {
				return err
			}
			if *asJSON {
				return cmdline.PrintJSON(c.out, st)
			}
			for _, r := range st.Reviewers {
				fmt.Fprintf(c.out, "%s\t%s\t%s\t%s\tsince %s\n", r.Username, r.Name, r.Qualification, r.Unit, r.Since)
			}
			verdict := "meets"
			if !st.OK {
				verdict = "BELOW"
			}
			fmt.Fprintf(c.out, "%d reviewers for %d officers with a valid credential: %.1f%%, %s the 5%% minimum (SPEC L6)\n", len(st.Reviewers), st.Officers, st.Ratio*100, verdict)
			return nil
		})
	}
	return fmt.Errorf("%w: reviewer add|remove|list, not %q", cmdline.ErrUsage, args[0])
}

func activeReviewers(ctx context.Context, s *reviewsrv.Service) ([]store.Reviewer, error) {
	st, err := s.Staffing(ctx)
	return st.Reviewers, err
}

func (c *cli) deadlines(args []string) error {
	fs := cmdline.FlagSet("deadlines")
	var f reviewsrv.Filter
	fs.StringVar(&f.Case, "case", "", "one case")
	fs.StringVar(&f.Kind, "kind", "", "av_upload, emergency_approval, legal_review, publication, archive")
	fs.StringVar(&f.State, "state", "", "running, overdue, met, missed or open")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	return c.withReview(func(ctx context.Context, _ *server.Data, s *reviewsrv.Service) error {
		items, err := s.Deadlines(ctx, f)
		if err != nil {
			return err
		}
		if *asJSON {
			return cmdline.PrintJSON(c.out, items)
		}
		tw := tabwriter.NewWriter(c.out, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "CASE\tDEADLINE\tDUE (LAST DAY)\tSTATE\tREMAINING\tARTICLE")
		for _, it := range items {
			state := strings.ToUpper(it.State)
			if it.Unverified {
				state += " (unverified calendar)"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s (%s)\t%s\t%s\t%s\n", it.CaseID, it.Label, it.Due.Format("2006-01-02 15:04"), it.LastDay, state, it.Remaining, it.Article)
		}
		return tw.Flush()
	})
}

func (c *cli) reviewShow(args []string) error {
	if len(args) == 0 || args[0] != "show" {
		return fmt.Errorf("%w: review show CASE [--json]", cmdline.ErrUsage)
	}
	fs := cmdline.FlagSet("review show")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := cmdline.Parse(fs, args[1:])
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: review show CASE [--json]", cmdline.ErrUsage)
	}
	return c.withReview(func(ctx context.Context, _ *server.Data, s *reviewsrv.Service) error {
		st, err := s.State(ctx, pos[0])
		if err != nil {
			return err
		}
		if *asJSON {
			return cmdline.PrintJSON(c.out, st)
		}
		fmt.Fprintf(c.out, "case %s (%s, %s): review %s, required %v", st.Case.ID, st.Case.Procedure, st.Case.Party, st.Review.State, st.Required)
		if !st.Due.IsZero() {
			fmt.Fprintf(c.out, ", opinion due %s", st.Due.Format("2006-01-02 15:04"))
			if st.Overdue {
				fmt.Fprint(c.out, " OVERDUE")
			}
		}
		fmt.Fprintln(c.out)
		for _, m := range st.Matches {
			fmt.Fprintf(c.out, "  rule %s (%s): %s\n", m.RuleID, m.Article, m.Why)
		}
		for _, step := range st.Steps {
			fmt.Fprintf(c.out, "  #%d %s %s %s: %s\n", step.Seq, step.At.Format("2006-01-02 15:04"), step.Step, step.By.Name, step.Summary)
		}
		return nil
	})
}
