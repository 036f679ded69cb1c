// Package widgets holds LawTrace's own Fyne widgets and theme: the signature pad (SPEC F10) and a CJK, high-contrast theme (SPEC F13).
package widgets
