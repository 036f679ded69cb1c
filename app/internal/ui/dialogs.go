package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// dialogWidth is the width of the app's dialogs: most of a phone's width,
// at most a comfortable reading width on a tablet.
func dialogWidth(u *UI) float32 {
	w := u.win.Canvas().Size().Width
	return min(max(w-2*theme.Padding()*4, 240), 560)
}

// sized shows d at the dialog width, tall enough for its wrapped text.
func sized(u *UI, d dialog.Dialog, content fyne.CanvasObject) {
	w := dialogWidth(u)
	content.Resize(fyne.NewSize(w-4*theme.Padding(), content.MinSize().Height))
	h := content.MinSize().Height + 4*theme.Padding() + 2*touch
	d.Show()
	// the dialog's own minimum counts its title and buttons: a form
	// dialog sized from its content alone showed a row and a half
	// (issue 12 (12))
	h = max(h, d.MinSize().Height)
	d.Resize(fyne.NewSize(w, min(h, u.win.Canvas().Size().Height-2*theme.Padding())))
}

// showRefusal shows what the field core refused and why (SPEC F11): the
// reason, each missing thing, the article.
func showRefusal(u *UI, r refusal) {
	objs := []fyne.CanvasObject{wrapped(r.Reason)}
	if len(r.Missing) > 0 {
		objs = append(objs, heading(u.T("Missing:")))
		for _, m := range r.Missing {
			l := wrapped("• " + m)
			l.Importance = widget.DangerImportance
			objs = append(objs, l)
		}
	}
	if r.Article != "" {
		objs = append(objs, wrapped(u.T("Legal basis: {{.Article}}", map[string]any{"Article": r.Article})))
	}
	if r.Article != "" || len(r.Missing) > 0 {
		objs = append(objs, wrapped(u.T("Nothing was recorded; what you entered is kept.")))
	}
	content := container.NewVBox(objs...)
	d := dialog.NewCustom(r.Title, u.T("OK"), container.NewVScroll(content), u.win)
	sized(u, d, content)
}

// showMessage shows an informational message.
func showMessage(u *UI, title, msg string) {
	content := container.NewVBox(wrapped(msg))
	d := dialog.NewCustom(title, u.T("OK"), content, u.win)
	sized(u, d, content)
}

// newModal is a dialog without buttons, for work in progress.
func newModal(u *UI, title string, body fyne.CanvasObject) dialog.Dialog {
	return dialog.NewCustomWithoutButtons(title, body, u.win)
}

// newFormDialog shows content with Cancel and Save; Save calls submit and
// closes the dialog only when it returns true (so a refusal keeps the
// input). It returns the Save action, for tests.
func newFormDialog(u *UI, title string, content fyne.CanvasObject, submit func() bool) func() {
	var d dialog.Dialog
	save := func() {
		if submit() {
			d.Hide()
		}
	}
	saveBtn := widget.NewButtonWithIcon(u.T("Save"), theme.ConfirmIcon(), save)
	saveBtn.Importance = widget.HighImportance
	cancel := widget.NewButtonWithIcon(u.T("Cancel"), theme.CancelIcon(), func() { d.Hide() })
	body := container.NewBorder(nil, container.NewGridWithColumns(2, tall(cancel, touch), tall(saveBtn, touch)), nil, nil, content)
	d = dialog.NewCustomWithoutButtons(title, body, u.win)
	sized(u, d, body)
	return save
}

// addOfficerDialog is the add-officer dialog's input, for tests.
type addOfficerDialog struct {
	name, cert, expires, unit *widget.Entry
	submit                    func()
}
