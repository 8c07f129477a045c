package httpretry

import (
	"context"
	"testing"
	"time"
)

// On an injected clock a bucket left a sliver short of a token still waits a positive time, so
// the clock advances and Wait returns instead of spinning.
func TestLimiterSliverDeficitWaits(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	sleeps := 0
	l := NewLimiterClock(3, time.Second, func() time.Time { return now }, func(_ context.Context, d time.Duration) error {
		if d <= 0 {
			t.Fatalf("asked to sleep %s", d)
		}
		sleeps++
		if sleeps > 10 {
			t.Fatal("Wait spins")
		}
		now = now.Add(d)
		return nil
	})
	l.tokens = 1 - 1e-12
	l.last = now
	if err := l.Wait(context.Background()); err != nil {
		t.Fatal(err)
	}
	if sleeps != 1 {
		t.Fatalf("%d sleeps, want 1", sleeps)
	}
}
