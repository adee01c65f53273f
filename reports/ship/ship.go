package ship

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"time"
)

// DefaultSpoolDir holds events a destination did not confirm, one
// subdirectory per destination.
const DefaultSpoolDir = "/var/lib/ztscan/spool"

// DefaultSpoolMax bounds one destination's spool; past it the oldest
// spooled events are dropped (and said so), so a receiver gone for good
// cannot fill the disk.
const DefaultSpoolMax = 64 << 20

// Options tune Run.
type Options struct {
	SpoolDir string // "" = no spool: unconfirmed events are lost, and said so
	SpoolMax int64  // bytes per destination; 0 = DefaultSpoolMax
}

// Result is what became of the events for one destination.
type Result struct {
	Destination string
	Delivered   int // events the receiver confirmed in this run, spooled ones included
	FromSpool   int // of Delivered, events spooled by earlier runs
	Spooled     int // events waiting in the spool after this run
	Rejected    int // events the receiver refused; kept in the spool's rejected/ directory
	Dropped     int // events lost: spool unavailable or over its size bound
	// Err says why delivery failed; nil when every event was confirmed.
	Err error
	// FailuresTotal counts the runs in which this destination failed,
	// kept in the spool across runs (a Prometheus counter).
	FailuresTotal float64
	SpoolDir      string // this destination's spool directory, "" when none
}

// Line is the one stderr line that reports a failed destination.
func (r Result) Line() string {
	msg := fmt.Sprintf("ship %s: %v", r.Destination, r.Err)
	if r.Delivered > 0 {
		msg += fmt.Sprintf("; %d events delivered", r.Delivered)
	}
	if r.Spooled > 0 {
		msg += fmt.Sprintf("; %d events spooled in %s, sent on the next run", r.Spooled, r.SpoolDir)
	}
	if r.Rejected > 0 {
		msg += fmt.Sprintf("; %d events refused by the receiver, kept in %s", r.Rejected, filepath.Join(r.SpoolDir, rejectedDir))
	}
	if r.Dropped > 0 {
		msg += fmt.Sprintf("; %d events LOST", r.Dropped)
	}
	return msg
}

// rejectedError is a receiver refusing the content itself (HTTP 400):
// sending it again will not help, so it is set aside, not retried.
type rejectedError struct{ error }

func (e rejectedError) Unwrap() error { return e.error }

// finalError is a failure that retrying within this run will not cure
// (bad token, wrong path, certificate refused): the events are spooled
// for a run after the configuration is fixed.
type finalError struct{ error }

func (e finalError) Unwrap() error { return e.error }

// Run delivers events to every target concurrently, each within its own
// time limit, sending each destination's spooled events first.
func Run(ctx context.Context, targets []*Target, events []Event, opt Options) []Result {
	if opt.SpoolMax <= 0 {
		opt.SpoolMax = DefaultSpoolMax
	}
	results := make([]Result, len(targets))
	var wg sync.WaitGroup
	for i, t := range targets {
		wg.Go(func() { results[i] = t.deliver(ctx, events, opt) })
	}
	wg.Wait()
	return results
}

