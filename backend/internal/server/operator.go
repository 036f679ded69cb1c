package server

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/big"
	"net/url"
	"sort"
	"strings"
	"time"

	"lawtrace/backend/internal/store"
	"lawtrace/backend/internal/syncsrv"
	"lawtrace/backend/internal/translog"
	"lawtrace/shared/ledger"
	"lawtrace/shared/retention"
	"lawtrace/shared/syncproto"
)

// codeAlphabet has no 0/O, 1/I/L: codes are read aloud and typed.
const codeAlphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"

// EnrolCode is a fresh one-time enrolment code and how a terminal uses it.
type EnrolCode struct {
	Code              string    `json:"code"`
	DeviceName        string    `json:"device_name"`
	ExpiresAt         time.Time `json:"expires_at"`
	Server            string    `json:"server"`
	ServerID          string    `json:"server_id"`
	ServerFingerprint string    `json:"server_fingerprint"`
	// Payload is the URL a terminal scans from a QR code or pastes as --server.
	Payload string `json:"payload"`
	Command string `json:"command"`
}

// NewEnrolCode makes a one-time code valid for ttl (SPEC D3); only its hash
// is stored. serverURL defaults to the URL the running server recorded.
func NewEnrolCode(ctx context.Context, d *Data, name string, ttl time.Duration, serverURL string) (EnrolCode, error) {
	if name == "" {
		return EnrolCode{}, errors.New("give the device a name (--device-name)")
	}
	if ttl <= 0 {
		ttl = 24 * time.Hour
	}
	if serverURL == "" {
		serverURL, _ = d.Store.Setting(ctx, "public_url")
	}
	var raw []byte
	for i := 0; i < 12; i++ {
		n, err := rand.Int(rand.Reader, big.NewInt(int64(len(codeAlphabet))))
		if err != nil {
			return EnrolCode{}, err
		}
		raw = append(raw, codeAlphabet[n.Int64()])
	}
	code := string(raw[:4]) + "-" + string(raw[4:8]) + "-" + string(raw[8:])
	now := d.Now()
	if err := d.Store.CreateEnrolCode(ctx, store.EnrolCode{Hash: syncsrv.CodeHash(code), DeviceName: name, CreatedAt: now, ExpiresAt: now.Add(ttl)}); err != nil {
		return EnrolCode{}, err
	}
	pub := d.Key.Public().(ed25519.PublicKey)
	ec := EnrolCode{Code: code, DeviceName: name, ExpiresAt: now.Add(ttl).UTC(), Server: serverURL, ServerID: d.ServerID(), ServerFingerprint: ledger.KeyFingerprint(pub)}
	q := url.Values{"server": {serverURL}, "code": {code}, "fp": {ec.ServerFingerprint}}
	ec.Payload = "lawtrace://enrol?" + q.Encode()
	ec.Command = fmt.Sprintf("lawtrace-fieldctl --home DIR enroll --server %s --code %s", serverURL, code)
	return ec, nil
}

// VerifyReport is what `lawtrace-server verify` found.
type VerifyReport struct {
	Cases        int                  `json:"cases"`
	Entries      int                  `json:"entries"`
	MediaFiles   int                  `json:"media_files"`
	MediaBytes   int64                `json:"media_bytes"`
	TreeSize     uint64               `json:"tree_size"`
	TreeHeads    int                  `json:"tree_heads"`
	Findings     []string             `json:"findings"`
	PendingMedia []store.PendingMedia `json:"pending_media"`
	Overdue      int                  `json:"overdue_media"`
	// Disposed lists the files removed after retention whose disposal
	// tombstone names them (SPEC R6): not missing, disposed.
	Disposed []string `json:"disposed"`
}

