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
type logAppend struct {
	d       *DB
	tx      *sql.Tx
	tree    *translog.Tree
	written []writtenNode
	ins     *sql.Stmt
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
	ins, err := tx.PrepareContext(ctx, `INSERT INTO log_nodes (level, idx, hash) VALUES (?, ?, ?)`)
	if err != nil {
		return nil, err
	}
	return &logAppend{d: d, tx: tx, tree: tree, ins: ins}, nil
}

// Size is the index the next leaf gets.
func (l *logAppend) Size() uint64 { return l.tree.Size() }

// Append adds the leaf of an entry hash and stores the nodes it completes.
func (l *logAppend) Append(entryHash string) error {
	leaf, err := syncproto.LeafHash(entryHash)
	if err != nil {
		return err
	}
	var nodeErr error
	if err := l.tree.Append(leaf, func(id translog.NodeID, hash []byte) {
		if _, err := l.ins.Exec(id.Level, id.Index, hash); err != nil && nodeErr == nil {
			nodeErr = err
		}
		l.written = append(l.written, writtenNode{id, hash})
	}); err != nil {
		return err
	}
	return nodeErr
}

// logMark is where a batch began, to undo its appends when the batch is
// rolled back to its savepoint.
type logMark struct {
	tree  *translog.Tree
	nodes int
}

func (l *logAppend) mark() logMark { return logMark{l.tree.Clone(), len(l.written)} }

func (l *logAppend) reset(m logMark) { l.tree, l.written = m.tree, l.written[:m.nodes] }

// Sign signs the log as it stands and stores the tree head.
func (l *logAppend) Sign() (syncproto.TreeHead, error) {
	th := syncproto.TreeHead{Size: l.tree.Size(), Root: l.tree.Root(), Timestamp: l.d.now().UnixNano()}
	th.Sign(l.d.key)
	_, err := l.tx.Exec(`INSERT INTO tree_heads (size, root, timestamp, signature) VALUES (?, ?, ?, ?)`, th.Size, th.Root, th.Timestamp, th.Signature)
	return th, err
}

// close ends the append; committed says the transaction committed what
// was appended, which then becomes the cache.
func (l *logAppend) close(committed bool) {
	l.ins.Close()
	if !committed {
		return
	}
	l.d.tree = l.tree
	for _, n := range l.written {
		l.d.nodes.put(n.id, n.hash)
	}
}
