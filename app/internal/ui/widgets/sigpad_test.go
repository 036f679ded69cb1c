package widgets

import (
	"bytes"
	"image/png"
	"math"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"lawtrace/shared/signature"
)

// padWindow shows a pad alone in an unpadded test window with the LawTrace
// theme, so the pad sits at the canvas origin.
func padWindow(t *testing.T, pad *SignaturePad) fyne.Window {
	t.Helper()
	a := test.NewTempApp(t)
	a.Settings().SetTheme(NewTheme(false))
	w := test.NewTempWindow(t, pad)
	w.SetPadded(false)
	w.Resize(pad.MinSize())
	return w
}

// clock returns a Now that starts at a fixed time and advances 10ms a call.
func clock() func() time.Time {
	t := time.Date(2026, 5, 6, 10, 0, 0, 0, time.UTC)
	return func() time.Time {
		t = t.Add(10 * time.Millisecond)
		return t
	}
}

func inRange(t *testing.T, s signature.Strokes) {
	t.Helper()
	for i, st := range s.Strokes {
		for j, p := range st {
			if p.X < 0 || p.Y < 0 || p.X > float32(s.Width) || p.Y > float32(s.Height) {
				t.Errorf("stroke %d point %d (%v, %v) outside %dx%d", i, j, p.X, p.Y, s.Width, s.Height)
			}
		}
	}
	if _, err := signature.Parse(s.Encode()); err != nil {
		t.Errorf("Strokes do not parse back: %v", err)
	}
}

func TestSignaturePadDefaultSize(t *testing.T) {
	pad := NewSignaturePad(fyne.Size{})
	if got := pad.MinSize(); got != fyne.NewSize(600, 240) {
		t.Errorf("MinSize = %v, want 600x240", got)
	}
	if got := NewSignaturePad(fyne.NewSize(800, 300)).MinSize(); got != fyne.NewSize(800, 300) {
		t.Errorf("MinSize = %v, want 800x300", got)
	}
	if got := NewSignaturePad(fyne.NewSize(0, 300)).MinSize(); got != fyne.NewSize(600, 300) {
		t.Errorf("MinSize = %v, want 600x300", got)
	}
}

func TestSignaturePadDragDrawsStroke(t *testing.T) {
	pad := NewSignaturePad(fyne.Size{})
	pad.Now = clock()
	changed := 0
	pad.OnChanged = func() { changed++ }
	w := padWindow(t, pad)
	if !pad.IsEmpty() {
		t.Fatal("new pad is not empty")
	}

	// test.Drag sends one event: the pointer is at pos, having moved by the delta.
	test.Drag(w.Canvas(), fyne.NewPos(300, 150), 100, 50)

	if pad.IsEmpty() || changed != 1 {
		t.Fatalf("after a drag: empty=%v, OnChanged called %d times", pad.IsEmpty(), changed)
	}
	s := pad.Strokes()
	if s.Width != 600 || s.Height != 240 || len(s.Strokes) != 1 {
		t.Fatalf("Strokes = %+v", s)
	}
	st := s.Strokes[0]
	if len(st) != 2 || st[0].X != 200 || st[0].Y != 100 || st[1].X != 300 || st[1].Y != 150 {
		t.Errorf("stroke = %+v, want (200,100) to (300,150)", st)
	}
	if st[0].T != 0 || st[1].T <= st[0].T {
		t.Errorf("times %d, %d: want 0 then later", st[0].T, st[1].T)
	}
	inRange(t, s)
}

func TestSignaturePadDragLeavingThePadIsClamped(t *testing.T) {
	pad := NewSignaturePad(fyne.Size{})
	padWindow(t, pad)
	pad.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(590, 230)}, Dragged: fyne.NewDelta(5, 5)})
	pad.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(650, 300)}, Dragged: fyne.NewDelta(60, 70)})
	pad.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(-30, -5)}, Dragged: fyne.NewDelta(-680, -305)})
	pad.DragEnd()
	s := pad.Strokes()
	want := []signature.Point{{X: 585, Y: 225}, {X: 590, Y: 230}, {X: 600, Y: 240}, {X: 0, Y: 0}}
	if len(s.Strokes) != 1 || len(s.Strokes[0]) != len(want) {
		t.Fatalf("Strokes = %+v", s)
	}
	for i, p := range s.Strokes[0] {
		if p.X != want[i].X || p.Y != want[i].Y {
			t.Errorf("point %d = (%v, %v), want (%v, %v)", i, p.X, p.Y, want[i].X, want[i].Y)
		}
	}
	inRange(t, s)
}

