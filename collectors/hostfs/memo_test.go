package hostfs

import (
	"errors"
	"sync"
	"sync/atomic"
	"testing"
)

func TestMemo(t *testing.T) {
	h, err := Rootfs(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var calls atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			v, err := Memo(h, "k", func() (int, error) { calls.Add(1); return 42, nil })
			if v != 42 || err != nil {
				t.Errorf("got %v %v", v, err)
			}
		}()
	}
	wg.Wait()
	if calls.Load() != 1 {
		t.Errorf("fn ran %d times, want once per target", calls.Load())
	}
	// Errors are remembered too: a scan does not retry a broken file.
	boom := errors.New("boom")
	for range 2 {
		if _, err := Memo(h, "e", func() (string, error) { calls.Add(1); return "", boom }); !errors.Is(err, boom) {
			t.Errorf("err %v", err)
		}
	}
	if calls.Load() != 2 {
		t.Errorf("a failed fn ran %d times in all, want once", calls.Load()-1)
	}
	if _, err := Memo(h, "k", func() (string, error) { return "x", nil }); !errors.Is(err, errMemoType) {
		t.Errorf("type mismatch: %v", err)
	}
	// Another target has its own table.
	h2, _ := Rootfs(t.TempDir())
	if v, _ := Memo(h2, "k", func() (int, error) { return 7, nil }); v != 7 {
		t.Errorf("targets share memo: %v", v)
	}
}
