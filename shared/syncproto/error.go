package syncproto

import (
	"errors"
	"fmt"
)

// Code names what went wrong on the wire; both sides map it to behaviour.
type Code string

// Wire error codes. Retryable ones may succeed if the same thing is tried
// again later (after reconnecting, or from the offset the error names);
// final ones will not, and the terminal shows the message to the officer.
const (
	CodeBadFrame        Code = "bad_frame"        // final: the frame could not be decoded
	CodeTooLarge        Code = "frame_too_large"  // final: a frame over MaxFrameSize
	CodeVersion         Code = "protocol_version" // final: the peer speaks an unsupported version
	CodeUnexpected      Code = "unexpected"       // final: a message not allowed at this point
	CodeUnknownDevice   Code = "unknown_device"   // final: the device is not enrolled
	CodeRevoked         Code = "revoked"          // final: the device was revoked (SPEC S6)
	CodeAuth            Code = "auth_failed"      // final: the challenge signature does not verify
	CodeEnrolCode       Code = "bad_enrol_code"   // final: unknown, used or expired one-time code
	CodeForgedDevice    Code = "forged_device"    // final: an entry claims another device
	CodeBadEntry        Code = "bad_entry"        // final: hash, chain or signature does not verify
	CodeConflict        Code = "conflict"         // final: a different entry under a number already taken
	CodeGap             Code = "gap"              // retryable: entries missing before the batch (Expect)
	CodeUnknownMedia    Code = "unknown_media"    // final: no accepted entry references this file
	CodeMediaMismatch   Code = "media_mismatch"   // final: the bytes do not hash to the announced hash
	CodeOffset          Code = "offset_mismatch"  // retryable: resume from Expect
	CodeLogInconsistent Code = "log_inconsistent" // final: the server's log or proofs do not verify
	CodeBusy            Code = "busy"             // retryable: the server is overloaded or shutting down
	CodeInternal        Code = "internal"         // retryable: a server fault
	CodeTimeout         Code = "timeout"          // retryable: no answer in time
)

var retryable = map[Code]bool{CodeGap: true, CodeOffset: true, CodeBusy: true, CodeInternal: true, CodeTimeout: true}

// Error is a structured refusal carried on the wire: a code, a message an
// officer or operator can read, whether retrying can help, and for gaps and
// offsets the number the peer expects next.
type Error struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
	Retry   bool   `json:"retryable"`
	Expect  int64  `json:"expect,omitempty"`
}

// Errorf builds an *Error; whether it is retryable follows from the code.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...), Retry: retryable[code]}
}

func (e *Error) Error() string { return string(e.Code) + ": " + e.Message }

// Retryable reports whether trying again later can succeed.
func (e *Error) Retryable() bool { return e.Retry }

// Type implements Message.
func (*Error) Type() MsgType { return TypeError }

// AsError returns the *Error inside err, or nil.
func AsError(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}

// IsRetryable reports whether err may go away by retrying: wire errors say
// so themselves; anything else (a dropped connection, a timeout) is retryable.
func IsRetryable(err error) bool {
	if e := AsError(err); e != nil {
		return e.Retry
	}
	return err != nil
}
