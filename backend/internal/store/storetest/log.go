package storetest

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"sync"
	"testing"

	"lawtrace/backend/internal/simdev"
	"lawtrace/backend/internal/store"
	"lawtrace/shared/syncproto"
)

// SPEC S2 X2: two stores on one database — two server instances — append
// to one log: every tree head either signed verifies and extends the one
// before, every entry is proved in the final head, numbering holds.
func testTwoInstancesOneLog(t *testing.T, open Opener) {
	ctx := context.Background()
	sub := openAt(t, open, t0)
	instances := []store.Backend{sub.Store, sub.Reopen(t)}
	const perInstance, batches = 3, 4
	var devs []*simdev.Device
	var wg sync.WaitGroup
	errs := make(chan error, 2*perInstance*batches)
	for i, db := range instances {
		for k := range perInstance {
			d := simdev.New(uint64(200 + i*perInstance + k))
			enrol(t, db, d, d.ID)
			devs = append(devs, d)
			wg.Add(1)
			go func() {
				defer wg.Done()
				for b := range batches {
					res, err := db.Ingest(ctx, store.Batch{DeviceID: d.ID, Entries: d.Case(fmt.Sprintf("%s-%d", d.ID, b), 2), ReceivedAt: t0})
					if err != nil || res.Accepted != 2 {
						errs <- fmt.Errorf("instance %d device %s batch %d: %+v %v", i, d.ID, b, res, err)
					}
				}
			}()
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	want := uint64(len(devs) * batches * 2)
	pub := serverKey.Public().(ed25519.PublicKey)
	for i, db := range instances {
		heads, err := db.TreeHeads(ctx)
		if err != nil || len(heads) < 2 || heads[len(heads)-1].Size != want {
			t.Fatalf("instance %d: %d heads, %v", i, len(heads), err)
		}
		for k, th := range heads {
			if err := th.Verify(pub); err != nil {
				t.Fatalf("head %d: %v", th.Size, err)
			}
			if k == 0 {
				continue
			}
			if heads[k-1].Size >= th.Size {
				t.Fatalf("heads out of order: %d then %d", heads[k-1].Size, th.Size)
			}
			cons, err := db.Consistency(ctx, heads[k-1].Size, th.Size)
			if err != nil || syncproto.VerifyConsistency(heads[k-1], th, cons) != nil {
				t.Fatalf("head %d does not extend head %d: %v", th.Size, heads[k-1].Size, err)
			}
		}
		last := heads[len(heads)-1]
		for _, d := range devs {
			proofs, err := db.ProofsBySeq(ctx, d.ID, []int64{1, 2, 3, 4, 5, 6, 7, 8}, last.Size)
			if err != nil || len(proofs) != 2*batches {
				t.Fatalf("proofs of %s: %d %v", d.ID, len(proofs), err)
			}
			for _, p := range proofs {
				if err := syncproto.VerifyInclusion(last, p); err != nil {
					t.Fatalf("%s #%d: %v", d.ID, p.DeviceSeq, err)
				}
			}
		}
		if gaps, err := db.DeviceSeqGaps(ctx); err != nil || len(gaps) != 0 {
			t.Fatalf("gaps %v %v", gaps, err)
		}
	}
	var leaves []string
	if err := instances[1].Leaves(ctx, func(i uint64, h string) error {
		if i != uint64(len(leaves)) {
			return fmt.Errorf("leaf %d after %d leaves", i, len(leaves))
		}
		leaves = append(leaves, h)
		return nil
	}); err != nil || uint64(len(leaves)) != want {
		t.Fatalf("%d leaves, %v", len(leaves), err)
	}
	nodes, err := instances[0].Nodes(ctx, []store.NodeID{{Level: 0, Index: 0}, {Level: 60, Index: 0}})
	if err != nil || len(nodes) != 2 || len(nodes[0]) != 32 || nodes[1] != nil {
		t.Fatalf("nodes %x %v", nodes, err)
	}
}