func (t *Target) deliver(parent context.Context, events []Event, opt Options) (res Result) {
	ctx, cancel := context.WithTimeout(parent, t.timeout)
	defer cancel()
	res.Destination = t.Name
	var sp *spool
	var spoolErr error
	if opt.SpoolDir != "" {
		dir := filepath.Join(opt.SpoolDir, t.key)
		s, err := openSpool(ctx, dir, opt.SpoolMax)
		if err != nil {
			res.Err = err
			if errors.Is(err, errSpoolBusy) {
				// Another run holds the queue: leave ours in it unsent,
				// that run or the next sends it. Sending here could
				// overtake events queued before ours.
				if werr := spoolWrite(dir, events); werr != nil {
					res.Dropped = len(events)
					res.Err = fmt.Errorf("%v, and %v", err, werr)
				}
				res.Spooled, res.SpoolDir = countDir(dir), dir
				return res
			}
			// No spool: still try to deliver, but nothing is kept.
			spoolErr = err
		} else {
			sp = s
			res.SpoolDir = dir
			defer sp.close()
		}
	}
	var down error
	var rejected []error
	if sp != nil {
		files, bad := sp.pending()
		rejected = append(rejected, bad...)
		for _, f := range files {
			if down != nil {
				break
			}
			o := t.sendAll(ctx, f.events)
			res.Delivered += o.sent
			res.FromSpool += o.sent
			res.Rejected += len(o.rejected)
			if len(o.rejected) > 0 {
				rejected = append(rejected, o.rejectErr)
				if err := sp.reject(o.rejected); err != nil {
					res.Dropped += len(o.rejected)
					rejected = append(rejected, err)
				}
			}
			down = o.err
			if err := sp.settle(f, o.done); err != nil && down == nil {
				down = err
			}
		}
	}
	pending := events
	if down == nil {
		o := t.sendAll(ctx, events)
		res.Delivered += o.sent
		res.Rejected += len(o.rejected)
		if len(o.rejected) > 0 {
			rejected = append(rejected, o.rejectErr)
			if sp == nil || sp.reject(o.rejected) != nil {
				res.Dropped += len(o.rejected)
			}
		}
		down = o.err
		pending = events[o.done:]
	}
	if down != nil && len(pending) > 0 {
		if sp == nil {
			res.Dropped += len(pending)
		} else if err := sp.write(pending); err != nil {
			res.Dropped += len(pending)
			down = fmt.Errorf("%v; spool: %v", down, err)
		}
	}
	if sp != nil {
		res.Dropped += sp.enforce()
		res.Spooled = sp.count()
	}
	// An unusable spool is reported even when everything was delivered:
	// the next outage would lose events.
	res.Err = joinErrs(append([]error{down, spoolErr}, rejected...))
	if sp != nil {
		res.FailuresTotal = sp.bumpFailures(res.Err != nil)
	} else if res.Err != nil {
		res.FailuresTotal = 1
	}
	return res
}

// outcome is how far a list of events got: events[:done] are settled
// (sent or rejected), events[done:] were not sent because of err.
type outcome struct {
	done, sent int
	rejected   []Event
	rejectErr  error
	err        error
}

// sendAll sends events in batches, in order, stopping at the first batch
// the receiver did not take.
func (t *Target) sendAll(ctx context.Context, events []Event) outcome {
	var o outcome
	for _, b := range batches(events, t.dest.batchBytes()) {
		err := t.sendBatch(ctx, b)
		var rej rejectedError
		switch {
		case err == nil:
			o.sent += len(b)
		case errors.As(err, &rej):
			o.rejected = append(o.rejected, b...)
			o.rejectErr = err
		default:
			o.err = err
			return o
		}
		o.done += len(b)
	}
	return o
}

// Backoff between attempts: doubling from retryFirst up to retryMax,
// until the destination's time limit.
const (
	retryFirst = 250 * time.Millisecond
	retryMax   = 5 * time.Second
)

func (t *Target) sendBatch(ctx context.Context, batch []Event) error {
	wait := retryFirst
	for {
		err := t.dest.send(ctx, batch)
		if err == nil {
			return nil
		}
		var rej rejectedError
		var fin finalError
		if errors.As(err, &rej) || errors.As(err, &fin) {
			return err
		}
		timer := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			timer.Stop()
			return fmt.Errorf("%w (gave up after %s)", err, t.timeout)
		case <-timer.C:
		}
		wait = min(2*wait, retryMax)
	}
}

// batches cuts events into runs whose bodies add up to at most max bytes
// (a single larger event is a batch of its own).
func batches(events []Event, max int) [][]Event {
	var out [][]Event
	start, size := 0, 0
	for i, e := range events {
		n := len(e.Body) + 256 // envelope
		if i > start && size+n > max {
			out = append(out, events[start:i])
			start, size = i, 0
		}
		size += n
	}
	if start < len(events) {
		out = append(out, events[start:])
	}
	return out
}

// joinErrs joins the non-nil errors on one line.
func joinErrs(errs []error) error {
	var msgs []string
	for _, e := range errs {
		if e != nil {
			msgs = append(msgs, e.Error())
		}
	}
	if len(msgs) == 0 {
		return nil
	}
	if len(msgs) == 1 {
		for _, e := range errs {
			if e != nil {
				return e
			}
		}
	}
	return errors.New(strings.Join(msgs, "; "))
}
