package translog

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"testing"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// memNodes is a node store for tests.
type memNodes map[NodeID][]byte

func (m memNodes) read(ids []NodeID) ([][]byte, error) {
	out := make([][]byte, len(ids))
	for i, id := range ids {
		h, ok := m[id]
		if !ok {
			return nil, fmt.Errorf("node %+v not stored", id)
		}
		out[i] = h
	}
	return out, nil
}

// refRoot computes the RFC 6962 root of leaves directly from the definition.
func refRoot(leaves [][]byte) []byte {
	switch len(leaves) {
	case 0:
		return rfc6962.DefaultHasher.EmptyRoot()
	case 1:
		return leaves[0]
	}
	k := 1
	for k*2 < len(leaves) {
		k *= 2
	}
	return rfc6962.DefaultHasher.HashChildren(refRoot(leaves[:k]), refRoot(leaves[k:]))
}

// SPEC R2: every root, inclusion proof and consistency proof of the log
// verifies, and roots match the RFC 6962 definition; a restored tree keeps going.
func TestLogProofs(t *testing.T) {
	nodes := memNodes{}
	tree := New()
	var leaves [][]byte
	var roots [][]byte
	visit := func(id NodeID, h []byte) { nodes[id] = h }
	for i := 0; i < 70; i++ {
		sum := sha256.Sum256([]byte(fmt.Sprint("entry", i)))
		leaf := rfc6962.DefaultHasher.HashLeaf(sum[:])
		leaves = append(leaves, leaf)
		if i == 33 { // restart from the store halfway
			restored, err := Restore(tree.Size(), nodes.read)
			if err != nil {
				t.Fatal(err)
			}
			tree = restored
		}
		if err := tree.Append(leaf, visit); err != nil {
			t.Fatal(err)
		}
		root := tree.Root()
		if !bytes.Equal(root, refRoot(leaves)) {
			t.Fatalf("size %d: root differs from the RFC 6962 definition", i+1)
		}
		roots = append(roots, root)
	}
	size := tree.Size()
	for idx := uint64(0); idx < size; idx++ {
		for sz := idx + 1; sz <= size; sz += 7 {
			p, err := InclusionProof(idx, sz, nodes.read)
			if err != nil {
				t.Fatal(err)
			}
			if err := proof.VerifyInclusion(rfc6962.DefaultHasher, idx, sz, leaves[idx], p, roots[sz-1]); err != nil {
				t.Fatalf("inclusion %d in %d: %v", idx, sz, err)
			}
		}
	}
	for s1 := uint64(1); s1 <= size; s1 += 3 {
		for s2 := s1; s2 <= size; s2 += 5 {
			p, err := ConsistencyProof(s1, s2, nodes.read)
			if err != nil {
				t.Fatal(err)
			}
			if err := proof.VerifyConsistency(rfc6962.DefaultHasher, s1, s2, p, roots[s1-1], roots[s2-1]); err != nil {
				t.Fatalf("consistency %d→%d: %v", s1, s2, err)
			}
		}
	}
	c := tree.Clone()
	_ = c.Append(leaves[0], nil)
	if tree.Size() == c.Size() {
		t.Fatal("appending to a clone changed the original")
	}
}
