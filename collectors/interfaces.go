package collectors

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/collectors/procnet"
)

// InterfacesFacts lists every network link of the live host.
type InterfacesFacts struct {
	Interfaces []Interface `json:"interfaces"`
	// DefaultRoute is the device of the preferred default route, IPv4
	// first, "" when the host has none; Routes says whether it was known.
	DefaultRoute string `json:"default_route"`
	Routes       Part   `json:"routes"`
	// KindSource: "netlink" (the kernel's link kind, live root) or
	// "sysfs" (inferred from uevent DEVTYPE, type and iflink).
	KindSource string `json:"kind_source"`
}

// Interface is one link. Link-health facts (speed, error counters) of the
// physical layer extend this same record.
type Interface struct {
	Name  string `json:"name"`
	Index int    `json:"index"`
	// Kind: physical, loopback, bridge, vlan, bond, veth, wireguard,
	// vxlan, gre, gretap, ipip, ip6tnl, ip6gre, sit, geneve, tun, dummy,
	// macvlan, ... or "virtual" when sysfs cannot tell which.
	Kind string `json:"kind"`
	// Physical: backed by a device (/sys/class/net/<if>/device exists).
	Physical bool `json:"physical"`
	MTU      int  `json:"mtu"`
	// AdminUp is IFF_UP of /sys/class/net/<if>/flags.
	AdminUp bool `json:"admin_up"`
	// OperState is RFC 2863 operstate as the kernel reports it: up, down,
	// lowerlayerdown, dormant, notpresent, testing or unknown.
	OperState string `json:"oper_state"`
	// Carrier is null when the kernel does not report it (an
	// administratively down link); CarrierReason then says why.
	Carrier       *bool  `json:"carrier"`
	CarrierReason string `json:"carrier_reason,omitempty"`
	// Type is the ARPHRD_* hardware type (1 ethernet, 772 loopback).
	Type int `json:"type"`
	// Tunnel is set for encapsulating links (vxlan, gre, ipip, ...).
	Tunnel *Tunnel `json:"tunnel,omitempty"`
	// Link is speed, duplex and error counters, for physical interfaces.
	Link *LinkHealth `json:"link,omitempty"`
}

// Tunnel is where an encapsulating link sends its packets.
type Tunnel struct {
	Part
	// Remote is the configured remote endpoint, "" when unknown or none.
	Remote       string `json:"remote,omitempty"`
	RemoteFamily string `json:"remote_family,omitempty"` // inet | inet6
	// Underlay is the device packets leave through: the tunnel's own
	// link device, else the route to Remote, else the default route.
	Underlay       string `json:"underlay,omitempty"`
	UnderlaySource string `json:"underlay_source,omitempty"` // link | route | default_route
	UnderlayMTU    int    `json:"underlay_mtu,omitempty"`
}

// tunnelKinds encapsulate packets in another IP packet.
var tunnelKinds = map[string]bool{
	"wireguard": true, "vxlan": true, "geneve": true, "gre": true, "gretap": true,
	"ip6gre": true, "ip6gretap": true, "ipip": true, "ip6tnl": true, "sit": true,
	"erspan": true, "ip6erspan": true, "bareudp": true, "xfrm": true,
}

// Interfaces collects the network links of the live host.
type Interfaces struct{}

// NewInterfaces returns the interfaces collector.
func NewInterfaces() *Interfaces { return &Interfaces{} }

// Name implements Collector.
func (*Interfaces) Name() string { return "interfaces" }

// Collect implements Collector.
func (*Interfaces) Collect(ctx context.Context, h hostfs.Host) (any, error) {
	return CollectInterfaces(ctx, h)
}

const sysNet = "/sys/class/net"

