package web

import (
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"
)

// Who the client is behind a reverse proxy (issue 13 finding 5, SPEC S6):
// X-Forwarded-For and X-Forwarded-Proto are believed only from the peers
// in Options.TrustedProxies. The client is the right-most address of
// X-Forwarded-For that is not itself a trusted proxy: every proxy appends
// the address it received from, so anything to the left of the first
// untrusted hop may have been written by the client and is ignored.

type clientKey struct{}

type clientInfo struct {
	ip    string
	https bool
}

// ParseProxies reads trusted proxy addresses and CIDR prefixes.
func ParseProxies(list []string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range list {
		for _, f := range strings.Split(item, ",") {
			f = strings.TrimSpace(f)
			if f == "" {
				continue
			}
			if p, err := netip.ParsePrefix(f); err == nil {
				out = append(out, p.Masked())
				continue
			}
			a, err := netip.ParseAddr(f)
			if err != nil {
				return nil, fmt.Errorf("trusted proxy %q is neither an address nor a CIDR prefix", f)
			}
			a = a.Unmap()
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
		}
	}
	return out, nil
}

func peerIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) trusted(ip string) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range s.proxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// client works out the client's address and whether the request came over
// TLS.
func (s *Server) client(r *http.Request) clientInfo {
	peer := peerIP(r)
	c := clientInfo{ip: peer, https: r.TLS != nil}
	if !s.trusted(peer) {
		return c
	}
	if p := lastField(r.Header.Values("X-Forwarded-Proto")); p != "" {
		c.https = strings.EqualFold(p, "https")
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break // a malformed hop: nothing left of it can be believed
		}
		c.ip = a.Unmap().String()
		if !s.trusted(c.ip) {
			break
		}
	}
	return c
}

func lastField(values []string) string {
	if len(values) == 0 {
		return ""
	}
	f := strings.Split(values[len(values)-1], ",")
	return strings.TrimSpace(f[len(f)-1])
}

// ClientIP is the address of the client of a request, through trusted
// proxies (the server's /metrics uses it).
func (s *Server) ClientIP(r *http.Request) string {
	if c, ok := r.Context().Value(clientKey{}).(clientInfo); ok {
		return c.ip
	}
	return s.client(r).ip
}

// secure reports whether cookies set on this request are Secure.
func (s *Server) secure(r *http.Request) bool {
	if s.cfg.Options.SecureCookies {
		return true
	}
	if c, ok := r.Context().Value(clientKey{}).(clientInfo); ok {
		return c.https
	}
	return s.client(r).https
}
