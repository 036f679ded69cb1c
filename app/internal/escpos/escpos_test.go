package escpos

import (
	"bytes"
	"flag"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// shapes is a page with ink at known places: a frame, a filled block, a
// diagonal and a grey patch, inside white margins.
func shapes() *image.Gray {
	g := image.NewGray(image.Rect(0, 0, 800, 400))
	for i := range g.Pix {
		g.Pix[i] = 0xff
	}
	for x := 100; x < 700; x++ {
		for _, y := range []int{50, 51, 52, 347, 348, 349} {
			g.SetGray(x, y, color.Gray{})
		}
	}
	for y := 50; y < 350; y++ {
		for _, x := range []int{100, 101, 102, 697, 698, 699} {
			g.SetGray(x, y, color.Gray{})
		}
	}
	for y := 100; y < 200; y++ {
		for x := 150; x < 300; x++ {
			g.SetGray(x, y, color.Gray{Y: 20})
		}
		for x := 500; x < 650; x++ {
			g.SetGray(x, y, color.Gray{Y: 200}) // light grey: prints white
		}
	}
	for i := 0; i < 250; i++ {
		for d := 0; d < 4; d++ {
			g.SetGray(350+i, 80+i+d, color.Gray{})
		}
	}
	return g
}

// SPEC F16: the ESC/POS stream of a page is pinned byte for byte (GS v 0
// bands after ESC @, feed and partial cut), for both paper widths.
func TestRasterGolden(t *testing.T) {
	for _, tc := range []struct {
		name  string
		width int
	}{{"shapes-58mm.bin", Width58}, {"shapes-80mm.bin", Width80}} {
		got := Raster([]image.Image{shapes()}, tc.width)
		path := filepath.Join("testdata", tc.name)
		if *update {
			if err := os.WriteFile(path, got, 0o644); err != nil {
				t.Fatal(err)
			}
			img, _ := Decode(got)
			var b bytes.Buffer
			png.Encode(&b, img)
			os.WriteFile(path+".png", b.Bytes(), 0o644)
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update and look at %s.png)", err, path)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s: the stream differs from the golden file (%d bytes, want %d)", tc.name, len(got), len(want))
		}
		if !bytes.HasPrefix(got, []byte{0x1b, 0x40, 0x1d, 0x76, 0x30, 0}) || !bytes.HasSuffix(got, []byte{0x1b, 0x64, 4, 0x1d, 0x56, 66, 0}) {
			t.Errorf("%s: stream does not start with ESC @ GS v 0 and end with feed and cut", tc.name)
		}
		if got[6] != byte(tc.width/8) {
			t.Errorf("%s: raster is %d bytes wide, want %d", tc.name, got[6], tc.width/8)
		}
	}
}

// SPEC F16: decoding the stream gives back exactly the bitmap encoded: the
// cropped page scaled to the paper, ink where the page has ink.
func TestDecodeGivesBackThePage(t *testing.T) {
	page := shapes()
	for _, width := range []int{Width58, Width80} {
		stream := Raster([]image.Image{page, page}, width)
		img, err := Decode(stream)
		if err != nil {
			t.Fatal(err)
		}
		want := Mono(Scale(Crop(page, 160), width), 160)
		if img.Bounds().Dx() != width {
			t.Fatalf("decoded width %d, want %d", img.Bounds().Dx(), width)
		}
		for y := 0; y < want.Height; y++ {
			for x := 0; x < want.Width; x++ {
				if (img.GrayAt(x, y).Y == 0) != want.Black(x, y) {
					t.Fatalf("width %d: dot %d,%d differs", width, x, y)
				}
			}
		}
		// the frame's corner is black, the light grey patch and the
		// inside of the frame white
		if !want.Black(9*width/616, 9*want.Height/316) || want.Black(want.Width/2, want.Height/2+want.Height/4) {
			t.Errorf("width %d: frame corner or inside wrong", width)
		}
		gx, gy := (575-100+2*8)*width/(600+2*8), (150-50+8)*want.Height/(300+16)
		if want.Black(gx, gy) {
			t.Errorf("width %d: the light grey patch prints black", width)
		}
		// two pages and the blank feed between them
		if h := img.Bounds().Dy(); h != 2*want.Height+2*24+4*24 {
			t.Errorf("width %d: decoded height %d, want %d", width, h, 2*want.Height+6*24)
		}
	}
	if _, err := Decode([]byte{0x1b, 0x40, 0x1d, 0x76, 0x30, 0, 10, 0, 10, 0, 1, 2}); err == nil {
		t.Error("a truncated raster decoded")
	}
	if _, err := Decode([]byte{0x1b, 0x40, 0x07}); err == nil {
		t.Error("an unknown command decoded")
	}
}
