package web

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"rsc.io/qr"

	"lawtrace/backend/internal/events"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/syncproto"
)

// Devices (SPEC D3, S6): enrolment codes as text and QR image, the list
// with what each terminal last told, revocation and remote wipe.

// DeviceView is a device row.
type DeviceView struct {
	store.Device
	Online       bool
	PendingFiles int
	PendingBytes int64
	OverdueFiles int
	State        string
	StateClass   string
	WipeReport   *syncproto.WipeDone
	// Failures are the syncs refused since the last one that delivered an
	// entry; a terminal with any is not 正常.
	Failures store.SyncFailures
}

// syncFailures asks the store for refused syncs per device, when it keeps
// them (the sqlite store does, from its security events).
func (s *Server) syncFailures(ctx context.Context) (map[string]store.SyncFailures, error) {
	if fs, ok := s.st.(interface {
		SyncFailures(context.Context) (map[string]store.SyncFailures, error)
	}); ok {
		return fs.SyncFailures(ctx)
	}
	return nil, nil
}

type devicesData struct {
	Devices []DeviceView
	Enrol   *enrolView
	Error   string
	Name    string
	Filter  deviceFilter
	States  []string
	Pager   pager
	CSV     template.URL
}

// deviceFilter selects terminals by a part of the name or id, a state and
// whether they are online.
type deviceFilter struct{ Text, State string }

var deviceStates = []string{"正常", "同步失败", "时钟偏差", "待远程清除", "已停用", "在线"}

func (f deviceFilter) match(v DeviceView) bool {
	if f.Text != "" && !strings.Contains(v.Name, f.Text) && !strings.Contains(strings.ToLower(v.ID), strings.ToLower(f.Text)) {
		return false
	}
	return f.State == "" || f.State == v.State || f.State == "在线" && v.Online
}

type enrolView struct {
	EnrolCode
	QR template.URL // data: URL of the PNG this package drew
}

func (s *Server) deviceViews(r *http.Request) ([]DeviceView, error) {
	ctx := r.Context()
	devs, err := s.st.Devices(ctx)
	if err != nil {
		return nil, err
	}
	pending, err := s.st.PendingMedia(ctx, s.cfg.Now())
	if err != nil {
		return nil, err
	}
	fails, err := s.syncFailures(ctx)
	if err != nil {
		return nil, err
	}
	type agg struct {
		n, overdue int
		bytes      int64
	}
	by := map[string]*agg{}
	for _, p := range pending {
		a := by[p.DeviceID]
		if a == nil {
			a = &agg{}
			by[p.DeviceID] = a
		}
		a.n++
		a.bytes += p.Size
		if p.Overdue {
			a.overdue++
		}
	}
	out := make([]DeviceView, 0, len(devs))
	for _, d := range devs {
		if store.IsServerSigner(d.ID) {
			continue // the server's own signer of the office chains, not a terminal
		}
		v := DeviceView{Device: d, Online: s.online.has(d.ID), State: "正常", StateClass: "ok", Failures: fails[d.ID]}
		if a := by[d.ID]; a != nil {
			v.PendingFiles, v.PendingBytes, v.OverdueFiles = a.n, a.bytes, a.overdue
		}
		switch {
		case d.Revoked():
			v.State, v.StateClass = "已停用", "bad"
		case d.WipePending():
			v.State, v.StateClass = "待远程清除", "warn"
		case v.Failures.Count > 0:
			v.State, v.StateClass = "同步失败", "bad"
		case d.ClockSkewed:
			v.State, v.StateClass = "时钟偏差", "warn"
		}
		if !d.WipedAt.IsZero() && d.WipeReport != "" {
			var rep syncproto.WipeDone
			if json.Unmarshal([]byte(d.WipeReport), &rep) == nil {
				v.WipeReport = &rep
			}
		}
		out = append(out, v)
	}
	return out, nil
}