// CollectInterfaces reads /sys/class/net through h. On the live root it
// asks the kernel over netlink for each link's kind and tunnel parameters,
// which sysfs does not show.
func CollectInterfaces(ctx context.Context, h hostfs.Host) (InterfacesFacts, error) {
	if h.Kind() != hostfs.KindHost {
		return InterfacesFacts{}, Unavailable("offline root: network links exist only on a running host")
	}
	entries, err := h.ReadDir(sysNet)
	if err != nil {
		return InterfacesFacts{}, fmt.Errorf("interfaces: %w", err)
	}
	f := InterfacesFacts{Interfaces: []Interface{}, KindSource: "sysfs"}
	var nl map[string]nlLink
	if h.Root() == "/" {
		if nl, err = netlinkLinks(); err == nil {
			f.KindSource = "netlink"
		}
	}
	iflinks := map[string]int{}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return InterfacesFacts{}, err
		}
		dir := sysNet + "/" + e.Name
		// Entries that are not links (bonding_masters) have no ifindex.
		if _, err := h.Stat(dir + "/ifindex"); err != nil {
			continue
		}
		itf, iflink, err := readInterface(h, dir, e.Name)
		if err != nil {
			return InterfacesFacts{}, fmt.Errorf("interfaces: %w", err)
		}
		if l, ok := nl[e.Name]; ok && l.kind != "" {
			itf.Kind = l.kind
		}
		iflinks[e.Name] = iflink
		f.Interfaces = append(f.Interfaces, itf)
	}
	sort.Slice(f.Interfaces, func(i, j int) bool { return f.Interfaces[i].Name < f.Interfaces[j].Name })
	f.DefaultRoute, f.Routes = defaultRouteDevice(h)
	resolveTunnels(&f, nl, iflinks)
	return f, nil
}

// readInterface reads one /sys/class/net/<if> directory. It returns the
// link's iflink (the lower device's index for tunnels, vlans and veth
// peers; its own index otherwise).
func readInterface(h hostfs.Host, dir, name string) (Interface, int, error) {
	itf := Interface{Name: name}
	var err error
	if itf.Index, err = readSysInt(h, dir+"/ifindex"); err != nil {
		return itf, 0, err
	}
	if itf.MTU, err = readSysInt(h, dir+"/mtu"); err != nil {
		return itf, 0, err
	}
	if itf.Type, err = readSysInt(h, dir+"/type"); err != nil {
		return itf, 0, err
	}
	flags, err := readSysInt(h, dir+"/flags")
	if err != nil {
		return itf, 0, err
	}
	itf.AdminUp = flags&0x1 != 0 // IFF_UP
	state, err := readSysString(h, dir+"/operstate")
	if err != nil {
		return itf, 0, err
	}
	itf.OperState = state
	switch c, err := readSysInt(h, dir+"/carrier"); {
	case err == nil:
		up := c == 1
		itf.Carrier = &up
	case !itf.AdminUp:
		// The kernel refuses to read carrier (EINVAL) of a link
		// that is down: there is no carrier state to know.
		itf.CarrierReason = "link is administratively down"
	default:
		itf.CarrierReason = err.Error()
	}
	if _, err := h.Lstat(dir + "/device"); err == nil {
		itf.Physical = true
		itf.Link = readLinkHealth(h, dir)
	}
	iflink, err := readSysInt(h, dir+"/iflink")
	if err != nil {
		iflink = itf.Index
	}
	devtype := ""
	if data, err := h.ReadFileLimit(dir+"/uevent", 64<<10); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if v, ok := strings.CutPrefix(line, "DEVTYPE="); ok {
				devtype = strings.TrimSpace(v)
			}
		}
	}
	itf.Kind = sysfsKind(itf, devtype, iflink)
	return itf, iflink, nil
}

// ARPHRD_* hardware types of include/uapi/linux/if_arp.h.
const (
	arphrdEther    = 1
	arphrdTunnel   = 768 // ipip
	arphrdTunnel6  = 769 // ip6tnl
	arphrdSit      = 776
	arphrdIPGRE    = 778
	arphrdIP6GRE   = 823
	arphrdLoopback = 772
	arphrdNone     = 65534 // tun, wireguard
)

// sysfsKind infers the link kind where netlink is not available (a
// fixture). DEVTYPE is set by bridge, vlan, bond, wlan, wireguard, vxlan,
// geneve; the hardware type separates the IP tunnels; a backing device
// makes an ethernet link physical; an ethernet link without one whose
// iflink names another link is a veth (its peer) or macvlan (its lower).
func sysfsKind(itf Interface, devtype string, iflink int) string {
	switch devtype {
	case "":
	case "wlan":
		return "physical"
	default:
		return devtype
	}
	switch itf.Type {
	case arphrdLoopback:
		return "loopback"
	case arphrdTunnel:
		return "ipip"
	case arphrdTunnel6:
		return "ip6tnl"
	case arphrdSit:
		return "sit"
	case arphrdIPGRE:
		return "gre"
	case arphrdIP6GRE:
		return "ip6gre"
	case arphrdNone:
		return "tun"
	}
	if itf.Physical {
		return "physical"
	}
	if itf.Type == arphrdEther && iflink != itf.Index && iflink != 0 {
		return "veth"
	}
	return "virtual"
}

