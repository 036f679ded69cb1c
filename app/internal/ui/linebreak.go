package ui

import (
	"strings"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Chinese line breaking for wrapped labels (issue 12 (12), SPEC F13).
// Fyne wraps text without spaces anywhere a line is full, so a line could
// start with "。" or split "1 名". breakLines chooses the breaks itself:
// never before closing punctuation, never after opening punctuation, never
// inside a Latin word or number, and a number stays with the measure word
// after it (and 第 with the number after it).

// noLineStart are the characters a line must not start with.
const noLineStart = "。，、；：？！…）」』】》〉”’%％.,;:?!)]}"

// noLineEnd are the characters a line must not end with.
const noLineEnd = "（「『【《〈“‘([{"

func isCJK(r rune) bool {
	return unicode.Is(unicode.Han, r) || unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Hangul) ||
		(r >= 0x3000 && r <= 0x303f) || (r >= 0xff00 && r <= 0xffef)
}

func isWordRune(r rune) bool {
	return !unicode.IsSpace(r) && !isCJK(r) && !strings.ContainsRune(noLineStart+noLineEnd, r)
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' || r >= '０' && r <= '９' }

// canBreak reports whether a line may end after t[i-1] and the next begin
// at t[i] (a space at i is dropped at the break).
func canBreak(t []rune, i int) bool {
	if i <= 0 || i >= len(t) {
		return false
	}
	a, b := t[i-1], t[i]
	if unicode.IsSpace(a) {
		return false // break before the space, not after it
	}
	if unicode.IsSpace(b) {
		// a space: the break drops it, unless it joins a number to its
		// measure word (1 名) or 第 to its number (第 3)
		j := i
		for j < len(t) && unicode.IsSpace(t[j]) {
			j++
		}
		if j == len(t) {
			return false
		}
		c := t[j]
		if isDigit(a) && isCJK(c) || a == '第' && isDigit(c) {
			return false
		}
		return !strings.ContainsRune(noLineStart, c) && !strings.ContainsRune(noLineEnd, a)
	}
	if strings.ContainsRune(noLineStart, b) || strings.ContainsRune(noLineEnd, a) {
		return false
	}
	if isWordRune(a) && isWordRune(b) {
		return false
	}
	if isDigit(a) && isCJK(b) || a == '第' && isDigit(b) {
		return false
	}
	return isCJK(a) || isCJK(b)
}

// breakLines wraps text to lines no wider than width as measure measures
// them, at the places canBreak allows, joined by "\n". A piece with no
// allowed break that is wider than a line is cut where it is full.
func breakLines(text string, width float32, measure func(string) float32) string {
	if width <= 0 {
		return text
	}
	var out []string
	for _, para := range strings.Split(text, "\n") {
		out = append(out, breakParagraph([]rune(para), width, measure)...)
	}
	return strings.Join(out, "\n")
}

func breakParagraph(t []rune, width float32, measure func(string) float32) []string {
	var lines []string
	start := 0
	for start < len(t) {
		if measure(string(t[start:])) <= width {
			lines = append(lines, string(t[start:]))
			break
		}
		// the last allowed break that fits, else the first that does not,
		// else cut where the line is full
		end := -1
		for i := start + 1; i < len(t); i++ {
			if !canBreak(t, i) {
				continue
			}
			if measure(strings.TrimRightFunc(string(t[start:i]), unicode.IsSpace)) <= width {
				end = i
			} else {
				break
			}
		}
		if end < 0 {
			end = start + 1
			for end < len(t) && measure(string(t[start:end+1])) <= width {
				end++
			}
		}
		lines = append(lines, strings.TrimRightFunc(string(t[start:end]), unicode.IsSpace))
		start = end
		for start < len(t) && unicode.IsSpace(t[start]) {
			start++
		}
	}
	if len(lines) == 0 {
		lines = []string{""}
	}
	return lines
}

// cjkLabel is a wrapping label that breaks its lines with breakLines when
// it is resized or its text is set (Text holds the broken text; a text
// assigned to Text directly is taken as the new text at the next Refresh).
type cjkLabel struct {
	widget.Label
	raw   string
	shown string
	width float32
}

func newCJKLabel(text string) *cjkLabel {
	l := &cjkLabel{raw: text, shown: text}
	l.Text = text
	l.Wrapping = fyne.TextWrapWord
	l.ExtendBaseWidget(l)
	return l
}

// SetText sets the text, broken for the label's width.
func (l *cjkLabel) SetText(text string) {
	l.raw = text
	l.Text = text
	l.Refresh()
}

// Refresh breaks the text for the label's width and redraws it.
func (l *cjkLabel) Refresh() {
	if l.Text != l.shown {
		l.raw = l.Text
	}
	l.shown = l.broken(l.width)
	l.Text = l.shown
	l.Label.Refresh()
}

// Resize breaks the text again when the width changes.
func (l *cjkLabel) Resize(size fyne.Size) {
	if size.Width != l.width {
		l.width = size.Width
		l.Label.Resize(size)
		l.Refresh()
		return
	}
	l.Label.Resize(size)
}

func (l *cjkLabel) broken(width float32) string {
	if width <= 0 {
		return l.raw
	}
	th := l.Theme()
	size := th.Size(theme.SizeNameText)
	if l.SizeName != "" {
		size = th.Size(l.SizeName)
	}
	// the label's text is inset by the inner padding on both sides; a
	// little less than the room, so Fyne does not wrap a line again
	room := width - 2*th.Size(theme.SizeNameInnerPadding) - 2
	style := l.TextStyle
	return breakLines(l.raw, room, func(s string) float32 { return fyne.MeasureText(s, size, style).Width })
}
