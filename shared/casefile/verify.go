package casefile

import (
	"archive/zip"
	"bytes"
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"lawtrace/shared/casedoc"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
	"lawtrace/shared/retention"
	"lawtrace/shared/syncproto"
)

// Finding is one thing wrong with a bundle: where (a file of the bundle or
// an entry) and what, in Chinese.
type Finding struct {
	Where   string `json:"where"`
	Problem string `json:"problem"`
}

func (f Finding) String() string { return f.Where + "：" + f.Problem }

// Report is the result of Verify.
type Report struct {
	File              string    `json:"file"`
	CaseID            string    `json:"case_id"`
	Created           string    `json:"created"`
	ServerID          string    `json:"server_id"`
	ServerFingerprint string    `json:"server_fingerprint"`
	TreeSize          uint64    `json:"tree_size"`
	TreeRoot          string    `json:"tree_root"`
	Files             int       `json:"files"`
	Documents         int       `json:"documents"`
	Media             int       `json:"media"`
	Bytes             int64     `json:"bytes"`
	Entries           int       `json:"entries"`
	Office            int       `json:"office_entries"`
	Signatures        int       `json:"hand_signatures"`
	Checks            []string  `json:"checks"`
	Findings          []Finding `json:"findings"`
	// Disposed lists the files absent from the bundle because they were
	// disposed of after retention, each named by a server-signed disposal
	// tombstone of the office chain (SPEC R6): disposed, not missing.
	Disposed []string `json:"disposed,omitempty"`
}

// OK reports whether the bundle is intact.
func (r *Report) OK() bool { return len(r.Findings) == 0 }

func (r *Report) add(where, format string, args ...any) {
	r.Findings = append(r.Findings, Finding{Where: where, Problem: fmt.Sprintf(format, args...)})
}

// VerifyFile opens and verifies a bundle file.
func VerifyFile(path string) (*Report, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	r := Verify(f, st.Size())
	r.File = path
	return r, nil
}

// bundle is an opened ZIP.
type bundle struct {
	files map[string]*zip.File
	order []string
}

