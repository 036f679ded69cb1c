package widgets

import (
	"image"
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"rsc.io/qr"
)

// QRImage encodes text as a QR code (error correction level M) and returns
// it as an image of one pixel per module with the standard four-module
// quiet zone, black on white.
func QRImage(text string) (image.Image, error) {
	code, err := qr.Encode(text, qr.M)
	if err != nil {
		return nil, err
	}
	const quiet = 4
	n := code.Size + 2*quiet
	img := image.NewGray(image.Rect(0, 0, n, n))
	for y := 0; y < n; y++ {
		for x := 0; x < n; x++ {
			c := color.Gray{Y: 0xff}
			if code.Black(x-quiet, y-quiet) {
				c = color.Gray{}
			}
			img.SetGray(x, y, c)
		}
	}
	return img, nil
}

// NewQRCode shows text as a QR code at least size units square, drawn
// with sharp module edges so a phone camera reads it off the screen.
func NewQRCode(text string, size float32) (*canvas.Image, error) {
	img, err := QRImage(text)
	if err != nil {
		return nil, err
	}
	ci := canvas.NewImageFromImage(img)
	ci.ScaleMode = canvas.ImageScalePixels
	ci.FillMode = canvas.ImageFillContain
	ci.SetMinSize(fyne.NewSquareSize(size))
	return ci, nil
}
