package events

import "testing"

// SPEC D1: subscribers see published events in order; a slow one loses
// events instead of blocking the publisher, and only its own count says
// so; Close closes the channel.
func TestBus(t *testing.T) {
	var b Bus
	fast, slow := b.Subscribe(10), b.Subscribe(1)
	for i := 1; i <= 3; i++ {
		b.Publish(Event{Kind: BatchIngested, Entries: i})
	}
	for i := 1; i <= 3; i++ {
		if e := <-fast.Events; e.Entries != i {
			t.Fatalf("event %d: got %+v", i, e)
		}
	}
	if e := <-slow.Events; e.Entries != 1 {
		t.Fatalf("slow subscriber got %+v", e)
	}
	if slow.Dropped() != 2 || fast.Dropped() != 0 {
		t.Fatalf("dropped: slow %d (want 2), fast %d (want 0)", slow.Dropped(), fast.Dropped())
	}
	fast.Close()
	slow.Close()
	if _, ok := <-fast.Events; ok {
		t.Fatal("channel open after Close")
	}
	b.Publish(Event{Kind: BatchIngested})
}
