// Package events is the in-process publish/subscribe hub that feeds live pages (the case board, SPEC D1): the sync service publishes each ingested batch, stored file, connection and revocation.
package events

import (
	"sync"
	"sync/atomic"
	"time"
)

// Event kinds.
const (
	BatchIngested   = "batch_ingested"
	MediaStored     = "media_stored"
	DeviceConnected = "device_connected"
	DeviceGone      = "device_disconnected"
	DeviceRevoked   = "device_revoked"
	SecurityEvent   = "security_event"
	WipeDone        = "wipe_done"
	// Resync tells subscribers that events from other instances may have
	// been missed (the fan-out reconnected): reload rather than patch.
	Resync = "resync"
)

// Event is one thing that happened.
type Event struct {
	Kind     string    `json:"kind"`
	At       time.Time `json:"at"`
	DeviceID string    `json:"device_id,omitempty"`
	Cases    []string  `json:"cases,omitempty"`
	Entries  int       `json:"entries,omitempty"`
	UpTo     int64     `json:"up_to,omitempty"`
	Hash     string    `json:"hash,omitempty"`
	Bytes    int64     `json:"bytes,omitempty"`
	Detail   string    `json:"detail,omitempty"`
	// Origin is the instance the event happened on when it came from
	// another instance through the fan-out; empty for this process's own.
	Origin string `json:"origin,omitempty"`
}

// Bus fans events out to subscribers. Publish never blocks: a subscriber
// that does not keep up loses events (counted in Dropped) rather than
// slowing ingestion. The zero value is ready to use.
type Bus struct {
	mu      sync.Mutex
	subs    map[*sub]struct{}
	dropped atomic.Int64
}

type sub struct {
	ch   chan Event
	once sync.Once
}

// Subscribe returns a channel of events and a function that ends the
// subscription and closes the channel.
func (b *Bus) Subscribe(buffer int) (<-chan Event, func()) {
	if buffer < 1 {
		buffer = 1
	}
	s := &sub{ch: make(chan Event, buffer)}
	b.mu.Lock()
	if b.subs == nil {
		b.subs = map[*sub]struct{}{}
	}
	b.subs[s] = struct{}{}
	b.mu.Unlock()
	return s.ch, func() {
		b.mu.Lock()
		delete(b.subs, s)
		b.mu.Unlock()
		s.once.Do(func() { close(s.ch) })
	}
}

// Publish sends e to every subscriber that has room.
func (b *Bus) Publish(e Event) {
	if e.At.IsZero() {
		e.At = time.Now()
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	for s := range b.subs {
		select {
		case s.ch <- e:
		default:
			b.dropped.Add(1)
		}
	}
}

// Dropped counts events lost to slow subscribers.
func (b *Bus) Dropped() int64 { return b.dropped.Load() }
