package ui

import (
	"fmt"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// settingsScreen: server address, language (Simplified Chinese by default,
// English), high contrast for sunlight, officers on duty (SPEC F13).
type settingsScreen struct {
	u        *UI
	server   *widget.Entry
	saveSrv  *widget.Button
	lang     *widget.RadioGroup
	contrast *widget.Check
	dark     *widget.Check
	officers *officerPicker
	saveDuty *widget.Button
	enrol    *widget.Button
	about    *widget.Button
	printer  *widget.Entry
	paper    *widget.RadioGroup
	savePrn  *widget.Button
}

var langNames = map[string]string{LangZh: "中文", LangEn: "English"}

func (u *UI) settingsRoute() route {
	return route{name: "settings", build: func() (string, fyne.CanvasObject) {
		s := newSettings(u)
		u.settings = s
		return u.T("Settings"), s.content()
	}}
}

func newSettings(u *UI) *settingsScreen {
	s := &settingsScreen{u: u}
	s.server = widget.NewEntry()
	s.server.SetText(u.setting(setServerURL))
	s.server.SetPlaceHolder("ws://192.168.1.10:8080/sync")
	s.saveSrv = widget.NewButtonWithIcon(u.T("Save server address"), theme.DocumentSaveIcon(), func() {
		u.setSetting(setServerURL, strings.TrimSpace(s.server.Text))
		u.Refresh()
		u.info(u.T("Settings"), u.T("Saved."))
	})
	s.lang = widget.NewRadioGroup([]string{langNames[LangZh], langNames[LangEn]}, nil)
	s.lang.Horizontal = true
	s.lang.Required = true
	s.lang.SetSelected(langNames[u.tr.lang])
	s.lang.OnChanged = func(name string) {
		for code, n := range langNames {
			if n == name && code != u.tr.lang {
				u.SetLanguage(code)
			}
		}
	}
	s.contrast = widget.NewCheck(u.T("High contrast, large text (outdoors)"), nil)
	s.contrast.Checked = u.setting(setHighContrast) == "1"
	s.contrast.OnChanged = u.SetHighContrast
	s.dark = widget.NewCheck(u.T("Dark theme (at night)"), nil)
	s.dark.Checked = u.setting(setDark) == "1"
	s.dark.OnChanged = u.SetDark
	s.officers = newOfficerPicker(u, onDuty(u))
	s.saveDuty = widget.NewButtonWithIcon(u.T("Save officers on duty"), theme.DocumentSaveIcon(), func() {
		u.setSetting(setOnDuty, strings.Join(s.officers.selected(), ","))
		u.info(u.T("Settings"), u.T("Saved."))
	})
	s.printer = widget.NewEntry()
	s.printer.SetText(u.setting(setPrinter))
	s.printer.SetPlaceHolder("192.168.1.50:9100") // or a serial device, /dev/rfcomm0
	s.paper = widget.NewRadioGroup([]string{"58 mm", "80 mm"}, nil)
	s.paper.Horizontal = true
	s.paper.SetSelected(fmt.Sprintf("%d mm", u.printerWidth()))
	s.savePrn = widget.NewButtonWithIcon(u.T("Save printer"), theme.DocumentSaveIcon(), func() {
		u.setSetting(setPrinter, strings.TrimSpace(s.printer.Text))
		u.setSetting(setPrinterWidth, strings.TrimSuffix(s.paper.Selected, " mm"))
		u.notify(u.T("Saved."))
	})
	s.enrol = widget.NewButtonWithIcon(u.T("Enrolment and officers"), theme.LoginIcon(), func() { u.push(u.firstRunRoute()) })
	s.about = widget.NewButtonWithIcon(u.T("About this terminal"), theme.InfoIcon(), func() { u.push(u.aboutRoute()) })
	return s
}

func (s *settingsScreen) content() fyne.CanvasObject {
	u := s.u
	return scroll(
		heading(u.T("Server")), s.server, tall(s.saveSrv, touch),
		widget.NewSeparator(),
		heading(u.T("Language")), s.lang,
		heading(u.T("Display")), tall(s.contrast, 44), tall(s.dark, 44),
		widget.NewSeparator(),
		heading(u.T("Officers on duty")), s.officers, tall(s.saveDuty, touch),
		widget.NewSeparator(),
		heading(u.T("Portable printer (ESC/POS)")), s.printer, s.paper, tall(s.savePrn, touch),
		widget.NewSeparator(),
		container.NewGridWithColumns(1, tall(s.enrol, touch), tall(s.about, touch)),
	)
}

// SetLanguage switches the app's language (zh or en) and redraws.
func (u *UI) SetLanguage(lang string) {
	u.setSetting(setLang, lang)
	u.tr = newTranslator(lang)
	if u.opt.OnLanguage != nil {
		u.opt.OnLanguage(lang)
	}
	u.render()
	u.Refresh()
}

// SetHighContrast switches the outdoor theme on or off.
func (u *UI) SetHighContrast(on bool) {
	v := ""
	if on {
		v = "1"
	}
	u.setSetting(setHighContrast, v)
	u.applyTheme()
	u.render()
}

// SetDark switches between the light and the dark variant.
func (u *UI) SetDark(on bool) {
	v := ""
	if on {
		v = "1"
	}
	u.setSetting(setDark, v)
	u.applyTheme()
	u.render()
}
