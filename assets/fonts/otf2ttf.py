# Converts the CFF-outline subset to TrueType (quadratic glyf outlines) for the
# PDF writer, which reads TrueType only: python3 otf2ttf.py IN.otf OUT.ttf
import sys
from fontTools.ttLib import TTFont, newTable
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
src, dst = sys.argv[1], sys.argv[2]
font = TTFont(src, recalcTimestamp=False)
glyphOrder = font.getGlyphOrder()
glyphSet = font.getGlyphSet()
glyf = newTable("glyf"); glyf.glyphOrder = glyphOrder; glyf.glyphs = {}
for name in glyphOrder:
    pen = TTGlyphPen(glyphSet)
    glyphSet[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
    glyf[name] = pen.glyph()
font["glyf"] = glyf
font["loca"] = newTable("loca")
maxp = font["maxp"]; maxp.tableVersion = 0x00010000
for a in ("maxZones","maxTwilightPoints","maxStorage","maxFunctionDefs","maxInstructionDefs","maxStackElements","maxSizeOfInstructions","maxComponentElements"):
    setattr(maxp, a, 0)
maxp.maxZones = 1
maxp.maxComponentDepth = 0
font["post"].formatType = 3.0
del font["CFF "]
if "VORG" in font: del font["VORG"]
font.sfntVersion = "\x00\x01\x00\x00"
font.save(dst)
