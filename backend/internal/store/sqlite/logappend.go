package sqlite

import (
	"context"
	"database/sql"
	"strings"

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
// Nodes are written many rows to a statement (a round trip each on
// PostgreSQL), at the latest when the head is signed.
type logAppend struct {
	d       *DB
	tx      *sql.Tx
	tree    *translog.Tree
	written []writtenNode
	stored  int // written[:stored] are in the database
}

// nodeRows is how many nodes one INSERT writes (3 parameters each, well
// below the parameter limits of SQLite and PostgreSQL).
const nodeRows = 500

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
	return &logAppend{d: d, tx: tx, tree: tree}, nil
}

// Size is the index the next leaf gets.
func (l *logAppend) Size() uint64 { return l.tree.Size() }

// Append adds the leaf of an entry hash and stores the nodes it completes.
func (l *logAppend) Append(entryHash string) error {
	leaf, err := syncproto.LeafHash(entryHash)
	if err != nil {
		return err
	}
	if err := l.tree.Append(leaf, func(id translog.NodeID, hash []byte) {
		l.written = append(l.written, writtenNode{id, hash})
	}); err != nil {
		return err
	}
	if len(l.written)-l.stored >= nodeRows {
		return l.store()
	}
	return nil
}

// store writes the nodes not yet in the database.
func (l *logAppend) store() error {
	for l.stored < len(l.written) {
		rows := l.written[l.stored:min(l.stored+nodeRows, len(l.written))]
		args := make([]any, 0, 3*len(rows))
		for _, n := range rows {
			args = append(args, n.id.Level, n.id.Index, n.hash)
		}
		q := `INSERT INTO log_nodes (level, idx, hash) VALUES ` + strings.TrimSuffix(strings.Repeat("(?, ?, ?), ", len(rows)), ", ")
		if _, err := l.tx.Exec(q, args...); err != nil {
			return err
		}
		l.stored += len(rows)
	}
	return nil
}

// logMark is where a batch began, to undo its appends when the batch is
// rolled back to its savepoint.
type logMark struct {
	tree  *translog.Tree
	nodes int
}

func (l *logAppend) mark() logMark { return logMark{l.tree.Clone(), len(l.written)} }

// reset is called after the rollback to the batch's savepoint, which took
// the nodes stored since the mark with it.
func (l *logAppend) reset(m logMark) {
	l.tree, l.written, l.stored = m.tree, l.written[:m.nodes], min(l.stored, m.nodes)
}

// Sign signs the log as it stands and stores the tree head.
func (l *logAppend) Sign() (syncproto.TreeHead, error) {
	if err := l.store(); err != nil {
		return syncproto.TreeHead{}, err
	}
	th := syncproto.TreeHead{Size: l.tree.Size(), Root: l.tree.Root(), Timestamp: l.d.now().UnixNano()}
	if err := th.Sign(l.d.signer); err != nil {
		return syncproto.TreeHead{}, err
	}
	_, err := l.tx.Exec(`INSERT INTO tree_heads (size, root, timestamp, signature) VALUES (?, ?, ?, ?)`, th.Size, th.Root, th.Timestamp, th.Signature)
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
