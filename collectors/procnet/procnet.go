// Package procnet parses the kernel's socket tables (/proc/net/tcp, tcp6,
// udp, udp6) and the cgroup file of a process. It only parses bytes; the
// collectors read the files through hostfs.
package procnet

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"
	"strconv"
)

// TCP states of include/net/tcp_states.h that matter here.
const (
	StateEstablished = 0x01
	StateClose       = 0x07 // an unconnected (bound) UDP socket
	StateListen      = 0x0A
)

// MaxLines bounds one table: a host with more sockets than this is either
// hostile input or beyond what a scan should hold in memory at once.
const MaxLines = 1 << 20

// Entry is one line of a socket table.
type Entry struct {
	Local      netip.AddrPort
	Remote     netip.AddrPort
	State      uint8
	UID        uint32
	Inode      uint64
	LineNumber int
}

// ErrHeader is returned for a table that does not start with the kernel's
// header line ("  sl  local_address rem_address   st ...").
var ErrHeader = errors.New("missing socket table header")

// ParseTable parses a /proc/net/{tcp,tcp6,udp,udp6} table. v6 selects the
// address width (32 hex digits instead of 8). Addresses are printed by the
// kernel as 32-bit words in host byte order, so they are decoded in this
// machine's native order: the tables are only ever read on the host that
// produced them (fixtures are generated in the same order).
func ParseTable(data []byte, v6 bool) ([]Entry, error) {
	lines := bytes.Split(data, []byte("\n"))
	if len(lines) == 0 || !bytes.Contains(lines[0], []byte("local_address")) {
		return nil, ErrHeader
	}
	if len(lines) > MaxLines+2 {
		return nil, fmt.Errorf("more than %d sockets", MaxLines)
	}
	out := make([]Entry, 0, len(lines)-1)
	for i, line := range lines[1:] {
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		e, err := parseLine(line, v6)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", i+2, err)
		}
		e.LineNumber = i + 2
		out = append(out, e)
	}
	return out, nil
}

// parseLine reads the fields "sl local rem st tx:rx tr:when retrnsmt uid
// timeout inode ...": everything after the inode is per-protocol and ignored.
func parseLine(line []byte, v6 bool) (Entry, error) {
	var f [10][]byte
	n := 0
	for _, fld := range bytes.Fields(line) {
		if n == len(f) {
			break
		}
		f[n] = fld
		n++
	}
	if n < len(f) {
		return Entry{}, fmt.Errorf("%d fields, want at least %d", n, len(f))
	}
	if len(f[0]) == 0 || f[0][len(f[0])-1] != ':' {
		return Entry{}, fmt.Errorf("slot %q: missing colon", f[0])
	}
	var e Entry
	var err error
	if e.Local, err = parseAddrPort(f[1], v6); err != nil {
		return Entry{}, fmt.Errorf("local address: %w", err)
	}
	if e.Remote, err = parseAddrPort(f[2], v6); err != nil {
		return Entry{}, fmt.Errorf("remote address: %w", err)
	}
	st, err := strconv.ParseUint(string(f[3]), 16, 8)
	if err != nil {
		return Entry{}, fmt.Errorf("state %q: not a hex byte", f[3])
	}
	e.State = uint8(st)
	uid, err := strconv.ParseUint(string(f[7]), 10, 32)
	if err != nil {
		return Entry{}, fmt.Errorf("uid %q: %w", f[7], errors.Unwrap(err))
	}
	e.UID = uint32(uid)
	if e.Inode, err = strconv.ParseUint(string(f[9]), 10, 64); err != nil {
		return Entry{}, fmt.Errorf("inode %q: %w", f[9], errors.Unwrap(err))
	}
	return e, nil
}

