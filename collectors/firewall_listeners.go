package collectors

import (
	"context"
	"net/netip"
	"sort"
	"strconv"

	"github.com/ztscan/ztscan/collectors/fwmodel"
	"github.com/ztscan/ztscan/collectors/hostfs"
)

// listenerExposures judges each listening socket of the live host that
// the network can reach: a wildcard socket through the port's exposure, a
// socket on one address with that address as the destination (rules may
// name it). An inet6 wildcard without IPV6_V6ONLY is judged for IPv4 too.
// Loopback sockets are left out: no packet from the network reaches them.
func listenerExposures(ctx context.Context, h hostfs.Host, rs *fwmodel.Ruleset, f *FirewallFacts) ListenerExposures {
	ls, err := ListListeners(ctx, h)
	if IsUnavailable(err) {
		return ListenerExposures{Part: PartUnavailable(err.Error()), Items: []ListenerExposure{}}
	}
	if err != nil {
		return ListenerExposures{Part: PartError(err), Items: []ListenerExposure{}}
	}
	out := ListenerExposures{Part: PartOK(), Items: []ListenerExposure{}}
	seen := map[string]bool{}
	for _, l := range ls {
		addr, err := netip.ParseAddr(l.Address)
		if err != nil || addr.IsLoopback() || l.Proto != "tcp" && l.Proto != "udp" {
			continue
		}
		fams := []string{"ipv4"}
		switch {
		case l.Family == "inet6" && addr.Is4In6():
		case l.Family == "inet6" && l.V4Mapped:
			fams = []string{"ipv4", "ipv6"}
		case l.Family == "inet6":
			fams = []string{"ipv6"}
		}
		for _, fam := range fams {
			key := fam + "/" + l.Proto + "/" + l.Address + "/" + strconv.Itoa(l.Port)
			if seen[key] {
				continue
			}
			seen[key] = true
			var ex fwmodel.Exposure
			if addr.IsUnspecified() {
				var ok bool
				if ex, ok = f.PortExposureOf(fam, l.Proto, l.Port); !ok {
					continue
				}
			} else {
				p := fwmodel.Packet{Family: fam, L4Proto: l.Proto, Dport: l.Port, Daddr: addr.Unmap(), FromNetwork: true}
				ex = fwmodel.Classify(rs.Evaluate(p, fwmodel.InputHooks))
			}
			out.Items = append(out.Items, ListenerExposure{Proto: l.Proto, Family: fam, Address: l.Address, Port: l.Port, Exposure: ex})
		}
	}
	sort.SliceStable(out.Items, func(i, j int) bool {
		a, b := out.Items[i], out.Items[j]
		if a.Port != b.Port {
			return a.Port < b.Port
		}
		if a.Proto != b.Proto {
			return a.Proto < b.Proto
		}
		if a.Family != b.Family {
			return a.Family < b.Family
		}
		return a.Address < b.Address
	})
	return out
}
