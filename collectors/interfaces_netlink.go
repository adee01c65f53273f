package collectors

import (
	"fmt"
	"net"
	"net/netip"

	"github.com/vishvananda/netlink"
)

// netlinkLinks lists the links of the scanner's network namespace with
// their rtnl kind and, for tunnels, lower link and remote endpoint. Only
// used when the target is the live root, whose namespace that is.
func netlinkLinks() (map[string]nlLink, error) {
	links, err := netlink.LinkList()
	if err != nil {
		return nil, fmt.Errorf("netlink: list links: %w", err)
	}
	out := make(map[string]nlLink, len(links))
	for _, l := range links {
		attrs := l.Attrs()
		info := nlLink{kind: l.Type()}
		switch v := l.(type) {
		case *netlink.Device:
			// No IFLA_INFO_KIND: a hardware NIC or the loopback.
			info.kind = "physical"
			if attrs.Flags&net.FlagLoopback != 0 {
				info.kind = "loopback"
			}
		case *netlink.Vxlan:
			info.link, info.remote = v.VtepDevIndex, ipAddr(v.Group)
		case *netlink.Geneve:
			info.remote = ipAddr(v.Remote)
		case *netlink.Gretun:
			info.link, info.remote = int(v.Link), ipAddr(v.Remote)
		case *netlink.Gretap:
			info.link, info.remote = int(v.Link), ipAddr(v.Remote)
		case *netlink.Iptun:
			info.link, info.remote = int(v.Link), ipAddr(v.Remote)
		case *netlink.Ip6tnl:
			info.link, info.remote = int(v.Link), ipAddr(v.Remote)
		case *netlink.Sittun:
			info.link, info.remote = int(v.Link), ipAddr(v.Remote)
		case *netlink.Tuntap:
			info.kind = "tun"
		}
		out[attrs.Name] = info
	}
	return out, nil
}

func ipAddr(ip net.IP) netip.Addr {
	if len(ip) == 0 || ip.IsUnspecified() {
		return netip.Addr{}
	}
	a, ok := netip.AddrFromSlice(ip)
	if !ok {
		return netip.Addr{}
	}
	return a.Unmap()
}

// routeDevice asks the kernel which device a packet to dst leaves by.
func routeDevice(dst netip.Addr) (string, error) {
	routes, err := netlink.RouteGet(net.IP(dst.AsSlice()))
	if err != nil {
		return "", fmt.Errorf("netlink: route get %s: %w", dst, err)
	}
	if len(routes) == 0 {
		return "", fmt.Errorf("netlink: no route to %s", dst)
	}
	l, err := netlink.LinkByIndex(routes[0].LinkIndex)
	if err != nil {
		return "", fmt.Errorf("netlink: link %d: %w", routes[0].LinkIndex, err)
	}
	return l.Attrs().Name, nil
}
