package main

import (
	"fmt"
	"io"
	"sync"
	"time"
)

// progress draws a one-line live status of an extract on a terminal and a line per finished
// stream; off a terminal it draws nothing (the JSON logs say the same).
type progress struct {
	mu       sync.Mutex
	w        io.Writer
	on       bool
	now      func() time.Time
	start    time.Time
	total    int
	done     int
	rows     int64
	running  map[string]int64
	lastDraw time.Time
}

func newProgress(w io.Writer, terminal bool, now func() time.Time, total int) *progress {
	return &progress{w: w, on: terminal, now: now, start: now(), total: total, running: map[string]int64{}}
}

func (p *progress) StreamStarted(stream string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.running[stream] = 0
	p.draw(true)
}

func (p *progress) RowsLoaded(stream string, rows int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.running[stream] += rows
	p.rows += rows
	p.draw(false)
}

func (p *progress) StreamDone(stream string, err error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	rows := p.running[stream]
	delete(p.running, stream)
	p.done++
	if !p.on {
		return
	}
	mark := "✓"
	if err != nil {
		mark = "✗"
	}
	fmt.Fprintf(p.w, "\r\033[K%s %-40s %12d rows\n", mark, stream, rows)
	p.draw(true)
}

// draw repaints the status line, at most 10 times a second unless forced.
func (p *progress) draw(force bool) {
	if !p.on {
		return
	}
	now := p.now()
	if !force && now.Sub(p.lastDraw) < 100*time.Millisecond {
		return
	}
	p.lastDraw = now
	secs := now.Sub(p.start).Seconds()
	rate := 0.0
	if secs > 0 {
		rate = float64(p.rows) / secs
	}
	fmt.Fprintf(p.w, "\r\033[Kextracting: %d/%d streams done, %d running, %d rows, %.0f rows/s, %.1fs",
		p.done, p.total, len(p.running), p.rows, rate, secs)
}

func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.on {
		fmt.Fprint(p.w, "\r\033[K")
	}
}
