package server

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"
	"sync"
	"time"

	"lawtrace/assets"
	"lawtrace/assets/publicity"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/credential"
	"lawtrace/shared/enforce"
	"lawtrace/shared/syncproto"
)

// DemoAgency is the agency the demo data belongs to.
const DemoAgency = "呼和浩特市新城区市场监督管理局"

// DemoOfficers are the demo officers; the first two are the crew the
// terminal's demo scenario names. Credentials run to the end of next year.
func DemoOfficers(now time.Time) []enforce.Officer {
	expires := fmt.Sprintf("%d-12-31", now.Year()+1)
	unit := "市场监管综合执法大队一中队"
	return []enforce.Officer{
		{Name: "王强", Cert: "15010001", Unit: unit, Category: "市场监管", Area: "新城区", Expires: expires},
		{Name: "李明", Cert: "15010002", Unit: unit, Category: "市场监管", Area: "新城区", Expires: expires},
		{Name: "赵丽", Cert: "15010003", Unit: "市场监管综合执法大队二中队", Category: "市场监管", Area: "新城区", Expires: expires},
		{Name: "孙浩", Cert: "15010004", Unit: "市场监管综合执法大队二中队", Category: "市场监管", Area: "新城区", Expires: expires},
		{Name: "周敏", Cert: "15010005", Unit: "法制审核科", Category: "法制审核", Area: "新城区", Expires: expires},
		{Name: "吴军", Cert: "15010006", Unit: unit, Category: "市场监管", Area: "新城区", Expires: fmt.Sprintf("%d-01-31", now.Year()-1)},
	}
}

// Seed puts every procedure definition and rights text version of
// assets.FS into the down-sync catalog (SPEC F2, S5), and with demo an
// agency and officers with credentials. It is idempotent.
func Seed(ctx context.Context, st store.Store, now time.Time, demo bool, agency string) error {
	if _, err := enforce.LoadCatalog(assets.FS); err != nil {
		return fmt.Errorf("built-in catalog: %w", err)
	}
	for _, kind := range []string{syncproto.KindProcedure, syncproto.KindRights} {
		dir := "procedures"
		if kind == syncproto.KindRights {
			dir = "rights"
		}
		files, err := fs.Glob(assets.FS, dir+"/*.json")
		if err != nil {
			return err
		}
		for _, name := range files {
			data, err := fs.ReadFile(assets.FS, name)
			if err != nil {
				return err
			}
			id, version, err := catalogKey(kind, data)
			if err != nil {
				return fmt.Errorf("%s: %w", path.Base(name), err)
			}
			var body bytes.Buffer
			if err := json.Compact(&body, data); err != nil {
				return err
			}
			if _, _, err := st.PutCatalogItem(ctx, syncproto.CatalogItem{Kind: kind, Key: id, Version: version, Body: body.Bytes()}, now); err != nil {
				return err
			}
		}
	}
	if agency == "" && demo {
		agency = DemoAgency
	}
	if agency != "" {
		if err := store.CheckText("机关名称", agency, store.MaxAgencyNameChars); err != nil {
			return err
		}
		body, _ := json.Marshal(syncproto.Agency{Name: agency})
		if demo && agency == DemoAgency {
			// the demo agency's public particulars (000-publicity §6-7)
			body = publicity.DemoAgency
		}
		if _, _, err := st.PutCatalogItem(ctx, syncproto.CatalogItem{Kind: syncproto.KindAgency, Key: "agency", Body: body}, now); err != nil {
			return err
		}
		if err := st.SetSetting(ctx, "agency", agency); err != nil {
			return err
		}
	}
	if demo {
		for _, o := range DemoOfficers(now) {
			if _, _, err := PutOfficer(ctx, st, o, now); err != nil {
				return err
			}
		}
	}
	return signPublishedOfficers(ctx, st, now)
}

