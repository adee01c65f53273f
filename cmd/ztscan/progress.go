package main

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/ztscan/ztscan/facts"
)

// progress keeps one live line on stderr while the collectors run
// ("collecting facts 12/31 (sshd) 2.4s"), redrawn in place and erased at
// the end, so it never mixes with the report. It is drawn only when
// stderr is a terminal and --quiet is off; otherwise every method does
// nothing.
type progress struct {
	w     io.Writer
	width int
	start time.Time
	mu    sync.Mutex
	done  int
	total int
	last  string
	drawn bool
	stop  chan struct{}
	wg    sync.WaitGroup
}

// progressTick redraws the elapsed time while a slow collector runs.
const progressTick = 250 * time.Millisecond

// startProgress returns nil (a progress that draws nothing) when the line
// is not wanted.
func startProgress(w io.Writer, quiet bool) *progress {
	if quiet || !isTerminal(w) {
		return nil
	}
	return startProgressOn(w, terminalWidth(w))
}

func startProgressOn(w io.Writer, width int) *progress {
	p := &progress{w: w, width: width, start: time.Now(), stop: make(chan struct{})}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(progressTick)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
				p.mu.Lock()
				p.draw()
				p.mu.Unlock()
			}
		}
	}()
	return p
}

// update is collectors.RunOptions.Progress.
func (p *progress) update(done, total int, st facts.CollectorStatus) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.done, p.total, p.last = done, total, st.Name
	p.draw()
}

// callback is update as a RunOptions.Progress value, nil when nothing is
// drawn (the runner then skips the calls).
func (p *progress) callback() func(int, int, facts.CollectorStatus) {
	if p == nil {
		return nil
	}
	return p.update
}

// draw rewrites the line; the caller holds mu.
func (p *progress) draw() {
	line := fmt.Sprintf("collecting facts %d/%d", p.done, p.total)
	if p.total == 0 {
		line = "collecting facts"
	}
	if p.last != "" {
		line += " (" + p.last + ")"
	}
	line += fmt.Sprintf(" %.1fs", time.Since(p.start).Seconds())
	// A line longer than the terminal would wrap, and "\r" could then
	// not take it back.
	if p.width > 1 && len(line) >= p.width {
		line = line[:p.width-1]
	}
	fmt.Fprintf(p.w, "\r\x1b[K%s", line)
	p.drawn = true
}

// finish erases the line.
func (p *progress) finish() {
	if p == nil {
		return
	}
	close(p.stop)
	p.wg.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}
