package ship

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"syscall"
)

// fileDest appends events, one JSON object per line, to a file an agent
// (Filebeat, Elastic Agent, Vector, Promtail, the Splunk forwarder) tails.
// A batch is one write(2) on an O_APPEND descriptor followed by fsync:
// the agent, and any other writer, never sees half a batch interleaved
// with other lines. The file is never rotated or truncated by ztscan:
// rotation belongs to logrotate, with the agent following the rename.
type fileDest struct {
	path string
}

func parseFile(u *url.URL, p *params) (destination, error) {
	if u.Host != "" && u.Host != "localhost" {
		return nil, fmt.Errorf("file URLs name a local path (file:///path), not host %q", u.Host)
	}
	if u.User != nil {
		return nil, errors.New("file URLs take no user info")
	}
	if err := noTLSParams(p); err != nil {
		return nil, err
	}
	if err := absFile(u.Path); err != nil {
		return nil, err
	}
	return &fileDest{path: u.Path}, nil
}

// batchBytes is large: one scan's events go in one write.
func (d *fileDest) batchBytes() int { return 16 << 20 }

func (d *fileDest) send(_ context.Context, batch []Event) error {
	var buf bytes.Buffer
	for _, e := range batch {
		buf.Write(e.Body)
		buf.WriteByte('\n')
	}
	f, err := os.OpenFile(d.path, os.O_WRONLY|os.O_APPEND|os.O_CREATE|syscall.O_NONBLOCK, 0o640)
	if err != nil {
		return finalError{fmt.Errorf("open: %w", unwrapPath(err))}
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("stat: %w", err)
	}
	if !fi.Mode().IsRegular() {
		// A FIFO would block until a reader comes; a device is not a log.
		return finalError{errors.New("not a regular file")}
	}
	before := fi.Size()
	n, err := f.Write(buf.Bytes())
	if err == nil {
		err = f.Sync()
	}
	if err != nil {
		if n > 0 {
			// Take back a partial batch (disk full) so the retry does not
			// leave half a line, unless another writer appended since.
			if fi, serr := f.Stat(); serr == nil && fi.Size() == before+int64(n) {
				f.Truncate(before)
			}
		}
		return fmt.Errorf("append: %w", unwrapPath(err))
	}
	return f.Close()
}
