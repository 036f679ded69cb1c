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

// Error is a refusal an officer can act on: what is wrong, for which step,
// what is missing, and the article of the regulation that requires it.
type Error struct {
	Code    string
	Step    string
	Message string
	Missing []string
	Article string
}

func (e *Error) Error() string {
	var b strings.Builder
	if e.Step != "" {
		fmt.Fprintf(&b, "%s: ", e.Step)
	}
	b.WriteString(e.Message)
	if len(e.Missing) > 0 {
		fmt.Fprintf(&b, ": missing %s", strings.Join(e.Missing, ", "))
	}
	if e.Article != "" {
		fmt.Fprintf(&b, " (%s)", e.Article)
	}
	return b.String()
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