// Verify checks the whole store without trusting it (SPEC R2, R3, S2):
// every case chain and signature from the stored entry bodies, every media
// file re-hashed, exactly-once numbering per device, and the transparency
// log rebuilt from the entries and compared with every stored node and
// every signed tree head.
func Verify(ctx context.Context, d *Data) (VerifyReport, error) {
	var r VerifyReport
	st := d.Store
	serverPub := d.Key.Public().(ed25519.PublicKey)
	devices, err := st.Devices(ctx)
	if err != nil {
		return r, err
	}
	keys := ledger.Keys{d.ServerID(): serverPub}
	for _, dv := range devices {
		keys[dv.ID] = dv.PublicKey
	}
	ids, err := st.CaseIDs(ctx)
	if err != nil {
		return r, err
	}
	r.Cases = len(ids)
	tombstones := map[string]string{} // hash -> "CASE/office #N"
	for _, id := range ids {
		entries, err := st.CaseEntries(ctx, id)
		if err != nil {
			r.Findings = append(r.Findings, err.Error())
			continue
		}
		r.Entries += len(entries)
		if strings.HasSuffix(id, store.OfficeChainSuffix) {
			for h, seq := range retention.Tombstones(entries, d.ServerID()) {
				tombstones[h] = fmt.Sprintf("%s #%d", id, seq)
			}
		}
		for _, f := range ledger.VerifyCase(id, entries, keys, nil) {
			r.Findings = append(r.Findings, f.String())
		}
	}
	gaps, err := st.DeviceSeqGaps(ctx)
	if err != nil {
		return r, err
	}
	r.Findings = append(r.Findings, gaps...)

	files, err := st.MediaFiles(ctx)
	if err != nil {
		return r, err
	}
	for _, f := range files {
		r.MediaFiles++
		r.MediaBytes += f.Size
		if t, ok := tombstones[f.Hash]; ok {
			if has, _ := d.Blobs.Has(f.Hash); !has {
				r.Disposed = append(r.Disposed, fmt.Sprintf("media %s disposed (tombstone %s)", f.Hash[:12], t))
				continue
			}
		}
		if p := checkBlob(d, f); p != "" {
			r.Findings = append(r.Findings, p)
		}
	}
	if r.PendingMedia, err = st.PendingMedia(ctx, d.Now()); err != nil {
		return r, err
	}
	for _, p := range r.PendingMedia {
		if p.Overdue {
			r.Overdue++
		}
	}
	logFindings, size, heads, err := verifyLog(ctx, st, serverPub)
	if err != nil {
		return r, err
	}
	r.TreeSize, r.TreeHeads = size, heads
	r.Findings = append(r.Findings, logFindings...)
	if int(size) != r.Entries {
		r.Findings = append(r.Findings, fmt.Sprintf("log holds %d leaves but the cases hold %d entries", size, r.Entries))
	}
	sort.Strings(r.Findings)
	if r.Findings == nil {
		r.Findings = []string{}
	}
	if r.Disposed == nil {
		r.Disposed = []string{}
	}
	sort.Strings(r.Disposed)
	return r, nil
}

func checkBlob(d *Data, f store.MediaFile) string {
	rc, err := d.Blobs.Open(f.Hash)
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Sprintf("media %s is recorded as stored but missing from the media folder", f.Hash[:12])
	}
	if err != nil {
		return fmt.Sprintf("media %s cannot be read: %v", f.Hash[:12], err)
	}
	defer rc.Close()
	h := sha256.New()
	n, err := io.Copy(h, rc)
	if err != nil {
		return fmt.Sprintf("media %s cannot be read: %v", f.Hash[:12], err)
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != f.Hash {
		return fmt.Sprintf("media %s changed: its bytes now hash to %s", f.Hash[:12], got[:12])
	}
	if n != f.Size {
		return fmt.Sprintf("media %s has %d bytes, recorded as %d", f.Hash[:12], n, f.Size)
	}
	return ""
}

// verifyLog rebuilds the log from the entries in leaf order.
func verifyLog(ctx context.Context, st store.Store, serverPub ed25519.PublicKey) ([]string, uint64, int, error) {
	var findings []string
	heads, err := st.TreeHeads(ctx)
	if err != nil {
		return nil, 0, 0, err
	}
	bySize := map[uint64]syncproto.TreeHead{}
	for _, th := range heads {
		if err := th.Verify(serverPub); err != nil {
			findings = append(findings, fmt.Sprintf("tree head of size %d: signature does not verify with the server key", th.Size))
		}
		bySize[th.Size] = th
	}
	tree := translog.New()
	checkRoot := func() {
		if th, ok := bySize[tree.Size()]; ok && !bytes.Equal(th.Root, tree.Root()) {
			findings = append(findings, fmt.Sprintf("tree head of size %d: root %x does not match the entries (%x)", th.Size, th.Root[:6], tree.Root()[:6]))
		}
	}
	checkRoot()
	type node struct {
		id   store.NodeID
		hash []byte
	}
	var batch []node
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		ids := make([]store.NodeID, len(batch))
		for i, n := range batch {
			ids[i] = n.id
		}
		stored, err := st.Nodes(ctx, ids)
		if err != nil {
			return err
		}
		for i, n := range batch {
			if !bytes.Equal(stored[i], n.hash) {
				findings = append(findings, fmt.Sprintf("log node (level %d, index %d) does not match the entries", n.id.Level, n.id.Index))
			}
		}
		batch = batch[:0]
		return nil
	}
	want := uint64(0)
	err = st.Leaves(ctx, func(index uint64, entryHash string) error {
		if index != want {
			findings = append(findings, fmt.Sprintf("log leaf %d follows leaf %d", index, want-1))
		}
		want = index + 1
		leaf, err := syncproto.LeafHash(entryHash)
		if err != nil {
			findings = append(findings, err.Error())
			return nil
		}
		if err := tree.Append(leaf, func(id translog.NodeID, h []byte) {
			batch = append(batch, node{store.NodeID{Level: id.Level, Index: id.Index}, h})
		}); err != nil {
			return err
		}
		checkRoot()
		if len(batch) >= 512 {
			return flush()
		}
		return nil
	})
	if err != nil {
		return nil, 0, 0, err
	}
	if err := flush(); err != nil {
		return nil, 0, 0, err
	}
	if len(heads) > 0 {
		latest := heads[len(heads)-1]
		if latest.Size != tree.Size() {
			findings = append(findings, fmt.Sprintf("the newest tree head has size %d but the log holds %d entries", latest.Size, tree.Size()))
		}
	}
	return findings, tree.Size(), len(heads), nil
}
