package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"lawtrace/backend/internal/store"
	"lawtrace/shared/enforce"
	"lawtrace/shared/syncproto"
)

// Procedure definitions and rights texts (SPEC F2, D4): every version is
// kept; a new version is validated (enforce.ParseProcedure /
// ParseRightsText, a higher version number, a rights text that exists)
// before it is published to terminals through the down-sync catalog.
//
// Which terminals have a version: the sync service does not record how far
// each terminal pulled the catalog, so the page shows what is known for
// certain — the terminals that opened cases under a procedure version — and
// the terminals that connected after the version was published, which
// fetch it on connection.

type catalogKey struct {
	Kind, Key string
	Name      string
	Versions  []versionView
}

type versionView struct {
	Version   int
	Published time.Time
	// ConnectedSince counts active terminals seen after publication;
	// Active counts active terminals.
	ConnectedSince, Active int
	// UsedBy are terminals that opened cases under this version.
	UsedBy []string
	Latest bool
}

type proceduresData struct {
	Keys  []catalogKey
	Form  publishForm
	Error string
}

type publishForm struct {
	Kind string
	Body string
}

func (s *Server) catalogKeys(r *http.Request) ([]catalogKey, error) {
	ctx := r.Context()
	devs, err := s.st.Devices(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := s.st.CaseRows(ctx, nil, s.cfg.Now())
	if err != nil {
		return nil, err
	}
	used := map[string]map[string]bool{} // "procedure/id/version" → device names
	for _, c := range rows {
		k := fmt.Sprintf("%s/%s/%d", syncproto.KindProcedure, c.Procedure, c.ProcedureVersion)
		if used[k] == nil {
			used[k] = map[string]bool{}
		}
		used[k][orDefault(c.DeviceName, c.DeviceID)] = true
	}
	var out []catalogKey
	for _, kind := range []string{syncproto.KindProcedure, syncproto.KindRights} {
		vs, err := s.st.CatalogVersions(ctx, kind)
		if err != nil {
			return nil, err
		}
		by := map[string]*catalogKey{}
		var order []string
		for _, v := range vs {
			ck := by[v.Key]
			if ck == nil {
				ck = &catalogKey{Kind: kind, Key: v.Key}
				by[v.Key] = ck
				order = append(order, v.Key)
			}
			ck.Name = catalogName(kind, v.Body)
			vv := versionView{Version: v.Version, Published: v.CreatedAt}
			for _, d := range devs {
				if d.Revoked() {
					continue
				}
				vv.Active++
				if !d.LastSeen.Before(v.CreatedAt) {
					vv.ConnectedSince++
				}
			}
			for name := range used[fmt.Sprintf("%s/%s/%d", kind, v.Key, v.Version)] {
				vv.UsedBy = append(vv.UsedBy, name)
			}
			sort.Strings(vv.UsedBy)
			ck.Versions = append(ck.Versions, vv)
		}
		for _, k := range order {
			ck := by[k]
			sort.Slice(ck.Versions, func(i, j int) bool { return ck.Versions[i].Version > ck.Versions[j].Version })
			ck.Versions[0].Latest = true
			out = append(out, *ck)
		}
	}
	return out, nil
}

func catalogName(kind string, body []byte) string {
	var v struct {
		Name  string `json:"name"`
		Title string `json:"title"`
	}
	_ = json.Unmarshal(body, &v)
	if kind == syncproto.KindRights {
		return v.Title
	}
	return v.Name
}

func (s *Server) proceduresPage(w http.ResponseWriter, r *http.Request) error {
	keys, err := s.catalogKeys(r)
	if err != nil {
		return err
	}
	d := proceduresData{Keys: keys, Form: publishForm{Kind: syncproto.KindProcedure}}
	// ?base=KIND/KEY fills the form with the newest version, numbered +1.
	if base := r.URL.Query().Get("base"); base != "" {
		kind, key, _ := strings.Cut(base, "/")
		vs, err := s.st.CatalogVersions(r.Context(), kind)
		if err != nil {
			return err
		}
		var latest *store.CatalogVersion
		for i := range vs {
			if vs[i].Key == key && (latest == nil || vs[i].Version > latest.Version) {
				latest = &vs[i]
			}
		}
		if latest != nil {
			var m map[string]any
			if json.Unmarshal(latest.Body, &m) == nil {
				m["version"] = latest.Version + 1
				var buf bytes.Buffer
				enc := json.NewEncoder(&buf)
				enc.SetEscapeHTML(false)
				enc.SetIndent("", "  ")
				_ = enc.Encode(m)
				d.Form = publishForm{Kind: kind, Body: buf.String()}
			}
		}
	}
	return s.Render(w, r, "procedures", "程序定义与权利告知书", d)
}

type versionData struct {
	Kind, Key   string
	Version     int
	Published   time.Time
	JSON        string
	Procedure   *enforce.Procedure
	Rights      *enforce.RightsText
	View        versionView
	Connected   []store.Device
	Unconnected []store.Device
}

func (s *Server) procedureVersionPage(w http.ResponseWriter, r *http.Request) error {
	kind, key := r.PathValue("kind"), r.PathValue("key")
	version, err := strconv.Atoi(r.PathValue("version"))
	if err != nil || (kind != syncproto.KindProcedure && kind != syncproto.KindRights) {
		return errNotFound("版本")
	}
	vs, err := s.st.CatalogVersions(r.Context(), kind)
	if err != nil {
		return err
	}
	d := versionData{Kind: kind, Key: key, Version: version}
	found := false
	for _, v := range vs {
		if v.Key != key || v.Version != version {
			continue
		}
		found = true
		d.Published = v.CreatedAt
		var buf bytes.Buffer
		_ = json.Indent(&buf, v.Body, "", "  ")
		d.JSON = buf.String()
		if kind == syncproto.KindProcedure {
			d.Procedure, _ = enforce.ParseProcedure(v.Body)
		} else if rt, err := enforce.ParseRightsText(v.Body); err == nil {
			d.Rights = &rt
		}
	}
	if !found {
		return errNotFound("版本")
	}
	keys, err := s.catalogKeys(r)
	if err != nil {
		return err
	}
	for _, k := range keys {
		if k.Kind == kind && k.Key == key {
			for _, vv := range k.Versions {
				if vv.Version == version {
					d.View = vv
				}
			}
		}
	}
	devs, err := s.st.Devices(r.Context())
	if err != nil {
		return err
	}
	for _, dv := range devs {
		if dv.Revoked() || store.IsServerSigner(dv.ID) {
			continue // the server's own signer is not a terminal
		}
		if !dv.LastSeen.Before(d.Published) {
			d.Connected = append(d.Connected, dv)
		} else {
			d.Unconnected = append(d.Unconnected, dv)
		}
	}
	name := key
	if d.Procedure != nil {
		name = d.Procedure.Name
	} else if d.Rights != nil {
		name = d.Rights.Title
	}
	return s.Render(w, r, "procedure", fmt.Sprintf("%s 第 %d 版", name, version), d)
}

func (s *Server) publishProcedure(w http.ResponseWriter, r *http.Request) error {
	kind := r.PostFormValue("kind")
	body := []byte(r.PostFormValue("body"))
	if f, _, err := r.FormFile("file"); err == nil {
		b, err := io.ReadAll(io.LimitReader(f, 1<<20+1))
		f.Close()
		if err != nil {
			return err
		}
		if len(bytes.TrimSpace(b)) > 0 {
			body = b
		}
	}
	fail := func(msg string) error {
		keys, err := s.catalogKeys(r)
		if err != nil {
			return err
		}
		return s.renderStatus(w, r, http.StatusBadRequest, "procedures", "程序定义与权利告知书",
			proceduresData{Keys: keys, Form: publishForm{Kind: kind, Body: string(body)}, Error: msg})
	}
	if len(body) > 1<<20 {
		return fail("文件不能超过 1 MB。")
	}
	if kind != syncproto.KindProcedure && kind != syncproto.KindRights {
		return fail("请选择类别。")
	}
	var id string
	var version int
	cat, err := s.catalog(r.Context())
	if err != nil {
		return err
	}
	if kind == syncproto.KindProcedure {
		p, err := enforce.ParseProcedure(body)
		if err != nil {
			return fail("程序定义无效：" + errText(err))
		}
		if _, ok := cat.rights[p.RightsText]; !ok {
			return fail(fmt.Sprintf("程序定义引用的权利告知书 %q 不存在，请先发布该告知书。", p.RightsText))
		}
		id, version = p.ID, p.Version
	} else {
		rt, err := enforce.ParseRightsText(body)
		if err != nil {
			return fail("权利告知书无效：" + errText(err))
		}
		id, version = rt.ID, rt.Version
	}
	vs, err := s.st.CatalogVersions(r.Context(), kind)
	if err != nil {
		return err
	}
	latest := 0
	for _, v := range vs {
		if v.Key == id && v.Version > latest {
			latest = v.Version
		}
	}
	if version <= latest {
		return fail(fmt.Sprintf("%s 已有第 %d 版；新版本号必须大于 %d。已发布的版本不能修改。", id, latest, latest))
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, body); err != nil {
		return fail("不是有效的 JSON。")
	}
	it, added, err := s.st.PutCatalogItem(r.Context(), syncproto.CatalogItem{Kind: kind, Key: id, Version: version, Body: compact.Bytes()}, s.cfg.Now())
	if err != nil {
		return err
	}
	if !added {
		return fail("该版本已存在。")
	}
	s.audit(r, "catalog_publish", kind+"/"+id, fmt.Sprintf("v%d (catalog #%d)", version, it.Seq))
	return s.redirect(w, r, fmt.Sprintf("/admin/procedures/%s/%s/%d", kind, id, version),
		fmt.Sprintf("已发布 %s 第 %d 版；在线终端立即获知，其余终端下次连接时获取。", id, version))
}

func errText(err error) string {
	var ee *enforce.Error
	if errors.As(err, &ee) {
		return ee.Message
	}
	return err.Error()
}
