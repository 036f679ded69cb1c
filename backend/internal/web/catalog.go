package web

import (
	"context"
	"encoding/json"
	"sync"

	"lawtrace/shared/enforce"
	"lawtrace/shared/syncproto"
)

// catalogCache holds the procedure definitions, rights texts and officers
// of the down-sync catalog, reloaded when the catalog head moves.
type catalogCache struct {
	mu         sync.Mutex
	head       int64
	loaded     bool
	procedures map[string]map[int]*enforce.Procedure // id → version → definition
	latest     map[string]*enforce.Procedure
	rights     map[string]map[int]enforce.RightsText
	officers   map[string]enforce.Officer // newest version by credential number
}

type catalogView struct {
	procedures map[string]map[int]*enforce.Procedure
	latest     map[string]*enforce.Procedure
	rights     map[string]map[int]enforce.RightsText
	officers   map[string]enforce.Officer
}

// procedure returns the version a case pinned, else the newest.
func (c *catalogView) procedure(id string, version int) *enforce.Procedure {
	if p, ok := c.procedures[id][version]; ok {
		return p
	}
	return c.latest[id]
}

func (c *catalogView) procedureName(id string) string {
	if p, ok := c.latest[id]; ok {
		return p.Name
	}
	if id == "" {
		return "（未知类型）"
	}
	return id
}

// catalog returns the current catalog, reloading it if the head moved.
func (s *Server) catalog(ctx context.Context) (*catalogView, error) {
	_, head, err := s.st.CatalogSince(ctx, 1<<62, 1)
	if err != nil {
		return nil, err
	}
	c := &s.catalogCache
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.loaded || head != c.head {
		if err := c.load(ctx, s.st); err != nil {
			return nil, err
		}
		c.head, c.loaded = head, true
	}
	return &catalogView{procedures: c.procedures, latest: c.latest, rights: c.rights, officers: c.officers}, nil
}

func (c *catalogCache) load(ctx context.Context, st Store) error {
	procs := map[string]map[int]*enforce.Procedure{}
	latest := map[string]*enforce.Procedure{}
	vs, err := st.CatalogVersions(ctx, syncproto.KindProcedure)
	if err != nil {
		return err
	}
	for _, v := range vs {
		p, err := enforce.ParseProcedure(v.Body)
		if err != nil {
			continue
		}
		if procs[p.ID] == nil {
			procs[p.ID] = map[int]*enforce.Procedure{}
		}
		procs[p.ID][p.Version] = p
		if old, ok := latest[p.ID]; !ok || old.Version < p.Version {
			latest[p.ID] = p
		}
	}
	rights := map[string]map[int]enforce.RightsText{}
	vs, err = st.CatalogVersions(ctx, syncproto.KindRights)
	if err != nil {
		return err
	}
	for _, v := range vs {
		r, err := enforce.ParseRightsText(v.Body)
		if err != nil {
			continue
		}
		if rights[r.ID] == nil {
			rights[r.ID] = map[int]enforce.RightsText{}
		}
		rights[r.ID][r.Version] = r
	}
	officers := map[string]enforce.Officer{}
	items, err := st.CatalogLatest(ctx, syncproto.KindOfficer)
	if err != nil {
		return err
	}
	for _, it := range items {
		var o enforce.Officer
		if json.Unmarshal(it.Body, &o) == nil {
			officers[o.Cert] = o
		}
	}
	c.procedures, c.latest, c.rights, c.officers = procs, latest, rights, officers
	return nil
}