func catalogKey(kind string, data []byte) (string, int, error) {
	if kind == syncproto.KindProcedure {
		p, err := enforce.ParseProcedure(data)
		if err != nil {
			return "", 0, err
		}
		return p.ID, p.Version, nil
	}
	r, err := enforce.ParseRightsText(data)
	return r.ID, r.Version, err
}

// PutOfficer publishes an officer and credential to terminals (SPEC D4, S5);
// a changed officer becomes a new version.
func PutOfficer(ctx context.Context, st store.Store, o enforce.Officer, now time.Time) (syncproto.CatalogItem, bool, error) {
	o.Name, o.Cert = strings.TrimSpace(o.Name), strings.TrimSpace(o.Cert)
	if o.Name == "" || o.Cert == "" {
		return syncproto.CatalogItem{}, false, enforce.Errorf(enforce.EInvalid, "an officer needs a name and a credential number")
	}
	if err := store.CheckOfficer(o); err != nil {
		return syncproto.CatalogItem{}, false, err
	}
	if _, err := time.Parse(enforce.DateLayout, o.Expires); err != nil {
		return syncproto.CatalogItem{}, false, enforce.Errorf(enforce.EInvalid, "credential %s: expiry must be a date YYYY-MM-DD, got %q", o.Cert, o.Expires)
	}
	item := OfficerItem{Officer: o}
	if key, ok := credentialKeys.Load(st); ok {
		item.CredentialSig = credential.Sign(key.(ed25519.PrivateKey), o.Cert, o.Name, o.Expires)
	}
	body, err := json.Marshal(item)
	if err != nil {
		return syncproto.CatalogItem{}, false, err
	}
	return st.PutCatalogItem(ctx, syncproto.CatalogItem{Kind: syncproto.KindOfficer, Key: o.Cert, Body: body}, now)
}

// Officers lists the newest version of every officer.
func Officers(ctx context.Context, st store.Store) ([]enforce.Officer, error) {
	items, err := st.CatalogLatest(ctx, syncproto.KindOfficer)
	if err != nil {
		return nil, err
	}
	out := make([]enforce.Officer, 0, len(items))
	for _, it := range items {
		var o enforce.Officer
		if err := json.Unmarshal(it.Body, &o); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, nil
}

// OfficerItem is the body of an officer catalog item: the officer and the
// server's signature over the credential (shared/credential), which the
// terminal puts in the credential QR code so anyone can check it offline
// (SPEC F3, P7). Older terminals read the officer and ignore the rest.
type OfficerItem struct {
	enforce.Officer
	CredentialSig string `json:"credential_sig,omitempty"`
}

// credentialKeys is the server signing key of each opened store (OpenData
// registers it with SignCredentials), so every way of publishing an officer
// — seed, web page, operator command — signs the credential.
var credentialKeys sync.Map // store.Store → ed25519.PrivateKey

// SignCredentials makes PutOfficer sign credentials published to st with key.
func SignCredentials(st store.Store, key ed25519.PrivateKey) { credentialKeys.Store(st, key) }

// signPublishedOfficers republishes, signed, any officer whose newest
// version carries no valid signature by this server's key (officers
// published before credentials were signed, or under another key).
func signPublishedOfficers(ctx context.Context, st store.Store, now time.Time) error {
	k, ok := credentialKeys.Load(st)
	if !ok {
		return nil
	}
	pub := k.(ed25519.PrivateKey).Public().(ed25519.PublicKey)
	items, err := st.CatalogLatest(ctx, syncproto.KindOfficer)
	if err != nil {
		return err
	}
	for _, it := range items {
		var o OfficerItem
		if json.Unmarshal(it.Body, &o) != nil || credential.Verify(pub, o.Cert, o.Name, o.Expires, o.CredentialSig) {
			continue
		}
		if _, _, err := PutOfficer(ctx, st, o.Officer, now); err != nil {
			return err
		}
	}
	return nil
}
