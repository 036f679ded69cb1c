package syncproto

import (
	"bytes"
	"crypto"
	"crypto/ed25519"
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/transparency-dev/merkle/proof"
	"github.com/transparency-dev/merkle/rfc6962"
)

// TreeHead is a signed statement of the transparency log's size and root
// hash at a time (Unix nanoseconds), signed by the server key (SPEC R2).
type TreeHead struct {
	Size      uint64 `json:"size"`
	Root      []byte `json:"root"`
	Timestamp int64  `json:"timestamp"`
	Signature []byte `json:"signature"`
}

// SignedMessage is the exact text the server signs.
func (th *TreeHead) SignedMessage() []byte {
	return []byte("lawtrace-tree-head-v1\n" + strconv.FormatUint(th.Size, 10) + "\n" + hex.EncodeToString(th.Root) + "\n" + strconv.FormatInt(th.Timestamp, 10))
}

// Sign sets the signature with the server's signer: its Ed25519 key, or a
// key kept in a hardware module or key service behind crypto.Signer.
func (th *TreeHead) Sign(signer crypto.Signer) error {
	sig, err := signer.Sign(nil, th.SignedMessage(), crypto.Hash(0))
	if err != nil {
		return fmt.Errorf("signing the tree head of size %d: %w", th.Size, err)
	}
	th.Signature = sig
	return nil
}

// Verify checks the signature against the server's public key.
func (th *TreeHead) Verify(pub ed25519.PublicKey) error {
	if len(pub) != ed25519.PublicKeySize || !ed25519.Verify(pub, th.SignedMessage(), th.Signature) {
		return Errorf(CodeLogInconsistent, "tree head of size %d is not signed by the server key", th.Size)
	}
	return nil
}

// EmptyRoot is the root hash of the empty log.
func EmptyRoot() []byte { return rfc6962.DefaultHasher.EmptyRoot() }

// LeafHash is the RFC 6962 leaf hash of an entry in the log: the leaf data
// is the 32 bytes of the entry's hash, which covers the whole signed entry.
func LeafHash(entryHash string) ([]byte, error) {
	b, err := hex.DecodeString(entryHash)
	if err != nil || len(b) != 32 {
		return nil, fmt.Errorf("entry hash %q is not a hex SHA-256", entryHash)
	}
	return rfc6962.DefaultHasher.HashLeaf(b), nil
}

// VerifyInclusion checks that p proves its entry is in the log at th.
func VerifyInclusion(th TreeHead, p InclusionProof) error {
	leaf, err := LeafHash(p.EntryHash)
	if err != nil {
		return Errorf(CodeLogInconsistent, "proof of entry %s: %v", p.EntryID, err)
	}
	if err := proof.VerifyInclusion(rfc6962.DefaultHasher, p.LeafIndex, th.Size, leaf, p.Hashes, th.Root); err != nil {
		return Errorf(CodeLogInconsistent, "inclusion proof of entry %s (leaf %d) does not verify against tree head %d: %v", p.EntryID, p.LeafIndex, th.Size, err)
	}
	return nil
}

// VerifyConsistency checks that the log at newer extends the log at older
// without rewriting it.
func VerifyConsistency(older, newer TreeHead, hashes [][]byte) error {
	if older.Size == 0 {
		return nil
	}
	if older.Size == newer.Size {
		if !bytes.Equal(older.Root, newer.Root) {
			return Errorf(CodeLogInconsistent, "two tree heads of size %d with different roots", older.Size)
		}
		return nil
	}
	if err := proof.VerifyConsistency(rfc6962.DefaultHasher, older.Size, newer.Size, hashes, older.Root, newer.Root); err != nil {
		return Errorf(CodeLogInconsistent, "log of size %d is not an extension of the log of size %d: %v", newer.Size, older.Size, err)
	}
	return nil
}
