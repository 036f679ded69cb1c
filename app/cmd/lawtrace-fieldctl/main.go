// Command lawtrace-fieldctl drives the terminal's offline field core without a screen: for scripting, tests and load simulation.
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"lawtrace/app/internal/field"
	"lawtrace/shared/cmdline"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
)

const usage = `lawtrace-fieldctl — the LawTrace field core without a screen

usage: lawtrace-fieldctl [--home DIR] COMMAND [options]

  init [--device-name NAME] [--json]          create the device key and store
  identity [--json]                           device id and key fingerprint
  officer add --name N --cert C --expires YYYY-MM-DD [--unit U]
  officer list [--json]
  case new --type T --party P --party-kind person|org [--source S]
           --officer CERT [--officer CERT ...] [--emergency-reason R] [--place ADDR] [--json]
  case join CASE --officer CERT [...]         add officers to a case
  case list [--json]
  case show CASE [--json]                     steps, what is recorded, what is missing
  case close-scene CASE --by CERT             close the on-scene record
  step CASE STEP --by CERT [--set key=value ...] [--items NAME=JSON ...]
           [--attach FILE ...] [--attach-as KIND=FILE ...] [--caption TEXT]
           [--sign ROLE[:NAME]=STROKES.json ...] [--signer ROLE=NAME ...] [--place ADDR] [--json]
  correct CASE ENTRY --by CERT --reason R [--set key=value ...]
  log CASE [--json]                           the case's entries in order
  document CASE ENTRY|STEP -o FILE.pdf        print a record as PDF (rights notice, notes, sample list, service receipt,
                                              on-the-spot penalty decision, seizure record, order to correct,
                                              inspection opinion)
  verify [CASE]                               exit 0 intact, 1 with the findings
  status [--json]                             outbox, pending media, last sync
  demo                                        record a full inspection case with generated evidence
  enroll --server URL --code CODE [--json]    register this terminal's key with the backend
  sync [--watch] [--batch N] [--json]         send entries and media, fetch catalog updates;
                                              exit 0 when nothing is left queued; --watch keeps
                                              syncing in the background and resumes after drops
  proof ENTRY [--json]                        the entry's transparency-log proof, re-verified

--by is the credential number of the officer making the record (记录人, an
officer on the case). Signatures: --sign ROLE[:NAME]=STROKES.json, e.g.
--sign officer:王强=a.json --sign officer:李明=b.json (every officer on the case
signs notes), or --signer ROLE=NAME once for a role signed once. A witness,
recipient or person signs under the name in witness_name, recipient_name or
person_name; the party under the case's party or the step's party_agent; a
server is an officer on the case. A refusal exits 1 with the English reason
and a line 拒绝：… naming the regulation and article.

--home defaults to $LAWTRACE_HOME. Types: penalty, penalty-simple, inspection,
coercion, permit. Sources: inspection, complaint, assigned, transferred, other.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// cli carries the output streams and the device home of one invocation.
type cli struct {
	out, errOut io.Writer
	home        string
}

func run(args []string, stdout, stderr io.Writer) int {
	global := flag.NewFlagSet("lawtrace-fieldctl", flag.ContinueOnError)
	global.SetOutput(stderr)
	global.Usage = func() { fmt.Fprint(stderr, usage) }
	home := global.String("home", os.Getenv("LAWTRACE_HOME"), "device home directory")
	if err := global.Parse(args); err != nil {
		return 2
	}
	c := &cli{out: stdout, errOut: stderr, home: *home}
	rest := global.Args()
	if len(rest) == 0 {
		fmt.Fprint(stderr, usage)
		return 2
	}
	if c.home == "" {
		fmt.Fprintln(stderr, "lawtrace-fieldctl: --home DIR (or LAWTRACE_HOME) is required")
		return 2
	}
	err := c.dispatch(rest[0], rest[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, cmdline.ErrUsage):
		fmt.Fprintf(stderr, "lawtrace-fieldctl: %v\n", err)
		return 2
	default:
		fmt.Fprintf(stderr, "lawtrace-fieldctl: %v\n", err)
		var refusal *enforce.Error
		if errors.As(err, &refusal) {
			fmt.Fprintf(stderr, "拒绝：%s\n", refusal.Zh())
		}
		return 1
	}
}

func (c *cli) dispatch(cmd string, args []string) error {
	sub := func() (string, []string, error) {
		if len(args) == 0 {
			return "", nil, fmt.Errorf("%w: %s needs a subcommand", cmdline.ErrUsage, cmd)
		}
		return args[0], args[1:], nil
	}
	switch cmd {
	case "init":
		return c.initCmd(args)
	case "identity":
		return c.withTerminal(args, c.identity)
	case "officer":
		s, rest, err := sub()
		if err != nil {
			return err
		}
		switch s {
		case "add":
			return c.withTerminal(rest, c.officerAdd)
		case "list":
			return c.withTerminal(rest, c.officerList)
		}
		return fmt.Errorf("%w: unknown command officer %s", cmdline.ErrUsage, s)
	case "case":
		s, rest, err := sub()
		if err != nil {
			return err
		}
		switch s {
		case "new":
			return c.withTerminal(rest, c.caseNew)
		case "join":
			return c.withTerminal(rest, c.caseJoin)
		case "list":
			return c.withTerminal(rest, c.caseList)
		case "show":
			return c.withTerminal(rest, c.caseShow)
		case "close-scene":
			return c.withTerminal(rest, func(t *field.Terminal, args []string) error {
				if len(args) == 0 || strings.HasPrefix(args[0], "-") {
					return fmt.Errorf("%w: case close-scene CASE --by CERT [--set summary=TEXT]", cmdline.ErrUsage)
				}
				return c.step(t, append([]string{args[0], enforce.StepCloseScene}, args[1:]...))
			})
		}
		return fmt.Errorf("%w: unknown command case %s", cmdline.ErrUsage, s)
	case "step":
		return c.withTerminal(args, c.step)
	case "correct":
		return c.withTerminal(args, c.correct)
	case "log":
		return c.withTerminal(args, c.log)
	case "document":
		return c.withTerminal(args, c.document)
	case "verify":
		return c.withTerminal(args, c.verify)
	case "status":
		return c.withTerminal(args, c.status)
	case "demo":
		return c.demo(args)
	case "enroll", "enrol":
		return c.withTerminal(args, c.enroll)
	case "sync":
		return c.withTerminal(args, c.syncCmd)
	case "proof":
		return c.withTerminal(args, c.proof)
	}
	return fmt.Errorf("%w: unknown command %q (run without arguments for help)", cmdline.ErrUsage, cmd)
}

func (c *cli) withTerminal(args []string, fn func(*field.Terminal, []string) error) error {
	t, err := field.Open(c.home)
	if err != nil {
		return err
	}
	defer t.Close()
	return fn(t, args)
}

func (c *cli) initCmd(args []string) error {
	fs := cmdline.FlagSet("init")
	name := fs.String("device-name", "", "a name for this terminal")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	t, err := field.Init(c.home, *name)
	if err != nil {
		return err
	}
	defer t.Close()
	return c.printIdentity(t, *asJSON)
}

func (c *cli) identity(t *field.Terminal, args []string) error {
	fs := cmdline.FlagSet("identity")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	return c.printIdentity(t, *asJSON)
}

func (c *cli) printIdentity(t *field.Terminal, asJSON bool) error {
	id := t.Identity()
	if asJSON {
		return cmdline.PrintJSON(c.out, id)
	}
	fmt.Fprintf(c.out, "device %s (%s)\nkey fingerprint %s\n", id.DeviceID, id.Name, id.Fingerprint)
	return nil
}

func (c *cli) officerAdd(t *field.Terminal, args []string) error {
	fs := cmdline.FlagSet("officer add")
	var o enforce.Officer
	fs.StringVar(&o.Name, "name", "", "officer name")
	fs.StringVar(&o.Cert, "cert", "", "credential number")
	fs.StringVar(&o.Expires, "expires", "", "credential expiry YYYY-MM-DD")
	fs.StringVar(&o.Unit, "unit", "", "unit")
	if _, err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	if err := t.PutOfficer(o); err != nil {
		return err
	}
	fmt.Fprintf(c.out, "officer %s %s, credential valid until %s\n", o.Cert, o.Name, o.Expires)
	return nil
}

func (c *cli) officerList(t *field.Terminal, args []string) error {
	fs := cmdline.FlagSet("officer list")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	officers, err := t.Officers()
	if err != nil {
		return err
	}
	if *asJSON {
		return cmdline.PrintJSON(c.out, officers)
	}
	for _, o := range officers {
		state := "valid"
		if p := o.CredentialProblem(t.Now()); p != "" {
			state = p
		}
		fmt.Fprintf(c.out, "%s\t%s\t%s\t%s\n", o.Cert, o.Name, o.Expires, state)
	}
	return nil
}

func (c *cli) caseNew(t *field.Terminal, args []string) error {
	fs := cmdline.FlagSet("case new")
	var nc field.NewCase
	var officers cmdline.List
	fs.StringVar(&nc.Type, "type", "", "procedure type")
	fs.StringVar(&nc.Party, "party", "", "party name")
	fs.StringVar(&nc.PartyKind, "party-kind", "", "person or org")
	fs.StringVar(&nc.Source, "source", "", "case source")
	fs.StringVar(&nc.EmergencyReason, "emergency-reason", "", "why the case starts before internal approval")
	fs.Var(&officers, "officer", "credential number (repeat)")
	place := fs.String("place", "", "address")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	nc.Officers = officers
	if *place != "" {
		nc.Place = &ledger.Place{Address: *place}
	}
	cs, err := t.OpenCase(nc)
	if err != nil {
		return err
	}
	if *asJSON {
		return cmdline.PrintJSON(c.out, map[string]any{"id": cs.ID, "procedure": cs.Open.Procedure, "procedure_version": cs.Open.ProcedureVersion, "entry": cs.Entries[0].ID})
	}
	fmt.Fprintln(c.out, cs.ID)
	return nil
}

func (c *cli) caseJoin(t *field.Terminal, args []string) error {
	fs := cmdline.FlagSet("case join")
	var officers cmdline.List
	fs.Var(&officers, "officer", "credential number (repeat)")
	pos, err := cmdline.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: case join CASE --officer CERT", cmdline.ErrUsage)
	}
	cs, err := t.JoinOfficers(pos[0], officers)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.out, "case %s now has %d officers\n", cs.ID, len(cs.Officers))
	return nil
}

func (c *cli) caseList(t *field.Terminal, args []string) error {
	fs := cmdline.FlagSet("case list")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	cases, err := t.Cases(zeroTime)
	if err != nil {
		return err
	}
	if *asJSON {
		return cmdline.PrintJSON(c.out, cases)
	}
	for _, s := range cases {
		fmt.Fprintf(c.out, "%s\t%s\t%s\tlast %s\t%d unconfirmed\n", s.ID, s.Procedure, s.Party, s.LastStep, s.Unconfirmed)
	}
	return nil
}

func (c *cli) caseShow(t *field.Terminal, args []string) error {
	fs := cmdline.FlagSet("case show")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := cmdline.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: case show CASE", cmdline.ErrUsage)
	}
	cs, err := t.Case(pos[0])
	if err != nil {
		return err
	}
	plan := t.State(cs).Plan()
	if *asJSON {
		return cmdline.PrintJSON(c.out, map[string]any{"case": cs, "steps": plan})
	}
	fmt.Fprintf(c.out, "case %s — %s v%d — %s (%s), source %s\n", cs.ID, cs.Procedure.Name, cs.Procedure.Version, cs.Open.Party, cs.Open.PartyKind, cs.Open.Source)
	for _, o := range cs.Officers {
		fmt.Fprintf(c.out, "  officer %s %s (valid until %s)\n", o.Cert, o.Name, o.Expires)
	}
	for _, s := range plan {
		fmt.Fprintf(c.out, "  %-9s %-18s %s%s\n", s.Status, s.Kind, s.Label, mandatoryMark(s.Mandatory))
		if s.Blocked != "" {
			fmt.Fprintf(c.out, "            %s\n", s.Blocked)
		}
	}
	fmt.Fprintf(c.out, "%d entries, %d not yet confirmed by the server\n", len(cs.Entries), cs.Unconfirmed)
	return nil
}

func mandatoryMark(m bool) string {
	if m {
		return " *"
	}
	return ""
}

func (c *cli) step(t *field.Terminal, args []string) error {
	fs := cmdline.FlagSet("step")
	var sets, items, attach, attachAs, signs, signers cmdline.List
	fs.Var(&sets, "set", "key=value (repeat)")
	fs.Var(&items, "items", "NAME=JSON array of rows (repeat)")
	fs.Var(&attach, "attach", "evidence file (repeat)")
	fs.Var(&attachAs, "attach-as", "KIND=FILE (repeat)")
	fs.Var(&signs, "sign", "ROLE=STROKES.json (repeat)")
	fs.Var(&signers, "signer", "ROLE=NAME (repeat)")
	by := fs.String("by", "", "credential number of the officer making the record (000-record §4)")
	caption := fs.String("caption", "", "caption for the attached files")
	place := fs.String("place", "", "address")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := cmdline.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return fmt.Errorf("%w: step CASE STEP [options]", cmdline.ErrUsage)
	}
	req := field.StepRequest{Kind: pos[1], Recorder: *by, Fields: map[string]string{}, Items: map[string][]map[string]string{}}
	if err := c.readStepRequest(&req, sets, items, attach, attachAs, signs, signers, *caption); err != nil {
		return err
	}
	if *place != "" {
		req.Place = &ledger.Place{Address: *place}
	}
	e, err := t.RecordStep(pos[0], req)
	if err != nil {
		return err
	}
	if *asJSON {
		return cmdline.PrintJSON(c.out, e)
	}
	fmt.Fprintf(c.out, "recorded %s as entry #%d %s (hash %s)\n", e.Step, e.Seq, e.ID, e.Hash[:16])
	return nil
}

func (c *cli) readStepRequest(req *field.StepRequest, sets, items, attach, attachAs, signs, signers cmdline.List, caption string) error {
	for _, kv := range sets {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return fmt.Errorf("%w: --set wants key=value, got %q", cmdline.ErrUsage, kv)
		}
		req.Fields[k] = v
	}
	for _, kv := range items {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return fmt.Errorf("%w: --items wants NAME=JSON, got %q", cmdline.ErrUsage, kv)
		}
		var rows []map[string]string
		if err := json.Unmarshal([]byte(v), &rows); err != nil {
			return fmt.Errorf("--items %s: not a JSON array of objects with text values: %v", k, err)
		}
		req.Items[k] = rows
	}
	for _, f := range attach {
		req.Attach = append(req.Attach, field.Attachment{Path: f, Caption: caption})
	}
	for _, kv := range attachAs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return fmt.Errorf("%w: --attach-as wants KIND=FILE, got %q", cmdline.ErrUsage, kv)
		}
		req.Attach = append(req.Attach, field.Attachment{Path: v, Kind: k, Caption: caption})
	}
	names := map[string]string{}
	for _, kv := range signers {
		k, v, _ := strings.Cut(kv, "=")
		names[k] = v
	}
	for _, kv := range signs {
		who, path, ok := strings.Cut(kv, "=")
		role, name, named := strings.Cut(who, ":")
		if !ok || role == "" {
			return fmt.Errorf("%w: --sign wants ROLE[:NAME]=STROKES.json, got %q", cmdline.ErrUsage, kv)
		}
		if !named {
			name = names[role]
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return fmt.Errorf("%s signature: %w", role, err)
		}
		req.Sign = append(req.Sign, field.Signing{Role: role, Name: name, Strokes: data})
	}
	return nil
}

func (c *cli) correct(t *field.Terminal, args []string) error {
	fs := cmdline.FlagSet("correct")
	var sets cmdline.List
	fs.Var(&sets, "set", "key=value (repeat)")
	reason := fs.String("reason", "", "why the entry is corrected")
	by := fs.String("by", "", "credential number of the officer making the correction")
	pos, err := cmdline.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 2 {
		return fmt.Errorf("%w: correct CASE ENTRY --by CERT --reason R", cmdline.ErrUsage)
	}
	fields := map[string]string{}
	for _, kv := range sets {
		k, v, ok := strings.Cut(kv, "=")
		if !ok {
			return fmt.Errorf("%w: --set wants key=value, got %q", cmdline.ErrUsage, kv)
		}
		fields[k] = v
	}
	e, err := t.CorrectStep(pos[0], pos[1], *by, *reason, fields)
	if err != nil {
		return err
	}
	fmt.Fprintf(c.out, "recorded correction of %s as entry #%d %s\n", pos[1], e.Seq, e.ID)
	return nil
}

func (c *cli) log(t *field.Terminal, args []string) error {
	fs := cmdline.FlagSet("log")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := cmdline.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: log CASE", cmdline.ErrUsage)
	}
	cs, err := t.Case(pos[0])
	if err != nil {
		return err
	}
	if *asJSON {
		return cmdline.PrintJSON(c.out, cs.Entries)
	}
	for _, e := range cs.Entries {
		fmt.Fprintf(c.out, "#%d\t%s\t%s\t%s\t%d files\t%s\n", e.Seq, e.DeviceTime, e.Step, strings.Join(e.Officers, ","), len(e.Media), e.Hash[:16])
	}
	return nil
}

func (c *cli) verify(t *field.Terminal, args []string) error {
	pos, err := cmdline.Parse(cmdline.FlagSet("verify"), args)
	if err != nil {
		return err
	}
	if len(pos) > 1 {
		return fmt.Errorf("%w: verify [CASE]", cmdline.ErrUsage)
	}
	caseID := ""
	if len(pos) == 1 {
		caseID = pos[0]
		if _, err := t.Case(caseID); err != nil {
			return err
		}
	}
	findings, err := t.Verify(caseID)
	if err != nil {
		return err
	}
	if len(findings) == 0 {
		st, err := t.Status()
		if err != nil {
			return err
		}
		fmt.Fprintf(c.out, "intact: %d cases, %d entries, chains, signatures and media hashes verified\n", st.Cases, st.Entries)
		return nil
	}
	lines := make([]string, len(findings))
	for i, f := range findings {
		lines[i] = f.String()
	}
	sort.Strings(lines)
	for _, l := range lines {
		fmt.Fprintln(c.out, l)
	}
	return fmt.Errorf("verify found %d problem(s)", len(findings))
}

func (c *cli) status(t *field.Terminal, args []string) error {
	fs := cmdline.FlagSet("status")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	st, err := t.Status()
	if err != nil {
		return err
	}
	if *asJSON {
		return cmdline.PrintJSON(c.out, st)
	}
	last := st.LastSync
	if last == "" {
		last = "never"
	}
	fmt.Fprintf(c.out, "device %s: %d cases, %d entries; outbox %d entries, %d media files (%d bytes) pending; last sync %s\n",
		st.DeviceID, st.Cases, st.Entries, st.Outbox, st.PendingMedia, st.PendingBytes, last)
	return nil
}

// zeroTime lists every case, whenever opened.
var zeroTime time.Time
