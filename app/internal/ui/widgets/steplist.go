package widgets

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Step statuses, as enforce.PlannedStep.Status writes them.
const (
	StepRecorded = "recorded"
	StepNext     = "next"
	StepOpen     = "open"
	StepBlocked  = "blocked"
)

// StepItem is one line of the guided procedure, already in the officer's
// language: the step, whether it is mandatory, its status and, when
// blocked, why and under which article.
type StepItem struct {
	Kind      string
	Label     string
	Badge     string // e.g. "必做" for a mandatory step; empty for none
	Status    string // StepRecorded, StepNext, StepOpen or StepBlocked
	Detail    string // the status in words: "已记录 2 次", "下一步", the reason it is blocked
	Article   string // shown with a blocked step
	Selected  bool
	Mandatory bool
}

// StepList shows a procedure's steps in order as large tappable rows: the
// next step highlighted, recorded ones ticked, blocked ones in the error
// colour with their reason (SPEC F11).
type StepList struct {
	widget.BaseWidget

	// OnSelected is called with the kind of the tapped step.
	OnSelected func(kind string)

	items []StepItem
	rows  map[string]*Card
	box   *fyne.Container
}

// NewStepList returns a list of items.
func NewStepList(items []StepItem, selected func(kind string)) *StepList {
	l := &StepList{OnSelected: selected, box: container.NewVBox()}
	l.ExtendBaseWidget(l)
	l.SetItems(items)
	return l
}

// SetItems replaces the steps shown.
func (l *StepList) SetItems(items []StepItem) {
	l.items = items
	l.rows = map[string]*Card{}
	l.box.Objects = nil
	for _, it := range items {
		kind := it.Kind
		title := it.Label
		if it.Badge != "" {
			title += "  [" + it.Badge + "]"
		}
		lines := []CardLine{{Text: title, Bold: it.Status == StepNext || it.Selected}}
		detail := CardLine{Text: it.Detail, Small: true}
		switch it.Status {
		case StepRecorded:
			detail.Importance = widget.SuccessImportance
		case StepNext:
			detail.Importance = widget.HighImportance
		case StepBlocked:
			detail.Importance = widget.DangerImportance
		}
		if detail.Text != "" {
			lines = append(lines, detail)
		}
		if it.Status == StepBlocked && it.Article != "" {
			lines = append(lines, CardLine{Text: it.Article, Small: true, Importance: widget.DangerImportance})
		}
		c := NewCard(lines, func() {
			if l.OnSelected != nil {
				l.OnSelected(kind)
			}
		})
		c.Icon, c.Accent = stepIcon(it.Status)
		c.Highlight = it.Status == StepNext || it.Selected
		if it.Selected {
			c.Accent = theme.ColorNamePrimary
		}
		l.rows[kind] = c
		l.box.Add(c)
	}
	l.box.Refresh()
}

// Items returns the steps shown.
func (l *StepList) Items() []StepItem { return l.items }

// Row returns the row of a step kind, for tapping in tests.
func (l *StepList) Row(kind string) *Card { return l.rows[kind] }

// CreateRenderer is part of fyne.Widget.
func (l *StepList) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(l.box)
}

func stepIcon(status string) (fyne.Resource, fyne.ThemeColorName) {
	switch status {
	case StepRecorded:
		return theme.NewSuccessThemedResource(theme.ConfirmIcon()), theme.ColorNameSuccess
	case StepNext:
		return theme.NewPrimaryThemedResource(theme.MediaPlayIcon()), theme.ColorNamePrimary
	case StepBlocked:
		return theme.NewErrorThemedResource(theme.CancelIcon()), theme.ColorNameError
	}
	return theme.RadioButtonIcon(), ""
}
