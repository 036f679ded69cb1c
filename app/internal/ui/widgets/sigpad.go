package widgets

import (
	"image/color"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lawtrace/shared/signature"
)

// DefaultSignaturePadSize is the minimum size of a SignaturePad made with a
// zero size: large enough to sign with a finger or a gloved hand. Sizes and
// stroke coordinates are in Fyne's device-independent units.
var DefaultSignaturePadSize = fyne.NewSize(600, 240)

// Colours of the pad. It stays black on white whatever the theme, like the
// paper form it replaces and like the PNG that signature.Strokes renders.
var (
	sigPaper    = color.NRGBA{R: 0xff, G: 0xff, B: 0xff, A: 0xff}
	sigInk      = color.NRGBA{A: 0xff}
	sigBorder   = color.NRGBA{R: 0x55, G: 0x55, B: 0x55, A: 0xff}
	sigBaseline = color.NRGBA{R: 0xc8, G: 0xc8, B: 0xc8, A: 0xff}
	sigHint     = color.NRGBA{R: 0x99, G: 0x99, B: 0x99, A: 0xff}
)

const (
	sigPenWidth    = signature.PenWidth
	sigBorderWidth = 2
)

// SignaturePad is a white area the signer draws on with a finger, stylus or
// mouse (SPEC F10). A drag draws a stroke; a tap makes a dot. Strokes returns
// what was drawn, in coordinates relative to the pad.
type SignaturePad struct {
	widget.BaseWidget

	// OnChanged, if set, is called after a stroke is finished (drag end or
	// tap) and after Clear.
	OnChanged func()
	// Now gives the time of each point; nil means time.Now. Point times are
	// stored in milliseconds since the first point of the signature.
	Now func() time.Time

	minSize fyne.Size
	hint    string
	strokes [][]signature.Point
	cleared int       // counts Clear calls, so the renderer knows to start over
	drawing bool      // a drag is adding to the last stroke
	start   time.Time // time of the first point
}

// NewSignaturePad returns an empty pad that is never smaller than minSize;
// a zero width or height takes DefaultSignaturePadSize's.
func NewSignaturePad(minSize fyne.Size) *SignaturePad {
	if minSize.Width <= 0 {
		minSize.Width = DefaultSignaturePadSize.Width
	}
	if minSize.Height <= 0 {
		minSize.Height = DefaultSignaturePadSize.Height
	}
	p := &SignaturePad{minSize: minSize}
	p.ExtendBaseWidget(p)
	return p
}

// SetHint sets the faint text shown on an empty pad, such as "请在此签名".
func (p *SignaturePad) SetHint(hint string) {
	p.hint = hint
	p.Refresh()
}

// Clear removes every stroke.
func (p *SignaturePad) Clear() {
	p.strokes = nil
	p.cleared++
	p.drawing = false
	p.Refresh()
	p.changed()
}

// SetStrokes replaces what is drawn with s (a signature kept in a draft);
// further strokes continue its point times.
func (p *SignaturePad) SetStrokes(s signature.Strokes) {
	p.strokes = make([][]signature.Point, 0, len(s.Strokes))
	var last int64
	for _, st := range s.Strokes {
		p.strokes = append(p.strokes, append([]signature.Point(nil), st...))
		for _, pt := range st {
			last = max(last, pt.T)
		}
	}
	p.cleared++
	p.drawing = false
	p.start = time.Time{}
	if len(p.strokes) > 0 {
		p.start = p.now().Add(-time.Duration(last) * time.Millisecond)
	}
	p.Refresh()
}

// IsEmpty reports whether nothing has been drawn.
func (p *SignaturePad) IsEmpty() bool {
	return len(p.strokes) == 0
}

// Strokes returns a copy of what was drawn: Width and Height are the pad's
// size rounded to whole pixels and every point lies inside them.
func (p *SignaturePad) Strokes() signature.Strokes {
	size := p.Size()
	w := max(1, int(math.Round(float64(size.Width))))
	h := max(1, int(math.Round(float64(size.Height))))
	out := signature.Strokes{Width: w, Height: h, Strokes: make([][]signature.Point, len(p.strokes))}
	for i, st := range p.strokes {
		cp := make([]signature.Point, len(st))
		for j, pt := range st {
			pt.X = min(max(pt.X, 0), float32(w))
			pt.Y = min(max(pt.Y, 0), float32(h))
			cp[j] = pt
		}
		out.Strokes[i] = cp
	}
	return out
}

// Dragged adds the pointer's position to the current stroke, starting a new
// stroke where the drag began.
func (p *SignaturePad) Dragged(e *fyne.DragEvent) {
	if !p.drawing {
		// Drivers report where the pointer is now and how far it moved since
		// the last event, so the drag began at Position - Dragged.
		from := e.Position.Subtract(fyne.NewPos(e.Dragged.DX, e.Dragged.DY))
		p.strokes = append(p.strokes, []signature.Point{p.point(from)})
		p.drawing = true
	}
	last := len(p.strokes) - 1
	pt := p.point(e.Position)
	if prev := p.strokes[last][len(p.strokes[last])-1]; prev.X == pt.X && prev.Y == pt.Y {
		return
	}
	p.strokes[last] = append(p.strokes[last], pt)
	p.Refresh()
}

