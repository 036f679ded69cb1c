// Package field is the terminal's offline core: device identity, officers, cases, guarded steps, the signed ledger, media store and outbox; the Fyne app and lawtrace-fieldctl both call it.
package field