func TestSignaturePadTapMakesDot(t *testing.T) {
	pad := NewSignaturePad(fyne.Size{})
	changed := 0
	pad.OnChanged = func() { changed++ }
	w := padWindow(t, pad)
	test.Drag(w.Canvas(), fyne.NewPos(100, 100), 20, 0)
	test.TapAt(pad, fyne.NewPos(50, 60))
	s := pad.Strokes()
	if len(s.Strokes) != 2 || changed != 2 {
		t.Fatalf("Strokes = %+v, OnChanged %d times", s, changed)
	}
	if dot := s.Strokes[1]; len(dot) != 1 || dot[0].X != 50 || dot[0].Y != 60 {
		t.Errorf("tap gave %+v, want one point at (50, 60)", dot)
	}
	inRange(t, s)
}

func TestSignaturePadClear(t *testing.T) {
	pad := NewSignaturePad(fyne.Size{})
	changed := 0
	pad.OnChanged = func() { changed++ }
	w := padWindow(t, pad)
	test.Drag(w.Canvas(), fyne.NewPos(300, 150), 100, 50)
	test.TapAt(pad, fyne.NewPos(50, 60))
	pad.Clear()
	if !pad.IsEmpty() || len(pad.Strokes().Strokes) != 0 || changed != 3 {
		t.Errorf("after Clear: empty=%v strokes=%v OnChanged %d times", pad.IsEmpty(), pad.Strokes().Strokes, changed)
	}
	// Drawing again after Clear starts the clock afresh.
	pad.Now = clock()
	test.Drag(w.Canvas(), fyne.NewPos(300, 150), 100, 50)
	if s := pad.Strokes(); len(s.Strokes) != 1 || s.Strokes[0][0].T != 0 {
		t.Errorf("after Clear and a drag: %+v", s)
	}
}

func TestSignaturePadStrokesSizeRounded(t *testing.T) {
	pad := NewSignaturePad(fyne.NewSize(100, 50))
	w := padWindow(t, pad)
	w.Resize(fyne.NewSize(320.6, 140.4))
	pad.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: fyne.NewPos(320.6, 140.4)}, Dragged: fyne.NewDelta(10, 10)})
	pad.DragEnd()
	s := pad.Strokes()
	if s.Width != 321 || s.Height != 140 {
		t.Errorf("size %dx%d, want 321x140 (pad is %v)", s.Width, s.Height, pad.Size())
	}
	inRange(t, s)
}

// drawSample writes 签 -like strokes and a dot through the drag events a
// driver sends.
func drawSample(pad *SignaturePad) {
	stroke := func(pts ...fyne.Position) {
		prev := pts[0]
		for _, p := range pts[1:] {
			pad.Dragged(&fyne.DragEvent{PointEvent: fyne.PointEvent{Position: p}, Dragged: fyne.NewDelta(p.X-prev.X, p.Y-prev.Y)})
			prev = p
		}
		pad.DragEnd()
	}
	var wave []fyne.Position
	for i := 0; i <= 40; i++ {
		x := 80 + float32(i)*10
		wave = append(wave, fyne.NewPos(x, 150-float32(40*math.Sin(float64(i)/40*3*math.Pi))))
	}
	stroke(wave...)
	stroke(fyne.NewPos(150, 60), fyne.NewPos(170, 200), fyne.NewPos(190, 70))
	stroke(fyne.NewPos(380, 80), fyne.NewPos(540, 190))
	test.TapAt(pad, fyne.NewPos(540, 70))
}

func TestSignaturePadRendersEmpty(t *testing.T) {
	pad := NewSignaturePad(fyne.Size{})
	pad.SetHint("请在此签名")
	w := padWindow(t, pad)
	test.AssertRendersToImage(t, "sigpad_empty.png", w.Canvas())
}

func TestSignaturePadRendersStrokes(t *testing.T) {
	pad := NewSignaturePad(fyne.Size{})
	pad.SetHint("请在此签名")
	pad.Now = clock()
	w := padWindow(t, pad)
	drawSample(pad)
	test.AssertRendersToImage(t, "sigpad_strokes.png", w.Canvas())
	// Clearing and drawing again shows the same, not the old ink underneath.
	pad.Clear()
	test.AssertRendersToImage(t, "sigpad_empty.png", w.Canvas())
	drawSample(pad)
	test.AssertRendersToImage(t, "sigpad_strokes.png", w.Canvas())

	// What the pad shows is what signature.Strokes renders.
	s := pad.Strokes()
	if len(s.Strokes) != 4 {
		t.Fatalf("%d strokes, want 4", len(s.Strokes))
	}
	data, err := s.RenderPNG()
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if r, _, _, _ := img.At(540, 70).RGBA(); r > 0x4000 {
		t.Errorf("the dot at (540, 70) is not dark in the PNG")
	}
	if r, _, _, _ := img.At(10, 10).RGBA(); r != 0xffff {
		t.Errorf("the corner is not white in the PNG")
	}
}
