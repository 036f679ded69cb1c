package fieldsync

import (
	"context"
	"errors"
	"fmt"
	"net"
	"testing"
	"time"

	"lawtrace/shared/syncproto"
)

// Issue 12 (8): failures are told apart by type and wire code, so the app
// can say what to do; a real refused connection and a real unknown host.
func TestKindOf(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, refused := DialWebsocket(ctx, "ws://"+addr+"/sync")
	_, unknown := DialWebsocket(ctx, "ws://no-such-host.invalid/sync")
	for _, c := range []struct {
		err  error
		want ErrorKind
	}{
		{nil, KindNone},
		{refused, KindRefused},
		{unknown, KindAddress},
		{fmt.Errorf("media abc: %w", syncproto.Errorf(syncproto.CodeRevoked, "revoked by admin")), KindRevoked},
		{syncproto.Errorf(syncproto.CodeUnknownDevice, "x"), KindNotEnrolled},
		{syncproto.Errorf(syncproto.CodeEnrolCode, "x"), KindEnrolCode},
		{syncproto.Errorf(syncproto.CodeBusy, "x"), KindServerBusy},
		{syncproto.Errorf(syncproto.CodeBadEntry, "x"), KindRejected},
		{context.DeadlineExceeded, KindNetwork},
		{errors.New("something else"), KindOther},
	} {
		if got := KindOf(c.err); got != c.want {
			t.Errorf("KindOf(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}
