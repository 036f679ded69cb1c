package ui

import (
	"bytes"
	"fmt"
	"image"
	"image/png"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lawtrace/app/internal/escpos"
	"lawtrace/shared/casedoc"
	"lawtrace/shared/ledger"
)

// Settings of the portable printer (SPEC F16).
const (
	setPrinter      = "ui.printer"       // host:port of a TCP printer, or a serial device path
	setPrinterWidth = "ui.printer_width" // "58" or "80" (mm)
)

// printScreen previews the document a recorded step prints (SPEC F12, F16)
// as rendered pages — the same PDF shared/casedoc gives the server's case
// file — and hands it over on the spot: the PDF through the platform's
// share/open, or to a portable thermal printer as an ESC/POS raster image
// (no printer font needed for Chinese).
type printScreen struct {
	u      *UI
	caseID string
	entry  ledger.Entry
	name   string
	pdf    []byte
	pages  []image.Image

	share   *widget.Button
	thermal *widget.Button
	// lastStream is the ESC/POS stream of the last thermal print (tests).
	lastStream []byte
	lastPath   string
}

func (u *UI) openPrint(caseID, entryID string) {
	u.push(route{name: "print:" + entryID, build: func() (string, fyne.CanvasObject) {
		s, err := newPrintScreen(u, caseID, entryID)
		if err != nil {
			u.showError(err, nil)
			return u.T("Print"), wrapped(err.Error())
		}
		u.printer = s
		return s.name, s.content()
	}})
}

func newPrintScreen(u *UI, caseID, entryID string) (*printScreen, error) {
	c, err := u.term.Case(caseID)
	if err != nil {
		return nil, err
	}
	s := &printScreen{u: u, caseID: caseID}
	for _, e := range c.Entries {
		if e.ID == entryID {
			s.entry = e
		}
	}
	s.name = casedoc.Title(c.Procedure, s.entry.Step)
	if s.pdf, err = u.term.Document(caseID, entryID); err != nil {
		return nil, err
	}
	render := u.opt.RenderPDF
	if render == nil {
		render = renderPDF
	}
	s.pages, err = render(s.pdf)
	return s, err
}

func (s *printScreen) content() fyne.CanvasObject {
	u := s.u
	objs := []fyne.CanvasObject{wrapped(u.T("The document as it prints: {{.N}} pages.", map[string]any{"N": len(s.pages)}))}
	s.share = widget.NewButtonWithIcon(u.T("Share or open the PDF"), theme.MailSendIcon(), s.sharePDF)
	s.share.Importance = widget.HighImportance
	width := u.printerWidth()
	s.thermal = widget.NewButtonWithIcon(u.T("Print on the portable printer ({{.W}} mm)", map[string]any{"W": width}), theme.DocumentPrintIcon(), s.printThermal)
	objs = append(objs, tall(s.share, touch), tall(s.thermal, touch))
	w := u.win.Canvas().Size().Width - 4*theme.Padding()
	if u.wide {
		w = min(w, 720)
	}
	for i, p := range s.pages {
		b := p.Bounds()
		var buf bytes.Buffer
		if err := png.Encode(&buf, p); err != nil {
			continue
		}
		img := canvas.NewImageFromResource(fyne.NewStaticResource(fmt.Sprintf("page-%d.png", i+1), buf.Bytes()))
		img.FillMode = canvas.ImageFillContain
		img.SetMinSize(fyne.NewSize(w, w*float32(b.Dy())/float32(b.Dx())))
		objs = append(objs, widget.NewLabel(u.T("Page {{.N}}", map[string]any{"N": i + 1})), img)
	}
	return scroll(objs...)
}

// printerWidth is the paper width set in settings, in mm.
func (u *UI) printerWidth() int {
	if u.setting(setPrinterWidth) == "58" {
		return 58
	}
	return 80
}

// printDir is where documents to hand over are written.
func (u *UI) printDir() string {
	if u.opt.ImportDir != "" {
		return filepath.Join(filepath.Dir(u.opt.ImportDir), "print")
	}
	return filepath.Join(os.TempDir(), "lawtrace-print")
}

func (s *printScreen) fileName(ext string) string {
	return fmt.Sprintf("%s-%d-%s%s", s.caseID, s.entry.Seq, s.entry.Step, ext)
}

