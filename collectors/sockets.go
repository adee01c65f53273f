package collectors

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/collectors/procnet"
)

// Listener is one listening TCP or bound, unconnected UDP socket of the
// live host. The firewall collector judges its exposure.
type Listener struct {
	Proto   string `json:"proto"`   // "tcp" | "udp"
	Family  string `json:"family"`  // "inet" | "inet6"
	Address string `json:"address"` // local address as bound ("0.0.0.0", "::", "127.0.0.1")
	Port    int    `json:"port"`
	// V4Mapped: an inet6 wildcard ("::") without IPV6_V6ONLY, which also
	// receives IPv4 connections, so it counts as "0.0.0.0" too.
	V4Mapped bool   `json:"v4_mapped"`
	Inode    uint64 `json:"inode"`
	PID      int    `json:"pid"`     // lowest PID holding the socket; 0 when unknown or a kernel socket
	Process  string `json:"process"` // comm of PID, "[kernel]" for a kernel socket (inode 0)
	Unit     string `json:"unit"`    // systemd service of PID from its cgroup, "" when none
	// Scope is "loopback" (127.0.0.0/8, ::1), "wildcard" (0.0.0.0, ::) or
	// "specific" (one non-loopback address), so rules need not parse addresses.
	Scope string `json:"scope"`
	// Owner says whether PID/Process/Unit are known for this socket.
	Owner Part `json:"owner"`
}

// SocketsFacts is the sockets collector's output.
type SocketsFacts struct {
	Listeners []Listener `json:"listeners"`
	// Owners describes the inode-to-process scan of /proc/*/fd.
	Owners OwnerScan `json:"owners"`
	// V6Only says how IPV6_V6ONLY of "::" sockets was decided.
	V6Only V6OnlySource `json:"v6only"`
}

// OwnerScan is the outcome of mapping socket inodes to processes. Status
// "error" means the scan hit a bound (count or time) before it finished.
type OwnerScan struct {
	Part
	Processes  int `json:"processes"`  // processes whose fd directory was read
	Unreadable int `json:"unreadable"` // processes whose fd directory could not be read
	FDs        int `json:"fds"`        // descriptors examined
	Unresolved int `json:"unresolved"` // listeners without a known owner
}

