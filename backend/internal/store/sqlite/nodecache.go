package sqlite

import (
	"sync"

	"lawtrace/backend/internal/translog"
)

// nodeCache keeps log node hashes in memory; nodes never change once
// written. Upper levels (≥ 4, one node per 16 leaves or fewer) are kept for
// good; the lower levels are dropped wholesale when they grow past a cap —
// proofs of fresh entries need the recent ones.
type nodeCache struct {
	mu   sync.RWMutex
	high map[translog.NodeID][]byte
	low  map[translog.NodeID][]byte
}

const lowNodeCap = 1 << 18

func newNodeCache() *nodeCache {
	return &nodeCache{high: map[translog.NodeID][]byte{}, low: map[translog.NodeID][]byte{}}
}

func (c *nodeCache) get(id translog.NodeID) ([]byte, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if id.Level >= 4 {
		h, ok := c.high[id]
		return h, ok
	}
	h, ok := c.low[id]
	return h, ok
}

func (c *nodeCache) put(id translog.NodeID, h []byte) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if id.Level >= 4 {
		c.high[id] = h
		return
	}
	if len(c.low) >= lowNodeCap {
		c.low = map[translog.NodeID][]byte{}
	}
	c.low[id] = h
}