func (b *bundle) read(name string) ([]byte, error) {
	f, ok := b.files[name]
	if !ok {
		return nil, fs.ErrNotExist
	}
	rc, err := f.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// Open opens a media file by hash (ledger.MediaSource).
func (b *bundle) Open(hash string) (io.ReadCloser, error) {
	f, ok := b.files[DirMedia+hash]
	if !ok {
		return nil, fs.ErrNotExist
	}
	return f.Open()
}

// Verify checks a bundle without trusting any part of it on its own: the
// manifest's signature by the server key and every file's size and
// SHA-256 against it, no file missing and none unlisted; both chains (hash,
// link, sequence, each entry's signature by its device or the server, hand
// signatures bound to their record and to the person the record names,
// every referenced file present and intact, via ledger.VerifyCase); the
// signed tree head and an inclusion proof of every entry; every document
// and the table of contents printed again from the entries and compared
// byte for byte; and the ZIP itself rebuilt from its files and compared,
// so a byte changed anywhere in the bundle is found.
func Verify(ra io.ReaderAt, size int64) *Report {
	r := &Report{Findings: []Finding{}}
	zr, err := zip.NewReader(ra, size)
	if err != nil {
		r.add("案卷文件", "不是可读取的 ZIP 文件：%v", err)
		return r
	}
	b := &bundle{files: map[string]*zip.File{}}
	for _, f := range zr.File {
		if _, dup := b.files[f.Name]; dup {
			r.add(f.Name, "ZIP 中同名文件出现两次")
			continue
		}
		b.files[f.Name] = f
		b.order = append(b.order, f.Name)
	}

	// The manifest, its signature and the server key.
	raw, err := b.read(PathManifest)
	if err != nil {
		r.add(PathManifest, "文件清单缺失或无法读取：%v", err)
		return r
	}
	var m Manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		r.add(PathManifest, "文件清单无法解析：%v", err)
		return r
	}
	if m.Format != Format {
		r.add(PathManifest, "格式 %q 不是 %s", m.Format, Format)
	}
	r.CaseID, r.Created, r.ServerID = m.CaseID, m.Created, m.ServerID
	r.Checks = append(r.Checks, "文件清单 manifest.json 及其服务器签名")

	var serverKey KeyFile
	serverPub := ed25519.PublicKey(nil)
	if data, err := b.read(PathServerKey); err != nil {
		r.add(PathServerKey, "服务器公钥缺失或无法读取：%v", err)
	} else if err := json.Unmarshal(data, &serverKey); err != nil || len(serverKey.PublicKey) != ed25519.PublicKeySize {
		r.add(PathServerKey, "服务器公钥无法解析")
	} else {
		serverPub = serverKey.PublicKey
		r.ServerFingerprint = ledger.KeyFingerprint(serverPub)
		if id := syncproto.ServerIDFor(serverPub); id != serverKey.ID || id != m.ServerID {
			r.add(PathServerKey, "服务器标识 %s 与公钥（%s）或清单（%s）不符", serverKey.ID, id, m.ServerID)
		}
	}
	if sigText, err := b.read(PathManifestSig); err != nil {
		r.add(PathManifestSig, "清单签名缺失或无法读取：%v", err)
	} else if sig, err := base64.StdEncoding.DecodeString(strings.TrimSpace(string(sigText))); err != nil || serverPub == nil || !ed25519.Verify(serverPub, manifestMessage(raw), sig) {
		r.add(PathManifestSig, "文件清单的服务器签名验证失败（清单被改动，或不是该服务器签发）")
	}

	// Every listed file present with its size and hash; nothing unlisted.
	r.Checks = append(r.Checks, "每个文件的大小与 SHA-256 哈希；无缺失、无清单外文件")
	listed := map[string]ManifestFile{}
	small := map[string][]byte{}
	for _, mf := range m.Files {
		if _, dup := listed[mf.Path]; dup {
			r.add(PathManifest, "清单两次列出 %s", mf.Path)
			continue
		}
		listed[mf.Path] = mf
		f, ok := b.files[mf.Path]
		if !ok {
			r.add(mf.Path, "清单列出的文件不在案卷中")
			continue
		}
		rc, err := f.Open()
		if err != nil {
			r.add(mf.Path, "无法读取：%v", err)
			continue
		}
		h := sha256.New()
		var buf bytes.Buffer
		w := io.Writer(h)
		if mf.Kind != KindMedia {
			w = io.MultiWriter(h, &buf)
		}
		n, err := io.Copy(w, rc)
		rc.Close()
		if err != nil {
			r.add(mf.Path, "读取出错（内容被改动）：%v", err)
			continue
		}
		if got := hex.EncodeToString(h.Sum(nil)); got != mf.SHA256 || n != mf.Size {
			r.add(mf.Path, "内容与清单不符：清单记载 %d 字节、SHA-256 %s，实际 %d 字节、%s", mf.Size, short(mf.SHA256), n, short(got))
			continue
		}
		r.Files++
		r.Bytes += n
		switch mf.Kind {
		case KindMedia:
			r.Media++
		case KindDocument:
			r.Documents++
		}
		if mf.Kind != KindMedia {
			small[mf.Path] = buf.Bytes()
		}
	}
	for _, name := range b.order {
		if _, ok := listed[name]; !ok && name != PathManifest && name != PathManifestSig {
			r.add(name, "文件不在清单中（清单外的文件）")
		}
	}
	for _, p := range []string{PathTOC, PathEntries, PathOffice, PathServerKey, PathDeviceKeys, PathTreeHead, PathProofs, PathContext} {
		if _, ok := listed[p]; !ok {
			r.add(p, "清单中没有这一必备文件")
		}
	}

	decode := func(path string, v any) bool {
		data, ok := small[path]
		if !ok {
			return false
		}
		if err := json.Unmarshal(data, v); err != nil {
			r.add(path, "无法解析：%v", err)
			return false
		}
		return true
	}
	var entries, office []ledger.Entry
	var devices []KeyFile
	var th syncproto.TreeHead
	var proofs []syncproto.InclusionProof
	var ctx Context
	haveEntries := decode(PathEntries, &entries)
	decode(PathOffice, &office)
	decode(PathDeviceKeys, &devices)
	haveHead := decode(PathTreeHead, &th)
	decode(PathProofs, &proofs)
	haveCtx := decode(PathContext, &ctx)
	r.Entries, r.Office = len(entries), len(office)
	r.TreeSize, r.TreeRoot = th.Size, hex.EncodeToString(th.Root)

	// Both chains.
	r.Checks = append(r.Checks, "两条记录链：序号、哈希、前后链接、设备与服务器数字签名、附件完整")
	deviceKeys := ledger.Keys{}
	for _, d := range devices {
		if len(d.PublicKey) != ed25519.PublicKeySize || syncproto.DeviceIDFor(d.PublicKey) != d.ID {
			r.add(PathDeviceKeys, "设备 %s 的公钥与其标识不符", d.ID)
			continue
		}
		deviceKeys[d.ID] = d.PublicKey
	}
	// A file missing from the bundle is accepted only when a disposal
	// tombstone signed by the server names it (SPEC R6, 003 §27).
	tombstoned := map[string]bool{}
	if serverPub != nil {
		for h, seq := range retention.Tombstones(office, syncproto.ServerIDFor(serverPub)) {
			if _, in := b.files[DirMedia+h]; !in {
				tombstoned["media "+short(h)+" is missing"] = true
				r.Disposed = append(r.Disposed, fmt.Sprintf("%s%s：保存期满已销毁（销毁记录 办公链 #%d），哈希留存", DirMedia, h, seq))
			}
		}
		sort.Strings(r.Disposed)
		if len(r.Disposed) > 0 {
			r.Checks = append(r.Checks, fmt.Sprintf("保存期满销毁的文件 %d 个：由服务器签名的销毁记录载明，哈希留存（003 §27）", len(r.Disposed)))
		}
	}
	if haveEntries {
		for _, f := range ledger.VerifyCase(m.CaseID, entries, deviceKeys, b) {
			if tombstoned[f.Problem] {
				continue
			}
			r.add(entryWhere(ChainTerminal, f.Seq, f.EntryID), "%s", zhProblem(f.Problem))
		}
	}
	if len(office) > 0 {
		serverKeys := ledger.Keys{}
		if serverPub != nil {
			serverKeys[syncproto.ServerIDFor(serverPub)] = serverPub
		}
		for _, f := range ledger.VerifyCase(m.CaseID+"/office", office, serverKeys, b) {
			if tombstoned[f.Problem] {
				continue
			}
			r.add(entryWhere(ChainOffice, f.Seq, f.EntryID), "%s", zhProblem(f.Problem))
		}
	}
	referenced := map[string]bool{}
	for _, h := range MediaHashes(entries, office) {
		referenced[h] = true
	}
	for _, mf := range m.Files {
		if mf.Kind == KindMedia && !referenced[strings.TrimPrefix(mf.Path, DirMedia)] {
			r.add(mf.Path, "附件不被任何记录引用")
		}
	}

	// Hand signatures bound to the person the record names.
	var pc parsedContext
	var header casedoc.Header
	if haveCtx {
		var err error
		if pc, err = ctx.parse(); err != nil {
			r.add(PathContext, "无法解析：%v", err)
		}
	}
	if haveEntries {
		var err error
		if header, err = casedoc.ReadHeader(m.CaseID, entries); err != nil {
			r.add(PathEntries, "案件登记记录无法读取：%v", err)
		}
	}
	r.Checks = append(r.Checks, "手写签名与所签记录的绑定、签名人与记录所载人员一致")
	if pc.procedure != nil {
		st := enforce.CaseState{Procedure: pc.procedure, Party: header.Open.Party, PartyKind: header.Open.PartyKind, Officers: header.Open.Officers}
		for _, e := range entries {
			if e.Step == casedoc.StepOfficerJoin {
				var j struct {
					Officers []enforce.Officer `json:"officers"`
				}
				if json.Unmarshal(e.Payload, &j) == nil {
					st.Officers = append(st.Officers, j.Officers...)
				}
				continue
			}
			p, err := ledger.DecodePayload(e.Payload)
			if err != nil || len(p.Signatures) == 0 {
				continue
			}
			r.Signatures += len(p.Signatures)
			var signers []enforce.Signer
			for _, sg := range p.Signatures {
				signers = append(signers, enforce.Signer{Role: sg.Role, Name: sg.Name})
			}
			for _, it := range st.RecordedSignerIssues(e.Step, p.Fields, signers) {
				r.add(entryWhere(ChainTerminal, e.Seq, e.ID), "%s 签名人与记录不符：%s（依据%s）", strings.TrimPrefix(it.Name, "signer:"), it.Zh, enforce.Cite(it.Article))
			}
		}
	}

	// The log: the tree head's signature and a proof of every entry.
	r.Checks = append(r.Checks, "日志树头的服务器签名；每条记录在日志中的包含证明")
	if haveHead {
		if serverPub == nil || th.Verify(serverPub) != nil {
			r.add(PathTreeHead, "树头（大小 %d）不是由本案卷服务器公钥签名", th.Size)
		}
		byEntry := map[string]syncproto.InclusionProof{}
		for _, p := range proofs {
			if _, dup := byEntry[p.EntryID]; dup {
				r.add(PathProofs, "记录 %s 有两份证明", p.EntryID)
			}
			byEntry[p.EntryID] = p
		}
		inCase := map[string]bool{}
		for _, chain := range []struct {
			name    string
			entries []ledger.Entry
		}{{ChainTerminal, entries}, {ChainOffice, office}} {
			for _, e := range chain.entries {
				inCase[e.ID] = true
				where := entryWhere(chain.name, e.Seq, e.ID)
				p, ok := byEntry[e.ID]
				switch {
				case !ok:
					r.add(where, "没有日志包含证明（%s 中缺失）", PathProofs)
				case p.EntryHash != e.Hash:
					r.add(where, "日志证明所证的记录哈希 %s 与记录的哈希 %s 不符", short(p.EntryHash), short(e.Hash))
				default:
					if err := syncproto.VerifyInclusion(th, p); err != nil {
						r.add(where, "日志包含证明（叶 %d）不能在树头（大小 %d）下验证：证明来自另一棵日志树或被改动", p.LeafIndex, th.Size)
					}
				}
			}
		}
		for _, p := range proofs {
			if !inCase[p.EntryID] {
				r.add(PathProofs, "证明了案卷中没有的记录 %s", p.EntryID)
			}
		}
	}

	// Documents and the table of contents, printed again.
	r.Checks = append(r.Checks, "每份文书与卷内目录由记录重新生成并逐字节比对")
	created, _ := ledger.ParseTime(m.Created)
	if pc.procedure != nil && haveEntries && header.CaseID != "" {
		image := func(hash string) ([]byte, error) {
			rc, err := b.Open(hash)
			if err != nil {
				return nil, err
			}
			defer rc.Close()
			return io.ReadAll(rc)
		}
		docs := map[string]string{}
		for _, e := range entries {
			if !casedoc.Prints(pc.procedure, e) {
				continue
			}
			path := documentPath(e)
			docs[e.ID] = path
			mf, ok := listed[path]
			if !ok || mf.Kind != KindDocument || mf.Entry != e.ID {
				r.add(entryWhere(ChainTerminal, e.Seq, e.ID), "案卷中没有这条记录的文书 %s", path)
				continue
			}
			got, ok := small[path]
			if !ok {
				continue // reported above
			}
			want, err := casedoc.Render(header, e, pc.sources(ctx.Agency, image))
			if err != nil {
				r.add(path, "无法由记录重新生成文书：%v", err)
				continue
			}
			if !bytes.Equal(got, want) {
				r.add(path, "文书与记录 %s #%d 重新生成的文书不一致（文书被替换或改动）", chainNames[ChainTerminal], e.Seq)
			}
		}
		for _, mf := range m.Files {
			if mf.Kind == KindDocument && docs[mf.Entry] != mf.Path {
				r.add(mf.Path, "文书不对应案卷中任何应打印的记录")
			}
		}
		if got, ok := small[PathTOC]; ok {
			want, err := renderTOC(tocInput{Header: header, Procedure: pc.procedure, Agency: ctx.Agency, Entries: entries, Office: office,
				Documents: docs, Created: created, ServerKey: serverPub, TreeSize: th.Size})
			if err != nil {
				r.add(PathTOC, "无法重新生成卷内目录：%v", err)
			} else if !bytes.Equal(got, want) {
				r.add(PathTOC, "卷内目录与记录重新生成的目录不一致（目录被替换或改动）")
			}
		}
	} else if haveEntries {
		r.add(PathContext, "缺少执法程序定义，无法重新生成文书")
	}

	// The container: rebuilt from its files, it must be the same bytes.
	r.Checks = append(r.Checks, "ZIP 容器按规范布局重建并与原文件逐字节比对")
	if p := rebuildDiffers(zr, m, created, ra, size); p != "" {
		r.add("ZIP 容器", "%s", p)
	}
	return r
}

