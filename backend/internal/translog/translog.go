// Package translog keeps the RFC 6962 transparency log of accepted entries: it appends leaves, reports the tree nodes to store, and builds inclusion and consistency proofs from stored nodes (SPEC R2).
package translog

import (
	"fmt"
	"slices"

	"github.com/transparency-dev/merkle/compact"
	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// NodeID names a node of the tree: a level (0 = leaves) and an index.
type NodeID = compact.NodeID

// NodeReader returns the stored hashes of the given nodes, in order.
type NodeReader func(ids []NodeID) ([][]byte, error)

var factory = &compact.RangeFactory{Hash: rfc6962.DefaultHasher.HashChildren}

// Tree is the right edge of the log (a compact range): enough to append
// and to compute the root. The full set of nodes lives in the store.
type Tree struct{ rng *compact.Range }

// New returns the empty log.
func New() *Tree { return &Tree{rng: factory.NewEmptyRange(0)} }

// Restore rebuilds the right edge of a log of the given size from stored nodes.
func Restore(size uint64, read NodeReader) (*Tree, error) {
	ids := compact.RangeNodes(0, size, nil)
	hashes, err := read(ids)
	if err != nil {
		return nil, err
	}
	rng, err := factory.NewRange(0, size, hashes)
	if err != nil {
		return nil, fmt.Errorf("restore log of size %d: %w", size, err)
	}
	return &Tree{rng: rng}, nil
}

// Size is the number of leaves.
func (t *Tree) Size() uint64 { return t.rng.End() }

// Clone copies the tree so a failed transaction can drop its appends.
func (t *Tree) Clone() *Tree {
	hashes := make([][]byte, len(t.rng.Hashes()))
	for i, h := range t.rng.Hashes() {
		hashes[i] = slices.Clone(h)
	}
	rng, err := factory.NewRange(0, t.rng.End(), hashes)
	if err != nil {
		panic(err) // a range copied from a valid range is valid
	}
	return &Tree{rng: rng}
}

// Append adds a leaf hash; visit sees the leaf and every tree node that
// becomes complete, which is what must be stored to build proofs later.
func (t *Tree) Append(leafHash []byte, visit func(id NodeID, hash []byte)) error {
	return t.rng.Append(leafHash, visit)
}

// Root is the RFC 6962 root hash.
func (t *Tree) Root() []byte {
	if t.rng.End() == 0 {
		return rfc6962.DefaultHasher.EmptyRoot()
	}
	root, err := t.rng.GetRootHash(nil)
	if err != nil {
		panic(err) // only for ranges not starting at 0
	}
	return root
}

// InclusionProof returns the audit path of leaf index in the log of size.
func InclusionProof(index, size uint64, read NodeReader) ([][]byte, error) {
	nodes, err := proof.Inclusion(index, size)
	if err != nil {
		return nil, err
	}
	return fetch(nodes, read)
}

// ConsistencyProof proves the log of size2 extends the log of size1.
func ConsistencyProof(size1, size2 uint64, read NodeReader) ([][]byte, error) {
	nodes, err := proof.Consistency(size1, size2)
	if err != nil {
		return nil, err
	}
	return fetch(nodes, read)
}

func fetch(nodes proof.Nodes, read NodeReader) ([][]byte, error) {
	if len(nodes.IDs) == 0 {
		return [][]byte{}, nil
	}
	hashes, err := read(nodes.IDs)
	if err != nil {
		return nil, err
	}
	if len(hashes) != len(nodes.IDs) {
		return nil, fmt.Errorf("node store returned %d hashes for %d nodes", len(hashes), len(nodes.IDs))
	}
	return nodes.Rehash(hashes, rfc6962.DefaultHasher.HashChildren)
}
