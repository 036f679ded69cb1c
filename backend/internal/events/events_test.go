package events

import "testing"

// SPEC D1: subscribers see published events in order; a slow one loses
// events instead of blocking the publisher; cancel closes the channel.
func TestBus(t *testing.T) {
	var b Bus
	fast, cancelFast := b.Subscribe(10)
	slow, cancelSlow := b.Subscribe(1)
	for i := 1; i <= 3; i++ {
		b.Publish(Event{Kind: BatchIngested, Entries: i})
	}
	for i := 1; i <= 3; i++ {
		if e := <-fast; e.Entries != i {
			t.Fatalf("event %d: got %+v", i, e)
		}
	}
	if e := <-slow; e.Entries != 1 {
		t.Fatalf("slow subscriber got %+v", e)
	}
	if b.Dropped() != 2 {
		t.Fatalf("dropped %d, want 2", b.Dropped())
	}
	cancelFast()
	cancelSlow()
	if _, ok := <-fast; ok {
		t.Fatal("channel open after cancel")
	}
	b.Publish(Event{Kind: BatchIngested})
}
