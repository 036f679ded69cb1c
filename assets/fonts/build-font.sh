#!/bin/sh
# Regenerates NotoSansSC-LawTrace.otf and charset.txt from Debian's
# fonts-noto-cjk (see README.md). Run from anywhere:
#   sh assets/fonts/build-font.sh [SHARED_DIR]
# SHARED_DIR holds seeds/*.txt (default: ../shared beside the repository).
# Needs: apt-get install -y fonts-noto-cjk fonttools opencc
set -eu

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
shared=${1:-$root/../shared}
src=/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc
py=/usr/bin/python3 # Debian's, which has fontTools and the gb2312 codec

for f in "$src" /usr/bin/pyftsubset /usr/bin/opencc "$py"; do
	[ -e "$f" ] || { echo "missing $f: apt-get install -y fonts-noto-cjk fonttools opencc" >&2; exit 1; }
done
[ -d "$shared/seeds" ] || { echo "no $shared/seeds: pass the shared directory" >&2; exit 1; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Text the app shows: every asset JSON (simplified) and the seed regulations
# (partly traditional), the latter also converted to simplified Chinese.
find "$root/assets" -name '*.json' -type f | LC_ALL=C sort | xargs cat >"$tmp/text.txt"
cat "$shared"/seeds/*.txt >>"$tmp/text.txt"
cat "$shared"/seeds/*.txt | opencc -c t2s.json >>"$tmp/text.txt"

# charset.txt: all of GB 2312 (symbols rows 1-9 and level-1 hanzi 0xB0A1-0xD7F9,
# the 3755 common characters) plus every non-ASCII character of the text above.
"$py" - "$tmp/text.txt" "$here/charset.txt" <<'PY'
import sys
chars = set()
for hi in range(0xA1, 0xD8):          # rows 1-9: symbols; 16-55: level-1 hanzi
    for lo in range(0xA1, 0xFF):
        try:
            chars.add(bytes([hi, lo]).decode("gb2312"))
        except UnicodeDecodeError:
            pass
text = open(sys.argv[1], encoding="utf-8").read()
chars.update(c for c in text if ord(c) > 0x7F and c.isprintable())
chars.discard("\u00ad")
out = "".join(sorted(chars))
with open(sys.argv[2], "w", encoding="utf-8") as f:
    for i in range(0, len(out), 64):
        f.write(out[i:i + 64] + "\n")
print(f"charset.txt: {len(out)} characters", file=sys.stderr)
PY

# Face 2 of the collection is Noto Sans CJK SC. Ranges: ASCII, Latin-1,
# General Punctuation, CJK Symbols and Punctuation, Halfwidth and Fullwidth Forms.
# Dropping 'locl' (the Japanese, Korean and traditional forms reached by
# language tags) and the vertical-writing features halves the file: the app
# writes horizontal Simplified Chinese only. No hinting: Fyne does not use it.
pyftsubset "$src" --font-number=2 \
	--unicodes='U+0020-007E,U+00A0-00FF,U+2000-206F,U+3000-303F,U+FF00-FFEF' \
	--text-file="$here/charset.txt" \
	--layout-features-='locl,vert,vrt2,vjmo' --notdef-outline --name-IDs='*' --no-hinting \
	--output-file="$here/NotoSansSC-LawTrace.otf"
ls -l "$here/NotoSansSC-LawTrace.otf"

# The licence travels with the font (OFL 1.1, condition 2): Debian's copyright
# file as it is, and OFL.txt with the font's own notice and the licence text.
cp /usr/share/doc/fonts-noto-cjk/copyright "$here/fonts-noto-cjk.copyright"
"$py" - "$here/NotoSansSC-LawTrace.otf" /usr/share/doc/fonts-noto-cjk/copyright "$here/OFL.txt" <<'PY'
import sys
from fontTools.ttLib import TTFont
name = TTFont(sys.argv[1])["name"]
notice = [name.getDebugName(0), name.getDebugName(7)]
# The stand-alone "License: SIL-1.1" paragraph of the Debian copyright file.
paras = open(sys.argv[2], encoding="utf-8").read().split("\n\n")
body = next(p for p in paras if p.startswith("License: SIL-1.1\n"))
lines = [l[1:] for l in body.splitlines()[1:]]
lines = ["" if l == "." else l for l in lines]
with open(sys.argv[3], "w", encoding="utf-8") as f:
    f.write("\n".join(notice) + "\n\n" + "\n".join(lines) + "\n")
PY

# The PDF writer (go-pdf/fpdf) reads TrueType outlines only: the same subset,
# its cubic CFF curves converted to quadratic glyf curves (1 unit tolerance).
"$py" "$here/otf2ttf.py" "$here/NotoSansSC-LawTrace.otf" "$here/NotoSansSC-LawTrace.ttf"
ls -l "$here/NotoSansSC-LawTrace.ttf"
