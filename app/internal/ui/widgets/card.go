package widgets

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// CardLine is one line of text on a Card.
type CardLine struct {
	Text       string
	Bold       bool
	Importance widget.Importance
	Small      bool
}

// Card is a tappable block of text lines with a coloured bar at its leading
// edge: a row of the case list or of the step list, large enough to hit
// with a gloved finger.
type Card struct {
	widget.BaseWidget

	// Accent colours the leading bar; empty means no bar.
	Accent fyne.ThemeColorName
	// Icon, if set, is shown before the text.
	Icon fyne.Resource
	// Highlight fills the card with a tint of the accent colour.
	Highlight bool
	// OnTapped is called when the card is tapped.
	OnTapped func()

	lines []CardLine
}

// NewCard returns a card showing lines.
func NewCard(lines []CardLine, tapped func()) *Card {
	c := &Card{lines: lines, OnTapped: tapped}
	c.ExtendBaseWidget(c)
	return c
}

// Lines returns the text shown.
func (c *Card) Lines() []CardLine { return c.lines }

// SetLines replaces the text shown.
func (c *Card) SetLines(lines []CardLine) {
	c.lines = lines
	c.Refresh()
}

// Tapped is part of fyne.Tappable.
func (c *Card) Tapped(*fyne.PointEvent) {
	if c.OnTapped != nil {
		c.OnTapped()
	}
}

// CreateRenderer is part of fyne.Widget.
func (c *Card) CreateRenderer() fyne.WidgetRenderer {
	c.ExtendBaseWidget(c)
	r := &cardRenderer{c: c, bg: canvas.NewRectangle(color.Transparent), bar: canvas.NewRectangle(color.Transparent),
		icon: widget.NewIcon(nil), text: container.NewVBox()}
	r.lines = container.NewThemeOverride(r.text, compactTheme{})
	r.Refresh()
	return r
}

type cardRenderer struct {
	c    *Card
	bg   *canvas.Rectangle
	bar  *canvas.Rectangle
	icon *widget.Icon
	text *fyne.Container
	// lines draws text with the compact theme: the card, not each line,
	// is the tap target.
	lines *container.ThemeOverride
}

const cardBar = 6

func (r *cardRenderer) pad() float32 { return theme.Padding() * 2 }

func (r *cardRenderer) iconSize() float32 {
	if r.c.Icon == nil {
		return 0
	}
	return theme.IconInlineSize() * 1.5
}

func (r *cardRenderer) Layout(size fyne.Size) {
	p := r.pad()
	r.bg.Resize(size)
	r.bar.Move(fyne.NewPos(0, 0))
	r.bar.Resize(fyne.NewSize(cardBar, size.Height))
	x := float32(cardBar) + p
	if is := r.iconSize(); is > 0 {
		r.icon.Move(fyne.NewPos(x, p))
		r.icon.Resize(fyne.NewSquareSize(is))
		x += is + p
	}
	r.lines.Move(fyne.NewPos(x, p/2))
	r.lines.Resize(fyne.NewSize(size.Width-x-p, size.Height-p))
}

func (r *cardRenderer) MinSize() fyne.Size {
	p := r.pad()
	t := r.lines.MinSize()
	w := float32(cardBar) + p + t.Width + p
	if is := r.iconSize(); is > 0 {
		w += is + p
	}
	return fyne.NewSize(w, max(t.Height+p, r.iconSize()+2*p, 56))
}

func (r *cardRenderer) Refresh() {
	c := r.c
	v := fyne.CurrentApp().Settings().ThemeVariant()
	th := c.Theme()
	bg := th.Color(theme.ColorNameInputBackground, v)
	if c.Highlight && c.Accent != "" {
		bg = tint(th.Color(c.Accent, v), 0x33)
	}
	r.bg.FillColor = bg
	r.bg.CornerRadius = theme.InputRadiusSize()
	r.bar.FillColor = color.Transparent
	if c.Accent != "" {
		r.bar.FillColor = th.Color(c.Accent, v)
	}
	r.icon.SetResource(c.Icon)
	r.icon.Hidden = c.Icon == nil
	r.text.Objects = r.text.Objects[:0]
	for _, l := range c.lines {
		lab := widget.NewLabel(l.Text)
		lab.Wrapping = fyne.TextWrapWord
		lab.TextStyle.Bold = l.Bold
		lab.Importance = l.Importance
		if l.Small {
			lab.SizeName = theme.SizeNameCaptionText
		}
		r.text.Objects = append(r.text.Objects, lab)
	}
	r.lines.Refresh()
	r.bg.Refresh()
	r.bar.Refresh()
	r.Layout(c.Size())
}

func (r *cardRenderer) Objects() []fyne.CanvasObject {
	return []fyne.CanvasObject{r.bg, r.bar, r.icon, r.lines}
}

func (r *cardRenderer) Destroy() {}

func tint(c color.Color, a uint8) color.Color {
	cr, cg, cb, _ := c.RGBA()
	return color.NRGBA{R: uint8(cr >> 8), G: uint8(cg >> 8), B: uint8(cb >> 8), A: a}
}
