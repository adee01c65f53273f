package hostfs

import "sync"

// Memo runs fn once per key and target and returns its result to every
// caller: collectors running concurrently against one target share one
// parse of what several of them read (the package database, the account
// names). The target is the scan's lifetime, so nothing outlives a scan.
// A target that does not memoize (a test double) just calls fn.
func Memo[T any](h Host, key string, fn func() (T, error)) (T, error) {
	m, ok := h.(memoizer)
	if !ok {
		return fn()
	}
	e := m.memoEntry(key)
	e.once.Do(func() { e.value, e.err = fn() })
	if e.err != nil {
		var zero T
		return zero, e.err
	}
	v, ok := e.value.(T)
	if !ok {
		// Two callers used one key for different types: a programming
		// error, reported rather than hidden.
		var zero T
		return zero, &PathError{Op: "memo", Path: key, Err: errMemoType}
	}
	return v, nil
}

type memoizer interface {
	memoEntry(key string) *memoValue
}

type memoValue struct {
	once  sync.Once
	value any
	err   error
}

type memoTable struct{ m sync.Map }

func (t *memoTable) entry(key string) *memoValue {
	v, _ := t.m.LoadOrStore(key, &memoValue{})
	return v.(*memoValue)
}
