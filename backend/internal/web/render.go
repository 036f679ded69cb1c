package web

import (
	"bytes"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"net/url"
	"path"
	"strings"
	"time"

	"lawtrace/backend/internal/auth"
	"lawtrace/shared/enforce"
)

// China time: the pages show times as the agency reads them.
var chinaTime = time.FixedZone("CST", 8*3600)

type pageTemplate struct{ t *template.Template }

// Page is what the layout renders around a page's content.
type Page struct {
	Title   string
	Agency  string
	Session *auth.Session
	CSRF    string
	Nav     []NavItem
	Flash   string
	Path    string
	Now     time.Time
	// Data is the page's own data.
	Data any
}

// Role is the signed-in role, "" on public pages.
func (p *Page) Role() auth.Role {
	if p.Session == nil {
		return ""
	}
	return p.Session.Role()
}

// Is reports whether the signed-in role is one of roles.
func (p *Page) Is(roles ...string) bool {
	for _, r := range roles {
		if string(p.Role()) == r {
			return true
		}
	}
	return false
}

var funcs = template.FuncMap{
	"cite": enforce.Cite, // article ids ("003 §28") as Chinese citations
	"time": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.In(chinaTime).Format("2006-01-02 15:04:05")
	},
	"minute": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.In(chinaTime).Format("01-02 15:04")
	},
	"date": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.In(chinaTime).Format("2006-01-02")
	},
	"iso": func(t time.Time) string {
		if t.IsZero() {
			return ""
		}
		return t.UTC().Format(time.RFC3339)
	},
	"short": func(s string) string {
		if len(s) > 12 {
			return s[:12]
		}
		return s
	},
	"bytes":     humanBytes,
	"roleLabel": func(r string) string { return auth.Role(r).Label() },
	"roles":     func() []auth.Role { return auth.AllRoles },
	"join":      strings.Join,
	"add":       func(a, b int) int { return a + b },
	"ms": func(ms int64) string {
		d := time.Duration(ms) * time.Millisecond
		sign := "+"
		if d < 0 {
			sign, d = "-", -d
		}
		if d >= 10*time.Second {
			return sign + d.Round(time.Second).String()
		}
		return sign + d.String()
	},
	"actionLabel":  actionLabel,
	"purposeLabel": purposeLabel,
	"statusLabel":  requestStatusLabel,
	"query":        url.QueryEscape,
	"dict": func(kv ...any) map[string]any {
		m := map[string]any{}
		for i := 0; i+1 < len(kv); i += 2 {
			k, _ := kv[i].(string)
			m[k] = kv[i+1]
		}
		return m
	},
	"svg": func(s string) template.HTML { return template.HTML(s) }, // only for charts this package renders
}

func humanBytes(n int64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

// parsePages parses templates/layout.html with every partial (_*.html)
// into a base set, and each other file into its own clone of it, named by
// the file name without .html.
func parsePages(fsys fs.FS) (map[string]*pageTemplate, error) {
	base := template.New("layout.html").Funcs(funcs)
	partials, err := fs.Glob(fsys, "templates/_*.html")
	if err != nil {
		return nil, err
	}
	if _, err := base.ParseFS(fsys, append([]string{"templates/layout.html"}, partials...)...); err != nil {
		return nil, err
	}
	files, err := fs.Glob(fsys, "templates/*.html")
	if err != nil {
		return nil, err
	}
	out := map[string]*pageTemplate{}
	for _, f := range files {
		name := strings.TrimSuffix(path.Base(f), ".html")
		if name == "layout" || strings.HasPrefix(name, "_") {
			continue
		}
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		if _, err := t.ParseFS(fsys, f); err != nil {
			return nil, fmt.Errorf("template %s: %w", f, err)
		}
		out[name] = &pageTemplate{t: t}
	}
	return out, nil
}

// Render renders the named page (templates/NAME.html) inside the layout.
func (s *Server) Render(w http.ResponseWriter, r *http.Request, name, title string, data any) error {
	return s.renderStatus(w, r, http.StatusOK, name, title, data)
}

func (s *Server) renderStatus(w http.ResponseWriter, r *http.Request, status int, name, title string, data any) error {
	pt, ok := s.pages[name]
	if !ok {
		return fmt.Errorf("no page template %q", name)
	}
	p := &Page{Title: title, Agency: s.agency(r), Session: SessionOf(r), Path: r.URL.Path, Now: s.cfg.Now(), Data: data}
	if p.Session != nil {
		p.CSRF = p.Session.CSRF
		p.Nav = s.nav(p.Session.Role(), r.URL.Path)
	}
	p.Flash = takeFlash(w, r)
	var buf bytes.Buffer
	if err := pt.t.ExecuteTemplate(&buf, "layout", p); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if w.Header().Get("Cache-Control") == "" {
		w.Header().Set("Cache-Control", "no-store")
	}
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

// RenderFragment renders a named template of a page's set without the
// layout (a board row for the websocket).
func (s *Server) RenderFragment(page, name string, data any) (string, error) {
	pt, ok := s.pages[page]
	if !ok {
		return "", fmt.Errorf("no page template %q", page)
	}
	var buf bytes.Buffer
	if err := pt.t.ExecuteTemplate(&buf, name, data); err != nil {
		return "", err
	}
	return buf.String(), nil
}

func (s *Server) agency(r *http.Request) string {
	if s.cfg.Agency != "" {
		return s.cfg.Agency
	}
	a, _ := s.st.Setting(r.Context(), "agency")
	return a
}

const flashCookie = "lt_flash"

// Flash shows a one-line message on the next page rendered.
func (s *Server) Flash(w http.ResponseWriter, msg string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: url.QueryEscape(msg), Path: "/", MaxAge: 60, HttpOnly: true,
		SameSite: http.SameSiteStrictMode, Secure: s.cfg.Options.SecureCookies})
}

func takeFlash(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1})
	msg, _ := url.QueryUnescape(c.Value)
	return msg
}

// redirect answers a form post with a redirect (303) and a flash message.
func (s *Server) redirect(w http.ResponseWriter, r *http.Request, to, flash string) error {
	if flash != "" {
		s.Flash(w, flash)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }
