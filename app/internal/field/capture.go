package field

// KeepMedia stores a captured file in the media store at once, before any
// step records it, and returns its SHA-256 and size: a photo or recording
// that has landed is kept under its hash even if the app is killed next
// (SPEC F5, R3). Recording the step later stores the same bytes again,
// which the content-addressed store keeps once.
func (t *Terminal) KeepMedia(path string) (string, int64, error) {
	return t.media.PutFile(path)
}

// HasMedia reports whether the media store holds the file with this hash.
func (t *Terminal) HasMedia(hash string) bool { return t.media.Has(hash) }
