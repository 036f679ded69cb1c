package widgets

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// compactPadding is how much less inner padding text gets inside a larger
// tap target (a card's lines) than a control on its own, whose inner
// padding makes it MinTouchTarget high.
const compactPadding = 6

// compactTheme is the app's current theme with less inner padding, for
// text laid out inside a tap target that is large enough by itself.
type compactTheme struct{}

func (compactTheme) app() fyne.Theme { return fyne.CurrentApp().Settings().Theme() }

// Color is part of fyne.Theme.
func (c compactTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	return c.app().Color(n, v)
}

// Font is part of fyne.Theme.
func (c compactTheme) Font(s fyne.TextStyle) fyne.Resource { return c.app().Font(s) }

// Icon is part of fyne.Theme.
func (c compactTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return c.app().Icon(n) }

// Size is part of fyne.Theme.
func (c compactTheme) Size(n fyne.ThemeSizeName) float32 {
	s := c.app().Size(n)
	if n == theme.SizeNameInnerPadding {
		return max(s-compactPadding, 4)
	}
	return s
}
