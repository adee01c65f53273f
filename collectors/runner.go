package collectors

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime/debug"
	"sort"
	"sync"
	"time"

	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/facts"
)

// DefaultTimeout bounds one collector.
const DefaultTimeout = 10 * time.Second

// RunOptions tune Run.
type RunOptions struct {
	Timeout time.Duration // per collector; 0 = DefaultTimeout
	// Progress, when set, is called as each collector finishes.
	Progress func(done, total int, st facts.CollectorStatus)
}

// Run starts every collector concurrently against h, each with its own
// timeout and panic recovery, and returns the facts keyed by collector
// name and one status per collector, sorted by name. It never fails: a
// collector's problem is data in its status.
func Run(ctx context.Context, h hostfs.Host, list []Collector, opt RunOptions) (map[string]json.RawMessage, []facts.CollectorStatus) {
	timeout := opt.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	type outcome struct {
		status facts.CollectorStatus
		data   json.RawMessage
	}
	results := make([]outcome, len(list))
	var wg sync.WaitGroup
	var mu sync.Mutex
	done := 0
	for i, c := range list {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, data := runOne(ctx, h, c, timeout)
			results[i] = outcome{st, data}
			if opt.Progress != nil {
				mu.Lock()
				done++
				opt.Progress(done, len(list), st)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	factMap := make(map[string]json.RawMessage, len(list))
	statuses := make([]facts.CollectorStatus, 0, len(list))
	for _, r := range results {
		statuses = append(statuses, r.status)
		if r.data != nil {
			factMap[r.status.Name] = r.data
		}
	}
	sort.Slice(statuses, func(i, j int) bool { return statuses[i].Name < statuses[j].Name })
	return factMap, statuses
}

// runOne runs a collector in its own goroutine so that one that ignores
// its context cannot hold up the scan past its timeout; such a goroutine
// is abandoned and its late result dropped.
func runOne(parent context.Context, h hostfs.Host, c Collector, timeout time.Duration) (facts.CollectorStatus, json.RawMessage) {
	start := time.Now()
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel()
	type ret struct {
		v   any
		err error
	}
	ch := make(chan ret, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				ch <- ret{err: fmt.Errorf("collector panicked: %v\n%s", p, firstStackLines(debug.Stack()))}
			}
		}()
		v, err := c.Collect(ctx, h)
		ch <- ret{v, err}
	}()
	st := facts.CollectorStatus{Name: c.Name(), Status: facts.StatusOK}
	var data json.RawMessage
	select {
	case r := <-ch:
		switch {
		case r.err == nil:
			b, err := json.Marshal(r.v)
			if err != nil {
				st.Status, st.Error = facts.StatusError, fmt.Sprintf("encode facts: %v", err)
			} else {
				data = b
			}
		case IsUnavailable(r.err):
			st.Status, st.Error = facts.StatusUnavailable, r.err.Error()
		default:
			st.Status, st.Error = facts.StatusError, r.err.Error()
		}
	case <-ctx.Done():
		st.Status = facts.StatusError
		if parent.Err() != nil {
			st.Error = fmt.Sprintf("cancelled: %v", parent.Err())
		} else {
			st.Error = fmt.Sprintf("timed out after %s", timeout)
		}
	}
	st.DurationMS = time.Since(start).Milliseconds()
	return st, data
}

func firstStackLines(stack []byte) string {
	const max = 2000
	if len(stack) > max {
		stack = stack[:max]
	}
	return string(stack)
}
