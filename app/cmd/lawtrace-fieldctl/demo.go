package main

import (
	"fmt"
	"os"
	"path/filepath"

	"lawtrace/app/internal/demo"
	"lawtrace/app/internal/field"
	"lawtrace/shared/cmdline"
)

// demo records a full inspection case into the home, creating it if needed.
func (c *cli) demo(args []string) error {
	fs := cmdline.FlagSet("demo")
	party := fs.String("party", "新城区惠民便利店", "the party of the demo case")
	if _, err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	t, err := field.Open(c.home)
	if err != nil {
		if t, err = field.Init(c.home, "demo terminal"); err != nil {
			return err
		}
	}
	defer t.Close()
	in, err := demo.WriteInputs(filepath.Join(c.home, "demo-input"))
	if err != nil {
		return err
	}
	id, steps, err := demo.RecordInspection(t, in, *party)
	for _, s := range steps {
		fmt.Fprintf(c.out, "%-17s entry #%d %s\n", s.Kind, s.Entry.Seq, s.Entry.Hash[:16])
	}
	if err != nil {
		return err
	}
	findings, err := t.Verify(id)
	if err != nil {
		return err
	}
	if len(findings) > 0 {
		return fmt.Errorf("demo case %s does not verify: %v", id, findings)
	}
	fmt.Fprintf(c.out, "case %s recorded and verified in %s\n", id, c.home)
	_ = os.Stdout.Sync()
	return nil
}
