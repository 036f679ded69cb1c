package enforce

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes carried across boundaries (CLI exit, HTTP status, wire codes).
const (
	EInvalid  = "invalid" // malformed input: unknown step, bad field, bad file
	ERefused  = "refused" // a legal rule forbids the action now
	ENotFound = "not_found"
	EConflict = "conflict"
	EInternal = "internal"
)

// Reasons say which rule refused a step; screens and pages choose their
// words by reason, never by parsing Message.
const (
	ReasonClosed     = "scene_closed"     // the on-scene record is closed
	ReasonRecorded   = "already_recorded" // a non-repeatable step is recorded
	ReasonOrder      = "order"            // earlier steps are missing
	ReasonCrew       = "crew"             // too few officers with valid credentials
	ReasonIncomplete = "incomplete"       // requirements of the step are not met
	ReasonMandatory  = "mandatory"        // close_scene with mandatory steps missing
	ReasonInput      = "input"            // a field or file is malformed
)

// Item is one thing a refusal names as missing or wrong, in both languages.
// Name is stable for programs: a field name, "signature:ROLE", "av",
// "photos", a step kind, or a rule id.
type Item struct {
	Name    string `json:"name"`
	Zh      string `json:"zh"`
	En      string `json:"en"`
	Article string `json:"article,omitempty"`
}

// Text is the item in Chinese, or in English when english is set.
func (i Item) Text(english bool) string {
	if english && i.En != "" {
		return i.En
	}
	return i.Zh
}

// Error is a refusal an officer can act on: which rule, for which step, every
// item that is missing or wrong, and the article that requires it. Message is
// English for logs and the command line; MessageZh is what screens show.
type Error struct {
	Code      string
	Reason    string
	Step      string
	Message   string
	MessageZh string
	Missing   []Item
	Article   string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Step != "" {
		fmt.Fprintf(&b, "%s: ", e.Step)
	}
	b.WriteString(e.Message)
	if len(e.Missing) > 0 {
		fmt.Fprintf(&b, ": missing %s", strings.Join(e.MissingText(true), ", "))
	}
	if e.Article != "" {
		fmt.Fprintf(&b, " (%s)", e.Article)
	}
	return b.String()
}

// Zh is the refusal in Chinese with the regulations cited by name, as shown
// to officers and supervisors.
func (e *Error) Zh() string {
	var b strings.Builder
	msg := e.MessageZh
	if msg == "" {
		msg = e.Message
	}
	b.WriteString(msg)
	if len(e.Missing) > 0 {
		fmt.Fprintf(&b, "：%s", strings.Join(e.MissingText(false), "；"))
	}
	if e.Article != "" {
		fmt.Fprintf(&b, "（依据%s）", Cite(e.Article))
	}
	return b.String()
}

// MissingText lists the missing items in one language.
func (e *Error) MissingText(english bool) []string {
	out := make([]string, len(e.Missing))
	for i, m := range e.Missing {
		out[i] = m.Text(english)
	}
	return out
}

// MissingNames lists the stable names of the missing items.
func (e *Error) MissingNames() []string {
	out := make([]string, len(e.Missing))
	for i, m := range e.Missing {
		out[i] = m.Name
	}
	return out
}

// Errorf returns an *Error with the code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, EInternal for errors that carry none.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// Labelled is an item named by id with a Chinese label, as the review
// catalogs name their materials and checks.
func Labelled(id, zh string) Item { return Item{Name: id, Zh: zh, En: id} }
