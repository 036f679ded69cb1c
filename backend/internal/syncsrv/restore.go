package syncsrv

import (
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"

	"lawtrace/backend/internal/events"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/syncproto"
)

// logBreakEvidence is the evidence of a log_break security event: both
// tree heads as signed, and the server's signature over the pair
// (syncproto.LogBreakMessage).
type logBreakEvidence struct {
	Epoch     string             `json:"epoch"`
	DeviceID  string             `json:"device_id"`
	Seen      syncproto.TreeHead `json:"seen"`
	Restored  syncproto.TreeHead `json:"restored"`
	Signature []byte             `json:"signature"`
}

// logBreak records a terminal's report that it had verified a longer log
// than the restored one (issue 14; SPEC R2, X3). The seen head must carry
// this server's signature, the restored head must be one this log holds,
// and the report must be for the current restore epoch. The event is
// stored before the answer, so the terminal re-pins only once the break is
// on record.
func (c *conn) logBreak(ctx context.Context, b *syncproto.LogBreak) syncproto.Message {
	epoch, points, err := c.s.restorePoints(ctx)
	if err != nil {
		return c.internal("restore epoch", err)
	}
	if b.Epoch != epoch || epoch == "" {
		return syncproto.Errorf(syncproto.CodeUnexpected, "log break for restore epoch %q, but the server's epoch is %q", syncproto.CleanText(b.Epoch, 40), epoch)
	}
	if !slices.ContainsFunc(points, func(p syncproto.RestorePoint) bool { return p.Size == b.RestoredSize }) {
		return syncproto.Errorf(syncproto.CodeLogInconsistent, "no restore put a log of %d entries in place", b.RestoredSize)
	}
	if err := b.Seen.Verify(c.s.pub); err != nil {
		c.s.security(ctx, c.deviceID, c.remote, string(syncproto.CodeLogInconsistent), "终端报告的日志断开所附树头不是本服务器签署的", "")
		return syncproto.AsError(err)
	}
	if b.Seen.Size <= b.RestoredSize {
		return syncproto.Errorf(syncproto.CodeUnexpected, "a log of %d entries seen before a restore to %d is no break", b.Seen.Size, b.RestoredSize)
	}
	held, err := c.s.cfg.Store.TreeHeadAt(ctx, b.RestoredSize)
	if err != nil {
		return c.internal("restored tree head", err)
	}
	ev := logBreakEvidence{Epoch: epoch, DeviceID: c.deviceID, Seen: b.Seen, Restored: held,
		Signature: ed25519.Sign(c.s.cfg.Key, syncproto.LogBreakMessage(epoch, c.deviceID, b.Seen, held))}
	evidence, err := json.Marshal(ev)
	if err != nil {
		return c.internal("log break evidence", err)
	}
	detail := fmt.Sprintf("数据恢复后透明日志断开：终端恢复前核验过 %d 条记录的日志（根 %.12s），恢复后的日志为 %d 条（根 %.12s）；第 %d 至 %d 条随恢复丢失，终端重新上传的记录按新的顺序追加，两个树头和服务器签名见证据",
		b.Seen.Size, hex.EncodeToString(b.Seen.Root), held.Size, hex.EncodeToString(held.Root), held.Size+1, b.Seen.Size)
	sev := store.SecurityEvent{At: c.now(), DeviceID: c.deviceID, Remote: c.source, Kind: store.KindLogBreak, Detail: detail, Evidence: string(evidence), Repeats: 1}
	if err := c.s.cfg.Store.RecordSecurityEvent(ctx, sev); err != nil {
		return c.internal("record log break", err)
	}
	c.s.M.SecurityEvents.Inc()
	c.log.Warn("security event", "kind", sev.Kind, "seen_size", b.Seen.Size, "restored_size", held.Size, "epoch", epoch)
	c.s.cfg.Bus.Publish(events.Event{Kind: events.SecurityEvent, DeviceID: c.deviceID, Detail: sev.Kind + ": " + detail})
	return &syncproto.OK{}
}

// restorePoints is the restore epoch and the restore points; both are
// empty for data never restored.
func (s *Server) restorePoints(ctx context.Context) (string, []syncproto.RestorePoint, error) {
	epoch, err := s.cfg.Store.Setting(ctx, store.EpochSetting)
	if err != nil || epoch == "" {
		return "", nil, err
	}
	v, err := s.cfg.Store.Setting(ctx, store.RestoresSetting)
	if err != nil {
		return "", nil, err
	}
	var points []syncproto.RestorePoint
	if err := json.Unmarshal([]byte(v), &points); err != nil {
		return "", nil, fmt.Errorf("setting %s: %w", store.RestoresSetting, err)
	}
	return epoch, points, nil
}