// parseAddrPort decodes "0100007F:0016" (IPv4) or 32 hex digits and a port
// (IPv6). The port is printed in plain hex, the address word by word.
func parseAddrPort(b []byte, v6 bool) (netip.AddrPort, error) {
	colon := bytes.IndexByte(b, ':')
	if colon < 0 {
		return netip.AddrPort{}, fmt.Errorf("%q: missing port", b)
	}
	hexAddr, hexPort := b[:colon], b[colon+1:]
	want := 8
	if v6 {
		want = 32
	}
	if len(hexAddr) != want {
		return netip.AddrPort{}, fmt.Errorf("%q: %d hex digits, want %d", b, len(hexAddr), want)
	}
	if len(hexPort) != 4 {
		return netip.AddrPort{}, fmt.Errorf("%q: port is not 4 hex digits", b)
	}
	port, err := strconv.ParseUint(string(hexPort), 16, 16)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("%q: port not hex", b)
	}
	var raw [16]byte
	for w := 0; w < want/8; w++ {
		word, err := strconv.ParseUint(string(hexAddr[w*8:w*8+8]), 16, 32)
		if err != nil {
			return netip.AddrPort{}, fmt.Errorf("%q: address not hex", b)
		}
		binary.NativeEndian.PutUint32(raw[w*4:], uint32(word))
	}
	var addr netip.Addr
	if v6 {
		addr = netip.AddrFrom16(raw)
	} else {
		addr = netip.AddrFrom4([4]byte(raw[:4]))
	}
	return netip.AddrPortFrom(addr, uint16(port)), nil
}

// FormatAddrPort is the inverse of parseAddrPort, used to generate
// fixtures and in tests.
func FormatAddrPort(ap netip.AddrPort) string {
	a := ap.Addr()
	var raw []byte
	if a.Is4() {
		b := a.As4()
		raw = b[:]
	} else {
		b := a.As16()
		raw = b[:]
	}
	var out []byte
	for w := 0; w < len(raw)/4; w++ {
		out = fmt.Appendf(out, "%08X", binary.NativeEndian.Uint32(raw[w*4:]))
	}
	return fmt.Sprintf("%s:%04X", out, ap.Port())
}

// FormatLine renders one table line the way the kernel does, enough for
// ParseTable (fixtures and benchmarks).
func FormatLine(slot int, e Entry) string {
	return fmt.Sprintf("%4d: %s %s %02X 00000000:00000000 00:00000000 00000000 %5d        0 %d 1 0000000000000000 100 0 0 10 0",
		slot, FormatAddrPort(e.Local), FormatAddrPort(e.Remote), e.State, e.UID, e.Inode)
}

// Header is the first line of /proc/net/tcp.
const Header = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode"

// SocketInode extracts N from a /proc/PID/fd link text "socket:[N]".
func SocketInode(link string) (uint64, bool) {
	const prefix = "socket:["
	if len(link) < len(prefix)+2 || link[:len(prefix)] != prefix || link[len(link)-1] != ']' {
		return 0, false
	}
	n, err := strconv.ParseUint(link[len(prefix):len(link)-1], 10, 64)
	return n, err == nil
}

// ServiceUnit returns the systemd service a process belongs to, from its
// /proc/PID/cgroup: the innermost path component ending in ".service" of
// the unified (0::) hierarchy, else of the name=systemd one. Services under
// user@.service are reported with their own name ("dbus.service" of a
// user session), since that is what the operator sees in systemctl --user.
func ServiceUnit(cgroup []byte) string {
	var unified, named string
	for _, line := range bytes.Split(cgroup, []byte("\n")) {
		parts := bytes.SplitN(line, []byte(":"), 3)
		if len(parts) != 3 {
			continue
		}
		svc := innermostService(string(parts[2]))
		switch {
		case string(parts[0]) == "0" && len(parts[1]) == 0:
			unified = svc
		case string(parts[1]) == "name=systemd":
			named = svc
		}
	}
	if unified != "" {
		return unified
	}
	return named
}

func innermostService(p string) string {
	for p != "" {
		i := len(p) - 1
		for i >= 0 && p[i] != '/' {
			i--
		}
		comp := p[i+1:]
		if len(comp) > len(".service") && comp[len(comp)-len(".service"):] == ".service" {
			return comp
		}
		if i < 0 {
			break
		}
		p = p[:i]
	}
	return ""
}
