package ui

import (
	"context"
	"errors"
	"fmt"
	"image"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lawtrace/app/internal/field"
	"lawtrace/app/internal/field/capture"
	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
)

// Settings the app keeps in the field store, so a killed app reopens where
// it was (field.Terminal.Setting).
const (
	setSetupDone    = "ui.setup_done"
	setOnDuty       = "ui.on_duty"
	setLang         = "ui.lang"
	setHighContrast = "ui.high_contrast"
	setLastCase     = "ui.last_case"
	setLastStep     = "ui.last_step"
	setDraft        = "ui.draft"
	setServerURL    = "server_url" // shared with the field core's Status and sync
)

// WideWidth is the window width, in Fyne units, from which the tablet layout
// (step list beside the step) replaces the phone layout (one screen at a time).
const WideWidth = 800

// Options adjust the UI for tests, screenshots and platforms.
type Options struct {
	// PickFile lets the officer choose an evidence file and calls done with
	// a local path (nil: Fyne's file dialog, dialog.NewFileOpen; on Android
	// the system picker, whose content is copied into the terminal home).
	PickFile func(done func(path string, err error))
	// Capture takes photos, video and audio in the app where the platform
	// has a camera and recorder (capture.Android); nil: the file picker
	// only, as on the desktop.
	Capture capture.Capturer
	// Synchronous runs core calls on the calling goroutine instead of in the
	// background with a progress dialog (tests).
	Synchronous bool
	// RefreshEvery is how often the sync indicator re-reads the outbox
	// (0: every 2 seconds; negative: never, and sync changes do not refresh
	// the screens either — tests call Refresh on their own goroutine, as
	// Fyne's test driver runs fyne.Do on the caller's).
	RefreshEvery time.Duration
	// Version is shown on the about screen.
	Version string
	// ImportDir is where picked files that have no local path are copied.
	ImportDir string
	// OnLanguage is called after the officer changes the language, so main
	// can point Fyne's own strings at it.
	OnLanguage func(lang string)
	// RenderPDF renders a document's pages for the print preview (nil:
	// poppler's pdftoppm where installed).
	RenderPDF func(pdf []byte) ([]image.Image, error)
	// Share hands a written PDF to the platform's share sheet or print
	// dialog (nil: fyne.App.OpenURL of the file).
	Share func(path string) error
}

// Screens are the names Open takes.
var Screens = []string{"firstrun", "cases", "newcase", "procedure", "show_id", "notify_rights", "sign", "photo", "av_record",
	"inspection_notes", "inquiry_notes", "sample", "preserve", "refusal", "serve", "serve-lodging", "serve-refused", "close_scene", "settings", "about", "sync", "record", "correct", "print", "addofficer", "photo-attached", "sample-rows"}

// UI is the field app: the screens over one terminal's field core.
type UI struct {
	app  fyne.App
	win  fyne.Window
	term *field.Terminal
	sync Sync
	opt  Options
	tr   *translator

	stack   []route
	body    *fyne.Container
	frame   *fyne.Container
	top     *fyne.Container
	backBtn *widget.Button
	title   *widget.Label
	syncInd *syncIndicator
	// settingsBtn opens the settings (kept for tests)
	settingsBtn *widget.Button
	wide        bool

	ctx    context.Context
	cancel context.CancelFunc

	// The screens on show, kept so tests can tap their widgets.
	firstRun *firstRunScreen
	cases    *caseListScreen
	newCase  *newCaseScreen
	proc     *procedureScreen
	form     *stepForm
	signer   *signScreen
	settings *settingsScreen
	about    *aboutScreen

	addOfficer *addOfficerDialog
	pickExts   []string // the extensions the last file picker offered, for tests
	joinSubmit func()
	// lastRecorded is the last entry a form recorded (tests read it).
	lastRecorded *ledger.Entry
	joinPicker   *officerPicker

	// record and correction are the record view and correction screen on show.
	record     *recordScreen
	correction *correctionScreen
	printer    *printScreen
	// toast is the short confirmation under the top bar that needs no
	// dismissing; toasts are the messages it showed (tests read them).
	toast  *cjkLabel
	toasts []string

	// lastRefusal is what the last refusal dialog showed (tests read it).
	lastRefusal *refusal
	dialogs     []string // titles of the dialogs shown, in order

	// seenEntries and seenOfficers are what Refresh last saw of the outbox
	// and the officers, to redraw only what sync changed.
	seenEntries, seenOfficers string
	// keptOffset is a form's scroll offset while its signature pad is open.
	keptOffset map[string]fyne.Position
}

