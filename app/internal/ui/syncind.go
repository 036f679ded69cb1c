package ui

import (
	"fmt"
	"image/color"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lawtrace/app/internal/field"
	"lawtrace/app/internal/ui/widgets"
)

// syncIndicator is the global sync state in the top bar (SPEC S1, S4, S6):
// outbox depth, pending media, last sync, clock offset, revoked. Tapping it
// shows the details and syncs now.
type syncIndicator struct {
	widget.BaseWidget
	u      *UI
	status field.Status
	state  SyncState
	err    error

	icon  *widget.Icon
	label *cjkLabel
	bg    *canvas.Rectangle
}

func newSyncIndicator(u *UI) *syncIndicator {
	s := &syncIndicator{u: u, icon: widget.NewIcon(theme.ViewRefreshIcon()), label: newCJKLabel(""), bg: canvas.NewRectangle(color.Transparent)}
	// wrapped, not cut (in high contrast on a phone the file count was
	// "11 个…"), a number kept with its measure word
	s.bg.CornerRadius = theme.InputRadiusSize()
	s.ExtendBaseWidget(s)
	return s
}

// CreateRenderer is part of fyne.Widget.
func (s *syncIndicator) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.NewStack(s.bg, container.NewBorder(nil, nil, s.icon, nil, s.label)))
}

// Tapped shows the details.
func (s *syncIndicator) Tapped(*fyne.PointEvent) { s.tapped() }

// Text is the one-line state shown.
func (s *syncIndicator) Text() string { return s.label.raw }

// set shows a new state (Fyne goroutine).
func (s *syncIndicator) set(st field.Status, err error, ss SyncState) {
	s.status, s.err, s.state = st, err, ss
	s.label.SetText(s.summary())
	name := theme.ColorNameSuccess
	switch {
	case ss.Revoked || st.Revoked || err != nil:
		name = theme.ColorNameError
		s.icon.SetResource(theme.NewErrorThemedResource(theme.ErrorIcon()))
	case st.Outbox > 0 || st.PendingMedia > 0 || ss.Skewed || ss.LastError != "":
		name = theme.ColorNameWarning
		s.icon.SetResource(theme.NewWarningThemedResource(theme.UploadIcon()))
	default:
		s.icon.SetResource(theme.NewSuccessThemedResource(theme.ConfirmIcon()))
	}
	c := theme.Color(name)
	r, g, b, _ := c.RGBA()
	s.bg.FillColor = color.NRGBA{R: uint8(r >> 8), G: uint8(g >> 8), B: uint8(b >> 8), A: widgets.StatusTintAlpha}
	s.bg.Refresh()
}

// summary is the one-line state.
func (s *syncIndicator) summary() string {
	u, st, ss := s.u, s.status, s.state
	if s.err != nil {
		return u.T("Store error")
	}
	if ss.Revoked || st.Revoked {
		return u.T("Terminal revoked")
	}
	var parts []string
	switch {
	case !ss.Enrolled && st.Server == "":
		parts = append(parts, u.T("Offline, not enrolled"))
	case ss.Phase != "" && ss.Phase != "idle" && ss.Phase != "waiting":
		parts = append(parts, s.phase())
	case ss.Connected:
		parts = append(parts, u.T("Online"))
	default:
		parts = append(parts, u.T("Offline"))
	}
	if st.Outbox == 0 && st.PendingMedia == 0 {
		parts = append(parts, u.T("all confirmed"))
	} else {
		parts = append(parts, u.T("{{.N}} queued", map[string]any{"N": st.Outbox}))
		if st.PendingMedia > 0 {
			parts = append(parts, u.T("{{.N}} files ({{.Size}})", map[string]any{"N": st.PendingMedia, "Size": byteSize(st.PendingBytes)}))
		}
	}
	if t := lastSync(st, ss); !t.IsZero() {
		parts = append(parts, u.T("synced {{.Time}}", map[string]any{"Time": t.Local().Format("15:04")}))
	}
	if ss.Skewed {
		parts = append(parts, u.T("clock off {{.Offset}}", map[string]any{"Offset": offset(st.ClockOffsetMs)}))
	}
	return strings.Join(parts, " · ")
}

// phase names what sync is doing, with upload progress.
func (s *syncIndicator) phase() string {
	u, ss := s.u, s.state
	var p string
	switch ss.Phase {
	case "connecting":
		p = u.T("connecting")
	case "pushing":
		p = u.T("sending entries")
	case "uploading":
		p = u.T("uploading files")
		if ss.UploadSize > 0 {
			p += fmt.Sprintf(" %d%%", ss.UploadDone*100/ss.UploadSize)
		}
	case "pulling":
		p = u.T("receiving updates")
	case "wiping":
		p = u.T("wiping confirmed records")
	case "waiting":
		p = u.T("Online")
	case "offline":
		p = u.T("Offline, retrying")
	case "revoked":
		p = u.T("Terminal revoked")
	case "failed":
		p = u.T("Sync stopped")
	default:
		p = u.T("Offline")
	}
	return p
}

