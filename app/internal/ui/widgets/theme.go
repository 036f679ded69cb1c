package widgets

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"lawtrace/assets/fonts"
)

// MinTouchTarget is the size, in device-independent pixels (Fyne's units),
// both themes guarantee for every tap target in both dimensions (Material's
// 48 dp).
const MinTouchTarget = 48

// StatusTintAlpha is the opacity of a status colour drawn as a background
// tint behind text (the sync indicator).
const StatusTintAlpha = 0x30

// cjkFont is the bundled Noto Sans SC subset.
var cjkFont = fyne.NewStaticResource(fonts.CJKName, fonts.CJK)

// Theme is Fyne's default theme drawing all text with the bundled CJK font, so
// Simplified Chinese renders on every platform (SPEC F13), and optionally in
// high contrast for outdoor use: pure black and white, saturated status
// colours, larger text and padding, touch targets of at least MinTouchTarget.
type Theme struct {
	base         fyne.Theme
	highContrast bool
}

var _ fyne.Theme = (*Theme)(nil)

// NewTheme returns LawTrace's theme; highContrast selects the outdoor variant.
func NewTheme(highContrast bool) fyne.Theme {
	return &Theme{base: theme.DefaultTheme(), highContrast: highContrast}
}

// HighContrast reports whether t is the outdoor variant.
func (t *Theme) HighContrast() bool { return t.highContrast }

// Font returns the CJK font for every text style, including bold, italic
// and monospace (drawn regular and proportional: the subset has one face).
// Symbol text keeps Fyne's symbol font, which has glyphs the CJK font lacks.
func (t *Theme) Font(style fyne.TextStyle) fyne.Resource {
	if style.Symbol {
		return t.base.Font(style)
	}
	return cjkFont
}

// Icon returns the default theme's icon.
func (t *Theme) Icon(name fyne.ThemeIconName) fyne.Resource {
	return t.base.Icon(name)
}

// Color returns the default colour, or in high contrast a colour chosen for
// legibility in sunlight.
func (t *Theme) Color(name fyne.ThemeColorName, variant fyne.ThemeVariant) color.Color {
	if t.highContrast {
		if c, ok := highContrastColor(name, variant); ok {
			return c
		}
	}
	if c, ok := legibleColor(name, variant); ok {
		return c
	}
	return t.base.Color(name, variant)
}

// Size returns the default size with touch-sized inner padding, or larger
// ones in high contrast.
func (t *Theme) Size(name fyne.ThemeSizeName) float32 {
	if t.highContrast {
		if s, ok := highContrastSizes[name]; ok {
			return s
		}
	}
	if s, ok := defaultSizes[name]; ok {
		return s
	}
	return t.base.Size(name)
}

// defaultSizes: inner padding 14 instead of Fyne's 8 gives a button, entry,
// select, check or radio row with one line of 14-unit text (20.3 units with
// the CJK font's line height) and an icon button (20-unit icon) a height and
// width of at least MinTouchTarget.
var defaultSizes = map[fyne.ThemeSizeName]float32{
	theme.SizeNameInnerPadding: 14,
}

// highContrastSizes: text 20 instead of 14 and inner padding 12 instead of 8
// give widgets a minimum height of about 53 with the CJK font's line height
// (1.448 em), above MinTouchTarget.
var highContrastSizes = map[fyne.ThemeSizeName]float32{
	theme.SizeNameText:               20,
	theme.SizeNameHeadingText:        30,
	theme.SizeNameSubHeadingText:     24,
	theme.SizeNameCaptionText:        16,
	theme.SizeNameInlineIcon:         28,
	theme.SizeNamePadding:            6,
	theme.SizeNameInnerPadding:       16,
	theme.SizeNameLineSpacing:        6,
	theme.SizeNameInputBorder:        2,
	theme.SizeNameSeparatorThickness: 2,
	theme.SizeNameScrollBar:          16,
	theme.SizeNameScrollBarSmall:     6,
}

func rgb(v uint32) color.NRGBA {
	return color.NRGBA{R: uint8(v >> 16), G: uint8(v >> 8), B: uint8(v), A: 0xff}
}

func rgba(v uint32, a uint8) color.NRGBA {
	c := rgb(v)
	c.A = a
	return c
}