// route is one screen on the navigation stack; build makes its content
// afresh (after a language, theme or layout change, from saved state).
type route struct {
	name  string
	build func() (title string, content fyne.CanvasObject)
}

// New makes the UI for terminal t in window w. Start shows it.
func New(a fyne.App, w fyne.Window, t *field.Terminal, s Sync, opt Options) *UI {
	if s == nil {
		s = Offline{}
	}
	u := &UI{app: a, win: w, term: t, sync: s, opt: opt, keptOffset: map[string]fyne.Position{}}
	u.ctx, u.cancel = context.WithCancel(context.Background())
	u.tr = newTranslator(u.setting(setLang))
	u.applyTheme()
	u.backBtn = widget.NewButtonWithIcon("", theme.NavigateBackIcon(), u.back)
	u.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	u.title.Truncation = fyne.TextTruncateEllipsis
	u.syncInd = newSyncIndicator(u)
	u.toast = wrapped("")
	u.toast.TextStyle = fyne.TextStyle{Bold: true}
	u.toast.Importance = widget.SuccessImportance
	u.toast.Hide()
	u.body = container.NewStack()
	u.top = container.NewVBox()
	u.frame = container.NewBorder(u.top, nil, nil, nil, u.body)
	root := container.New(&rootLayout{u: u}, u.frame)
	w.SetContent(root)
	u.wide = w.Canvas().Size().Width >= WideWidth
	return u
}

// Start shows the first screen: first run until set up, else the case and
// step the officer was on when the app last stopped, else the case list;
// it starts background sync and the indicator's refresh.
func (u *UI) Start() {
	if every := u.opt.RefreshEvery; every >= 0 {
		u.sync.OnChange(func() { fyne.Do(u.Refresh) })
		if every == 0 {
			every = 2 * time.Second
		}
		go u.refreshLoop(every)
	}
	u.sync.Start(u.ctx)
	switch {
	case u.setting(setSetupDone) == "":
		u.reset(u.firstRunRoute())
	case u.setting(setOnNewCase) != "":
		// killed while opening a case: back on the form as typed
		u.reset(u.casesRoute())
		u.push(u.newCaseRoute())
	default:
		u.reset(u.casesRoute())
		id, step := u.setting(setLastCase), u.setting(setLastStep)
		if id != "" {
			if _, err := u.term.Case(id); err == nil {
				u.openCase(id)
				if step != "" {
					u.openStep(step)
					if pd := u.loadDraft(id, step).Pad; pd != nil {
						// killed while signing: back on the pad as drawn
						u.push(u.signRoute(id, step, pd.signPad))
					}
				}
			}
		}
	}
	u.Refresh()
}

// Stop ends background work.
func (u *UI) Stop() { u.cancel() }

func (u *UI) refreshLoop(every time.Duration) {
	tick := time.NewTicker(every)
	defer tick.Stop()
	for {
		select {
		case <-u.ctx.Done():
			return
		case <-tick.C:
			fyne.Do(u.tick)
		}
	}
}

// tick is the periodic refresh (Fyne goroutine): the indicator, and the
// screens whose data sync changed (issue 12 (2) (5)).
func (u *UI) tick() { u.Refresh() }

// Refresh re-reads the sync state and the counts shown (call on the Fyne
// goroutine).
//
// What sync changes — entries confirmed, officers sent down — is redrawn on
// the screen showing it as soon as it changes: the case cards' sync line,
// the procedure's header, the officers of the first-run and settings
// screens (issue 12 (2) (5)); the rest of the screen and its input stay.
func (u *UI) Refresh() {
	st, err := u.term.Status()
	u.syncInd.set(st, err, u.sync.State())
	entries := fmt.Sprint(st.Outbox, st.PendingMedia, st.LastSync, st.Revoked)
	officers := u.officerSig()
	changed := entries != u.seenEntries
	offChanged := officers != u.seenOfficers
	u.seenEntries, u.seenOfficers = entries, officers
	switch u.current() {
	case "cases":
		if u.cases != nil {
			u.cases.reload()
		}
	case "procedure":
		if changed && u.proc != nil {
			u.proc.reloadHeader()
		}
	case "firstrun":
		if offChanged && u.firstRun != nil {
			u.firstRun.officers.reload()
		}
	case "settings":
		if offChanged && u.settings != nil {
			u.settings.officers.reload()
		}
	}
}

// officerSig changes when an officer or a credential changes.
func (u *UI) officerSig() string {
	os, err := u.term.Officers()
	if err != nil {
		return ""
	}
	var b strings.Builder
	for _, o := range os {
		fmt.Fprintf(&b, "%s|%s|%s|%v;", o.Cert, o.Name, o.Expires, o.Suspended)
	}
	return b.String()
}

// T translates a UI string.
func (u *UI) T(key string, data ...map[string]any) string { return u.tr.T(key, data...) }

func (u *UI) now() time.Time { return u.term.Now() }

func (u *UI) setting(key string) string {
	v, err := u.term.Setting(key)
	if err != nil {
		fyne.LogError("read setting "+key, err)
	}
	return v
}

func (u *UI) setSetting(key, value string) {
	if err := u.term.SetSetting(key, value); err != nil {
		u.showError(err, nil)
	}
}

func (u *UI) applyTheme() {
	u.app.Settings().SetTheme(appTheme(u.setting(setHighContrast) == "1", u.setting(setDark) == "1"))
}

// current is the name of the screen on top.
func (u *UI) current() string {
	if len(u.stack) == 0 {
		return ""
	}
	return u.stack[len(u.stack)-1].name
}

// push shows a new screen above the current one.
func (u *UI) push(r route) {
	u.stack = append(u.stack, r)
	u.render()
}

// reset makes r the only screen.
func (u *UI) reset(r route) {
	u.stack = nil
	u.push(r)
}

// back pops the screen on top.
func (u *UI) back() {
	if len(u.stack) <= 1 {
		return
	}
	top := u.stack[len(u.stack)-1]
	u.stack = u.stack[:len(u.stack)-1]
	u.leaving(top.name)
	u.render()
}

// popTo pops screens until name is on top.
func (u *UI) popTo(name string) {
	for len(u.stack) > 1 && u.current() != name {
		u.leaving(u.current())
		u.stack = u.stack[:len(u.stack)-1]
	}
	u.render()
}

// leaving forgets per-screen state when a screen is popped.
func (u *UI) leaving(name string) {
	switch {
	case name == "newcase":
		// leaving the form on purpose: the next start is not on it (what
		// was typed stays for the next new case)
		u.setSetting(setOnNewCase, "")
	case name == "procedure":
		u.setSetting(setLastCase, "")
		u.setSetting(setLastStep, "")
	case strings.HasPrefix(name, "step:"):
		u.setSetting(setLastStep, "")
	case strings.HasPrefix(name, "sign:") && u.signer != nil:
		u.signer.forget()
	}
}

// rebuild makes the screens on the stack again, e.g. after a language or
// theme change or when the window crosses WideWidth.
func (u *UI) rebuild() {
	u.wide = u.win.Canvas().Size().Width >= WideWidth
	u.render()
}

func (u *UI) render() {
	if len(u.stack) == 0 {
		return
	}
	r := u.stack[len(u.stack)-1]
	title, content := r.build()
	u.title.SetText(title)
	if len(u.stack) > 1 {
		u.backBtn.Show()
	} else {
		u.backBtn.Hide()
	}
	settingsBtn := widget.NewButtonWithIcon("", theme.SettingsIcon(), func() { u.push(u.settingsRoute()) })
	u.settingsBtn = settingsBtn
	if r.name == "settings" || r.name == "about" || r.name == "firstrun" {
		settingsBtn.Hide()
	}
	bar := container.NewBorder(nil, nil, u.backBtn, container.NewHBox(settingsBtn), u.title)
	if u.wide {
		bar = container.NewBorder(nil, nil, u.backBtn, settingsBtn, container.NewGridWithColumns(2, u.title, u.syncInd))
		u.top.Objects = []fyne.CanvasObject{bar, u.toast, widget.NewSeparator()}
	} else {
		u.top.Objects = []fyne.CanvasObject{bar, u.syncInd, u.toast, widget.NewSeparator()}
	}
	u.top.Refresh()
	u.body.Objects = []fyne.CanvasObject{content}
	u.body.Refresh()
	u.frame.Refresh() // the top bar's height may have changed
}

// rootLayout fills the window and rebuilds the screens when the width
// crosses WideWidth (a phone rotated, a window resized).
type rootLayout struct{ u *UI }

func (l *rootLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
	if wide := size.Width >= WideWidth; wide != l.u.wide && !l.u.opt.Synchronous {
		go fyne.Do(l.u.rebuild)
	}
}

func (l *rootLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	return s
}

// run calls the field core: in the background behind a progress dialog
// (copying a long video takes a while), or inline in tests. done runs on
// the Fyne goroutine.
func (u *UI) run(what string, work func() error, done func(err error)) {
	if u.opt.Synchronous {
		done(work())
		return
	}
	bar := widget.NewProgressBarInfinite()
	d := newModal(u, what, bar)
	d.Show()
	go func() {
		err := work()
		fyne.Do(func() {
			d.Hide()
			done(err)
		})
	}()
}

// showError shows a refusal or failure; proc names the steps it may cite.
func (u *UI) showError(err error, proc *enforce.Procedure) {
	if err == nil {
		return
	}
	r := u.tr.explain(err, proc)
	u.lastRefusal = &r
	u.dialogs = append(u.dialogs, r.Title)
	showRefusal(u, r)
}

// problem shows something the officer must fix before the app can go on
// (not a refusal of the field core).
func (u *UI) problem(title, msg string) {
	r := refusal{Title: title, Reason: msg}
	u.lastRefusal = &r
	u.dialogs = append(u.dialogs, title)
	showRefusal(u, r)
}

// notify shows a short confirmation under the top bar that goes by itself
// after a few seconds and needs no tap (a new one replaces it).
func (u *UI) notify(msg string) {
	u.toasts = append(u.toasts, msg)
	u.toast.SetText(msg)
	u.toast.Show()
	u.frame.Refresh()
	if u.opt.Synchronous {
		return
	}
	n := len(u.toasts)
	time.AfterFunc(4*time.Second, func() {
		fyne.Do(func() {
			if len(u.toasts) == n {
				u.toast.Hide()
				u.frame.Refresh()
			}
		})
	})
}

// info shows a short message.
func (u *UI) info(title, msg string) {
	u.dialogs = append(u.dialogs, title)
	showMessage(u, title, msg)
}

// Open shows a named screen: firstrun, cases, newcase, procedure (the last
// case), a step kind of the last case (show_id, notify_rights, photo,
// av_record, inspection_notes, sample, serve, close_scene …), serve-lodging
// (service with lodging chosen), serve-refused (lodging recorded with
// nothing filled in: the refusal), sign, settings, about, sync or
// addofficer (the first-run screen with the add-officer dialog) or
// photo-attached (the photo step with a demo photo attached) or
// sample-rows (sampling, row 2 without its seal number, at the checklist). It is for screenshots and the --screen flag.
func (u *UI) Open(name string) error {
	switch name {
	case "", "cases":
		u.reset(u.casesRoute())
	case "firstrun":
		u.reset(u.firstRunRoute())
	case "addofficer":
		u.reset(u.firstRunRoute())
		showAddOfficer(u, u.firstRun.officers.reload)
	case "newcase":
		u.reset(u.casesRoute())
		u.push(u.newCaseRoute())
	case "settings":
		u.push(u.settingsRoute())
	case "about":
		u.push(u.settingsRoute())
		u.push(u.aboutRoute())
	case "sync":
		u.syncInd.tapped()
	case "record", "correct", "print":
		kind := map[string]string{"record": "inspection_notes", "correct": "sample", "print": enforce.StepNotifyRights}[name]
		caseID, entryID, err := u.latestRecord(kind)
		if err != nil {
			return err
		}
		u.reset(u.casesRoute())
		u.openCase(caseID)
		u.openRecord(caseID, entryID)
		switch name {
		case "correct":
			u.openCorrection(caseID, entryID)
		case "print":
			u.openPrint(caseID, entryID)
		}
	default:
		kind, sign, lodging, refused, attached, rows := name, false, false, false, false, false
		switch name {
		case "sample-rows":
			kind, rows = "sample", true
		case "photo-attached":
			kind, attached = "photo", true
		case "sign":
			kind, sign = enforce.StepNotifyRights, true
		case "serve-lodging":
			kind, lodging = "serve", true
		case "serve-refused":
			kind, lodging, refused = "serve", true, true
		}
		id, err := u.caseFor(kind)
		if err != nil {
			return err
		}
		u.reset(u.casesRoute())
		u.openCase(id)
		if name == "procedure" {
			return nil
		}
		if u.proc == nil || !hasStep(u.proc.c.Procedure, kind) {
			return fmt.Errorf("unknown screen %q", name)
		}
		u.openStep(kind)
		if sign && u.form != nil {
			u.form.sign(u.form.signPad(enforce.SignatureRequest{Role: enforce.RoleParty, NameField: enforce.PartyAgentField}))
		}
		if lodging && u.form != nil {
			if r := u.form.choices["method"]; r != nil {
				fd, _ := u.form.def.Field("method")
				r.SetSelected(fd.OptionLabel("lodging", u.tr.en()))
			}
		}
		if attached && u.form != nil {
			if err := u.attachDemoPhoto(); err != nil {
				return err
			}
		}
		if rows && u.form != nil {
			u.fillDemoSampleRows()
		}
		if refused && u.form != nil {
			u.form.submit()
		}
	}
	return nil
}

