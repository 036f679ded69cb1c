package fieldsync

import (
	"context"
	"crypto/x509"
	"errors"
	"net"
	"os"
	"syscall"

	"github.com/gorilla/websocket"

	"lawtrace/shared/syncproto"
)

// ErrorKind is what kind of failure stopped sync, for a message that tells
// an officer what to do (issue 12 (8)). It is found from the error's type
// and the wire code, never from its English text.
type ErrorKind string

// Error kinds.
const (
	KindNone          ErrorKind = ""
	KindNetwork       ErrorKind = "network"        // no route, dropped, timed out: check the network; it retries
	KindRefused       ErrorKind = "refused"        // nothing listens at the address: server down or wrong address
	KindAddress       ErrorKind = "address"        // the host name does not resolve, or not a sync endpoint
	KindCertificate   ErrorKind = "certificate"    // the server's TLS certificate is not trusted
	KindRevoked       ErrorKind = "revoked"        // the administrator revoked this terminal
	KindNotEnrolled   ErrorKind = "not_enrolled"   // unknown device, failed authentication
	KindEnrolCode     ErrorKind = "enrol_code"     // one-time code unknown, used or expired
	KindServerBusy    ErrorKind = "server_busy"    // the server is busy or failed; it retries
	KindVersion       ErrorKind = "version"        // the app and the server speak different versions
	KindRejected      ErrorKind = "rejected"       // the server refused records or files: call the administrator
	KindServerInvalid ErrorKind = "server_invalid" // the server's log or proofs do not verify
	KindOther         ErrorKind = "other"
)

// KindOf classifies err by its type: a wire error by its code, a network
// error by what failed. nil is KindNone.
func KindOf(err error) ErrorKind {
	if err == nil {
		return KindNone
	}
	if pe := syncproto.AsError(err); pe != nil {
		switch pe.Code {
		case syncproto.CodeRevoked:
			return KindRevoked
		case syncproto.CodeUnknownDevice, syncproto.CodeAuth:
			return KindNotEnrolled
		case syncproto.CodeEnrolCode:
			return KindEnrolCode
		case syncproto.CodeBusy, syncproto.CodeInternal:
			return KindServerBusy
		case syncproto.CodeTimeout, syncproto.CodeGap, syncproto.CodeOffset:
			return KindNetwork
		case syncproto.CodeVersion:
			return KindVersion
		case syncproto.CodeLogInconsistent:
			return KindServerInvalid
		default:
			return KindRejected
		}
	}
	var dns *net.DNSError
	var unknownAuthority x509.UnknownAuthorityError
	var hostname x509.HostnameError
	var invalid x509.CertificateInvalidError
	switch {
	case errors.As(err, &dns):
		return KindAddress
	case errors.As(err, &unknownAuthority), errors.As(err, &hostname), errors.As(err, &invalid):
		return KindCertificate
	case errors.Is(err, websocket.ErrBadHandshake):
		return KindAddress
	case errors.Is(err, syscall.ECONNREFUSED):
		return KindRefused
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, os.ErrDeadlineExceeded), errors.Is(err, syscall.ENETUNREACH),
		errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ETIMEDOUT):
		return KindNetwork
	}
	var op *net.OpError
	var ce *websocket.CloseError
	if errors.As(err, &op) || errors.As(err, &ce) || errors.Is(err, net.ErrClosed) {
		return KindNetwork
	}
	return KindOther
}
