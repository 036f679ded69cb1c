package widgets

import (
	"bytes"
	"go/build"
	"image/color"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lawtrace/assets/fonts"
)

func TestThemeFontIsCJKForText(t *testing.T) {
	th := NewTheme(false)
	for _, style := range []fyne.TextStyle{{}, {Bold: true}, {Italic: true}, {Bold: true, Italic: true}, {Monospace: true}, {TabWidth: 4}} {
		if f := th.Font(style); !bytes.Equal(f.Content(), fonts.CJK) || f.Name() != fonts.CJKName {
			t.Errorf("Font(%+v) = %s, want the bundled CJK font", style, f.Name())
		}
	}
	if f := th.Font(fyne.TextStyle{Symbol: true}); f.Name() == fonts.CJKName {
		t.Error("symbol text should keep Fyne's symbol font")
	}
}

func TestThemeDefinesEveryColour(t *testing.T) {
	test.AssertAllColorNamesDefined(t, NewTheme(false), "lawtrace")
	test.AssertAllColorNamesDefined(t, NewTheme(true), "lawtrace-high-contrast")
}

func TestThemeHighContrast(t *testing.T) {
	hc, normal := NewTheme(true), NewTheme(false)
	if !hc.(*Theme).HighContrast() || normal.(*Theme).HighContrast() {
		t.Fatal("HighContrast() does not say which variant")
	}
	for _, n := range []fyne.ThemeSizeName{theme.SizeNameText, theme.SizeNamePadding, theme.SizeNameInnerPadding, theme.SizeNameInlineIcon} {
		if hc.Size(n) <= normal.Size(n) {
			t.Errorf("size %s: high contrast %v is not larger than %v", n, hc.Size(n), normal.Size(n))
		}
	}
	lum := func(c interface{ RGBA() (r, g, b, a uint32) }) uint32 {
		r, g, b, _ := c.RGBA()
		return (r + g + b) / 3 >> 8
	}
	if fg, bg := lum(hc.Color(theme.ColorNameForeground, theme.VariantLight)), lum(hc.Color(theme.ColorNameBackground, theme.VariantLight)); fg != 0 || bg != 255 {
		t.Errorf("light high contrast: foreground %d, background %d, want 0 and 255", fg, bg)
	}
	if fg, bg := lum(hc.Color(theme.ColorNameForeground, theme.VariantDark)), lum(hc.Color(theme.ColorNameBackground, theme.VariantDark)); fg != 255 || bg != 0 {
		t.Errorf("dark high contrast: foreground %d, background %d, want 255 and 0", fg, bg)
	}
}

// Gloves need big targets: in high contrast every control is at least MinTouchTarget tall.
func TestThemeHighContrastTouchTargets(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(NewTheme(true))
	controls := map[string]fyne.CanvasObject{
		"button": widget.NewButton("确定", nil),
		"entry":  widget.NewEntry(),
		"select": widget.NewSelect([]string{"现场检查", "行政处罚"}, nil),
		"check":  widget.NewCheck("已告知", nil),
		"radio":  widget.NewRadioGroup([]string{"同意"}, nil),
	}
	for name, c := range controls {
		test.NewTempWindow(t, c)
		h := c.MinSize().Height
		t.Logf("%s: %v tall", name, h)
		if h < MinTouchTarget {
			t.Errorf("%s is %v tall, want at least %d", name, h, MinTouchTarget)
		}
	}
}

// variant pins a theme to the light or dark variant: the test app asks for neither.
type variant struct {
	fyne.Theme
	v fyne.ThemeVariant
}

func (t variant) Color(n fyne.ThemeColorName, _ fyne.ThemeVariant) color.Color {
	return t.Theme.Color(n, t.v)
}

// The bundled font draws Chinese: the golden must show the characters, not boxes.
func TestThemeRendersChinese(t *testing.T) {
	a := test.NewTempApp(t)
	a.Settings().SetTheme(variant{NewTheme(false), theme.VariantLight})
	label := widget.NewLabel("执法留痕 亮证 告知 送达")
	w := test.NewTempWindow(t, label)
	w.Resize(fyne.NewSize(320, 56))
	test.AssertRendersToImage(t, "theme_label.png", w.Canvas())
}

func TestThemeHighContrastRenders(t *testing.T) {
	for name, v := range map[string]fyne.ThemeVariant{"light": theme.VariantLight, "dark": theme.VariantDark} {
		t.Run(name, func(t *testing.T) {
			a := test.NewTempApp(t)
			a.Settings().SetTheme(variant{NewTheme(true), v})
			entry := widget.NewEntry()
			entry.SetPlaceHolder("当事人姓名")
			content := container.NewVBox(
				widget.NewLabel("执法留痕 亮证 告知 送达"),
				widget.NewLabelWithStyle("行政处罚决定书", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
				entry,
				widget.NewCheck("已出示执法证件", nil),
				widget.NewButtonWithIcon("确认送达", theme.ConfirmIcon(), nil),
				widget.NewButton("拒绝签收", nil),
			)
			content.Objects[5].(*widget.Button).Importance = widget.HighImportance
			w := test.NewTempWindow(t, content)
			w.Resize(fyne.NewSize(360, content.MinSize().Height+2*theme.Padding()))
			test.AssertRendersToImage(t, "theme_high_contrast_"+name+".png", w.Canvas())
		})
	}
}

// The screens stay testable without cgo: this package must not pull in fyne's app (a GL driver).
func TestNoAppImport(t *testing.T) {
	pkg, err := build.ImportDir(".", 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, imp := range append(append(pkg.Imports, pkg.TestImports...), pkg.XTestImports...) {
		if imp == "fyne.io/fyne/v2/app" || strings.HasPrefix(imp, "fyne.io/fyne/v2/driver/") {
			t.Errorf("imports %s", imp)
		}
	}
}
