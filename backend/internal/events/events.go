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
// that does not keep up loses events (counted in its Dropped) rather than
// slowing ingestion. The zero value is ready to use.
type Bus struct {
	mu   sync.Mutex
	subs map[*sub]struct{}
}

type sub struct {
	ch      chan Event
	once    sync.Once
	dropped atomic.Int64
}

// Subscription is one subscriber's events.
type Subscription struct {
	// Events delivers the events in the order they were published; it is
	// closed by Close.
	Events <-chan Event
	bus    *Bus
	s      *sub
}

// Subscribe starts a subscription with room for buffer events.
func (b *Bus) Subscribe(buffer int) *Subscription {
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
	return &Subscription{Events: s.ch, bus: b, s: s}
}

// Dropped counts the events this subscriber lost because it was full —
// its own, not another subscriber's.
func (s *Subscription) Dropped() int64 { return s.s.dropped.Load() }

// Close ends the subscription and closes Events.
func (s *Subscription) Close() {
	s.bus.mu.Lock()
	delete(s.bus.subs, s.s)
	s.bus.mu.Unlock()
	s.s.once.Do(func() { close(s.s.ch) })
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
			s.dropped.Add(1)
		}
	}
}
