package ship

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/ztscan/ztscan/internal/atomicfile"
)

// The spool of one destination is a directory of batch files, each an
// NDJSON list of Events named so that they sort in the order they were
// spooled. A file is written atomically (temporary file, fsync, rename)
// and removed only once the receiver confirmed every event in it; when
// only the first events of a file went through, the file is rewritten
// with the rest, so nothing is sent twice by ztscan's doing. A lock file
// keeps two runs from sending the same file.
const (
	spoolExt     = ".ndjson"
	rejectedDir  = "rejected"
	failuresFile = "failures"
	lockFile     = ".lock"
	// maxSpoolFile bounds what one spool file may hold when read back.
	maxSpoolFile = 256 << 20
)

var errSpoolBusy = errors.New("spool busy: another ztscan run is shipping to this destination")

type spool struct {
	dir  string
	max  int64
	lock *os.File
}

type spoolFile struct {
	path   string
	events []Event
}

// CheckSpool makes sure dir exists (creating it 0700) and is writable,
// so that a spool that cannot work is reported before a scan, not lost
// during an outage.
func CheckSpool(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("spool %s: %w", dir, unwrapPath(err))
	}
	f, err := os.CreateTemp(dir, ".check-*")
	if err != nil {
		return fmt.Errorf("spool %s: not writable: %w", dir, unwrapPath(err))
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// openSpool creates dir and takes its lock, waiting for another run's
// lock at most until ctx ends.
func openSpool(ctx context.Context, dir string, max int64) (*spool, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("spool %s: %w", dir, unwrapPath(err))
	}
	lf, err := os.OpenFile(filepath.Join(dir, lockFile), os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("spool %s: %w", dir, unwrapPath(err))
	}
	for {
		err := syscall.Flock(int(lf.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if err == nil {
			return &spool{dir: dir, max: max, lock: lf}, nil
		}
		if !errors.Is(err, syscall.EWOULDBLOCK) {
			lf.Close()
			return nil, fmt.Errorf("spool %s: lock: %w", dir, err)
		}
		select {
		case <-ctx.Done():
			lf.Close()
			return nil, errSpoolBusy
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func (s *spool) close() { s.lock.Close() } // closing releases the flock

// pending lists the spooled batches, oldest first. A file that does not
// parse is renamed to NAME.bad and reported, never sent or deleted.
func (s *spool) pending() ([]spoolFile, []error) {
	names, err := spoolNames(s.dir)
	if err != nil {
		return nil, []error{err}
	}
	var files []spoolFile
	var bad []error
	for _, n := range names {
		p := filepath.Join(s.dir, n)
		events, err := readSpoolFile(p)
		if err != nil {
			os.Rename(p, p+".bad")
			bad = append(bad, fmt.Errorf("spool file %s: %v (kept as %s.bad)", p, err, n))
			continue
		}
		files = append(files, spoolFile{path: p, events: events})
	}
	return files, bad
}

// spoolNames are the batch files of dir, oldest first.
func spoolNames(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("spool %s: %w", dir, unwrapPath(err))
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() && strings.HasSuffix(e.Name(), spoolExt) && !strings.HasPrefix(e.Name(), ".") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names)
	return names, nil
}

func readSpoolFile(path string) ([]Event, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, unwrapPath(err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxSpoolFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxSpoolFile {
		return nil, fmt.Errorf("larger than %d bytes", maxSpoolFile)
	}
	return parseSpool(data)
}

// parseSpool reads a spool file's events; every line must be a whole
// event with a JSON body.
func parseSpool(data []byte) ([]Event, error) {
	var events []Event
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), maxSpoolFile)
	line := 0
	for sc.Scan() {
		line++
		if len(bytes.TrimSpace(sc.Bytes())) == 0 {
			continue
		}
		var e Event
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("line %d: %v", line, err)
		}
		if e.ID == "" || len(e.Body) == 0 || !json.Valid(e.Body) {
			return nil, fmt.Errorf("line %d: not a ztscan event", line)
		}
		events = append(events, e)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return events, nil
}

func encodeEvents(events []Event) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep bodies byte for byte
	for _, e := range events {
		if err := enc.Encode(e); err != nil {
			return nil, fmt.Errorf("event %s: %w", e.ID, err)
		}
	}
	return buf.Bytes(), nil
}

// write spools events as a new batch file.
func (s *spool) write(events []Event) error { return spoolWrite(s.dir, events) }

func spoolWrite(dir string, events []Event) error {
	if len(events) == 0 {
		return nil
	}
	data, err := encodeEvents(events)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("spool %s: %w", dir, unwrapPath(err))
	}
	var rnd [4]byte
	rand.Read(rnd[:])
	name := fmt.Sprintf("%020d-%s%s", time.Now().UnixNano(), hex.EncodeToString(rnd[:]), spoolExt)
	if err := atomicfile.Write(filepath.Join(dir, name), data, 0o600); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	return nil
}

// settle records that the first done events of f are dealt with: the
// file goes when all are, else it keeps only the rest.
func (s *spool) settle(f spoolFile, done int) error {
	switch {
	case done == 0:
		return nil
	case done >= len(f.events):
		if err := os.Remove(f.path); err != nil {
			return fmt.Errorf("spool: %w", err)
		}
		syncDir(s.dir)
		return nil
	}
	data, err := encodeEvents(f.events[done:])
	if err != nil {
		return err
	}
	if err := atomicfile.Write(f.path, data, 0o600); err != nil {
		return fmt.Errorf("spool: %w", err)
	}
	return nil
}

// reject keeps events the receiver refused in rejected/, for a person to
// look at; they are not sent again.
func (s *spool) reject(events []Event) error {
	return spoolWrite(filepath.Join(s.dir, rejectedDir), events)
}

// enforce drops the oldest batch files while the spool is over its
// bound, and returns how many events went.
func (s *spool) enforce() int {
	names, err := spoolNames(s.dir)
	if err != nil {
		return 0
	}
	sizes := make([]int64, len(names))
	var total int64
	for i, n := range names {
		if fi, err := os.Stat(filepath.Join(s.dir, n)); err == nil {
			sizes[i] = fi.Size()
			total += sizes[i]
		}
	}
	dropped := 0
	for i := 0; total > s.max && i < len(names)-1; i++ { // the newest stays
		p := filepath.Join(s.dir, names[i])
		n := countLines(p)
		if os.Remove(p) == nil {
			dropped += n
			total -= sizes[i]
		}
	}
	return dropped
}

// count is how many events wait in the spool.
func (s *spool) count() int { return countDir(s.dir) }

func countDir(dir string) int {
	names, err := spoolNames(dir)
	if err != nil {
		return 0
	}
	n := 0
	for _, name := range names {
		n += countLines(filepath.Join(dir, name))
	}
	return n
}

func countLines(path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	return bytes.Count(data, []byte("\n"))
}

// bumpFailures adds one to the destination's failure counter when failed
// and returns the counter; it lives in the spool so it survives runs.
func (s *spool) bumpFailures(failed bool) float64 {
	p := filepath.Join(s.dir, failuresFile)
	var n float64
	if data, err := os.ReadFile(p); err == nil {
		if v, err := strconv.ParseFloat(strings.TrimSpace(string(data)), 64); err == nil && v >= 0 {
			n = v
		}
	}
	if failed {
		n++
		atomicfile.Write(p, []byte(strconv.FormatFloat(n, 'f', -1, 64)+"\n"), 0o600)
	}
	return n
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
