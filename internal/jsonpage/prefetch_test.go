package jsonpage

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"
)

// pager serves pages 0..n-1 (page i is i*10), failing at failAt when it is ≥ 0, and counts the
// fetches started.
type pager struct {
	n, failAt int
	started   atomic.Int32
	release   chan struct{} // when set, each fetch waits on it (or on its ctx)
}

var errFetch = errors.New("fetch failed")

func (p *pager) fetch(ctx context.Context, at int) (int, int, bool, error) {
	p.started.Add(1)
	if p.release != nil {
		select {
		case <-p.release:
		case <-ctx.Done():
			return 0, 0, false, ctx.Err()
		}
	}
	if at == p.failAt {
		return 0, 0, false, fmt.Errorf("page %d: %w", at, errFetch)
	}
	return at * 10, at + 1, at+1 < p.n, nil
}

func TestPrefetchOrderAndEnd(t *testing.T) {
	for _, tc := range []struct {
		name    string
		n, fail int
		want    []int
		wantErr bool
	}{
		{name: "one page", n: 1, fail: -1, want: []int{0}},
		{name: "several pages", n: 5, fail: -1, want: []int{0, 10, 20, 30, 40}},
		{name: "error after pages", n: 5, fail: 3, want: []int{0, 10, 20}, wantErr: true},
		{name: "error first", n: 5, fail: 0, wantErr: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := &pager{n: tc.n, failAt: tc.fail}
			pages := Prefetch(context.Background(), 0, p.fetch)
			defer pages.Stop()
			var got []int
			var err error
			for {
				page, ok, e := pages.Next()
				if e != nil {
					err = e
					break
				}
				if !ok {
					break
				}
				got = append(got, page)
			}
			if fmt.Sprint(got) != fmt.Sprint(tc.want) {
				t.Errorf("pages %v, want %v", got, tc.want)
			}
			if tc.wantErr != errors.Is(err, errFetch) {
				t.Errorf("err = %v, want the fetch error: %v", err, tc.wantErr)
			}
			if _, ok, err := pages.Next(); ok || err != nil {
				t.Errorf("Next after the end = %v, %v; want false, nil", ok, err)
			}
		})
	}
}

// The goroutine runs one page ahead, never more: while page 0 is held, page 1 is fetched and
// page 2 is not asked for.
func TestPrefetchOnePageAhead(t *testing.T) {
	p := &pager{n: 10, failAt: -1}
	pages := Prefetch(context.Background(), 0, p.fetch)
	defer pages.Stop()
	if _, ok, err := pages.Next(); !ok || err != nil {
		t.Fatalf("Next = %v, %v", ok, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for p.started.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // room for a fetch too many
	if n := p.started.Load(); n != 2 {
		t.Errorf("%d fetches started while page 0 is held, want 2 (page 0 and page 1)", n)
	}
}

// Stop cancels the fetch under way and returns once the goroutine has ended.
func TestPrefetchStopCancels(t *testing.T) {
	p := &pager{n: 10, failAt: -1, release: make(chan struct{})}
	pages := Prefetch(context.Background(), 0, p.fetch)
	done := make(chan struct{})
	go func() {
		pages.Stop()
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Stop did not return while a fetch was blocked")
	}
	pages.Stop() // again: no effect
	if _, ok, err := pages.Next(); ok || err != nil {
		t.Errorf("Next after Stop = %v, %v; want false, nil", ok, err)
	}
}

// A canceled parent context ends the read with an error, never with a silent end.
func TestPrefetchParentCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	p := &pager{n: 10, failAt: -1, release: make(chan struct{})}
	pages := Prefetch(ctx, 0, p.fetch)
	defer pages.Stop()
	cancel()
	_, ok, err := pages.Next()
	if ok || !errors.Is(err, context.Canceled) {
		t.Errorf("Next = %v, %v; want the context's error", ok, err)
	}
}
