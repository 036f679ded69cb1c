package ui

import (
	"net/url"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"lawtrace/app/internal/ui/widgets"
	"lawtrace/shared/enforce"
)

// credentialSigKey is the setting where sync may keep the backend's
// signature over an officer's credential ("cert|name|expires", base64url);
// when present it is added to the QR payload so a party can check it
// offline against the agency's published key (SPEC F3, P7).
func credentialSigKey(cert string) string { return "credential_sig." + cert }

// registryURL is the public officer registry page of a credential, on the
// backend the terminal enrolled with: ws(s)://host/sync becomes
// http(s)://host/public/officers/CERT. Empty when no server is known.
func registryURL(server, cert string) string {
	u, err := url.Parse(strings.TrimSpace(server))
	if err != nil || u.Host == "" {
		return ""
	}
	switch u.Scheme {
	case "ws":
		u.Scheme = "http"
	case "wss":
		u.Scheme = "https"
	case "http", "https":
	default:
		return ""
	}
	u.Path = "/public/officers/" + url.PathEscape(cert)
	u.RawPath, u.RawQuery, u.Fragment = "", "", ""
	return u.String()
}

// credentialPayload is what an officer's QR code holds: the registry URL,
// with the credential's expiry and the backend signature when the terminal
// has one: URL?exp=YYYY-MM-DD&sig=…
func credentialPayload(u *UI, o enforce.Officer) string {
	base := registryURL(u.setting(setServerURL), o.Cert)
	if base == "" {
		return ""
	}
	q := url.Values{"exp": {o.Expires}}
	if sig := u.setting(credentialSigKey(o.Cert)); sig != "" {
		q.Set("sig", sig)
	}
	return base + "?" + q.Encode()
}

// customiseShowID shows each officer's digital credential with its QR code
// and asks for the A/V record of showing it (SPEC F3; 003 §14,
// 000-record §9).
func (f *stepForm) customiseShowID() {
	u := f.u
	f.recordTxt = u.T("Record: credentials shown")
	f.header.Add(wrapped(u.T("Show each credential to the party and let them scan its code. Record the showing on video; only in an emergency write the reason instead.")))
	for _, o := range f.state.Officers {
		f.header.Add(credentialCard(u, o))
	}
	f.addAVPrompt()
}

// credentialCard is one officer's digital credential.
func credentialCard(u *UI, o enforce.Officer) fyne.CanvasObject {
	name := canvas.NewText(o.Name, theme.Color(theme.ColorNameForeground))
	name.TextSize = theme.TextHeadingSize()
	name.TextStyle.Bold = true
	lines := []fyne.CanvasObject{name,
		widget.NewLabel(u.T("Credential No. {{.Cert}}", map[string]any{"Cert": o.Cert})),
	}
	if o.Unit != "" {
		lines = append(lines, wrapped(o.Unit))
	}
	if o.Category != "" || o.Area != "" {
		lines = append(lines, wrapped(strings.TrimSpace(o.Category+" · "+o.Area)))
	}
	lines = append(lines, credentialState(u, o))
	text := container.NewVBox(lines...)
	var qr fyne.CanvasObject
	payload := credentialPayload(u, o)
	if payload == "" {
		qr = wrapped(u.T("No QR code: the terminal is not enrolled with a server yet."))
	} else if img, err := widgets.NewQRCode(payload, 200); err == nil {
		link := widget.NewLabel(payload)
		link.Wrapping = fyne.TextWrapBreak
		link.SizeName = theme.SizeNameCaptionText
		qr = container.NewVBox(container.NewCenter(img), link)
	} else {
		qr = wrapped(err.Error())
	}
	bg := canvas.NewRectangle(theme.Color(theme.ColorNameInputBackground))
	bg.CornerRadius = theme.InputRadiusSize()
	var body fyne.CanvasObject
	if u.wide {
		body = container.NewBorder(nil, nil, nil, qr, text)
	} else {
		body = container.NewVBox(text, qr)
	}
	return container.NewStack(bg, container.NewPadded(body))
}
