package ui

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lawtrace/shared/enforce"
)

// firstRunScreen enrols the terminal with the backend (server URL and
// one-time code, or the enrolment payload pasted or scanned) and chooses the
// officers on duty. Enrolment may wait: the terminal works offline (SPEC F1).
type firstRunScreen struct {
	u        *UI
	server   *widget.Entry
	code     *widget.Entry
	payload  *widget.Entry
	enrol    *widget.Button
	enrolled *cjkLabel
	officers *officerPicker
	add      *widget.Button
	done     *widget.Button
}

func (u *UI) firstRunRoute() route {
	return route{name: "firstrun", build: func() (string, fyne.CanvasObject) {
		s := newFirstRun(u)
		u.firstRun = s
		return u.T("Set up this terminal"), s.content()
	}}
}

func newFirstRun(u *UI) *firstRunScreen {
	s := &firstRunScreen{u: u}
	s.server = widget.NewEntry()
	s.server.SetPlaceHolder("ws://192.168.1.10:8080/sync")
	s.server.SetText(u.setting(setServerURL))
	s.code = widget.NewEntry()
	s.code.SetPlaceHolder("ABCD-EFGH-JKLM")
	s.payload = widget.NewEntry()
	s.payload.SetPlaceHolder("lawtrace://enrol?…")
	s.payload.OnChanged = s.pasted
	s.enrol = widget.NewButtonWithIcon(u.T("Enrol"), theme.LoginIcon(), s.doEnrol)
	s.enrol.Importance = widget.HighImportance
	s.enrolled = wrapped("")
	s.enrolled.Importance = widget.SuccessImportance
	s.enrolled.Hide()
	if st := u.sync.State(); st.Enrolled {
		s.enrolled.SetText(u.T("Enrolled with {{.Server}}", map[string]any{"Server": st.Server}))
		s.enrolled.Show()
	}
	s.officers = newOfficerPicker(u, onDuty(u))
	s.add = widget.NewButtonWithIcon(u.T("Add an officer"), theme.ContentAddIcon(), func() { showAddOfficer(u, s.officers.reload) })
	s.done = widget.NewButtonWithIcon(u.T("Start work"), theme.ConfirmIcon(), s.finish)
	s.done.Importance = widget.HighImportance
	return s
}

func (s *firstRunScreen) content() fyne.CanvasObject {
	u := s.u
	id := u.term.Identity()
	device := widget.NewLabel(id.DeviceID + "\n" + id.Fingerprint)
	device.Wrapping = fyne.TextWrapBreak // a fingerprint has no place to break a word
	// labels above the inputs: beside them a phone in high contrast had no
	// room left (issue 12 (4))
	enrolForm := container.NewVBox(
		heading(u.T("Device")), device,
		heading(u.T("Server")), s.server,
		heading(u.T("One-time code")), s.code,
		heading(u.T("or paste")), s.payload,
	)
	return scroll(
		heading(u.T("1. Enrol with the backend")),
		wrapped(u.T("Ask the administrator for a one-time enrolment code. Until the terminal is enrolled everything is kept on it and nothing is lost.")),
		enrolForm,
		tall(s.enrol, touch),
		s.enrolled,
		widget.NewSeparator(),
		heading(u.T("2. Officers on duty")),
		wrapped(u.T("Choose the officers working with this terminal today. New cases start with them.")),
		s.officers,
		tall(s.add, touch),
		widget.NewSeparator(),
		tall(s.done, touch),
	)
}

// pasted fills server and code from an enrolment payload:
// lawtrace://enrol?server=URL&code=CODE&fp=FINGERPRINT.
func (s *firstRunScreen) pasted(text string) {
	server, code, ok := parseEnrolPayload(text)
	if !ok {
		return
	}
	s.server.SetText(server)
	s.code.SetText(code)
}

func parseEnrolPayload(text string) (server, code string, ok bool) {
	text = strings.TrimSpace(text)
	u, err := url.Parse(text)
	if err != nil || u.Scheme != "lawtrace" || u.Host != "enrol" {
		return "", "", false
	}
	q := u.Query()
	if q.Get("server") == "" || q.Get("code") == "" {
		return "", "", false
	}
	return q.Get("server"), q.Get("code"), true
}

func (s *firstRunScreen) doEnrol() {
	u := s.u
	server, code := strings.TrimSpace(s.server.Text), strings.TrimSpace(s.code.Text)
	target := server
	if p := strings.TrimSpace(s.payload.Text); p != "" {
		if ps, pc, ok := parseEnrolPayload(p); ok && ps == server && pc == code {
			target = p // the payload also carries the server key fingerprint to check
		}
	}
	if server == "" || code == "" {
		u.problem(u.T("Please check the input"), u.T("Enter the server address and the one-time code."))
		return
	}
	var err error
	u.run(u.T("Enrolling…"), func() error {
		ctx, cancel := context.WithTimeout(u.ctx, 30*time.Second)
		defer cancel()
		err = u.sync.Enroll(ctx, target, code)
		return err
	}, func(err error) {
		if err != nil {
			msg := advice(u, errorKind(err)) + "\n\n" + u.T("Details") + u.T(": ") + err.Error()
			if errors.Is(err, ErrNoSync) {
				msg = u.T("This build has no sync client; the terminal works offline.")
			}
			u.problem(u.T("Enrolment failed"), msg)
			return
		}
		if u.setting(setServerURL) == "" {
			u.setSetting(setServerURL, server)
		}
		s.enrolled.SetText(u.T("Enrolled with {{.Server}}", map[string]any{"Server": server}))
		s.enrolled.Show()
		u.sync.Start(u.ctx)
		u.sync.Kick()
		u.Refresh()
		s.officers.reload()
	})
}

