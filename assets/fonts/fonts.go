// Package fonts embeds the CJK font LawTrace draws its text with, so Simplified Chinese renders on every platform (SPEC F13).
package fonts

import _ "embed"

// CJKName is the file name of the embedded font, for naming it as a resource.
const CJKName = "NotoSansSC-LawTrace.otf"

// CJK is Noto Sans CJK SC Regular (OpenType, CFF outlines) cut down to the
// characters in charset.txt plus ASCII, Latin-1, general and CJK punctuation
// and fullwidth forms. Licence: SIL OFL 1.1 (OFL.txt). build-font.sh makes it;
// README.md says how. Do not modify the slice.
//
//go:embed NotoSansSC-LawTrace.otf
var CJK []byte

// CJKTrueType is the same subset with TrueType outlines, for the PDF writer
// (go-pdf/fpdf reads only TrueType); otf2ttf.py makes it from CJK.
//
//go:embed NotoSansSC-LawTrace.ttf
var CJKTrueType []byte
