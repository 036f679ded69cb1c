package sqlite

import (
	"context"
	"database/sql"

	"lawtrace/backend/internal/translog"
	"lawtrace/shared/syncproto"
)

// logAppend is the one writer of the transparency log: inside a write
// transaction it appends leaves, stores the nodes they complete and signs
// the tree head — for terminal batches (ingest.go), office entries
// (review.go) and the empty log alike. The caller holds logMu and the
// transaction holds the dialect's write lock; close after the transaction
// makes the new right edge and nodes the cache if it committed.
//
// The nodes are written when the head is signed, all at once (with COPY
// when rows can, see rowWriter).
type logAppend struct {
	d       *DB
	rows    rowWriter
	tree    *translog.Tree
	written []writtenNode
}

type writtenNode struct {
	id   translog.NodeID
	hash []byte
}

// beginLog reads the log as the newest tree head has it.
func (d *DB) beginLog(ctx context.Context, tx *sql.Tx) (*logAppend, error) {
	var size uint64
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(size), 0) FROM tree_heads`).Scan(&size); err != nil {
		return nil, err
	}
	tree, err := d.treeAt(ctx, tx, size)
	if err != nil {
		return nil, err
	}
	return &logAppend{d: d, rows: rowWriter{ctx: ctx, tx: tx}, tree: tree}, nil
}

// Size is the index the next leaf gets.
func (l *logAppend) Size() uint64 { return l.tree.Size() }

// Append adds the leaf of an entry hash and keeps the nodes it completes
// for Sign to store.
func (l *logAppend) Append(entryHash string) error {
	leaf, err := syncproto.LeafHash(entryHash)
	if err != nil {
		return err
	}
	return l.appendLeaf(leaf)
}

// appendLeaf adds a leaf hash (syncproto.LeafHash) and keeps the nodes it
// completes for Sign to store.
func (l *logAppend) appendLeaf(leaf []byte) error {
	return l.tree.Append(leaf, func(id translog.NodeID, hash []byte) {
		l.written = append(l.written, writtenNode{id, hash})
	})
}

// Sign signs the log as it stands and stores the tree head.
func (l *logAppend) Sign() (syncproto.TreeHead, error) {
	nodes := make([][]any, len(l.written))
	for i, n := range l.written {
		nodes[i] = []any{int64(n.id.Level), int64(n.id.Index), n.hash}
	}
	if err := l.rows.insert("log_nodes", []string{"level", "idx", "hash"}, nodes); err != nil {
		return syncproto.TreeHead{}, err
	}
	th := syncproto.TreeHead{Size: l.tree.Size(), Root: l.tree.Root(), Timestamp: l.d.now().UnixNano()}
	if err := th.Sign(l.d.signer); err != nil {
		return syncproto.TreeHead{}, err
	}
	_, err := l.rows.tx.ExecContext(l.rows.ctx, `INSERT INTO tree_heads (size, root, timestamp, signature) VALUES (?, ?, ?, ?)`, th.Size, th.Root, th.Timestamp, th.Signature)
	return th, err
}

// close ends the append; committed says the transaction committed what
// was appended, which then becomes the cache.
func (l *logAppend) close(committed bool) {
	if !committed {
		return
	}
	l.d.tree = l.tree
	for _, n := range l.written {
		l.d.nodes.put(n.id, n.hash)
	}
}
