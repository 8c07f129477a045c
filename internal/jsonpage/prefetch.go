package jsonpage

import (
	"context"
	"sync"
)

// FetchFunc fetches the page at position at. It returns the page, the position of the page
// after it, and more: false when this page is the last one. An error ends the read.
type FetchFunc[Pos, Page any] func(ctx context.Context, at Pos) (page Page, next Pos, more bool, err error)

// Pages is a paged read running one page ahead of its caller (see Prefetch).
type Pages[Page any] struct {
	ch     chan fetched[Page]
	cancel context.CancelFunc
	done   chan struct{}
	stop   sync.Once
	ended  bool
	// cause is why the goroutine stopped before handing out a page it had (its context ended);
	// written before ch is closed.
	cause error
}

type fetched[Page any] struct {
	page Page
	err  error
}

// Prefetch starts a paged read at position first, one page ahead of the caller: fetch runs in
// one goroutine, one call at a time, and while the caller handles page n (taken with Next),
// page n+1 is fetched and waits; page n+2 is not asked for before page n+1 is taken. Pages come
// out of Next in order; an error from fetch comes out after the pages before it, and ends the
// read. fetch's ctx is ctx, or canceled by Stop.
//
// The caller must call Stop when done (typically deferred), and must not touch state that fetch
// uses before Stop returns.
func Prefetch[Pos, Page any](ctx context.Context, first Pos, fetch FetchFunc[Pos, Page]) *Pages[Page] {
	ctx, cancel := context.WithCancel(ctx)
	p := &Pages[Page]{ch: make(chan fetched[Page]), cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(p.done)
		defer close(p.ch)
		at := first
		for {
			page, next, more, err := fetch(ctx, at)
			select {
			case p.ch <- fetched[Page]{page: page, err: err}:
			case <-ctx.Done():
				p.cause = ctx.Err()
				return
			}
			if err != nil || !more {
				return
			}
			at = next
		}
	}()
	return p
}

// Next returns the next page. ok is false when the read is over: after its last page, or once
// an error has been returned. A read whose context ended before the page was handed out returns
// the context's error.
func (p *Pages[Page]) Next() (page Page, ok bool, err error) {
	if p.ended {
		return page, false, nil
	}
	f, open := <-p.ch
	switch {
	case !open:
		p.ended = true
		return page, false, p.cause
	case f.err != nil:
		p.ended = true
		return page, false, f.err
	}
	return f.page, true, nil
}

// Stop cancels the fetch under way, if any, and waits for the goroutine to end; pages fetched
// and not taken are dropped. It may be called more than once.
func (p *Pages[Page]) Stop() {
	p.stop.Do(func() {
		p.cancel()
		<-p.done
		p.ended = true
	})
}
