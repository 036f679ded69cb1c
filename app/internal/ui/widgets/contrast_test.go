package widgets

import (
	"fmt"
	"image/color"
	"math"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// luminance is WCAG 2.x relative luminance of an opaque colour.
func luminance(c color.Color) float64 {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	lin := func(v uint8) float64 {
		s := float64(v) / 255
		if s <= 0.03928 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*lin(n.R) + 0.7152*lin(n.G) + 0.0722*lin(n.B)
}

// over composes c over the opaque colour bg (alpha blending).
func over(c, bg color.Color) color.NRGBA {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	b := color.NRGBAModel.Convert(bg).(color.NRGBA)
	a := float64(n.A) / 255
	mix := func(x, y uint8) uint8 { return uint8(math.Round(float64(x)*a + float64(y)*(1-a))) }
	return color.NRGBA{R: mix(n.R, b.R), G: mix(n.G, b.G), B: mix(n.B, b.B), A: 0xff}
}

// Contrast is the WCAG contrast ratio of two colours.
func contrast(a, b color.Color) float64 {
	la, lb := luminance(a), luminance(b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func hex(c color.Color) string {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	return fmt.Sprintf("#%02X%02X%02X", n.R, n.G, n.B)
}

// contrastPair is a colour drawn on another, with the ratio it needs.
type contrastPair struct {
	fg, bg fyne.ThemeColorName
	min    float64
	tint   fyne.ThemeColorName // bg is this colour at StatusTintAlpha over bg (the sync indicator)
}

// contrastPairs are every text and icon colour on every background it is
// drawn on: text 4.5:1, icons and control borders 3:1 (WCAG 2.1 1.4.3,
// 1.4.11). Disabled controls are exempt by WCAG and not listed.
var contrastPairs = func() []contrastPair {
	var out []contrastPair
	for _, bg := range []fyne.ThemeColorName{theme.ColorNameBackground, theme.ColorNameInputBackground, theme.ColorNameOverlayBackground, theme.ColorNameMenuBackground, theme.ColorNameHeaderBackground} {
		for _, fg := range []fyne.ThemeColorName{theme.ColorNameForeground, theme.ColorNamePrimary, theme.ColorNameHyperlink, theme.ColorNameSuccess, theme.ColorNameWarning, theme.ColorNameError} {
			out = append(out, contrastPair{fg: fg, bg: bg, min: 4.5})
		}
	}
	out = append(out,
		contrastPair{fg: theme.ColorNamePlaceHolder, bg: theme.ColorNameInputBackground, min: 4.5},
		contrastPair{fg: theme.ColorNameForeground, bg: theme.ColorNameButton, min: 4.5},
		contrastPair{fg: theme.ColorNameForegroundOnPrimary, bg: theme.ColorNamePrimary, min: 4.5},
		contrastPair{fg: theme.ColorNameForegroundOnSuccess, bg: theme.ColorNameSuccess, min: 4.5},
		contrastPair{fg: theme.ColorNameForegroundOnWarning, bg: theme.ColorNameWarning, min: 4.5},
		contrastPair{fg: theme.ColorNameForegroundOnError, bg: theme.ColorNameError, min: 4.5},
		contrastPair{fg: theme.ColorNameInputBorder, bg: theme.ColorNameInputBackground, min: 3},
		contrastPair{fg: theme.ColorNameInputBorder, bg: theme.ColorNameBackground, min: 3},
	)
	for _, tint := range []fyne.ThemeColorName{theme.ColorNameSuccess, theme.ColorNameWarning, theme.ColorNameError} {
		out = append(out,
			contrastPair{fg: theme.ColorNameForeground, bg: theme.ColorNameBackground, tint: tint, min: 4.5},
			contrastPair{fg: tint, bg: theme.ColorNameBackground, tint: tint, min: 3})
	}
	return out
}()

// SPEC F13, issue 12 (7): every text colour of the theme, in both variants
// and both themes, is at least 4.5:1 against each background it is drawn
// on, icons and borders 3:1 — computed from the theme with WCAG's formula.
func TestThemeContrast(t *testing.T) {
	for _, hc := range []bool{false, true} {
		th := NewTheme(hc)
		for _, v := range []fyne.ThemeVariant{theme.VariantLight, theme.VariantDark} {
			name := map[bool]string{false: "default", true: "high contrast"}[hc] + map[fyne.ThemeVariant]string{theme.VariantLight: " light", theme.VariantDark: " dark"}[v]
			bg := th.Color(theme.ColorNameBackground, v)
			for _, p := range contrastPairs {
				b := over(th.Color(p.bg, v), bg)
				if p.tint != "" {
					b = over(withAlpha(th.Color(p.tint, v), StatusTintAlpha), b)
				}
				f := over(th.Color(p.fg, v), b)
				r := contrast(f, b)
				on := string(p.bg)
				if p.tint != "" {
					on = string(p.tint) + " tint"
				}
				t.Logf("%-19s %-22s %s on %-18s %s  %5.2f:1", name, p.fg, hex(f), on, hex(b), r)
				if r < p.min {
					t.Errorf("%s: %s %s on %s %s is %.2f:1, want at least %.1f:1", name, p.fg, hex(f), on, hex(b), r, p.min)
				}
			}
		}
	}
}

func withAlpha(c color.Color, a uint8) color.NRGBA {
	n := color.NRGBAModel.Convert(c).(color.NRGBA)
	n.A = a
	return n
}
