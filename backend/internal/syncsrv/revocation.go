package syncsrv

import (
	"context"
	"time"

	"github.com/gorilla/websocket"

	"lawtrace/backend/internal/events"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/syncproto"
)

// followRevocations cuts a device's live connections here as soon as the
// bus says it was revoked — by the device page of this instance, or of any
// other through the fan-out (SPEC S6 X2) — and checks every live device
// after a resync, when events from other instances may have been lost.
// The store decides: an event only says where to look. The poll in Watch
// stays the fallback for an event the bus dropped. It returns when evs is
// closed.
func (s *Server) followRevocations(ctx context.Context, evs <-chan events.Event) {
	for e := range evs {
		switch e.Kind {
		case events.DeviceRevoked:
			s.cutIfRevoked(ctx, e.DeviceID)
		case events.Resync:
			for _, id := range s.liveDevices() {
				s.cutIfRevoked(ctx, id)
			}
		}
	}
}

// liveDevices are the devices with an authenticated connection here.
func (s *Server) liveDevices() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := make([]string, 0, len(s.live))
	for id := range s.live {
		ids = append(ids, id)
	}
	return ids
}

// cutIfRevoked reads the device when it is connected here and cuts its
// connections if the store has it revoked.
func (s *Server) cutIfRevoked(ctx context.Context, deviceID string) {
	cs := s.conns(deviceID)
	if len(cs) == 0 {
		return
	}
	d, err := s.cfg.Store.Device(ctx, deviceID)
	if err != nil {
		s.log.Warn("revocation event: cannot read the device; the poll will see it", "device", deviceID, "err", err)
		return
	}
	if !d.Revoked() {
		return
	}
	for _, c := range cs {
		s.cutRevoked(c, d)
	}
}

// cutRevoked tells a revoked device's connection why and closes it, once
// per connection whoever notices first (the poll or an event); a
// restricted connection, there to carry out a wipe order, stays.
func (s *Server) cutRevoked(c *conn, d store.Device) {
	if c.restricted || !c.revokedCut.CompareAndSwap(false, true) {
		return
	}
	s.M.Revoked.Inc()
	s.log.Info("revoked device cut off", "device", d.ID, "remote", c.remote)
	s.cfg.Bus.Publish(events.Event{Kind: events.DeviceRevoked, DeviceID: d.ID})
	c.cut(revokedError(d), websocket.ClosePolicyViolation)
}

// revokedError is what a revoked device is told: when and why.
func revokedError(d store.Device) *syncproto.Error {
	return syncproto.Errorf(syncproto.CodeRevoked, "this terminal was revoked at %s: %s", d.RevokedAt.Format(time.RFC3339), orDefault(d.RevokeReason, "no reason given"))
}
