package pgfanout

import (
	"encoding/json"
	"strings"

	"lawtrace/backend/internal/events"
)

// maxPayload keeps a notification under PostgreSQL's 8000-byte limit.
const maxPayload = 7900

// payloads encodes e as notifications of at most maxPayload bytes: an
// event naming many cases is split into several naming some each (each
// part keeps the event's other fields), and a detail too long for one
// notification is shortened. Events carry ids, never rows.
func payloads(e events.Event) []string {
	b, err := json.Marshal(e)
	if err != nil {
		return nil
	}
	if len(b) <= maxPayload {
		return []string{string(b)}
	}
	if n := len(e.Cases); n > 1 {
		first, rest := e, e
		first.Cases, rest.Cases = e.Cases[:n/2], e.Cases[n/2:]
		return append(payloads(first), payloads(rest)...)
	}
	if e.Detail == "" {
		return nil // ids alone never come near the limit
	}
	e.Detail = strings.ToValidUTF8(e.Detail[:len(e.Detail)/2], "")
	return payloads(e)
}
