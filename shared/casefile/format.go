// Package casefile is the case file (案卷) bundle of SPEC R5: one ZIP that
// holds everything a court needs to check a case offline — the table of
// contents (卷内目录) and every document as PDF, every media file as the
// original bytes, every entry of the terminal and office chains as stored,
// the device and server public keys, the signed tree head and an inclusion
// proof of every entry, and a manifest of SHA-256 hashes signed by the
// server key. Write makes a bundle; Verify checks one without a database,
// a network or cgo (lawtrace-verify). docs/casefile.md describes the layout.
package casefile

import (
	"archive/zip"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"lawtrace/shared/casedoc"
	"lawtrace/shared/ledger"
)

// Format names the bundle layout; Verify refuses any other.
const Format = "lawtrace-casefile/1"

// Paths of the fixed files of a bundle.
const (
	PathTOC         = "00-toc.pdf"
	PathManifest    = "manifest.json"
	PathManifestSig = "manifest.sig"
	PathEntries     = "entries/case.json"
	PathOffice      = "entries/office.json"
	PathServerKey   = "keys/server.json"
	PathDeviceKeys  = "keys/devices.json"
	PathTreeHead    = "log/tree-head.json"
	PathProofs      = "log/proofs.json"
	PathContext     = "context.json"
	DirDocuments    = "documents/"
	DirMedia        = "media/"
)

// File kinds in the manifest.
const (
	KindTOC      = "toc"
	KindDocument = "document"
	KindMedia    = "media"
	KindEntries  = "entries"
	KindKeys     = "keys"
	KindLog      = "log"
	KindContext  = "context"
)

// manifestPrefix separates the manifest signature from any other use of
// the server key.
const manifestPrefix = "lawtrace-casefile-manifest-v1\n"

// Manifest lists every file of the bundle but itself and its signature.
type Manifest struct {
	Format   string         `json:"format"`
	CaseID   string         `json:"case_id"`
	Created  string         `json:"created"` // ledger.TimeLayout, UTC
	ServerID string         `json:"server_id"`
	Files    []ManifestFile `json:"files"`
}

// ManifestFile is one file: its path in the ZIP, size and SHA-256; a
// document names the entry it prints.
type ManifestFile struct {
	Path   string `json:"path"`
	Kind   string `json:"kind"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
	Entry  string `json:"entry,omitempty"`
}

// KeyFile is a signer's public key.
type KeyFile struct {
	ID        string `json:"id"`
	Name      string `json:"name,omitempty"`
	PublicKey []byte `json:"public_key"`
}

// Context is what printing the documents needs beyond the entries: the
// agency, the procedure version the case was opened under and the rights
// texts its entries cite, exactly as the server's catalog holds them.
type Context struct {
	Agency    string            `json:"agency"`
	Procedure json.RawMessage   `json:"procedure"`
	Rights    []json.RawMessage `json:"rights"`
}

// manifestMessage is what the server key signs: the manifest's hash.
func manifestMessage(manifest []byte) []byte {
	sum := sha256.Sum256(manifest)
	return []byte(manifestPrefix + hex.EncodeToString(sum[:]))
}

// SignManifest signs the manifest bytes with the server key.
func SignManifest(key ed25519.PrivateKey, manifest []byte) []byte {
	return ed25519.Sign(key, manifestMessage(manifest))
}

// zipHeader is the one header every file of a bundle is written with:
// stored (not compressed, so the bytes of a file are the original bytes and
// the container does not depend on a compressor's version), dated at the
// bundle's creation. Verify rebuilds the ZIP with it and compares.
func zipHeader(path string, created time.Time) *zip.FileHeader {
	return &zip.FileHeader{Name: path, Method: zip.Store, Modified: created.UTC().Truncate(time.Second)}
}

// documentPath is where an entry's PDF lies in the bundle.
func documentPath(e ledger.Entry) string {
	return DirDocuments + leftPad(e.Seq) + "-" + safeName(e.Step) + ".pdf"
}

func leftPad(n int64) string { return fmt.Sprintf("%03d", n) }

func safeName(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-' {
			return r
		}
		return '_'
	}, s)
}

// Chain names which chain of the case an entry belongs to.
const (
	ChainTerminal = "terminal"
	ChainOffice   = "office"
)

var terminalTitles = map[string]string{
	casedoc.StepCaseOpen:    "案件登记（现场执法记录开始）",
	casedoc.StepOfficerJoin: "执法人员加入",
	casedoc.StepCorrection:  "更正记录",
}

// Groups of the table of contents, in the order the archive rules file a
// case (案卷排列): the case cover and opening, evidence and notes, prior
// notice and hearing, review and decisions, service, execution, closing.
var Groups = []string{"立案", "调查取证", "告知与听证", "审核与决定", "送达", "执行", "结案归档"}

// groupOf places an entry in a group of Groups: by its step, known steps
// by name and the back-office stages by the words of their ids.
func groupOf(chain, step string) int {
	switch step {
	case casedoc.StepCaseOpen, casedoc.StepOfficerJoin, "emergency_approval":
		return 0
	case "serve", "decision_published":
		return 4
	case "on_spot_decision", "inspection_opinion", "rectify_order", "on_spot_filed":
		return 3
	case "case_end", "case_archived", "close_case", "inspection_transfer":
		return 6
	case "seizure_appraisal", "permit_appraisal":
		return 1
	case "permit_interested":
		return 2
	case "coercion_reminder", "coercion_statement", "demolition_notice":
		return 5
	}
	has := func(words ...string) bool {
		for _, w := range words {
			if strings.Contains(step, w) {
				return true
			}
		}
		return false
	}
	switch {
	case has("filing", "register", "open", "accept"):
		return 0
	case has("notice", "statement", "hearing", "defen", "waiver"):
		return 2
	case has("execut", "payment", "urge", "late_fee", "court", "enforce", "perform", "recheck", "re_check"):
		return 5
	case has("serve", "service"):
		return 4
	case has("review", "decision", "discussion", "approv", "proposal"):
		return 3
	case has("closing", "close_case", "archiv") || strings.HasSuffix(step, "_end"):
		return 6
	}
	if chain == ChainOffice {
		return 3
	}
	return 1
}
