// Command lawtrace-verify checks a LawTrace case file (案卷) bundle offline — no database, no network, no cgo — and prints a report in Chinese: every manifest hash, chain link, entry signature, hand-signature binding, log inclusion proof and the tree head's signature (SPEC R2, R5). Exit 0 intact, 1 with each finding, 2 for a bad command line.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"lawtrace/shared/casefile"
)

const usage = `lawtrace-verify — 案卷核验（LawTrace case file verifier）

usage: lawtrace-verify [--pdf REPORT.pdf] [--json] FILE

  FILE        the case file bundle written by lawtrace-server archive
  --pdf OUT   also write the report as PDF
  --json      print the report as JSON instead of text

exit status: 0 intact (完好), 1 findings (each names the file or entry), 2 usage
`

func main() { os.Exit(run(os.Args[1:], os.Stdout, os.Stderr)) }

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("lawtrace-verify", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	pdfOut := fs.String("pdf", "", "write the report as PDF")
	asJSON := fs.Bool("json", false, "print JSON")
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if err == flag.ErrHelp {
				fmt.Fprint(stdout, usage)
				return 0
			}
			fmt.Fprintf(stderr, "lawtrace-verify: %v\n\n%s", err, usage)
			return 2
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		args = fs.Args()[1:]
	}
	if len(pos) != 1 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	r, err := casefile.VerifyFile(pos[0])
	if err != nil {
		fmt.Fprintf(stderr, "lawtrace-verify: 无法打开案卷：%v\n", err)
		return 1
	}
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		_ = enc.Encode(r)
	} else {
		fmt.Fprint(stdout, r.Text())
	}
	if *pdfOut != "" {
		pdf, err := r.PDF(time.Now())
		if err == nil {
			err = os.WriteFile(*pdfOut, pdf, 0o644)
		}
		if err != nil {
			fmt.Fprintf(stderr, "lawtrace-verify: 无法写出 PDF 报告：%v\n", err)
			return 1
		}
	}
	if !r.OK() {
		return 1
	}
	return 0
}
