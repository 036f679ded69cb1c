package main

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"testing"

	"lawtrace/backend/internal/auth"
	"lawtrace/backend/internal/server"
)

// The first administrator can be made from the command line, before the
// server ever ran; passwd gives a locked-out account a new one-time password.
func TestUseraddAndPasswd(t *testing.T) {
	dir := t.TempDir()
	var out, errOut bytes.Buffer
	if code := run([]string{"--data", dir, "useradd", "--username", "wang", "--name", "王局长", "--role", "admin"}, &out, &errOut); code != 0 {
		t.Fatalf("useradd: %d %s", code, errOut.String())
	}
	pw := regexp.MustCompile(`one-time password: (\S+)`).FindStringSubmatch(out.String())
	if pw == nil {
		t.Fatalf("no password in %q", out.String())
	}
	if code := run([]string{"--data", dir, "useradd", "--username", "wang", "--role", "admin"}, &out, &errOut); code != 1 {
		t.Fatalf("a taken username: %d", code)
	}
	if code := run([]string{"--data", dir, "useradd", "--username", "li", "--role", "root"}, &out, &errOut); code != 2 {
		t.Fatalf("an unknown role: %d", code)
	}
	login := func(password string) (*auth.Session, error) {
		d, err := server.OpenData(dir, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		return auth.New(auth.Config{Store: d.Store}).Login(context.Background(), "wang", password, "127.0.0.1", "test")
	}
	sess, err := login(pw[1])
	if err != nil || sess.Role() != auth.Admin || !sess.Account.MustChange {
		t.Fatalf("sign in with the printed password: %+v %v", sess, err)
	}
	out.Reset()
	if code := run([]string{"--data", dir, "passwd", "wang"}, &out, &errOut); code != 0 {
		t.Fatalf("passwd: %d %s", code, errOut.String())
	}
	pw2 := regexp.MustCompile(`one-time password for wang: (\S+)`).FindStringSubmatch(out.String())
	if pw2 == nil {
		t.Fatalf("no new password in %q", out.String())
	}
	if _, err := login(pw[1]); !errors.Is(err, auth.ErrBadCredentials) {
		t.Fatalf("the old password still works: %v", err)
	}
	if _, err := login(pw2[1]); err != nil {
		t.Fatal(err)
	}
}