// rebuildDiffers writes the bundle again from its files in the canonical
// order with the canonical headers and compares its hash with the file's.
func rebuildDiffers(zr *zip.Reader, m Manifest, created time.Time, ra io.ReaderAt, size int64) string {
	byName := map[string]*zip.File{}
	for _, f := range zr.File {
		byName[f.Name] = f
	}
	var names []string
	for _, mf := range m.Files {
		names = append(names, mf.Path)
	}
	names = append(names, PathManifest, PathManifestSig)
	var canonical []string
	for _, f := range zr.File {
		canonical = append(canonical, f.Name)
	}
	if !slices.Equal(canonical, names) {
		return "文件的种类或顺序与清单不符（有文件被加入、删除或重排）"
	}
	h := sha256.New()
	zw := zip.NewWriter(h)
	for _, name := range names {
		f := byName[name]
		rc, err := f.OpenRaw()
		if err != nil {
			return fmt.Sprintf("%s 无法读取：%v", name, err)
		}
		w, err := zw.CreateHeader(zipHeader(name, created))
		if err != nil {
			return err.Error()
		}
		if _, err := io.Copy(w, rc); err != nil {
			return fmt.Sprintf("%s 无法读取：%v", name, err)
		}
	}
	if err := zw.Close(); err != nil {
		return err.Error()
	}
	orig := sha256.New()
	if _, err := io.Copy(orig, io.NewSectionReader(ra, 0, size)); err != nil {
		return fmt.Sprintf("无法读取：%v", err)
	}
	if !bytes.Equal(h.Sum(nil), orig.Sum(nil)) {
		return "ZIP 文件的结构字节（文件头、目录、注释或文件外的字节）与由其内容按规范重建的结果不一致：案卷在生成后被改动"
	}
	return ""
}

