package syncproto

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Limits on what an unauthenticated peer may send (issue 13, SPEC S6 X3).
// Until a device has answered the challenge, the server reads frames of at
// most MaxHandshakeFrameSize bytes; a Hello or Auth of a conforming
// terminal is well under 1 KiB. Every string in Hello is checked by
// Hello.Check before the server stores or logs it.
const (
	// MaxHandshakeFrameSize bounds every frame before authentication.
	MaxHandshakeFrameSize = 8 << 10
	// MaxAppVersionLen bounds Hello.AppVersion (bytes, printable ASCII).
	MaxAppVersionLen = 64
	// MaxDeviceNameLen bounds EnrolRequest.Name (characters).
	MaxDeviceNameLen = 64
	// MaxEnrolCodeLen bounds EnrolRequest.Code (bytes; letters, digits,
	// dashes and spaces).
	MaxEnrolCodeLen = 32
	// MaxCatalogItemBytes bounds one catalog item's body (a procedure
	// definition, rights text, officer, revocation or the agency): the
	// server refuses to store a larger one and never sends one, so a
	// down-sync frame stays far below MaxBodySize (issue 13 finding 3).
	MaxCatalogItemBytes = 1 << 20
	// MaxBootIDLen bounds Hello.Boot (a boot id is 36 characters).
	MaxBootIDLen = 64
	// deviceIDLen is len("D") + 16 hex digits (DeviceIDFor).
	deviceIDLen = 17
)

// ValidDeviceID reports whether s has the form of a device id: "D" and 16
// lower-case hex digits, as DeviceIDFor makes it.
func ValidDeviceID(s string) bool {
	if len(s) != deviceIDLen || s[0] != 'D' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

// Check validates every client-chosen field of a Hello: the device id's
// form, the app version, and an enrolment's code and device name.
// The error is a bad_frame *Error that names the field and its limit but
// never repeats the value, so it is safe to log and to store.
func (h *Hello) Check() error {
	if !ValidDeviceID(h.DeviceID) {
		return Errorf(CodeBadFrame, "hello: device_id (%d bytes) is not a device id (\"D\" and 16 hex digits)", len(h.DeviceID))
	}
	if len(h.AppVersion) > MaxAppVersionLen || !printableASCII(h.AppVersion) {
		return Errorf(CodeBadFrame, "hello: app_version (%d bytes) must be at most %d printable ASCII characters", len(h.AppVersion), MaxAppVersionLen)
	}
	if len(h.Boot) > MaxBootIDLen || !printableASCII(h.Boot) || h.MonoMs < 0 {
		return Errorf(CodeBadFrame, "hello: boot (%d bytes) must be at most %d printable ASCII characters and mono_ms not negative", len(h.Boot), MaxBootIDLen)
	}
	if h.Outbox < 0 || h.PendingBytes < 0 {
		return Errorf(CodeBadFrame, "hello: outbox and pending_media_bytes must not be negative")
	}
	if e := h.Enrol; e != nil {
		if len(e.Code) > MaxEnrolCodeLen || !enrolCodeChars(e.Code) {
			return Errorf(CodeBadFrame, "hello: the enrolment code (%d bytes) must be at most %d letters, digits, dashes or spaces", len(e.Code), MaxEnrolCodeLen)
		}
		if err := checkName(e.Name); err != nil {
			return err
		}
	}
	return nil
}

func checkName(s string) error {
	n := utf8.RuneCountInString(s)
	if n > MaxDeviceNameLen {
		return Errorf(CodeBadFrame, "hello: the device name has %d characters; at most %d are allowed", n, MaxDeviceNameLen)
	}
	if !utf8.ValidString(s) {
		return Errorf(CodeBadFrame, "hello: the device name is not valid UTF-8")
	}
	for _, r := range s {
		if !unicode.IsPrint(r) {
			return Errorf(CodeBadFrame, "hello: the device name contains a control or invisible character (U+%04X)", r)
		}
	}
	return nil
}

func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7e {
			return false
		}
	}
	return true
}

func enrolCodeChars(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '-' || c == ' ') {
			return false
		}
	}
	return true
}

// CleanText makes a string from a peer safe to log or store: invalid UTF-8
// and control characters become "?", and anything over max bytes is cut
// at a character boundary and marked with the original length. The
// result is never longer than max plus that mark.
func CleanText(s string, max int) string {
	n := len(s)
	if n > max {
		cut := max
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return '?'
		}
		return r
	}, strings.ToValidUTF8(s, "?"))
	if n > max {
		s += fmt.Sprintf("…(%d bytes)", n)
	}
	return s
}
