package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"lawtrace/backend/internal/reviewsrv"
	"lawtrace/backend/internal/server"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/casedoc"
	"lawtrace/shared/casefile"
	"lawtrace/shared/cmdline"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
	"lawtrace/shared/syncproto"
)

// archiveUsage is the case file command (SPEC R5, issue 10).
const archiveUsage = `  archive CASE -o FILE [--by NAME] [--note N] [--json]
                           write the case file (案卷) bundle: table of contents,
                           documents, media, entries, keys, log proofs, signed
                           manifest; records 立卷归档 in the office chain.
                           Check it offline with lawtrace-verify FILE
`

func (c *cli) archive(args []string) error {
	fs := cmdline.FlagSet("archive")
	out := fs.String("o", "", "the bundle file to write")
	by := fs.String("by", "", "who makes the case file (recorded)")
	note := fs.String("note", "", "a note recorded with the archive entry")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := cmdline.Parse(fs, args)
	if err != nil {
		return err
	}
	if len(pos) != 1 || *out == "" {
		return fmt.Errorf("%w: archive CASE -o FILE [--by NAME] [--note N] [--json]\n%s", cmdline.ErrUsage, archiveUsage)
	}
	caseID := pos[0]
	return c.withReview(func(ctx context.Context, d *server.Data, s *reviewsrv.Service) error {
		_, recorded, err := s.RecordArchive(ctx, reviewsrv.Archivist(*by), caseID, *note, casefile.Format)
		if err != nil {
			if e := (*enforce.Error)(nil); errors.As(err, &e) && e.MessageZh != "" {
				return fmt.Errorf("%v\n拒绝：%s（依据%s）", err, e.MessageZh, enforce.Cite(e.Article))
			}
			return err
		}
		b, err := gatherBundle(ctx, d, caseID)
		if err != nil {
			return err
		}
		sum, err := writeBundle(*out, b, d)
		if err != nil {
			return err
		}
		if *asJSON {
			return cmdline.PrintJSON(c.out, struct {
				Case     string `json:"case"`
				File     string `json:"file"`
				Recorded bool   `json:"archive_entry_recorded"`
				casefile.Summary
			}{caseID, *out, recorded, sum})
		}
		fmt.Fprintf(c.out, "case file of %s written to %s: %d files (%d documents, %d media files, %d bytes), %d terminal and %d office entries proven in the log of size %d; manifest sha256 %s\n",
			caseID, *out, sum.Files, sum.Documents, sum.Media, sum.Bytes, sum.Entries, sum.Office, sum.TreeSize, sum.Manifest)
		if recorded {
			fmt.Fprintf(c.out, "立卷归档 recorded in the office chain of %s\n", caseID)
		} else {
			fmt.Fprintf(c.out, "the case was already archived; the bundle was written again from the same records\n")
		}
		fmt.Fprintf(c.out, "check it with: lawtrace-verify %s\n", *out)
		return nil
	})
}

// gatherBundle reads everything of a case the bundle holds.
func gatherBundle(ctx context.Context, d *server.Data, caseID string) (casefile.Bundle, error) {
	b := casefile.Bundle{CaseID: caseID, Created: d.Now(), Media: d.Blobs.Open}
	oc, err := d.Store.Office(ctx, caseID)
	if errors.Is(err, store.ErrNotFound) {
		return b, fmt.Errorf("no case %s", caseID)
	} else if err != nil {
		return b, err
	}
	b.Office = oc.Chain
	if b.Entries, err = d.Store.CaseEntries(ctx, caseID); err != nil {
		return b, err
	}
	seen := map[string]bool{}
	for _, e := range b.Entries {
		if seen[e.DeviceID] {
			continue
		}
		seen[e.DeviceID] = true
		dv, err := d.Store.Device(ctx, e.DeviceID)
		if err != nil {
			return b, fmt.Errorf("device %s of entry #%d: %w", e.DeviceID, e.Seq, err)
		}
		b.Devices = append(b.Devices, casefile.KeyFile{ID: dv.ID, Name: dv.Name, PublicKey: dv.PublicKey})
	}
	for _, h := range casefile.MediaHashes(b.Entries, b.Office) {
		if ok, err := d.Store.MediaPresent(ctx, h); err != nil {
			return b, err
		} else if !ok {
			return b, fmt.Errorf("file %s referenced by case %s is not uploaded yet; the case file is made when every file is on the server (SPEC R4)", h[:12], caseID)
		}
	}
	if b.TreeHead, err = d.Store.TreeHead(ctx); err != nil {
		return b, err
	}
	for _, chain := range [][]ledger.Entry{b.Entries, b.Office} {
		for _, e := range chain {
			p, err := d.Store.ProofByEntry(ctx, e.ID, b.TreeHead.Size)
			if err != nil {
				return b, fmt.Errorf("log proof of entry %s: %w", e.ID, err)
			}
			b.Proofs = append(b.Proofs, p)
		}
	}
	b.Context, err = printingContext(ctx, d, caseID, b.Entries)
	return b, err
}

// printingContext finds the agency name, the procedure version the case
// was opened under and the rights texts its entries cite in the catalog.
func printingContext(ctx context.Context, d *server.Data, caseID string, entries []ledger.Entry) (casefile.Context, error) {
	var cx casefile.Context
	h, err := casedoc.ReadHeader(caseID, entries)
	if err != nil {
		return cx, err
	}
	want := map[string]bool{syncproto.KindProcedure + "\x00" + h.Open.Procedure + "\x00" + strconv.Itoa(h.Open.ProcedureVersion): true}
	for _, ref := range casefile.RightsRefs(entries) {
		i := strings.LastIndex(ref, "-v")
		if i > 0 {
			want[syncproto.KindRights+"\x00"+ref[:i]+"\x00"+ref[i+2:]] = true
		}
	}
	cx.Agency, _ = d.Store.Setting(ctx, "agency")
	for since := int64(0); ; {
		items, _, err := d.Store.CatalogSince(ctx, since, 500)
		if err != nil {
			return cx, err
		}
		if len(items) == 0 {
			break
		}
		for _, it := range items {
			since = it.Seq
			switch {
			case it.Kind == syncproto.KindAgency:
				var a syncproto.Agency
				if json.Unmarshal(it.Body, &a) == nil && a.Name != "" {
					cx.Agency = a.Name
				}
			case want[it.Kind+"\x00"+it.Key+"\x00"+strconv.Itoa(it.Version)]:
				if it.Kind == syncproto.KindProcedure {
					cx.Procedure = it.Body
				} else {
					cx.Rights = append(cx.Rights, it.Body)
				}
			}
		}
	}
	if cx.Procedure == nil {
		return cx, fmt.Errorf("procedure %s v%d of case %s is not in the catalog", h.Open.Procedure, h.Open.ProcedureVersion, caseID)
	}
	if cx.Rights == nil {
		cx.Rights = []json.RawMessage{}
	}
	return cx, nil
}

// writeBundle writes the bundle next to its destination, syncs it and
// renames it into place, so a half-written file never has the name.
func writeBundle(path string, b casefile.Bundle, d *server.Data) (casefile.Summary, error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return casefile.Summary{}, err
	}
	defer os.Remove(tmp.Name())
	sum, err := casefile.Write(tmp, b, d.Key)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	return sum, err
}
