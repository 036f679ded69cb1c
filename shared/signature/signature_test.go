package signature

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

func TestParseRefuses(t *testing.T) {
	many := func(n int) string {
		var b strings.Builder
		b.WriteString(`{"width":10,"height":10,"strokes":[[`)
		for i := 0; i < n; i++ {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(`{"x":1,"y":1,"t":0}`)
		}
		b.WriteString(`]]}`)
		return b.String()
	}
	tests := []struct {
		name, in, want string
	}{
		{"empty input", ``, "invalid JSON"},
		{"not JSON", `{"width":`, "invalid JSON"},
		{"wrong type", `{"width":"600","height":240,"strokes":[[{"x":1,"y":1,"t":0}]]}`, "invalid JSON"},
		{"unknown field", `{"width":600,"height":240,"strokes":[[{"x":1,"y":1,"t":0}]],"colour":"red"}`, "unknown field"},
		{"number too big for float32", `{"width":600,"height":240,"strokes":[[{"x":1e39,"y":1,"t":0}]]}`, "invalid JSON"},
		{"NaN word", `{"width":600,"height":240,"strokes":[[{"x":NaN,"y":1,"t":0}]]}`, "invalid JSON"},
		{"trailing object", `{"width":600,"height":240,"strokes":[[{"x":1,"y":1,"t":0}]]}{}`, "trailing data"},
		{"trailing garbage", `{"width":600,"height":240,"strokes":[[{"x":1,"y":1,"t":0}]]} x`, "trailing data"},
		{"null", `null`, "width 0 not in 1..4096"},
		{"zero width", `{"width":0,"height":240,"strokes":[[{"x":0,"y":1,"t":0}]]}`, "width 0 not in 1..4096"},
		{"negative width", `{"width":-5,"height":240,"strokes":[[{"x":0,"y":1,"t":0}]]}`, "width -5 not in 1..4096"},
		{"width too large", `{"width":4097,"height":240,"strokes":[[{"x":1,"y":1,"t":0}]]}`, "width 4097 not in 1..4096"},
		{"zero height", `{"width":600,"height":0,"strokes":[[{"x":1,"y":0,"t":0}]]}`, "height 0 not in 1..4096"},
		{"height too large", `{"width":600,"height":5000,"strokes":[[{"x":1,"y":1,"t":0}]]}`, "height 5000 not in 1..4096"},
		{"strokes missing", `{"width":600,"height":240}`, "no strokes"},
		{"no strokes", `{"width":600,"height":240,"strokes":[]}`, "no strokes"},
		{"empty stroke", `{"width":600,"height":240,"strokes":[[{"x":1,"y":1,"t":0}],[]]}`, "stroke 1 has no points"},
		{"x negative", `{"width":600,"height":240,"strokes":[[{"x":-0.5,"y":1,"t":0}]]}`, "stroke 0 point 0 (-0.5, 1) outside the 600x240 canvas"},
		{"x beyond width", `{"width":600,"height":240,"strokes":[[{"x":1,"y":1,"t":0},{"x":600.5,"y":1,"t":5}]]}`, "stroke 0 point 1 (600.5, 1) outside"},
		{"y beyond height", `{"width":600,"height":240,"strokes":[[{"x":1,"y":241,"t":0}]]}`, "outside the 600x240 canvas"},
		{"too many points", many(MaxPoints + 1), "more than 100000 points"},
		{"too many bytes", strings.Repeat(" ", MaxBytes+1), "more than"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.in))
			if err == nil {
				t.Fatalf("Parse accepted %.80q", tt.in)
			}
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("error %v does not wrap ErrInvalid", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestValidateNonFinite(t *testing.T) {
	for _, f := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
		s := Strokes{Width: 10, Height: 10, Strokes: [][]Point{{{X: 1, Y: f}}}}
		err := s.Validate()
		if err == nil || !strings.Contains(err.Error(), "non-finite") {
			t.Errorf("y=%v: got %v, want a non-finite error", f, err)
		}
		if _, err := Parse(s.Encode()); err == nil {
			t.Errorf("y=%v: Parse accepted %s", f, s.Encode())
		}
	}
}

func TestParseAccepts(t *testing.T) {
	in := `  {"strokes":[[{"x":0,"y":0,"t":0},{"x":600,"y":240,"t":16}],[{"x":3.25,"y":7}]],
	"height":240,"width":600}` + "\n"
	s, err := Parse([]byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if s.Width != 600 || s.Height != 240 || len(s.Strokes) != 2 || s.Strokes[0][1] != (Point{600, 240, 16}) || s.Strokes[1][0] != (Point{3.25, 7, 0}) {
		t.Errorf("Parse = %+v", s)
	}
}

func sample() Strokes {
	var s Strokes
	s.Width, s.Height = 200, 80
	// A loop, a line and a dot; odd coordinates to exercise float encoding.
	var loop []Point
	for i := 0; i <= 40; i++ {
		a := float64(i) / 40 * 2 * math.Pi
		loop = append(loop, Point{
			X: float32(50 + 30*math.Cos(a)),
			Y: float32(40 + 25*math.Sin(a)),
			T: int64(i * 16),
		})
	}
	s.Strokes = append(s.Strokes, loop,
		[]Point{{X: 100, Y: 60, T: 900}, {X: 150.5, Y: 20.25, T: 950}, {X: 190, Y: 70, T: 1000}},
		[]Point{{X: 180.1, Y: 15.7, T: 1200}},
		[]Point{{X: 0, Y: 0, T: 1300}, {X: 200, Y: 80, T: 1400}},  // corner to corner, edges included
		[]Point{{X: 20, Y: 75, T: 1500}, {X: 40, Y: 75, T: 1600}}, // horizontal, to measure the pen
	)
	return s
}

func TestEncodeRoundTrip(t *testing.T) {
	s := sample()
	enc := s.Encode()
	got, err := Parse(enc)
	if err != nil {
		t.Fatalf("Parse(Encode()) = %v\n%s", err, enc)
	}
	if fmt.Sprint(got) != fmt.Sprint(s) {
		t.Errorf("round trip changed the strokes:\n got %v\nwant %v", got, s)
	}
	if again := got.Encode(); !bytes.Equal(again, enc) {
		t.Errorf("Encode is not canonical:\n%s\n%s", enc, again)
	}
	small := Strokes{Width: 3, Height: 2, Strokes: [][]Point{{{X: 1.5, Y: float32(math.Copysign(0, -1)), T: -1}}}}
	if got, want := string(small.Encode()), `{"width":3,"height":2,"strokes":[[{"x":1.5,"y":0,"t":-1}]]}`; got != want {
		t.Errorf("Encode = %s, want %s", got, want)
	}
	// Float32 values that need all their digits survive.
	tricky := Strokes{Width: 10, Height: 10, Strokes: [][]Point{{{X: 0.1, Y: 1.0 / 3}, {X: math.Nextafter32(5, 10), Y: 9.999999}}}}
	back, err := Parse(tricky.Encode())
	if err != nil || fmt.Sprint(back) != fmt.Sprint(tricky) {
		t.Errorf("tricky floats: %v, %v != %v", err, back, tricky)
	}
}

func TestRenderPNGGolden(t *testing.T) {
	s := sample()
	a, err := s.RenderPNG()
	if err != nil {
		t.Fatal(err)
	}
	b, err := s.RenderPNG()
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a, b) {
		t.Fatal("two renders of the same strokes differ")
	}
	// The same strokes parsed back from JSON render the same bytes too.
	back, err := Parse(s.Encode())
	if err != nil {
		t.Fatal(err)
	}
	if c, _ := back.RenderPNG(); !bytes.Equal(a, c) {
		t.Fatal("render after an Encode/Parse round trip differs")
	}

	golden := filepath.Join("testdata", "sample.png")
	if *update {
		if err := os.WriteFile(golden, a, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", golden)
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update once to write it)", err)
	}
	if !bytes.Equal(a, want) {
		_ = os.WriteFile(filepath.Join(t.TempDir(), "got.png"), a, 0o644)
		t.Errorf("RenderPNG differs from %s (%d bytes, want %d); if the change is meant, run go test -update", golden, len(a), len(want))
	}
}

func TestRenderPNGPixels(t *testing.T) {
	s := sample()
	data, err := s.RenderPNG()
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if got := img.Bounds(); got != image.Rect(0, 0, 200, 80) {
		t.Fatalf("bounds %v", got)
	}
	gray := func(x, y int) uint32 {
		r, g, b, _ := img.At(x, y).RGBA()
		return (r + g + b) / 3 >> 8
	}
	dark := []image.Point{
		{80, 40},  // on the loop: (50+30, 40)
		{100, 60}, // first point of the line
		{180, 15}, // the dot
		{100, 40}, // middle of the corner-to-corner diagonal
	}
	for _, p := range dark {
		if v := gray(p.X, p.Y); v > 64 {
			t.Errorf("pixel %v on a stroke is %d, want dark", p, v)
		}
	}
	light := []image.Point{{199, 0}, {0, 79}, {50, 40}, {130, 75}}
	for _, p := range light {
		if v := gray(p.X, p.Y); v != 255 {
			t.Errorf("pixel %v away from strokes is %d, want white", p, v)
		}
	}
	// The horizontal line at y=75 is PenWidth thick: the ink across a vertical cut adds up to about 3 pixels.
	ink := 0.0
	for y := 68; y < 80; y++ {
		ink += float64(255-gray(30, y)) / 255
	}
	if math.Abs(ink-PenWidth) > 0.25 {
		t.Errorf("the line is %.2f pixels thick, want about %d", ink, PenWidth)
	}
}

func TestRenderPNGRefusesInvalid(t *testing.T) {
	if _, err := (Strokes{}).RenderPNG(); !errors.Is(err, ErrInvalid) {
		t.Errorf("RenderPNG of zero Strokes: %v", err)
	}
}