func lastSync(st field.Status, ss SyncState) time.Time {
	if !ss.LastSync.IsZero() {
		return ss.LastSync
	}
	if st.LastSync != "" {
		if t, err := time.Parse(time.RFC3339Nano, st.LastSync); err == nil {
			return t
		}
	}
	return time.Time{}
}

func offset(ms int64) string {
	return fmt.Sprintf("%+.1fs", float64(ms)/1000)
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// details lists everything the indicator knows.
func (s *syncIndicator) details() [][2]string {
	u, st, ss := s.u, s.status, s.state
	server := st.Server
	if server == "" {
		server = ss.Server
	}
	if server == "" {
		server = u.T("not enrolled")
	}
	conn := u.T("Offline")
	if ss.Connected {
		conn = u.T("Online")
	}
	last := u.T("never")
	if t := lastSync(st, ss); !t.IsZero() {
		last = t.Local().Format("2006-01-02 15:04:05")
	}
	clock := offset(st.ClockOffsetMs)
	if ss.Skewed {
		clock += " " + u.T("(over the allowed skew)")
	}
	revoked := u.T("no")
	if ss.Revoked || st.Revoked {
		revoked = u.T("yes: this terminal may no longer sync")
	}
	rows := [][2]string{
		{u.T("Server"), server},
		{u.T("Connection"), conn},
		{u.T("Entries queued"), fmt.Sprint(st.Outbox)},
		{u.T("Files pending"), fmt.Sprintf("%d (%s)", st.PendingMedia, byteSize(st.PendingBytes))},
		{u.T("Last sync"), last},
		{u.T("Clock offset"), clock},
		{u.T("Revoked"), revoked},
	}
	if ss.Phase != "" {
		rows = append(rows, [2]string{u.T("Now"), s.phase()})
	}
	if ss.LastError != "" {
		e := advice(u, ss.ErrorKind)
		if ss.Retryable {
			if u.tr.en() {
				e += " " // Chinese needs no space before its full-width bracket
			}
			e += u.T("(retrying by itself)")
		}
		rows = append(rows, [2]string{u.T("Problem"), e}, [2]string{u.T("Details"), ss.LastError})
	}
	return rows
}

func (s *syncIndicator) tapped() {
	u := s.u
	u.Refresh()
	form := widget.NewForm()
	for _, r := range s.details() {
		form.Append(r[0], wrapped(r[1]))
	}
	// the rows scroll between the title and the buttons when they are
	// taller than the window (high contrast on a phone drew them under
	// the buttons)
	w := dialogWidth(u) - 4*theme.Padding()
	form.Resize(fyne.NewSize(w, form.MinSize().Height))
	room := u.win.Canvas().Size().Height - 2*touch - 2*widgets.MinTouchTarget - 12*theme.Padding()
	content := container.NewVScroll(form)
	content.SetMinSize(fyne.NewSize(w, min(form.MinSize().Height, room)))
	u.dialogs = append(u.dialogs, u.T("Sync"))
	d := dialog.NewCustomConfirm(u.T("Sync"), u.T("Sync now"), u.T("Close"), content, func(ok bool) {
		if ok {
			u.sync.Kick()
		}
	}, u.win)
	sized(u, d, content)
}

// MinSize keeps the indicator a comfortable touch target.
func (s *syncIndicator) MinSize() fyne.Size {
	m := s.BaseWidget.MinSize()
	m.Height = max(m.Height, widgets.MinTouchTarget)
	return m
}

// advice says what the officer can do about a sync failure of a kind
// (issue 12 (8)); the raw error is shown beneath it under 详情.
func advice(u *UI, kind string) string {
	switch kind {
	case "network":
		return u.T("advice.network")
	case "refused":
		return u.T("advice.refused")
	case "address":
		return u.T("advice.address")
	case "certificate":
		return u.T("advice.certificate")
	case "revoked":
		return u.T("advice.revoked")
	case "not_enrolled":
		return u.T("advice.not_enrolled")
	case "enrol_code":
		return u.T("advice.enrol_code")
	case "server_busy":
		return u.T("advice.server_busy")
	case "version":
		return u.T("advice.version")
	case "rejected", "server_invalid":
		return u.T("advice.rejected")
	}
	return u.T("advice.other")
}