func (s *firstRunScreen) finish() {
	u := s.u
	certs := s.officers.selected()
	if len(certs) == 0 {
		u.problem(u.T("Please check the input"), u.T("Choose at least one officer on duty."))
		return
	}
	u.setSetting(setOnDuty, strings.Join(certs, ","))
	u.setSetting(setSetupDone, "1")
	u.reset(u.casesRoute())
	u.Refresh()
}

// onDuty is the officers chosen on duty.
func onDuty(u *UI) []string {
	v := u.setting(setOnDuty)
	if v == "" {
		return nil
	}
	return strings.Split(v, ",")
}

// officerPicker lists the officers on the terminal with a check each and
// the state of their credential.
type officerPicker struct {
	widget.BaseWidget
	u      *UI
	box    *fyne.Container
	checks map[string]*widget.Check
	chosen map[string]bool
	// OnChanged is called when the selection changes.
	OnChanged func()
}

func newOfficerPicker(u *UI, chosen []string) *officerPicker {
	p := &officerPicker{u: u, box: container.NewVBox(), chosen: map[string]bool{}}
	for _, c := range chosen {
		p.chosen[c] = true
	}
	p.ExtendBaseWidget(p)
	p.reload()
	return p
}

// CreateRenderer is part of fyne.Widget.
func (p *officerPicker) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(p.box)
}

func (p *officerPicker) reload() {
	u := p.u
	officers, err := u.term.Officers()
	if err != nil {
		u.showError(err, nil)
		return
	}
	p.checks = map[string]*widget.Check{}
	p.box.Objects = nil
	if len(officers) == 0 {
		p.box.Add(wrapped(u.T("No officers on this terminal yet: they arrive with sync after enrolment, or add them here.")))
	}
	for _, o := range officers {
		cert := o.Cert
		c := widget.NewCheck(o.Name+"  "+cert, func(on bool) {
			p.chosen[cert] = on
			if p.OnChanged != nil {
				p.OnChanged()
			}
		})
		c.Checked = p.chosen[cert]
		p.checks[cert] = c
		// the credential's state under the name, not beside it: beside it
		// the row was wider than a phone in high contrast (issue 12 (4))
		state := credentialState(u, o)
		state.Wrapping = fyne.TextWrapWord
		state.SizeName = theme.SizeNameCaptionText
		p.box.Add(container.NewVBox(container.NewHBox(tall(c, 44)), container.NewPadded(state)))
	}
	p.box.Refresh()
	p.Refresh()
	u.relayout()
}

// credentialState says whether a credential is valid today, in colour.
func credentialState(u *UI, o enforce.Officer) *widget.Label {
	l := widget.NewLabel("")
	switch p := o.CredentialProblem(u.now()); {
	case p == "":
		l.SetText(u.T("valid to {{.Date}}", map[string]any{"Date": o.Expires}))
		l.Importance = widget.SuccessImportance
	case o.Suspended:
		l.SetText(u.T("suspended"))
		l.Importance = widget.DangerImportance
	default:
		l.SetText(u.T("expired {{.Date}}", map[string]any{"Date": o.Expires}))
		l.Importance = widget.DangerImportance
	}
	return l
}

// selected lists the checked officers in list order.
func (p *officerPicker) selected() []string {
	var out []string
	for cert, on := range p.chosen {
		if on && p.checks[cert] != nil {
			out = append(out, cert)
		}
	}
	slices.Sort(out)
	return out
}

// showAddOfficer adds an officer and credential by hand, for setting up a
// terminal offline (normally officers arrive by down-sync).
func showAddOfficer(u *UI, done func()) {
	name, cert, expires, unit := widget.NewEntry(), widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	expires.SetPlaceHolder("YYYY-MM-DD")
	form := widget.NewForm(
		widget.NewFormItem(u.T("Name"), name),
		widget.NewFormItem(u.T("Credential number"), cert),
		widget.NewFormItem(u.T("Valid to"), expires),
		widget.NewFormItem(u.T("Unit"), unit),
	)
	u.dialogs = append(u.dialogs, u.T("Add an officer"))
	d := newFormDialog(u, u.T("Add an officer"), form, func() bool {
		err := u.term.PutOfficer(enforce.Officer{Name: name.Text, Cert: cert.Text, Expires: strings.TrimSpace(expires.Text), Unit: unit.Text})
		if err != nil {
			u.showError(err, nil)
			return false
		}
		done()
		return true
	})
	u.addOfficer = &addOfficerDialog{name: name, cert: cert, expires: expires, unit: unit, submit: d}
}
