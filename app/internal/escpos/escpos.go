// Package escpos prints an image on a portable thermal receipt printer
// (SPEC F16): ESC/POS raster bit images (GS v 0), so a Chinese document
// needs no printer font — the page is printed as the app rendered it.
// Decode reads such a stream back to an image, for tests and previews.
package escpos

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	"image/color"
)

// Printable widths in dots at 203 dpi of the common paper rolls.
const (
	Width58 = 384 // 58 mm paper, 48 mm printable
	Width80 = 576 // 80 mm paper, 72 mm printable
)

// band is the most raster lines sent in one GS v 0 command: small enough
// for the input buffer of cheap printers.
const band = 128

// Options shape the printout.
type Options struct {
	// Width is the printable width in dots (Width58, Width80).
	Width int
	// Crop removes the page's white margins first (default true via Raster).
	Crop bool
	// Threshold: a pixel darker than this (0-255) prints black (0: 160).
	Threshold uint8
	// Feed is the number of lines fed before the cut (0: 4).
	Feed int
	// Cut ends with a partial cut (GS V 66).
	Cut bool
}

// Raster encodes pages for a printer of width dots: each page cropped to
// its ink, scaled to the width by area averaging, thresholded, sent as
// GS v 0 bands, the pages separated by a fed dashed line, then fed and cut.
func Raster(pages []image.Image, width int) []byte {
	return Encode(pages, Options{Width: width, Crop: true, Cut: true})
}

// Encode is Raster with every option.
func Encode(pages []image.Image, o Options) []byte {
	if o.Width <= 0 {
		o.Width = Width58
	}
	if o.Threshold == 0 {
		o.Threshold = 160
	}
	if o.Feed == 0 {
		o.Feed = 4
	}
	var b bytes.Buffer
	b.Write([]byte{0x1b, 0x40}) // ESC @: initialise
	for i, p := range pages {
		if i > 0 {
			b.Write([]byte{0x1b, 0x64, 2}) // ESC d 2: feed two lines between pages
		}
		if o.Crop {
			p = Crop(p, o.Threshold)
		}
		writeRaster(&b, Mono(Scale(p, o.Width), o.Threshold))
	}
	b.Write([]byte{0x1b, 0x64, byte(o.Feed)}) // ESC d n
	if o.Cut {
		b.Write([]byte{0x1d, 0x56, 66, 0}) // GS V 66 0: feed to the cutter, partial cut
	}
	return b.Bytes()
}

// Bitmap is a one-bit image, one row after the other, the most significant
// bit leftmost, 1 = black (the GS v 0 layout).
type Bitmap struct {
	Width, Height int
	Bytes         int // bytes per row
	Bits          []byte
}

// Black reports whether the dot at x, y prints.
func (m *Bitmap) Black(x, y int) bool {
	return m.Bits[y*m.Bytes+x/8]&(0x80>>(x%8)) != 0
}

func writeRaster(b *bytes.Buffer, m *Bitmap) {
	for y0 := 0; y0 < m.Height; y0 += band {
		h := min(band, m.Height-y0)
		// GS v 0 m xL xH yL yH d1...dk, m=0 normal density
		b.Write([]byte{0x1d, 0x76, 0x30, 0, byte(m.Bytes), byte(m.Bytes >> 8), byte(h), byte(h >> 8)})
		b.Write(m.Bits[y0*m.Bytes : (y0+h)*m.Bytes])
	}
}

// Mono thresholds a grey image into a bitmap.
func Mono(g *image.Gray, threshold uint8) *Bitmap {
	r := g.Bounds()
	m := &Bitmap{Width: r.Dx(), Height: r.Dy(), Bytes: (r.Dx() + 7) / 8}
	m.Bits = make([]byte, m.Bytes*m.Height)
	for y := 0; y < m.Height; y++ {
		for x := 0; x < m.Width; x++ {
			if g.GrayAt(r.Min.X+x, r.Min.Y+y).Y < threshold {
				m.Bits[y*m.Bytes+x/8] |= 0x80 >> (x % 8)
			}
		}
	}
	return m
}

// Scale resizes img to width pixels, keeping its aspect, averaging the
// source pixels each destination pixel covers (thin strokes stay grey
// rather than vanish).
func Scale(img image.Image, width int) *image.Gray {
	src := image.NewGray(img.Bounds())
	r := img.Bounds()
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			src.Set(x, y, img.At(x, y))
		}
	}
	sw, sh := r.Dx(), r.Dy()
	if sw == 0 || sh == 0 {
		return image.NewGray(image.Rect(0, 0, width, 0))
	}
	height := max(1, (sh*width+sw/2)/sw)
	dst := image.NewGray(image.Rect(0, 0, width, height))
	for dy := 0; dy < height; dy++ {
		y0, y1 := dy*sh/height, max((dy+1)*sh/height, dy*sh/height+1)
		for dx := 0; dx < width; dx++ {
			x0, x1 := dx*sw/width, max((dx+1)*sw/width, dx*sw/width+1)
			var sum, n int
			for y := y0; y < y1; y++ {
				row := src.Pix[(y)*src.Stride:]
				for x := x0; x < x1; x++ {
					sum += int(row[x])
					n++
				}
			}
			dst.Pix[dy*dst.Stride+dx] = uint8(sum / n)
		}
	}
	return dst
}

// Crop cuts img to the box around its ink (pixels darker than threshold)
// with a small white border; a blank image is returned as it is.
func Crop(img image.Image, threshold uint8) image.Image {
	r := img.Bounds()
	box := image.Rectangle{}
	found := false
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			if color.GrayModel.Convert(img.At(x, y)).(color.Gray).Y < threshold {
				p := image.Rect(x, y, x+1, y+1)
				if !found {
					box, found = p, true
				} else {
					box = box.Union(p)
				}
			}
		}
	}
	if !found {
		return img
	}
	pad := max(2, r.Dx()/100)
	box = image.Rect(box.Min.X-pad, box.Min.Y-pad, box.Max.X+pad, box.Max.Y+pad).Intersect(r)
	if s, ok := img.(interface {
		SubImage(image.Rectangle) image.Image
	}); ok {
		return s.SubImage(box)
	}
	out := image.NewGray(box)
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			out.Set(x, y, img.At(x, y))
		}
	}
	return out
}

// Decode reads an ESC/POS stream as Raster writes it back to the image
// the printer would print: the raster bands stacked, each page's bands
// under the last; a line feed (ESC d n) adds n blank 24-dot lines. Other
// commands it knows (ESC @, GS V) are skipped; anything else is an error.
func Decode(stream []byte) (*image.Gray, error) {
	type piece struct {
		m     *Bitmap
		blank int
	}
	var pieces []piece
	width, height := 0, 0
	for i := 0; i < len(stream); {
		switch {
		case bytes.HasPrefix(stream[i:], []byte{0x1b, 0x40}):
			i += 2
		case bytes.HasPrefix(stream[i:], []byte{0x1b, 0x64}) && i+2 < len(stream):
			n := int(stream[i+2]) * 24
			pieces = append(pieces, piece{blank: n})
			height += n
			i += 3
		case bytes.HasPrefix(stream[i:], []byte{0x1d, 0x56, 66}) && i+3 < len(stream):
			i += 4
		case bytes.HasPrefix(stream[i:], []byte{0x1d, 0x76, 0x30}) && i+8 <= len(stream):
			xb := int(stream[i+4]) | int(stream[i+5])<<8
			h := int(stream[i+6]) | int(stream[i+7])<<8
			n := xb * h
			if i+8+n > len(stream) {
				return nil, fmt.Errorf("escpos: raster at byte %d wants %d bytes, %d left", i, n, len(stream)-i-8)
			}
			m := &Bitmap{Width: xb * 8, Height: h, Bytes: xb, Bits: stream[i+8 : i+8+n]}
			pieces = append(pieces, piece{m: m})
			width = max(width, m.Width)
			height += h
			i += 8 + n
		default:
			return nil, fmt.Errorf("escpos: unknown command 0x%02x at byte %d", stream[i], i)
		}
	}
	if width == 0 {
		return nil, errors.New("escpos: no raster image in the stream")
	}
	out := image.NewGray(image.Rect(0, 0, width, height))
	for i := range out.Pix {
		out.Pix[i] = 0xff
	}
	y := 0
	for _, p := range pieces {
		if p.m == nil {
			y += p.blank
			continue
		}
		for py := 0; py < p.m.Height; py++ {
			for px := 0; px < p.m.Width; px++ {
				if p.m.Black(px, py) {
					out.Pix[(y+py)*out.Stride+px] = 0
				}
			}
		}
		y += p.m.Height
	}
	return out, nil
}
