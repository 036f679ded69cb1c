package fonts

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"lawtrace/shared/testtool"
)

// cmap returns the characters the font maps to a glyph, read from its cmap
// table (format 4 or 12, Windows Unicode encodings).
func cmap(font []byte) (map[rune]bool, error) {
	if len(font) < 12 {
		return nil, errors.New("too short")
	}
	if tag := string(font[:4]); tag != "OTTO" && tag != "\x00\x01\x00\x00" && tag != "true" {
		return nil, fmt.Errorf("not an OpenType/TrueType font: %q", tag)
	}
	var table []byte
	n := int(binary.BigEndian.Uint16(font[4:]))
	for i := 0; i < n; i++ {
		rec := font[12+16*i:]
		if string(rec[:4]) == "cmap" {
			off, length := binary.BigEndian.Uint32(rec[8:]), binary.BigEndian.Uint32(rec[12:])
			table = font[off : off+length]
		}
	}
	if table == nil {
		return nil, errors.New("no cmap table")
	}
	best, bestFormat := []byte(nil), uint16(0)
	for i := 0; i < int(binary.BigEndian.Uint16(table[2:])); i++ {
		rec := table[4+8*i:]
		platform, encoding := binary.BigEndian.Uint16(rec), binary.BigEndian.Uint16(rec[2:])
		sub := table[binary.BigEndian.Uint32(rec[4:]):]
		format := binary.BigEndian.Uint16(sub)
		if platform == 3 && (encoding == 1 || encoding == 10) && (format == 4 || format == 12) && format > bestFormat {
			best, bestFormat = sub, format
		}
	}
	u16 := func(b []byte, i int) int { return int(binary.BigEndian.Uint16(b[i:])) }
	m := map[rune]bool{}
	switch bestFormat {
	case 12:
		groups := binary.BigEndian.Uint32(best[12:])
		for g := 0; g < int(groups); g++ {
			rec := best[16+12*g:]
			start, end := binary.BigEndian.Uint32(rec), binary.BigEndian.Uint32(rec[4:])
			for r := start; r <= end; r++ {
				m[rune(r)] = true
			}
		}
	case 4:
		segs := u16(best, 6) / 2
		ends, starts := 14, 16+2*segs
		deltas, ranges := starts+2*segs, starts+4*segs
		for s := 0; s < segs; s++ {
			start, end := u16(best, starts+2*s), u16(best, ends+2*s)
			for r := start; r <= end && r != 0xFFFF; r++ {
				gid := 0
				if ro := u16(best, ranges+2*s); ro == 0 {
					gid = (r + u16(best, deltas+2*s)) & 0xFFFF
				} else if g := u16(best, ranges+2*s+ro+2*(r-start)); g != 0 {
					gid = (g + u16(best, deltas+2*s)) & 0xFFFF
				}
				if gid != 0 {
					m[rune(r)] = true
				}
			}
		}
	default:
		return nil, errors.New("no Unicode cmap subtable of format 4 or 12")
	}
	return m, nil
}

func fontRunes(t *testing.T) map[rune]bool {
	t.Helper()
	m, err := cmap(CJK)
	if err != nil {
		t.Fatalf("%s: %v", CJKName, err)
	}
	return m
}

// missing lists the printable non-ASCII characters of text the font lacks.
func missing(have map[rune]bool, text string) string {
	seen := map[rune]bool{}
	var out []rune
	for _, r := range text {
		if r > 0x7F && unicode.IsPrint(r) && !have[r] && !seen[r] {
			seen[r] = true
			out = append(out, r)
		}
	}
	return string(out)
}

func TestFontIsEmbedded(t *testing.T) {
	if len(CJK) < 100<<10 || len(CJK) > 6<<20 {
		t.Errorf("%s is %d bytes, want between 100 KiB and 6 MiB", CJKName, len(CJK))
	}
	if string(CJK[:4]) != "OTTO" {
		t.Errorf("%s does not start like an OpenType CFF font", CJKName)
	}
}

func TestFontCoversRanges(t *testing.T) {
	have := fontRunes(t)
	for r := rune(0x20); r <= 0x7E; r++ {
		if !have[r] {
			t.Errorf("ASCII %q missing", r)
		}
	}
	for _, r := range "执法留痕亮证告知送达请在此签名当事人陈述申辩听证行政处罚决定书，。、：；“”《》（）【】！？…—·¥℃①№" {
		if !have[r] {
			t.Errorf("%q (U+%04X) missing", r, r)
		}
	}
	// A rare character left out of the subset: the cmap reader does not just say yes.
	if have['龘'] || len(have) > 20000 {
		t.Errorf("the font maps 龘 or %d characters: not the subset", len(have))
	}
}

// TestFontCoversCharset checks the font has every character of charset.txt,
// the list build-font.sh subset it to.
func TestFontCoversCharset(t *testing.T) {
	have := fontRunes(t)
	data, err := os.ReadFile("charset.txt")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.ReplaceAll(string(data), "\n", "")
	if n := len([]rune(text)); n < 4400 {
		t.Errorf("charset.txt has %d characters, want GB 2312 symbols and level 1 (4437) at least", n)
	}
	if m := missing(have, text); m != "" {
		t.Errorf("font lacks %d characters of charset.txt: %s", len([]rune(m)), m)
	}
}

// TestFontCoversAssets guards the data the app shows: every non-ASCII
// character of assets/**/*.json must be in the font. When it fails, rerun
// build-font.sh (see README.md).
func TestFontCoversAssets(t *testing.T) {
	have := fontRunes(t)
	files := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || filepath.Ext(path) != ".json" || strings.Contains(path, "testdata") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		if m := missing(have, string(data)); m != "" {
			t.Errorf("%s: font lacks %s; run sh assets/fonts/build-font.sh", path, m)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files == 0 {
		t.Error("found no asset JSON files")
	}
}

// TestFontCoversSeeds checks the regulations in shared/seeds (beside the
// repository) when they are there.
func TestFontCoversSeeds(t *testing.T) {
	paths, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "seeds", "*.txt"))
	if len(paths) == 0 {
		testtool.Missing(t, "no shared/seeds beside the repository")
	}
	have := fontRunes(t)
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		var lacks strings.Builder
		for sc.Scan() {
			lacks.WriteString(missing(have, sc.Text()))
		}
		f.Close()
		if m := missing(map[rune]bool{}, lacks.String()); m != "" {
			t.Errorf("%s: font lacks %s", filepath.Base(p), m)
		}
	}
}
