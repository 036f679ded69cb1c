package signature

import (
	"bytes"
	"image"
	"image/png"
	"math"
)

// PenWidth is the width, in pixels, of the lines RenderPNG draws.
const PenWidth = 3

// maxPiece is the longest piece, in pixels, a segment is cut into while
// rendering, so the box of pixels examined for each piece stays small.
const maxPiece = 8

// RenderPNG draws s as a grayscale PNG of Width x Height pixels: a white
// background and black, anti-aliased lines PenWidth wide with round ends
// joining consecutive points; a stroke of one point is a round dot. The
// output depends only on s: the same strokes always give the same bytes.
func (s Strokes) RenderPNG() ([]byte, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	img := image.NewGray(image.Rect(0, 0, s.Width, s.Height))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	for _, stroke := range s.Strokes {
		if len(stroke) == 1 {
			p := stroke[0]
			capsule(img, float64(p.X), float64(p.Y), float64(p.X), float64(p.Y))
			continue
		}
		for i := 1; i < len(stroke); i++ {
			a, b := stroke[i-1], stroke[i]
			segment(img, float64(a.X), float64(a.Y), float64(b.X), float64(b.Y))
		}
	}
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// segment draws the line from (ax, ay) to (bx, by), cut into pieces no longer
// than maxPiece. Pixels keep the darkest value any piece gives them, so the
// result does not depend on drawing order.
func segment(img *image.Gray, ax, ay, bx, by float64) {
	dx, dy := bx-ax, by-ay
	n := int(math.Ceil(math.Sqrt(float64(dx*dx)+float64(dy*dy)) / maxPiece))
	if n < 1 {
		n = 1
	}
	px, py := ax, ay
	for k := 1; k <= n; k++ {
		var qx, qy float64
		if k == n {
			qx, qy = bx, by
		} else {
			f := float64(k) / float64(n)
			qx, qy = ax+float64(dx*f), ay+float64(dy*f)
		}
		capsule(img, px, py, qx, qy)
		px, py = qx, qy
	}
}

// capsule darkens the pixels within PenWidth/2 of the segment from (ax, ay)
// to (bx, by), with one pixel of linear anti-aliasing at the edge.
//
// Every product is wrapped in an explicit float64 conversion: the Go spec then
// forbids fusing it into a multiply-add, so the pixels (and the PNG) are the
// same on every architecture.
func capsule(img *image.Gray, ax, ay, bx, by float64) {
	const r = PenWidth / 2.0
	const reach = r + 0.5
	b := img.Bounds()
	x0 := max(b.Min.X, int(math.Floor(min(ax, bx)-reach)))
	x1 := min(b.Max.X-1, int(math.Ceil(max(ax, bx)+reach)))
	y0 := max(b.Min.Y, int(math.Floor(min(ay, by)-reach)))
	y1 := min(b.Max.Y-1, int(math.Ceil(max(ay, by)+reach)))
	dx, dy := bx-ax, by-ay
	len2 := float64(dx*dx) + float64(dy*dy)
	for y := y0; y <= y1; y++ {
		cy := float64(y) + 0.5
		for x := x0; x <= x1; x++ {
			cx := float64(x) + 0.5
			// Nearest point of the segment to the pixel centre.
			t := 0.0
			if len2 > 0 {
				t = (float64((cx-ax)*dx) + float64((cy-ay)*dy)) / len2
				t = min(1, max(0, t))
			}
			ex := cx - (ax + float64(t*dx))
			ey := cy - (ay + float64(t*dy))
			d := math.Sqrt(float64(ex*ex) + float64(ey*ey))
			cover := min(1, max(0, reach-d))
			if cover == 0 {
				continue
			}
			v := uint8(math.Round(float64(255 * (1 - cover))))
			i := img.PixOffset(x, y)
			if v < img.Pix[i] {
				img.Pix[i] = v
			}
		}
	}
}
