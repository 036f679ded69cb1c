package enforce

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
)

// RightsText is one version of a statutory rights notice shown to a party (SPEC F4).
type RightsText struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
	Title   string `json:"title"`
	TitleEn string `json:"title_en"`
	Text    string `json:"text"`
	TextEn  string `json:"text_en"`
	Basis   string `json:"basis"`
}

// Ref names this exact version, as recorded in the notify_rights entry.
func (r RightsText) Ref() string { return fmt.Sprintf("%s-v%d", r.ID, r.Version) }

// ParseRightsText decodes and checks a rights text file.
func ParseRightsText(data []byte) (RightsText, error) {
	var r RightsText
	if err := json.Unmarshal(data, &r); err != nil {
		return r, Errorf(EInvalid, "rights text is not valid JSON: %v", err)
	}
	if r.ID == "" || r.Version < 1 || r.Title == "" || r.Text == "" {
		return r, Errorf(EInvalid, "rights text %q v%d: id, version ≥ 1, title and text are required", r.ID, r.Version)
	}
	return r, nil
}

// Catalog is the set of procedure definitions and rights texts a terminal
// works with: the newest version of each.
type Catalog struct {
	Procedures map[string]*Procedure
	Rights     map[string]RightsText
}

// LoadCatalog reads procedures/*.json and rights/*.json from fsys, keeping
// the newest version of each id, and checks every procedure names a rights text.
func LoadCatalog(fsys fs.FS) (*Catalog, error) {
	c := &Catalog{Procedures: map[string]*Procedure{}, Rights: map[string]RightsText{}}
	files, err := fs.Glob(fsys, "procedures/*.json")
	if err != nil {
		return nil, err
	}
	for _, name := range files {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		p, err := ParseProcedure(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path.Base(name), err)
		}
		c.AddProcedure(p)
	}
	files, err = fs.Glob(fsys, "rights/*.json")
	if err != nil {
		return nil, err
	}
	for _, name := range files {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		r, err := ParseRightsText(data)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path.Base(name), err)
		}
		c.AddRights(r)
	}
	for _, p := range c.Procedures {
		if _, ok := c.Rights[p.RightsText]; !ok {
			return nil, Errorf(EInvalid, "procedure %s names rights text %q, which is not in the catalog", p.ID, p.RightsText)
		}
	}
	return c, nil
}

// AddProcedure keeps p if it is newer than the version held.
func (c *Catalog) AddProcedure(p *Procedure) {
	if old, ok := c.Procedures[p.ID]; !ok || old.Version < p.Version {
		c.Procedures[p.ID] = p
	}
}

// AddRights keeps r if it is newer than the version held.
func (c *Catalog) AddRights(r RightsText) {
	if old, ok := c.Rights[r.ID]; !ok || old.Version < r.Version {
		c.Rights[r.ID] = r
	}
}

// ProcedureIDs lists the procedure ids in sorted order.
func (c *Catalog) ProcedureIDs() []string {
	var ids []string
	for id := range c.Procedures {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}