func (s *printScreen) write(name string, data []byte) (string, error) {
	dir := s.u.printDir()
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	path := filepath.Join(dir, name)
	return path, os.WriteFile(path, data, 0o600)
}

// sharePDF writes the PDF and hands it to the platform: Options.Share, else
// the desktop's or phone's handler for the file (its print dialog).
func (s *printScreen) sharePDF() {
	u := s.u
	path, err := s.write(s.fileName(".pdf"), s.pdf)
	if err != nil {
		u.showError(err, nil)
		return
	}
	s.lastPath = path
	if u.opt.Share != nil {
		err = u.opt.Share(path)
	} else {
		err = u.app.OpenURL(&url.URL{Scheme: "file", Path: path})
	}
	if err != nil {
		u.problem(u.T("Could not open the PDF"), u.T("The PDF is saved at {{.Path}}; open it from the file manager to print or share it.", map[string]any{"Path": path}))
		return
	}
	u.notify(u.T("PDF handed to the system: {{.Path}}", map[string]any{"Path": filepath.Base(path)}))
}

// printThermal sends the pages as an ESC/POS raster to the printer set in
// settings; without one the stream is saved to a file.
func (s *printScreen) printThermal() {
	u := s.u
	dots := escpos.Width80
	if u.printerWidth() == 58 {
		dots = escpos.Width58
	}
	addr := strings.TrimSpace(u.setting(setPrinter))
	var path string
	u.run(u.T("Printing…"), func() error {
		s.lastStream = escpos.Raster(s.pages, dots)
		if addr == "" {
			var err error
			path, err = s.write(s.fileName(fmt.Sprintf("-%dmm.escpos", u.printerWidth())), s.lastStream)
			return err
		}
		return sendToPrinter(addr, s.lastStream)
	}, func(err error) {
		if err != nil {
			u.problem(u.T("The printer did not answer"), u.T("Check that the printer at {{.Addr}} is on, paired or on the same network, and has paper; then print again. ({{.Err}})", map[string]any{"Addr": addr, "Err": err.Error()}))
			return
		}
		if path != "" {
			s.lastPath = path
			u.notify(u.T("No printer set in Settings: the print is saved as {{.Path}}", map[string]any{"Path": filepath.Base(path)}))
			return
		}
		u.notify(u.T("Sent to the printer {{.Addr}}", map[string]any{"Addr": addr}))
	})
}

// sendToPrinter writes an ESC/POS stream to a TCP printer (host:port, the
// usual port is 9100) or to a serial device (a paired Bluetooth printer's
// /dev/rfcomm0 on Linux).
func sendToPrinter(addr string, stream []byte) error {
	if strings.HasPrefix(addr, "/") {
		f, err := os.OpenFile(addr, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		if _, err := f.Write(stream); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	addr = strings.TrimPrefix(addr, "tcp://")
	if _, _, err := net.SplitHostPort(addr); err != nil {
		addr = net.JoinHostPort(addr, "9100")
	}
	conn, err := net.DialTimeout("tcp", addr, 5*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	_ = conn.SetWriteDeadline(time.Now().Add(30 * time.Second))
	_, err = conn.Write(stream)
	return err
}

// renderPDF renders a PDF's pages at 150 dpi with poppler's pdftoppm, on
// desktops where it is installed (Android and iOS would use their platform
// PDF renderer through Options.RenderPDF; not built here).
func renderPDF(pdf []byte) ([]image.Image, error) {
	bin, err := exec.LookPath("pdftoppm")
	if err != nil {
		return nil, fmt.Errorf("this device has no PDF renderer (pdftoppm from poppler-utils): share or open the PDF instead")
	}
	dir, err := os.MkdirTemp("", "lawtrace-render-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	in := filepath.Join(dir, "doc.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		return nil, err
	}
	if out, err := exec.Command(bin, "-r", "150", "-gray", "-png", in, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pdftoppm: %v: %s", err, out)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "page-*.png"))
	sort.Slice(files, func(i, j int) bool {
		if len(files[i]) != len(files[j]) {
			return len(files[i]) < len(files[j])
		}
		return files[i] < files[j]
	})
	var pages []image.Image
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		img, err := png.Decode(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		pages = append(pages, img)
	}
	if len(pages) == 0 {
		return nil, fmt.Errorf("pdftoppm rendered no page")
	}
	return pages, nil
}
