package casefile

import (
	"archive/zip"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sort"
	"time"

	"lawtrace/shared/casedoc"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
	"lawtrace/shared/retention"
	"lawtrace/shared/syncproto"
)

// Bundle is everything Write puts in a case file.
type Bundle struct {
	CaseID  string
	Created time.Time
	// Entries is the terminal chain, Office the case's office chain, each
	// in sequence order, exactly as stored.
	Entries []ledger.Entry
	Office  []ledger.Entry
	// Devices are the keys of the terminals that signed Entries.
	Devices  []KeyFile
	TreeHead syncproto.TreeHead
	// Proofs prove every entry of both chains in the log at TreeHead.
	Proofs  []syncproto.InclusionProof
	Context Context
	// Media opens a stored file by hash.
	Media func(hash string) (io.ReadCloser, error)
}

// Summary says what Write put in the bundle.
type Summary struct {
	Files     int    `json:"files"`
	Documents int    `json:"documents"`
	Media     int    `json:"media"`
	Bytes     int64  `json:"bytes"`
	Entries   int    `json:"entries"`
	Office    int    `json:"office_entries"`
	TreeSize  uint64 `json:"tree_size"`
	Manifest  string `json:"manifest_sha256"`
}

// parsedContext is Context decoded for printing.
type parsedContext struct {
	procedure *enforce.Procedure
	rights    map[string]enforce.RightsText
}

func (c Context) parse() (parsedContext, error) {
	var pc parsedContext
	if len(c.Procedure) > 0 {
		var p enforce.Procedure
		if err := json.Unmarshal(c.Procedure, &p); err != nil {
			return pc, fmt.Errorf("procedure definition: %w", err)
		}
		pc.procedure = &p
	}
	pc.rights = map[string]enforce.RightsText{}
	for _, raw := range c.Rights {
		var r enforce.RightsText
		if err := json.Unmarshal(raw, &r); err != nil {
			return pc, fmt.Errorf("rights text: %w", err)
		}
		pc.rights[r.Ref()] = r
	}
	return pc, nil
}

func (pc parsedContext) sources(agency string, image func(string) ([]byte, error)) casedoc.Sources {
	return casedoc.Sources{Agency: agency, Procedure: pc.procedure, Image: image,
		Rights: func(ref string) (enforce.RightsText, error) {
			r, ok := pc.rights[ref]
			if !ok {
				return r, enforce.Errorf(enforce.ENotFound, "rights text %s is not in the case file", ref)
			}
			return r, nil
		}}
}

// MediaHashes lists the files the entries reference, in order of first
// reference (terminal chain, then office chain).
func MediaHashes(entries, office []ledger.Entry) []string {
	var out []string
	seen := map[string]bool{}
	for _, chain := range [][]ledger.Entry{entries, office} {
		for _, e := range chain {
			for _, h := range e.Media {
				if !seen[h] {
					seen[h] = true
					out = append(out, h)
				}
			}
		}
	}
	return out
}

// RightsRefs lists the rights text versions the entries cite.
func RightsRefs(entries []ledger.Entry) []string {
	var out []string
	for _, e := range entries {
		var p printed
		if json.Unmarshal(e.Payload, &p) == nil && p.Rights != nil && p.Rights.Ref != "" && !slices.Contains(out, p.Rights.Ref) {
			out = append(out, p.Rights.Ref)
		}
	}
	sort.Strings(out)
	return out
}

type printed struct {
	Rights *struct {
		Ref string `json:"ref"`
	} `json:"rights,omitempty"`
}

// plan is the list of files of a bundle and how to get each one's bytes.
type plan struct {
	files []plannedFile
}

type plannedFile struct {
	path, kind, entry string
	data              []byte                        // small files
	open              func() (io.ReadCloser, error) // media
}

