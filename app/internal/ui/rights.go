package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lawtrace/shared/enforce"
	"lawtrace/shared/ledger"
)

// rights is the rights text of the case's procedure held on the terminal.
func (f *stepForm) rights() (enforce.RightsText, bool) {
	cat, err := f.u.term.Catalog()
	if err != nil {
		return enforce.RightsText{}, false
	}
	r, ok := cat.Rights[f.c.Procedure.RightsText]
	return r, ok
}

// customiseRights shows the statutory rights text in large type, to read
// out; the party signs on the pad or the refusal is recorded with A/V
// (SPEC F4; 003 §17, §15). The entry records the exact text version shown.
func (f *stepForm) customiseRights() {
	u := f.u
	f.hidden["rights_version"] = true
	f.recordTxt = u.T("Record: rights notified")
	r, ok := f.rights()
	if !ok {
		f.header.Add(wrapped(u.T("The rights text of this procedure is not on the terminal.")))
		return
	}
	title := wrapped(r.Title)
	title.Alignment = fyne.TextAlignCenter
	title.TextStyle = fyne.TextStyle{Bold: true}
	title.SizeName = theme.SizeNameHeadingText
	text := wrapped(r.Text)
	text.SizeName = theme.SizeNameSubHeadingText
	f.rightsText = text
	version := wrapped(u.T("Text version {{.Ref}} · SHA-256 {{.Hash}}", map[string]any{"Ref": r.Ref(), "Hash": ledger.HashBytes([]byte(r.Text))[:16]}))
	version.SizeName = theme.SizeNameCaptionText
	f.header.Add(title)
	f.header.Add(text)
	if u.tr.en() && r.TextEn != "" {
		en := wrapped(r.TextEn)
		f.header.Add(widget.NewLabelWithStyle(u.T("English translation (the Chinese text is the one recorded)"), fyne.TextAlignLeading, fyne.TextStyle{Italic: true}))
		f.header.Add(en)
	}
	f.header.Add(version)
	f.header.Add(widget.NewSeparator())
	f.onChange = append(f.onChange, func() { f.renderAttachmentsIf(f.value("acknowledgement") == "refused") })
}

// renderAttachmentsIf shows the evidence section only when wanted.
func (f *stepForm) renderAttachmentsIf(show bool) {
	if show {
		f.evidence.Show()
	} else {
		f.evidence.Hide()
	}
}
