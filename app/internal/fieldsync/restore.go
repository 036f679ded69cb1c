package fieldsync

import (
	"context"

	"lawtrace/shared/syncproto"
)

// checkEpoch handles a server restored from a backup (issue 14; SPEC R2,
// X3). When the Welcome names another restore epoch than the one this
// terminal's tree heads belong to, the server must prove that its log
// extends the largest head this terminal verified within the restored size
// (so the restored log is a prefix of what the terminal saw). A longer log
// seen before the restore is a break: it is reported with both heads and
// recorded by the server as a signed security event before the terminal
// re-pins to the restored log. Re-pinning puts back in the outbox every
// entry the server no longer holds and marks every file for offering
// again, so nothing the restored server has not confirmed is wiped.
func (s *Syncer) checkEpoch(ctx context.Context, c *session) error {
	epoch, err := s.t.LogEpoch()
	if err != nil || c.welcome.Epoch == epoch {
		return err
	}
	restored, ok := syncproto.RestoredSize(c.welcome.Restores, epoch)
	if !ok {
		return syncproto.Errorf(syncproto.CodeUnexpected, "the server announces restore epoch %s without its restore points", c.welcome.Epoch)
	}
	srv, _, err := s.t.Server()
	if err != nil {
		return err
	}
	keep, _, err := s.t.TreeHeadAtMost(restored)
	if err != nil {
		return err
	}
	p, err := expectReply[*syncproto.Proofs](s.call(ctx, c, &syncproto.ProofRequest{KnownTreeSize: keep.Size}))
	if err != nil {
		return err
	}
	if err := p.TreeHead.Verify(srv.Key); err != nil {
		return err
	}
	if p.TreeHead.Size < restored {
		return syncproto.Errorf(syncproto.CodeLogInconsistent, "the restored log of %d entries shrank to %d", restored, p.TreeHead.Size)
	}
	if err := syncproto.VerifyConsistency(keep, p.TreeHead, p.Consistency); err != nil {
		return err
	}
	seen, _, err := s.t.LatestTreeHead()
	if err != nil {
		return err
	}
	var brk *syncproto.LogBreak
	if seen.Size > keep.Size {
		brk = &syncproto.LogBreak{Epoch: c.welcome.Epoch, Seen: seen, RestoredSize: restored}
		if _, err := expectReply[*syncproto.OK](s.call(ctx, c, brk)); err != nil {
			return err
		}
	}
	r, err := s.t.Repin(c.welcome.Epoch, p.TreeHead, keep.Size, c.welcome.LastSeq, brk)
	if err != nil {
		return err
	}
	s.log.Warn("the server was restored from a backup; re-pinned to its log", "epoch", c.welcome.Epoch, "seen_size", seen.Size,
		"restored_size", restored, "break", brk != nil, "entries_to_resend", r.Entries, "media_to_offer", r.Media)
	return nil
}
