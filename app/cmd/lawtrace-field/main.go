// Command lawtrace-field is the LawTrace field app: the officer's guided on-scene procedure on the handheld terminal (Fyne; wiring only, the screens are in app/internal/ui).
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/lang"

	"lawtrace/app/internal/field"
	"lawtrace/app/internal/ui"
	"lawtrace/assets/i18n"
)

// version is set at build time: -ldflags "-X main.version=…".
var version = "dev"

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "lawtrace-field:", err)
		os.Exit(1)
	}
}

func run() error {
	home := flag.String("home", os.Getenv("LAWTRACE_HOME"), "terminal home directory (default: the app's storage)")
	demo := flag.Bool("demo", false, "on a new home, load the demo officers and cases and open on the case in progress")
	screen := flag.String("screen", "", "open on this screen: "+strings.Join(ui.Screens, ", "))
	size := flag.String("size", "", "window size WxH in Fyne units (default 420x860; a tablet is 1280x800)")
	server := flag.String("server", "", "server URL, e.g. ws://127.0.0.1:8080/sync (saved in settings)")
	language := flag.String("lang", "", "zh or en (saved in settings)")
	contrast := flag.String("high-contrast", "", "on or off (saved in settings)")
	quit := flag.Duration("quit-after", 0, "quit after this long (screenshots)")
	screenAfter := flag.Duration("screen-after", 0, "open --screen after this long, once sync has run (screenshots of the sync details)")
	flag.Parse()

	a := app.NewWithID("cn.lawtrace.field")
	if *home == "" {
		*home = defaultHome(a)
	}
	t, fresh, err := openTerminal(*home)
	if err != nil {
		return err
	}
	defer t.Close()
	if fresh && *demo {
		if _, err := ui.SeedDemo(t, *home, *server); err != nil {
			return fmt.Errorf("demo data: %w", err)
		}
	}
	for key, v := range map[string]string{"server_url": *server, "ui.lang": *language, "ui.high_contrast": onOff(*contrast)} {
		if v != "" {
			if v == "off" {
				v = ""
			}
			if err := t.SetSetting(key, v); err != nil {
				return err
			}
		}
	}
	lg, _ := t.Setting("ui.lang")
	setFyneLanguage(lg)

	w := a.NewWindow("执法留痕 LawTrace")
	width, height := parseSize(*size)
	w.Resize(fyne.NewSize(width, height))
	u := ui.New(a, w, t, newSync(t), ui.Options{Version: version, ImportDir: filepath.Join(*home, "import"), OnLanguage: setFyneLanguage})
	u.Start()
	if *screen != "" && *screenAfter > 0 {
		time.AfterFunc(*screenAfter, func() {
			fyne.Do(func() {
				if err := u.Open(*screen); err != nil {
					fmt.Fprintln(os.Stderr, "lawtrace-field:", err)
				}
			})
		})
	} else if *screen != "" {
		if err := u.Open(*screen); err != nil {
			return err
		}
	}
	if *quit > 0 {
		go func() {
			time.Sleep(*quit)
			fyne.Do(a.Quit)
		}()
	}
	w.SetOnClosed(u.Stop)
	w.ShowAndRun()
	return nil
}

// openTerminal opens the home, creating the device key on first start.
func openTerminal(home string) (*field.Terminal, bool, error) {
	if t, err := field.Open(home); err == nil {
		return t, false, nil
	}
	host, _ := os.Hostname()
	t, err := field.Init(home, "field app "+host)
	return t, true, err
}

// defaultHome is the app's private storage on a phone, a folder in the
// user's config directory on a desktop.
func defaultHome(a fyne.App) string {
	if runtime.GOOS == "android" || runtime.GOOS == "ios" {
		return filepath.Join(a.Storage().RootURI().Path(), "terminal")
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		dir = "."
	}
	return filepath.Join(dir, "lawtrace-field")
}

// setFyneLanguage registers the app's translation files with Fyne and makes
// Fyne's own strings (file dialog, buttons) follow the app's language on
// desktops, where Fyne reads the locale from $LANGUAGE; phones follow the
// system language for those.
func setFyneLanguage(lg string) {
	if lg == "en" {
		os.Setenv("LANGUAGE", "en")
	} else {
		os.Setenv("LANGUAGE", "zh_CN")
	}
	for _, l := range i18n.Languages {
		if data, err := i18n.FS.ReadFile(l + ".json"); err == nil {
			if err := lang.AddTranslationsForLocale(data, fyne.Locale(l)); err != nil {
				fyne.LogError("translations "+l, err)
			}
		}
	}
}

func onOff(s string) string {
	switch s {
	case "on", "1", "true":
		return "1"
	case "off", "0", "false":
		return "off"
	}
	return ""
}

func parseSize(s string) (float32, float32) {
	w, h, ok := strings.Cut(s, "x")
	if !ok {
		return 420, 860
	}
	fw, err1 := strconv.ParseFloat(w, 32)
	fh, err2 := strconv.ParseFloat(h, 32)
	if err1 != nil || err2 != nil {
		return 420, 860
	}
	return float32(fw), float32(fh)
}
