// Command xwd2png converts the XWD frame buffer Xvfb writes (-fbdir) to a
// PNG, for docs/screens/shoot.sh where ImageMagick is not installed.
// Usage: xwd2png IN.xwd OUT.png (TrueColor, 24 or 32 bits per pixel).
package main

import (
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math/bits"
	"os"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: xwd2png IN.xwd OUT.png")
		os.Exit(2)
	}
	if err := convert(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "xwd2png:", err)
		os.Exit(1)
	}
}

func convert(in, out string) error {
	b, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	if len(b) < 100 {
		return fmt.Errorf("%s is too short for an XWD file", in)
	}
	h := make([]uint32, 25)
	for i := range h {
		h[i] = binary.BigEndian.Uint32(b[i*4:])
	}
	headerSize, version, width, height := h[0], h[1], int(h[4]), int(h[5])
	byteOrder, bpp, bpl := h[7], int(h[11]), int(h[12])
	masks := [3]uint32{h[14], h[15], h[16]}
	ncolors := h[19]
	if version != 7 || (bpp != 32 && bpp != 24) {
		return fmt.Errorf("XWD version %d with %d bits per pixel is not supported", version, bpp)
	}
	data := b[int(headerSize)+int(ncolors)*12:]
	if len(data) < bpl*height {
		return fmt.Errorf("XWD pixel data is %d bytes, want %d", len(data), bpl*height)
	}
	img := image.NewRGBA(image.Rect(0, 0, width, height))
	step := bpp / 8
	for y := 0; y < height; y++ {
		row := data[y*bpl:]
		for x := 0; x < width; x++ {
			p := row[x*step : x*step+step]
			var v uint32
			for i := 0; i < step; i++ {
				if byteOrder == 0 { // LSBFirst
					v |= uint32(p[i]) << (8 * i)
				} else {
					v = v<<8 | uint32(p[i])
				}
			}
			var c [3]uint8
			for i, m := range masks {
				c[i] = uint8((v & m) >> bits.TrailingZeros32(m))
			}
			img.SetRGBA(x, y, color.RGBA{c[0], c[1], c[2], 255})
		}
	}
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	if err := png.Encode(f, img); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
