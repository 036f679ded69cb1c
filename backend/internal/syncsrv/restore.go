package syncsrv

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"

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
	epoch, held, err := c.s.restorePoint(ctx)
	if err != nil {
		return c.internal("restore epoch", err)
	}
	if b.Epoch != epoch || held == nil {
		return syncproto.Errorf(syncproto.CodeUnexpected, "log break for restore epoch %q, but the server's epoch is %q", syncproto.CleanText(b.Epoch, 40), epoch)
	}
	if err := b.Seen.Verify(c.s.pub); err != nil {
		c.s.security(ctx, c.deviceID, c.remote, string(syncproto.CodeLogInconsistent), "a reported log break carries a tree head this server did not sign", "")
		return syncproto.AsError(err)
	}
	if b.Restored.Size != held.Size || !bytes.Equal(b.Restored.Root, held.Root) {
		return syncproto.Errorf(syncproto.CodeLogInconsistent, "the reported restored tree head of size %d is not the one the restore put in place (size %d)", b.Restored.Size, held.Size)
	}
	if b.Seen.Size <= held.Size {
		return syncproto.Errorf(syncproto.CodeUnexpected, "a log of %d entries seen before a restore to %d is no break", b.Seen.Size, held.Size)
	}
	ev := logBreakEvidence{Epoch: epoch, DeviceID: c.deviceID, Seen: b.Seen, Restored: *held,
		Signature: ed25519.Sign(c.s.cfg.Key, syncproto.LogBreakMessage(epoch, c.deviceID, b.Seen, *held))}
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

// restorePoint is the restore epoch and the signed tree head the restore
// put in place; both are empty for data never restored.
func (s *Server) restorePoint(ctx context.Context) (string, *syncproto.TreeHead, error) {
	epoch, err := s.cfg.Store.Setting(ctx, store.EpochSetting)
	if err != nil || epoch == "" {
		return "", nil, err
	}
	v, err := s.cfg.Store.Setting(ctx, store.RestoredSizeSetting)
	if err != nil {
		return "", nil, err
	}
	size, err := strconv.ParseUint(v, 10, 64)
	if err != nil {
		return "", nil, fmt.Errorf("setting %s: %w", store.RestoredSizeSetting, err)
	}
	th, err := s.cfg.Store.TreeHeadAt(ctx, size)
	if err != nil {
		return "", nil, fmt.Errorf("the restored tree head of size %d: %w", size, err)
	}
	return epoch, &th, nil
}
