package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"lawtrace/backend/internal/auth"
	"lawtrace/backend/internal/server"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/cmdline"
)

// useradd adds a web account (the first administrator, or anyone while
// the server runs). Without --password-stdin it prints a one-time password
// that must be changed at the first sign-in.
func (c *cli) useradd(args []string) error {
	fs := cmdline.FlagSet("useradd")
	username := fs.String("username", "", "sign-in name")
	name := fs.String("name", "", "the person's name")
	role := fs.String("role", "", "supervisor, reviewer, officer or admin")
	officer := fs.String("officer", "", "credential number (officers)")
	fromStdin := fs.Bool("password-stdin", false, "read the password from the first line of stdin")
	if _, err := cmdline.Parse(fs, args); err != nil {
		return err
	}
	r, ok := auth.ParseRole(*role)
	if *username == "" || !ok {
		return fmt.Errorf("%w: useradd --username U --name N --role supervisor|reviewer|officer|admin [--officer CERT] [--password-stdin]", cmdline.ErrUsage)
	}
	if *name == "" {
		*name = *username
	}
	password, mustChange := "", true
	if *fromStdin {
		line, err := bufio.NewReader(os.Stdin).ReadString('\n')
		if err != nil && line == "" {
			return fmt.Errorf("no password on stdin: %w", err)
		}
		password, mustChange = strings.TrimRight(line, "\r\n"), false
	} else {
		var err error
		if password, err = auth.NewPassword(); err != nil {
			return err
		}
	}
	return c.withData(func(ctx context.Context, d *server.Data) error {
		svc := auth.New(auth.Config{Store: d.Store, Now: d.Now})
		a, err := svc.CreateAccount(ctx, auth.NewAccount{Username: *username, Name: *name, Role: r, OfficerCert: *officer, Password: password, MustChange: mustChange})
		if errors.Is(err, store.ErrExists) {
			return fmt.Errorf("the username %s is taken", *username)
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(c.out, "account %s (%s, %s) created\n", a.Username, a.Name, r)
		if !*fromStdin {
			fmt.Fprintf(c.out, "one-time password: %s\n(to be changed at the first sign-in)\n", password)
		}
		return nil
	})
}

// passwd gives an account a new one-time password and ends its sessions.
func (c *cli) passwd(args []string) error {
	pos, err := cmdline.Parse(cmdline.FlagSet("passwd"), args)
	if err != nil {
		return err
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: passwd USERNAME", cmdline.ErrUsage)
	}
	return c.withData(func(ctx context.Context, d *server.Data) error {
		a, err := d.Store.AccountByUsername(ctx, pos[0])
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no account %s", pos[0])
		}
		if err != nil {
			return err
		}
		password, err := auth.NewPassword()
		if err != nil {
			return err
		}
		if err := auth.New(auth.Config{Store: d.Store, Now: d.Now}).SetPassword(ctx, a, password, true); err != nil {
			return err
		}
		fmt.Fprintf(c.out, "one-time password for %s: %s\n(to be changed at the next sign-in; the account's sessions were ended)\n", a.Username, password)
		return nil
	})
}
