package widgets

import (
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/image/draw"

	"lawtrace/shared/testtool"
)

// SPEC F3 P7: the credential QR code holds exactly the payload: a reader
// (zbarimg, when installed) decodes it back; without one the test checks
// the quiet zone and the finder pattern.
func TestQRCodeDecodes(t *testing.T) {
	payload := "https://zf.example.gov.cn/public/officers/15010001?exp=2027-12-31&sig=c2lnbmF0dXJl"
	img, err := QRImage(payload)
	if err != nil {
		t.Fatal(err)
	}
	b := img.Bounds()
	if b.Dx() != b.Dy() || b.Dx() < 21+8 {
		t.Fatalf("QR image %v is not a square code with its quiet zone", b)
	}
	gray := img.(*image.Gray)
	if gray.GrayAt(0, 0).Y != 0xff || gray.GrayAt(3, 3).Y != 0xff {
		t.Error("no white quiet zone")
	}
	if gray.GrayAt(4, 4).Y != 0 || gray.GrayAt(10, 10).Y != 0 || gray.GrayAt(5, 5).Y != 0xff {
		t.Error("no finder pattern at the top left")
	}
	zbar := testtool.Path(t, "zbarimg", "apt-get install zbar-tools")
	big := image.NewGray(image.Rect(0, 0, b.Dx()*8, b.Dy()*8))
	draw.NearestNeighbor.Scale(big, big.Bounds(), img, b, draw.Src, nil)
	path := filepath.Join(t.TempDir(), "qr.png")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := png.Encode(f, big); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out, err := exec.Command(zbar, "-q", "--raw", path).Output()
	if err != nil {
		t.Fatalf("zbarimg could not read the code: %v", err)
	}
	if got := strings.TrimSpace(string(out)); got != payload {
		t.Fatalf("decoded %q, want %q", got, payload)
	}
}