// devicesPage lists the terminals a page at a time, filtered, or exports
// the filtered list as CSV (issue 15).
func (s *Server) devicesPage(w http.ResponseWriter, r *http.Request) error {
	devs, err := s.deviceViews(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	d, shown := listDevices(devs, q)
	if q.Get("format") == "csv" {
		return s.devicesCSV(w, shown)
	}
	return s.Render(w, r, "devices", "终端设备", d)
}

// listDevices filters the terminals by the query and takes its page.
func listDevices(devs []DeviceView, q url.Values) (devicesData, []DeviceView) {
	f := deviceFilter{Text: strings.TrimSpace(q.Get("q")), State: q.Get("state")}
	var shown []DeviceView
	for _, d := range devs {
		if f.match(d) {
			shown = append(shown, d)
		}
	}
	p := newPager(q, len(shown), 50)
	from, to := p.bounds()
	csvQuery := url.Values{"q": {f.Text}, "state": {f.State}, "format": {"csv"}}
	return devicesData{Devices: shown[from:to], Filter: f, States: deviceStates, Pager: p,
		CSV: template.URL("/admin/devices?" + csvQuery.Encode())}, shown
}

func (s *Server) devicesCSV(w http.ResponseWriter, devs []DeviceView) error {
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="devices-`+s.cfg.Now().In(chinaTime).Format("20060102-150405")+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	cw := newCSV(w)
	cw.row("设备名称", "设备编号", "状态", "在线", "注册时间", "最近连接", "版本", "已收记录", "待发送", "待上传文件", "逾期未上传", "时钟偏差（毫秒）", "公钥指纹")
	for _, d := range devs {
		online := "否"
		if d.Online {
			online = "是"
		}
		cw.row(d.Name, d.ID, d.State, online, cstText(d.EnrolledAt), cstText(d.LastSeen), d.AppVersion, itoa(d.LastSeq), itoa(int64(d.Outbox)),
			itoa(int64(d.PendingFiles)), itoa(int64(d.OverdueFiles)), itoa(d.ClockOffsetMs), d.Fingerprint)
	}
	return cw.flush()
}

func (s *Server) enrolDevice(w http.ResponseWriter, r *http.Request) error {
	name := strings.TrimSpace(r.PostFormValue("name"))
	hours, _ := strconv.Atoi(r.PostFormValue("ttl_hours"))
	if hours <= 0 || hours > 24*7 {
		hours = 24
	}
	fail := func(msg string) error {
		devs, err := s.deviceViews(r)
		if err != nil {
			return err
		}
		d, _ := listDevices(devs, url.Values{})
		d.Error, d.Name = msg, clip(name, store.MaxDeviceNameChars)
		return s.renderStatus(w, r, http.StatusBadRequest, "devices", "终端设备", d)
	}
	if name == "" || utf8.RuneCountInString(name) > 60 {
		return fail("请填写设备名称（不超过 60 字）。")
	}
	if s.cfg.NewEnrolCode == nil {
		return errors.New("web: no enrolment function configured")
	}
	ec, err := s.cfg.NewEnrolCode(r.Context(), name, time.Duration(hours)*time.Hour)
	if err != nil {
		return err
	}
	code, err := qr.Encode(ec.Payload, qr.M)
	if err != nil {
		return err
	}
	code.Scale = 6
	view := &enrolView{EnrolCode: ec, QR: template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(code.PNG()))}
	s.audit(r, "device_enrol_code", name, "有效期至 "+chinaTimeText(ec.ExpiresAt))
	devs, err := s.deviceViews(r)
	if err != nil {
		return err
	}
	d, _ := listDevices(devs, url.Values{})
	d.Enrol = view
	return s.Render(w, r, "devices", "终端设备", d)
}

func (s *Server) deviceAction(w http.ResponseWriter, r *http.Request, wipe bool) error {
	id := r.PathValue("id")
	if store.IsServerSigner(id) {
		action := "停用"
		if wipe {
			action = "远程清除"
		}
		return &Error{Status: http.StatusBadRequest, Msg: "设备 " + id + " 是服务器自身的签名身份（法制审核记录由它签名），不是执法终端，不能" + action + "。"}
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" || utf8.RuneCountInString(reason) > 200 {
		return s.redirect(w, r, "/admin/devices", "请填写原因（不超过 200 字）。")
	}
	if r.PostFormValue("confirm") != "yes" {
		return s.redirect(w, r, "/admin/devices", "请勾选确认。")
	}
	var err error
	if wipe {
		err = s.st.RequestWipe(r.Context(), id, reason, s.cfg.Now())
	} else {
		err = s.st.Revoke(r.Context(), id, reason, s.cfg.Now())
	}
	if errors.Is(err, store.ErrNotFound) {
		return errNotFound("设备")
	}
	if err != nil {
		return err
	}
	if wipe {
		s.audit(r, "device_wipe", id, reason)
		return s.redirect(w, r, "/admin/devices", "已下达远程清除指令：终端下次连接时先上传未确认的记录，再清除服务器已确认的数据。")
	}
	s.audit(r, "device_revoke", id, reason)
	s.cfg.Bus.Publish(events.Event{Kind: events.DeviceRevoked, DeviceID: id}) // the live boards mark its cases at once
	return s.redirect(w, r, "/admin/devices", "设备 "+id+" 已停用：在线连接将在 1 秒内断开，之后的同步一律拒绝。")
}

func (s *Server) revokeDevice(w http.ResponseWriter, r *http.Request) error {
	return s.deviceAction(w, r, false)
}
func (s *Server) wipeDevice(w http.ResponseWriter, r *http.Request) error {
	return s.deviceAction(w, r, true)
}
