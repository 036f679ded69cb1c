package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// aboutScreen shows the terminal's identity: device id, name, key
// fingerprint and public key (what an administrator compares at
// enrolment), the app version, and what the store holds.
type aboutScreen struct {
	u      *UI
	verify *widget.Button
	rows   map[string]string
}

func (u *UI) aboutRoute() route {
	return route{name: "about", build: func() (string, fyne.CanvasObject) {
		s := &aboutScreen{u: u, rows: map[string]string{}}
		u.about = s
		return u.T("About this terminal"), s.content()
	}}
}

func (s *aboutScreen) content() fyne.CanvasObject {
	u := s.u
	id := u.term.Identity()
	st, _ := u.term.Status()
	version := u.opt.Version
	if version == "" {
		version = "dev"
	}
	form := widget.NewForm()
	add := func(key, label, value string) {
		s.rows[key] = value
		l := widget.NewLabel(value)
		l.Wrapping = fyne.TextWrapBreak
		l.Selectable = true
		form.Append(label, l)
	}
	add("device", u.T("Device id"), id.DeviceID)
	add("name", u.T("Device name"), id.Name)
	add("fingerprint", u.T("Key fingerprint"), id.Fingerprint)
	add("key", u.T("Public key (Ed25519)"), id.PublicKey)
	add("version", u.T("App version"), version)
	add("cases", u.T("Cases and entries"), fmt.Sprintf("%d / %d", st.Cases, st.Entries))
	add("server", u.T("Server"), st.Server)
	s.verify = widget.NewButtonWithIcon(u.T("Verify the records on this terminal"), theme.SearchIcon(), s.check)
	return scroll(
		wrapped(u.T("LawTrace field terminal. Every step is an entry signed with this device's key and chained by hash; the key never leaves the terminal.")),
		form,
		tall(s.verify, touch),
	)
}

// check verifies every case on the terminal (hash chains, signatures, media).
func (s *aboutScreen) check() {
	u := s.u
	var n int
	u.run(u.T("Verifying…"), func() error {
		f, err := u.term.Verify("")
		n = len(f)
		if err == nil && n > 0 {
			err = fmt.Errorf("%d findings: %v", n, f)
		}
		return err
	}, func(err error) {
		if err != nil {
			u.showError(err, nil)
			return
		}
		u.info(u.T("Verified"), u.T("Every entry, signature and file on this terminal is intact."))
	})
}