// V6OnlySource: "sock_diag" (per socket, from the kernel) or "sysctl"
// (net.ipv6.bindv6only, the default sockets start with).
type V6OnlySource struct {
	Source     string `json:"source"`
	BindV6Only *bool  `json:"bindv6only,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

// Bounds of the owner scan: a host with more processes or descriptors is
// scanned partially and says so, rather than stalling the scan.
const (
	maxOwnerProcesses = 65536
	maxOwnerFDs       = 1 << 20
	ownerScanTimeout  = 2 * time.Second
)

// Sockets collects listening sockets of the live host.
type Sockets struct{}

// NewSockets returns the sockets collector.
func NewSockets() *Sockets { return &Sockets{} }

// Name implements Collector.
func (*Sockets) Name() string { return "sockets" }

// Collect implements Collector.
func (*Sockets) Collect(ctx context.Context, h hostfs.Host) (any, error) {
	return CollectSockets(ctx, h)
}

// ListListeners returns the listening sockets of the live host, sorted by
// protocol, port, family, address and inode. An offline root has none:
// Unavailable.
func ListListeners(ctx context.Context, h hostfs.Host) ([]Listener, error) {
	f, err := CollectSockets(ctx, h)
	if err != nil {
		return nil, err
	}
	return f.Listeners, nil
}

// socketTables are the files read, with their protocol and family.
var socketTables = []struct {
	path, proto, family string
}{
	{"/proc/net/tcp", "tcp", "inet"},
	{"/proc/net/tcp6", "tcp", "inet6"},
	{"/proc/net/udp", "udp", "inet"},
	{"/proc/net/udp6", "udp", "inet6"},
}

// CollectSockets reads the socket tables, decides V6ONLY and maps owners.
func CollectSockets(ctx context.Context, h hostfs.Host) (SocketsFacts, error) {
	if h.Kind() != hostfs.KindHost {
		return SocketsFacts{}, Unavailable("offline root: sockets exist only on a running host")
	}
	listeners := []Listener{}
	for _, t := range socketTables {
		data, err := h.ReadFileLimit(t.path, 1<<30)
		if err != nil {
			// No tcp6/udp6 table: the kernel runs without IPv6
			// (ipv6.disable=1), so there are no IPv6 sockets.
			if t.family == "inet6" && errors.Is(err, fs.ErrNotExist) {
				continue
			}
			return SocketsFacts{}, fmt.Errorf("sockets: %w", err)
		}
		entries, err := procnet.ParseTable(data, t.family == "inet6")
		if err != nil {
			return SocketsFacts{}, fmt.Errorf("sockets: %s: %w", t.path, err)
		}
		for _, e := range entries {
			if !isListening(t.proto, e) {
				continue
			}
			addr := e.Local.Addr()
			listeners = append(listeners, Listener{
				Proto: t.proto, Family: t.family, Address: addr.String(), Port: int(e.Local.Port()),
				Inode: e.Inode, Scope: addrScope(addr),
			})
		}
	}
	f := SocketsFacts{Listeners: listeners}
	f.V6Only = markV4Mapped(h, listeners)
	f.Owners = mapOwners(ctx, h, listeners)
	sort.Slice(listeners, func(i, j int) bool { return listenerLess(listeners[i], listeners[j]) })
	return f, nil
}

// isListening: a TCP socket in LISTEN, or a UDP socket that is bound but
// not connected (state CLOSE, no peer): a connected UDP socket is a client.
func isListening(proto string, e procnet.Entry) bool {
	if proto == "tcp" {
		return e.State == procnet.StateListen
	}
	return e.State == procnet.StateClose && e.Remote.Port() == 0 && e.Remote.Addr().IsUnspecified()
}

func addrScope(a netip.Addr) string {
	a = a.Unmap()
	switch {
	case a.IsUnspecified():
		return "wildcard"
	case a.IsLoopback():
		return "loopback"
	}
	return "specific"
}

// markV4Mapped sets V4Mapped on "::" listeners that accept IPv4. On the
// live root (h.Root() "/") the kernel is asked per socket; a fixture host
// or a failed query falls back to net.ipv6.bindv6only, the default every
// socket starts with (0: dual stack).
func markV4Mapped(h hostfs.Host, ls []Listener) V6OnlySource {
	src := V6OnlySource{Source: "sysctl"}
	var perSocket map[string]map[uint64]bool
	if h.Root() == "/" {
		perSocket = map[string]map[uint64]bool{}
		for _, proto := range []string{"tcp", "udp"} {
			m, err := procnet.V6Only(proto)
			if err != nil {
				perSocket, src.Reason = nil, err.Error()
				break
			}
			perSocket[proto] = m
		}
	}
	if perSocket != nil {
		src.Source = "sock_diag"
	}
	bind, err := readBindV6Only(h)
	if err != nil {
		src.Reason = strings.TrimPrefix(src.Reason+"; ", "; ") + err.Error()
	} else {
		src.BindV6Only = &bind
	}
	for i := range ls {
		l := &ls[i]
		if l.Family != "inet6" || l.Address != "::" {
			continue
		}
		if v6only, ok := perSocket[l.Proto][l.Inode]; ok {
			l.V4Mapped = !v6only
			continue
		}
		// Unknown: count it as dual stack, the wider exposure, unless
		// the default is known to be v6-only.
		l.V4Mapped = err != nil || !bind
	}
	return src
}

func readBindV6Only(h hostfs.Host) (bool, error) {
	const p = "/proc/sys/net/ipv6/bindv6only"
	data, err := h.ReadFileLimit(p, 64)
	if err != nil {
		return false, err
	}
	switch strings.TrimSpace(string(data)) {
	case "0":
		return false, nil
	case "1":
		return true, nil
	}
	return false, fmt.Errorf("%s: unexpected value %q", p, strings.TrimSpace(string(data)))
}

func listenerLess(a, b Listener) bool {
	if a.Proto != b.Proto {
		return a.Proto < b.Proto
	}
	if a.Port != b.Port {
		return a.Port < b.Port
	}
	if a.Family != b.Family {
		return a.Family < b.Family
	}
	if a.Address != b.Address {
		return a.Address < b.Address
	}
	return a.Inode < b.Inode
}

// mapOwners finds, for each listener's inode, the lowest PID with a
// descriptor on it (/proc/PID/fd/N -> "socket:[inode]"), then its comm and
// systemd unit. It stops once every inode is found, or at a bound.
func mapOwners(ctx context.Context, h hostfs.Host, ls []Listener) OwnerScan {
	scan := OwnerScan{Part: PartOK()}
	want := map[uint64]int{} // inode -> owning pid (0: not yet found)
	for i := range ls {
		if ls[i].Inode == 0 {
			// Kernel sockets (WireGuard, NFS, ...) have no inode and
			// no process.
			ls[i].PID, ls[i].Process, ls[i].Owner = 0, "[kernel]", PartOK()
			continue
		}
		want[ls[i].Inode] = 0
	}
	remaining := len(want)
	if remaining > 0 {
		ctx, cancel := context.WithTimeout(ctx, ownerScanTimeout)
		defer cancel()
		pids, err := listPIDs(h)
		if err != nil {
			scan.Part = PartError(err)
		}
		// Batches of PIDs in order, read in parallel (the work is
		// syscalls: getdents and readlink per descriptor), merged in PID
		// order: the first holder found is the lowest PID whatever the
		// scheduling, and the scan stops at the first batch after which
		// every inode has an owner.
		workers := min(runtime.GOMAXPROCS(0), 8)
		batch := 16 * workers
		results := make([]procScan, batch)
		for first := 0; first < len(pids) && remaining > 0; first += batch {
			if scan.Processes >= maxOwnerProcesses || scan.FDs >= maxOwnerFDs {
				scan.Part = PartError(fmt.Errorf("process scan stopped at a bound (%d processes, %d descriptors)", scan.Processes, scan.FDs))
				break
			}
			if ctx.Err() != nil {
				scan.Part = PartError(fmt.Errorf("process scan stopped after %s (%d processes read)", ownerScanTimeout, scan.Processes))
				break
			}
			group := pids[first:min(first+batch, len(pids))]
			fdBudget := maxOwnerFDs - scan.FDs
			var wg sync.WaitGroup
			next := atomic.Int64{}
			for range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := int(next.Add(1) - 1); i < len(group); i = int(next.Add(1) - 1) {
						results[i] = scanProcess(h, group[i], fdBudget)
					}
				}()
			}
			wg.Wait()
			for i, pid := range group {
				r := results[i]
				switch {
				case r.unreadable:
					scan.Unreadable++
				case r.exists:
					scan.Processes++
				}
				scan.FDs += r.fds
				for _, ino := range r.inodes {
					if owner, wanted := want[ino]; wanted && owner == 0 {
						want[ino] = pid
						remaining--
					}
				}
			}
		}
	}
	procs := map[int]procInfo{}
	for i := range ls {
		l := &ls[i]
		if l.Inode == 0 {
			continue
		}
		pid := want[l.Inode]
		if pid == 0 {
			scan.Unresolved++
			l.Owner = PartUnavailable(unresolvedReason(scan))
			continue
		}
		info, ok := procs[pid]
		if !ok {
			info = readProcInfo(h, pid)
			procs[pid] = info
		}
		l.PID, l.Process, l.Unit, l.Owner = pid, info.comm, info.unit, PartOK()
	}
	return scan
}

// procScan is what one process's fd directory held.
type procScan struct {
	exists, unreadable bool
	fds                int
	inodes             []uint64
}

// scanProcess reads the socket inodes of /proc/PID/fd, at most maxFDs
// descriptors. A process that exited meanwhile is neither counted nor an
// error; one we may not look into (not root) is unreadable.
func scanProcess(h hostfs.Host, pid, maxFDs int) procScan {
	dir := "/proc/" + strconv.Itoa(pid) + "/fd"
	fds, err := h.ReadDir(dir)
	if err != nil {
		return procScan{unreadable: !errors.Is(err, fs.ErrNotExist)}
	}
	r := procScan{exists: true}
	for _, fd := range fds {
		if r.fds >= maxFDs {
			break
		}
		r.fds++
		link, err := h.Readlink(dir + "/" + fd.Name)
		if err != nil {
			continue
		}
		if ino, ok := procnet.SocketInode(link); ok {
			r.inodes = append(r.inodes, ino)
		}
	}
	return r
}

func unresolvedReason(scan OwnerScan) string {
	switch {
	case scan.Status != "ok":
		return "owner not found: " + scan.Reason
	case scan.Unreadable > 0:
		return fmt.Sprintf("no readable process holds this socket (%d processes could not be read: not root?)", scan.Unreadable)
	}
	return "no process of this PID namespace holds this socket"
}

// listPIDs returns the numeric entries of /proc in numeric order, so that
// the first holder found is the lowest PID (a daemon's parent, not one of
// its workers).
func listPIDs(h hostfs.Host) ([]int, error) {
	entries, err := h.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	pids := make([]int, 0, len(entries))
	for _, e := range entries {
		if pid, err := strconv.Atoi(e.Name); err == nil && pid > 0 {
			pids = append(pids, pid)
		}
	}
	sort.Ints(pids)
	return pids, nil
}

type procInfo struct{ comm, unit string }

// readProcInfo reads comm and the systemd service of pid; a process that
// exited meanwhile keeps empty names (its PID still identifies it).
func readProcInfo(h hostfs.Host, pid int) procInfo {
	base := "/proc/" + strconv.Itoa(pid)
	var info procInfo
	if data, err := h.ReadFileLimit(base+"/comm", 64); err == nil {
		info.comm = strings.TrimSpace(string(data))
	}
	if data, err := h.ReadFileLimit(base+"/cgroup", 64<<10); err == nil {
		info.unit = procnet.ServiceUnit(data)
	}
	return info
}
