package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Issue 13 finding 3, SPEC D4 D3 X3: a careless administrator's paste —
// a 2 MB officer name — stopped every terminal syncing. Every field an
// administrator enters is limited and refused in Chinese, naming the field
// and its limit, with nothing published and the form not echoing the
// megabyte back: officers (new and edited), accounts (new and edited),
// device names, and the reasons of a revocation.
func TestAdminFieldsAreLimited(t *testing.T) {
	e := start(t, nil)
	ctx := context.Background()
	admin := e.as("admin")
	_, headBefore, _ := e.m.Data.Store.CatalogSince(ctx, 1<<62, 1)
	huge := strings.Repeat("王", 700_000) // 2.1 MB
	refused := func(what string, r response, want string) {
		t.Helper()
		if r.StatusCode != http.StatusBadRequest && r.StatusCode != http.StatusSeeOther {
			t.Errorf("%s: status %d", what, r.StatusCode)
		}
		body := r.body
		if r.StatusCode == http.StatusSeeOther { // refusals shown on the next page
			body = admin.get(r.Header.Get("Location")).body
		}
		if !strings.Contains(body, want) {
			t.Errorf("%s: no %q on the page", what, want)
		}
		if len(r.body) > 200_000 {
			t.Errorf("%s: the refusal page has %d bytes (the paste echoed)", what, len(r.body))
		}
	}
	refused("new officer", admin.post("/admin/officers", url.Values{"name": {huge}, "cert": {"15010019"}, "expires": {"2027-06-30"}}), "姓名不能超过 40 个字")
	refused("new officer unit", admin.post("/admin/officers", url.Values{"name": {"钱进"}, "cert": {"15010019"}, "unit": {strings.Repeat("队", 101)}, "expires": {"2027-06-30"}}), "执法部门不能超过 100 个字")
	refused("edited officer", admin.post("/admin/officers/15010001", url.Values{"name": {huge}, "expires": {"2027-06-30"}}), "姓名不能超过 40 个字")
	refused("area with a control character", admin.post("/admin/officers", url.Values{"name": {"钱进"}, "cert": {"15010019"}, "area": {"东城\x00区"}, "expires": {"2027-06-30"}}), "执法区域含有控制字符")
	if _, head, _ := e.m.Data.Store.CatalogSince(ctx, headBefore, 10); head != headBefore {
		t.Fatalf("a refused officer was published: head %d → %d", headBefore, head)
	}
	refused("new account", admin.post("/admin/accounts", url.Values{"username": {"zhao"}, "name": {huge}, "role": {"supervisor"}}), "姓名不能超过 40 个字")
	refused("account user name", admin.post("/admin/accounts", url.Values{"username": {strings.Repeat("z", 41)}, "name": {"赵一"}, "role": {"supervisor"}}), "用户名不能超过 40 个字")
	refused("device name", admin.post("/admin/devices/enrol", url.Values{"name": {huge}}), "不超过 60 字")
}
