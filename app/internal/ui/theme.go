package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"

	"lawtrace/app/internal/ui/widgets"
)

// setDark is the setting for the dark variant; light is the default, being
// the more legible in daylight.
const setDark = "ui.dark"

// variantTheme pins a theme to one variant, whatever the system prefers.
type variantTheme struct {
	fyne.Theme
	variant fyne.ThemeVariant
}

// Color is part of fyne.Theme.
func (t variantTheme) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.variant)
}

// appTheme is LawTrace's theme (bundled CJK font; high contrast when set)
// in the variant chosen in settings.
func appTheme(highContrast, dark bool) fyne.Theme {
	v := theme.VariantLight
	if dark {
		v = theme.VariantDark
	}
	return variantTheme{Theme: widgets.NewTheme(highContrast), variant: v}
}