func entryWhere(chain string, seq int64, id string) string {
	if id == "" {
		if chain == ChainOffice {
			return "机关记录链"
		}
		return "现场记录链"
	}
	return fmt.Sprintf("%s记录 #%d（%s）", chainNames[chain], seq, id)
}

// zhProblems puts ledger.VerifyCase's findings in Chinese; the English
// text follows in brackets.
var zhProblems = []struct{ has, zh string }{
	{"sequence gap", "序号不连续：有记录缺失或顺序被打乱"},
	{"content changed", "内容被改动：内容的哈希与记录所载哈希不符"},
	{"chain broken", "链接断裂：所载前一条记录的哈希不符"},
	{"is unknown", "签名者未知：案卷中没有其公钥"},
	{"signature does not verify", "数字签名验证失败"},
	{"bound to another record", "手写签名绑定于其他记录（签名被移用或所签内容被改动）"},
	{"is not among the entry's media", "手写签名文件不在该记录的附件中"},
	{"is missing", "所附文件缺失"},
	{"changed", "所附文件内容被改动"},
	{"belongs to case", "属于其他案件"},
	{"no entries", "没有任何记录"},
	{"cannot", "无法读取或计算哈希"},
}

func zhProblem(p string) string {
	for _, z := range zhProblems {
		if strings.Contains(p, z.has) {
			return z.zh + "（" + p + "）"
		}
	}
	return "问题（" + p + "）"
}

func short(h string) string {
	if len(h) > 12 {
		return h[:12]
	}
	return h
}
