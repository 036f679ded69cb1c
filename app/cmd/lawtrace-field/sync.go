package main

import (
	"log/slog"
	"os"

	"lawtrace/app/internal/field"
	"lawtrace/app/internal/fieldsync"
	"lawtrace/app/internal/ui"
)

// newSync is the background sync with the backend (app/internal/fieldsync)
// behind the screens' ui.Sync.
func newSync(t *field.Terminal) ui.Sync {
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	return ui.NewLiveSync(t, fieldsync.Options{AppVersion: "lawtrace-field " + version, Logger: logger})
}