// defaultRouteDevice reads the IPv4 then IPv6 default route from
// /proc/net/route and /proc/net/ipv6_route.
func defaultRouteDevice(h hostfs.Host) (string, Part) {
	data, err := h.ReadFile("/proc/net/route")
	if err != nil {
		return "", PartError(err)
	}
	routes, err := procnet.DefaultRoutes4(data)
	if err != nil {
		return "", PartError(fmt.Errorf("/proc/net/route: %w", err))
	}
	if len(routes) > 0 {
		return routes[0].Device, PartOK()
	}
	data, err = h.ReadFile("/proc/net/ipv6_route")
	if errors.Is(err, fs.ErrNotExist) {
		return "", PartOK() // no IPv6 in this kernel
	}
	if err != nil {
		return "", PartError(err)
	}
	if routes, err = procnet.DefaultRoutes6(data); err != nil {
		return "", PartError(fmt.Errorf("/proc/net/ipv6_route: %w", err))
	}
	if len(routes) > 0 {
		return routes[0].Device, PartOK()
	}
	return "", PartOK()
}

// resolveTunnels fills Tunnel of each encapsulating link: its own lower
// device (netlink "link", or sysfs iflink), else the device of the route
// to its remote endpoint (netlink route get), else the default route's.
func resolveTunnels(f *InterfacesFacts, nl map[string]nlLink, iflinks map[string]int) {
	byIndex := map[int]*Interface{}
	byName := map[string]*Interface{}
	for i := range f.Interfaces {
		byIndex[f.Interfaces[i].Index] = &f.Interfaces[i]
		byName[f.Interfaces[i].Name] = &f.Interfaces[i]
	}
	for i := range f.Interfaces {
		itf := &f.Interfaces[i]
		if !tunnelKinds[itf.Kind] {
			continue
		}
		t := &Tunnel{Part: PartOK()}
		itf.Tunnel = t
		l := nl[itf.Name]
		if l.remote.IsValid() {
			t.Remote = l.remote.String()
			t.RemoteFamily = "inet"
			if l.remote.Is6() && !l.remote.Is4In6() {
				t.RemoteFamily = "inet6"
			}
		}
		lower := l.link
		if lower == 0 && iflinks[itf.Name] != itf.Index {
			lower = iflinks[itf.Name]
		}
		var under *Interface
		switch {
		case lower != 0 && byIndex[lower] != nil:
			under, t.UnderlaySource = byIndex[lower], "link"
		case l.remote.IsValid() && !l.remote.IsMulticast():
			if dev, err := routeDevice(l.remote); err == nil && byName[dev] != nil {
				under, t.UnderlaySource = byName[dev], "route"
			}
		}
		if under == nil && f.DefaultRoute != "" && byName[f.DefaultRoute] != nil {
			under, t.UnderlaySource = byName[f.DefaultRoute], "default_route"
		}
		switch {
		case under == itf:
			t.Part = PartError(fmt.Errorf("%s: routes to its own remote endpoint", itf.Name))
		case under != nil:
			t.Underlay, t.UnderlayMTU = under.Name, under.MTU
		case f.Routes.Status != "ok":
			t.Part = PartError(fmt.Errorf("underlay unknown: %s", f.Routes.Reason))
		default:
			t.Part = PartUnavailable("no link device, no route to a remote endpoint and no default route")
		}
	}
}

// readSysInt reads a decimal or 0x-hex integer sysfs attribute.
func readSysInt(h hostfs.Host, p string) (int, error) {
	s, err := readSysString(h, p)
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(s, 0, 64)
	if err != nil {
		return 0, fmt.Errorf("%s: not an integer: %q", p, s)
	}
	return int(n), nil
}

func readSysString(h hostfs.Host, p string) (string, error) {
	data, err := h.ReadFileLimit(p, 4096)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(data)), nil
}

// nlLink is what netlink adds to sysfs: the rtnl kind, the lower link's
// index and a tunnel's remote endpoint.
type nlLink struct {
	kind   string
	link   int
	remote netip.Addr
}