// latestRecord finds the latest entry of a step kind on the terminal.
func (u *UI) latestRecord(kind string) (caseID, entryID string, err error) {
	cs, err := u.term.Cases(time.Time{})
	if err != nil {
		return "", "", err
	}
	for _, s := range cs {
		c, err := u.term.Case(s.ID)
		if err != nil {
			continue
		}
		if rs := recordsOf(c, kind); len(rs) > 0 {
			return c.ID, rs[len(rs)-1].ID, nil
		}
	}
	return "", "", fmt.Errorf("no case on the terminal has a %s record", kind)
}

// caseFor picks the case a screen opens on: the last case, unless the step
// cannot be taken on it and another case allows it.
func (u *UI) caseFor(kind string) (string, error) {
	cs, err := u.term.Cases(time.Time{})
	if err != nil {
		return "", err
	}
	if len(cs) == 0 {
		return "", fmt.Errorf("screen %s needs a case on the terminal", kind)
	}
	last := u.setting(setLastCase)
	if last == "" {
		last = cs[0].ID
	}
	ids := []string{last}
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	for _, id := range ids {
		c, err := u.term.Case(id)
		if err != nil {
			continue
		}
		if def, ok := c.Procedure.Step(kind); ok && u.term.State(c).Blocked(def) == nil {
			return id, nil
		}
	}
	return last, nil
}

// tall keeps o at least h high: a large touch target for gloved hands.
func tall(o fyne.CanvasObject, h float32) fyne.CanvasObject {
	return container.New(&minHeight{h: h}, o)
}

type minHeight struct{ h float32 }

func (m *minHeight) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	for _, o := range objs {
		o.Resize(size)
		o.Move(fyne.NewPos(0, 0))
	}
}

func (m *minHeight) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var s fyne.Size
	for _, o := range objs {
		s = s.Max(o.MinSize())
	}
	s.Height = max(s.Height, m.h)
	return s
}

// relayout lays the screen out again after a part of it grew or shrank (a
// file attached, officers arrived): a container refreshed alone is drawn
// over what follows it, since its parents keep their layout (issue 12 (2)
// (3)). Every scroll on the screen sizes its content afresh.
func (u *UI) relayout() {
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *fyne.Container:
			for _, k := range v.Objects {
				walk(k)
			}
		case *container.Scroll:
			v.Content.Resize(v.Content.MinSize().Max(fyne.NewSize(v.Size().Width, 0)))
			walk(v.Content)
			v.Refresh()
		case *container.Split:
			walk(v.Leading)
			walk(v.Trailing)
		}
	}
	walk(u.body)
}

// formWidth is the width a form's input has: the window (half of it
// beside the step list on a tablet) less the padding around it.
func (u *UI) formWidth() float32 {
	w := u.win.Canvas().Size().Width
	if u.wide {
		w /= 2
	}
	return w - 6*theme.Padding()
}

// touch is the height of the app's main buttons.
const touch = 56

// heading is a bold section title.
func heading(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// wrapped is a label that wraps, with Chinese line breaking (linebreak.go).
func wrapped(text string) *cjkLabel {
	return newCJKLabel(text)
}

// scroll puts a screen's content in a vertical scroll with padding.
func scroll(objs ...fyne.CanvasObject) fyne.CanvasObject {
	return container.NewVScroll(container.NewPadded(container.NewVBox(objs...)))
}

func asEnforce(err error, target **enforce.Error) bool { return errors.As(err, target) }