// Write writes the bundle as a ZIP to w and signs its manifest with the
// server key. Every document is printed through casedoc, as the terminal
// prints it; a referenced file that cannot be read is an error (a case
// file is made only when every file is on the server).
func Write(w io.Writer, b Bundle, key ed25519.PrivateKey) (Summary, error) {
	var sum Summary
	serverPub := key.Public().(ed25519.PublicKey)
	header, err := casedoc.ReadHeader(b.CaseID, b.Entries)
	if err != nil {
		return sum, err
	}
	pc, err := b.Context.parse()
	if err != nil {
		return sum, err
	}
	if pc.procedure == nil {
		return sum, fmt.Errorf("case %s: the procedure definition %s v%d is missing", b.CaseID, header.Open.Procedure, header.Open.ProcedureVersion)
	}
	image := func(hash string) ([]byte, error) {
		r, err := b.Media(hash)
		if err != nil {
			return nil, err
		}
		defer r.Close()
		return io.ReadAll(r)
	}
	created := b.Created.UTC().Truncate(time.Second)
	var p plan
	docs := map[string]string{}
	var docFiles []plannedFile
	for _, e := range b.Entries {
		if !casedoc.Prints(pc.procedure, e) {
			continue
		}
		pdf, err := casedoc.Render(header, e, pc.sources(b.Context.Agency, image))
		if err != nil {
			return sum, fmt.Errorf("document of entry #%d (%s): %w", e.Seq, e.Step, err)
		}
		path := documentPath(e)
		docs[e.ID] = path
		docFiles = append(docFiles, plannedFile{path: path, kind: KindDocument, entry: e.ID, data: pdf})
	}
	toc, err := renderTOC(tocInput{Header: header, Procedure: pc.procedure, Agency: b.Context.Agency, Entries: b.Entries, Office: b.Office,
		Documents: docs, Created: created, ServerKey: serverPub, TreeSize: b.TreeHead.Size})
	if err != nil {
		return sum, fmt.Errorf("table of contents: %w", err)
	}
	p.files = append(p.files, plannedFile{path: PathTOC, kind: KindTOC, data: toc})
	p.files = append(p.files, docFiles...)
	disposed := retention.Tombstones(b.Office, syncproto.ServerIDFor(serverPub))
	for _, h := range MediaHashes(b.Entries, b.Office) {
		if _, ok := disposed[h]; ok && !mediaPresent(b, h) {
			continue // disposed of after retention: the tombstone and the hash stay (SPEC R6)
		}
		p.files = append(p.files, plannedFile{path: DirMedia + h, kind: KindMedia, open: func() (io.ReadCloser, error) { return b.Media(h) }})
	}
	js := func(path, kind string, v any) error {
		data, err := json.MarshalIndent(v, "", " ")
		if err != nil {
			return err
		}
		p.files = append(p.files, plannedFile{path: path, kind: kind, data: append(data, '\n')})
		return nil
	}
	office := b.Office
	if office == nil {
		office = []ledger.Entry{}
	}
	devices := b.Devices
	if devices == nil {
		devices = []KeyFile{}
	}
	for _, f := range []struct {
		path, kind string
		v          any
	}{
		{PathEntries, KindEntries, b.Entries},
		{PathOffice, KindEntries, office},
		{PathServerKey, KindKeys, KeyFile{ID: syncproto.ServerIDFor(serverPub), PublicKey: serverPub}},
		{PathDeviceKeys, KindKeys, devices},
		{PathTreeHead, KindLog, b.TreeHead},
		{PathProofs, KindLog, b.Proofs},
		{PathContext, KindContext, b.Context},
	} {
		if err := js(f.path, f.kind, f.v); err != nil {
			return sum, err
		}
	}

	zw := zip.NewWriter(w)
	m := Manifest{Format: Format, CaseID: b.CaseID, Created: ledger.FormatTime(created), ServerID: syncproto.ServerIDFor(serverPub)}
	for _, f := range p.files {
		fw, err := zw.CreateHeader(zipHeader(f.path, created))
		if err != nil {
			return sum, err
		}
		h := sha256.New()
		var n int64
		if f.open != nil {
			r, err := f.open()
			if err != nil {
				return sum, fmt.Errorf("%s: %w", f.path, err)
			}
			n, err = io.Copy(io.MultiWriter(fw, h), r)
			r.Close()
			if err != nil {
				return sum, fmt.Errorf("%s: %w", f.path, err)
			}
		} else {
			h.Write(f.data)
			if _, err := fw.Write(f.data); err != nil {
				return sum, err
			}
			n = int64(len(f.data))
		}
		digest := hex.EncodeToString(h.Sum(nil))
		if f.kind == KindMedia && DirMedia+digest != f.path {
			return sum, fmt.Errorf("stored file %s does not hash to its name (%s): the media store is damaged", f.path[len(DirMedia):], digest)
		}
		m.Files = append(m.Files, ManifestFile{Path: f.path, Kind: f.kind, Size: n, SHA256: digest, Entry: f.entry})
		sum.Bytes += n
		switch f.kind {
		case KindDocument:
			sum.Documents++
		case KindMedia:
			sum.Media++
		}
	}
	manifest, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return sum, err
	}
	manifest = append(manifest, '\n')
	sig := []byte(base64.StdEncoding.EncodeToString(SignManifest(key, manifest)) + "\n")
	for _, f := range []struct {
		path string
		data []byte
	}{{PathManifest, manifest}, {PathManifestSig, sig}} {
		fw, err := zw.CreateHeader(zipHeader(f.path, created))
		if err != nil {
			return sum, err
		}
		if _, err := fw.Write(f.data); err != nil {
			return sum, err
		}
	}
	if err := zw.Close(); err != nil {
		return sum, err
	}
	sum.Files = len(m.Files) + 2
	sum.Entries, sum.Office, sum.TreeSize = len(b.Entries), len(b.Office), b.TreeHead.Size
	sum.Manifest = ledger.HashBytes(manifest)
	return sum, nil
}

// mediaPresent reports whether the bundle's media source still holds a file.
func mediaPresent(b Bundle, hash string) bool {
	rc, err := b.Media(hash)
	if err != nil {
		return false
	}
	rc.Close()
	return true
}
