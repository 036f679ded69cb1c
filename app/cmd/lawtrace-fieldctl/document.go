package main

import (
	"fmt"
	"os"

	"lawtrace/app/internal/field"
	"lawtrace/shared/cmdline"
)

// document writes the PDF of a step entry (or a step kind's latest entry).
func (c *cli) document(t *field.Terminal, args []string) error {
	fs := cmdline.FlagSet("document")
	out := fs.String("o", "", "output PDF file")
	pos, err := cmdline.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 || *out == "" {
		return fmt.Errorf("%w: document CASE ENTRY|STEP -o FILE.pdf", cmdline.ErrUsage)
	}
	pdf, err := t.Document(pos[0], pos[1])
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, pdf, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "wrote %s (%d bytes)\n", *out, len(pdf))
	return nil
}