func highContrastColor(name fyne.ThemeColorName, variant fyne.ThemeVariant) (color.Color, bool) {
	dark := variant != theme.VariantLight // as Fyne's default theme decides
	pick := func(light, darkV color.Color) (color.Color, bool) {
		if dark {
			return darkV, true
		}
		return light, true
	}
	switch name {
	case theme.ColorNameBackground, theme.ColorNameMenuBackground,
		theme.ColorNameOverlayBackground, theme.ColorNameHeaderBackground:
		return pick(rgb(0xffffff), rgb(0x000000))
	case theme.ColorNameInputBackground:
		// a tint, so a select (which has no border) reads as a control
		// and not as text (seen on the high-contrast screenshots)
		return pick(rgb(0xebebeb), rgb(0x1e1e1e))
	case theme.ColorNameForeground, theme.ColorNameInputBorder, theme.ColorNameSeparator:
		return pick(rgb(0x000000), rgb(0xffffff))
	case theme.ColorNameButton:
		return pick(rgb(0xdcdcdc), rgb(0x3a3a3a))
	case theme.ColorNameDisabledButton:
		return pick(rgb(0xeeeeee), rgb(0x222222))
	case theme.ColorNameDisabled, theme.ColorNamePlaceHolder:
		return pick(rgb(0x555555), rgb(0xb0b0b0))
	case theme.ColorNamePrimary, theme.ColorNameHyperlink:
		return pick(rgb(0x0037b3), rgb(0x8fb4ff))
	case theme.ColorNameForegroundOnPrimary:
		return pick(rgb(0xffffff), rgb(0x000000))
	case theme.ColorNameFocus:
		return pick(rgba(0x0037b3, 0x99), rgba(0x8fb4ff, 0x99))
	case theme.ColorNameSelection:
		return pick(rgba(0x0037b3, 0x55), rgba(0x8fb4ff, 0x66))
	case theme.ColorNameHover:
		return pick(rgba(0x000000, 0x26), rgba(0xffffff, 0x33))
	case theme.ColorNamePressed:
		return pick(rgba(0x000000, 0x40), rgba(0xffffff, 0x4d))
	case theme.ColorNameScrollBar:
		return pick(rgba(0x000000, 0xb3), rgba(0xffffff, 0xb3))
	case theme.ColorNameShadow:
		return pick(rgba(0x000000, 0x66), rgba(0x000000, 0xcc))
	case theme.ColorNameError:
		return pick(rgb(0xb00020), rgb(0xff6e6e))
	case theme.ColorNameSuccess:
		return pick(rgb(0x00662b), rgb(0x5fe08c))
	case theme.ColorNameWarning:
		return pick(rgb(0x8a4b00), rgb(0xffc14d))
	case theme.ColorNameForegroundOnError, theme.ColorNameForegroundOnSuccess, theme.ColorNameForegroundOnWarning:
		return pick(rgb(0xffffff), rgb(0x000000))
	}
	return nil, false
}

// legibleColor replaces the default theme's colours that are illegible in
// daylight (issue 12 (7)): Fyne's green #43F436 is 1.5:1 on white, its
// orange 2.2:1, red 3.7:1, blue 4.5:1, the placeholder 3.2:1 and the input
// border 1.2:1. These are at least 4.5:1 for text on every background the
// theme draws them on and 3:1 for borders (TestThemeContrast computes every
// pair with WCAG's formula).
func legibleColor(name fyne.ThemeColorName, variant fyne.ThemeVariant) (color.Color, bool) {
	dark := variant != theme.VariantLight
	pick := func(light, darkV uint32) (color.Color, bool) {
		if dark {
			return rgb(darkV), true
		}
		return rgb(light), true
	}
	switch name {
	case theme.ColorNamePrimary, theme.ColorNameHyperlink:
		return pick(0x0b57d0, 0x8ab4f8)
	case theme.ColorNameSuccess:
		return pick(0x1b7a36, 0x5cd08a)
	case theme.ColorNameWarning:
		return pick(0x935100, 0xf5b04a)
	case theme.ColorNameError:
		return pick(0xc0271c, 0xff8a80)
	case theme.ColorNameForegroundOnPrimary, theme.ColorNameForegroundOnSuccess, theme.ColorNameForegroundOnWarning, theme.ColorNameForegroundOnError:
		return pick(0xffffff, 0x000000)
	case theme.ColorNamePlaceHolder:
		return pick(0x6b6b6b, 0x9e9e9e)
	case theme.ColorNameInputBorder:
		return pick(0x8a8a8a, 0x8a8a8a)
	case theme.ColorNameFocus:
		if dark {
			return rgba(0x8ab4f8, 0x99), true
		}
		return rgba(0x0b57d0, 0x99), true
	case theme.ColorNameSelection:
		if dark {
			return rgba(0x8ab4f8, 0x55), true
		}
		return rgba(0x0b57d0, 0x40), true
	}
	return nil, false
}