// DragEnd finishes the current stroke.
func (p *SignaturePad) DragEnd() {
	if !p.drawing {
		return
	}
	p.drawing = false
	p.Refresh()
	p.changed()
}

// Tapped makes a dot: a stroke of one point.
func (p *SignaturePad) Tapped(e *fyne.PointEvent) {
	p.drawing = false
	p.strokes = append(p.strokes, []signature.Point{p.point(e.Position)})
	p.Refresh()
	p.changed()
}

// CreateRenderer is part of fyne.Widget.
func (p *SignaturePad) CreateRenderer() fyne.WidgetRenderer {
	p.ExtendBaseWidget(p)
	bg := canvas.NewRectangle(sigPaper)
	bg.StrokeColor = sigBorder
	bg.StrokeWidth = sigBorderWidth
	base := canvas.NewLine(sigBaseline)
	base.StrokeWidth = 2
	hint := canvas.NewText("", sigHint)
	r := &sigPadRenderer{pad: p, bg: bg, baseline: base, hint: hint, cleared: p.cleared}
	r.Refresh()
	return r
}

// point turns a position on the pad into a point of the signature, held
// inside the pad when the pointer strays off it.
func (p *SignaturePad) point(pos fyne.Position) signature.Point {
	t := p.now()
	if len(p.strokes) == 0 {
		p.start = t
	}
	size := p.Size()
	return signature.Point{
		X: min(max(pos.X, 0), size.Width),
		Y: min(max(pos.Y, 0), size.Height),
		T: t.Sub(p.start).Milliseconds(),
	}
}

func (p *SignaturePad) now() time.Time {
	if p.Now != nil {
		return p.Now()
	}
	return time.Now()
}

func (p *SignaturePad) changed() {
	if p.OnChanged != nil {
		p.OnChanged()
	}
}

type sigPadRenderer struct {
	pad      *SignaturePad
	bg       *canvas.Rectangle
	baseline *canvas.Line
	hint     *canvas.Text
	objects  []fyne.CanvasObject // bg, baseline, hint, then the ink
	drawn    []int               // points of each stroke already in objects
	cleared  int                 // pad.cleared when objects were last started over
}

func (r *sigPadRenderer) Layout(size fyne.Size) {
	r.bg.Resize(size)
	r.bg.Move(fyne.NewPos(0, 0))
	margin := min(size.Width/12, 48)
	y := size.Height * 3 / 4
	r.baseline.Position1 = fyne.NewPos(margin, y)
	r.baseline.Position2 = fyne.NewPos(size.Width-margin, y)
	hs := r.hint.MinSize()
	r.hint.Resize(hs)
	r.hint.Move(fyne.NewPos(margin, y-hs.Height-4))
}

func (r *sigPadRenderer) MinSize() fyne.Size {
	return r.pad.minSize
}

// Refresh adds objects for the points drawn since the last Refresh; only
// after Clear does it start over, so a long signature stays cheap to extend.
func (r *sigPadRenderer) Refresh() {
	p := r.pad
	r.hint.Text = p.hint
	r.hint.TextSize = theme.SizeForWidget(theme.SizeNameSubHeadingText, p)
	r.hint.Hidden = p.hint == "" || !p.IsEmpty()
	if r.objects == nil || r.cleared != p.cleared || len(r.drawn) > len(p.strokes) {
		r.objects = append(r.objects[:0], r.bg, r.baseline, r.hint)
		r.drawn = r.drawn[:0]
		r.cleared = p.cleared
	}
	for i, st := range p.strokes {
		if i == len(r.drawn) {
			r.drawn = append(r.drawn, 0)
		}
		done := r.drawn[i]
		if done == 0 && len(st) == 1 {
			const rad = sigPenWidth / 2.0
			dot := canvas.NewCircle(sigInk)
			dot.Move(fyne.NewPos(st[0].X-rad, st[0].Y-rad))
			dot.Resize(fyne.NewSquareSize(2 * rad))
			r.objects = append(r.objects, dot)
		}
		for j := max(done, 1); j < len(st); j++ {
			l := canvas.NewLine(sigInk)
			l.StrokeWidth = sigPenWidth
			l.Position1 = fyne.NewPos(st[j-1].X, st[j-1].Y)
			l.Position2 = fyne.NewPos(st[j].X, st[j].Y)
			r.objects = append(r.objects, l)
		}
		r.drawn[i] = len(st)
	}
	r.Layout(p.Size())
	canvas.Refresh(p)
}

func (r *sigPadRenderer) Objects() []fyne.CanvasObject {
	return r.objects
}

func (r *sigPadRenderer) Destroy() {}
