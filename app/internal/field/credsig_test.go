package field

import (
	"crypto/ed25519"
	"encoding/json"
	"testing"

	"lawtrace/shared/credential"
	"lawtrace/shared/enforce"
	"lawtrace/shared/syncproto"
)

// SPEC F3 P7: the terminal keeps the server's signature over an officer's
// credential from the catalog (setting credential_sig.CERT, which the show-ID
// screen puts in the QR code), and a newer unsigned version clears it.
func TestCatalogCredentialSignature(t *testing.T) {
	term := newTerminal(t)
	_, key, _ := ed25519.GenerateKey(nil)
	o := enforce.Officer{Name: "王强", Cert: "15010001", Unit: "一中队", Expires: "2099-12-31"}
	sig := credential.Sign(key, o.Cert, o.Name, o.Expires)
	body, _ := json.Marshal(struct {
		enforce.Officer
		CredentialSig string `json:"credential_sig"`
	}{o, sig})
	if err := term.ApplyCatalog([]syncproto.CatalogItem{{Seq: 1, Kind: syncproto.KindOfficer, Key: o.Cert, Version: 1, Body: body}}); err != nil {
		t.Fatal(err)
	}
	got, err := term.Setting("credential_sig.15010001")
	if err != nil || got != sig {
		t.Fatalf("stored signature %q, %v; want %q", got, err, sig)
	}
	if !credential.Verify(key.Public().(ed25519.PublicKey), o.Cert, o.Name, o.Expires, got) {
		t.Fatal("stored signature does not verify")
	}
	body, _ = json.Marshal(o)
	if err := term.ApplyCatalog([]syncproto.CatalogItem{{Seq: 2, Kind: syncproto.KindOfficer, Key: o.Cert, Version: 2, Body: body}}); err != nil {
		t.Fatal(err)
	}
	if got, _ := term.Setting("credential_sig.15010001"); got != "" {
		t.Fatalf("an unsigned newer version left the old signature %q", got)
	}
}
