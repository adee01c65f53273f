package procnet

import (
	"encoding/binary"
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// V6Only asks the kernel (NETLINK_SOCK_DIAG) which IPv6 sockets of proto
// ("tcp" or "udp") in the caller's network namespace have IPV6_V6ONLY set,
// keyed by socket inode. /proc/net/tcp6 does not show the flag, and the
// bindv6only sysctl is only the default: nginx, for one, sets V6ONLY on its
// "[::]:80" listener regardless. Every AF_INET6 socket in the answer
// carries INET_DIAG_SKV6ONLY, so an inode missing from the map was not in
// the dump (the socket closed meanwhile).
func V6Only(proto string) (map[uint64]bool, error) {
	var ipproto uint8
	var states uint32
	switch proto {
	case "tcp":
		ipproto, states = unix.IPPROTO_TCP, 1<<StateListen
	case "udp":
		ipproto, states = unix.IPPROTO_UDP, 0xffffffff
	default:
		return nil, fmt.Errorf("sock_diag: unknown protocol %q", proto)
	}
	fd, err := unix.Socket(unix.AF_NETLINK, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, unix.NETLINK_SOCK_DIAG)
	if err != nil {
		return nil, fmt.Errorf("sock_diag: %w", os.NewSyscallError("socket", err))
	}
	defer unix.Close(fd)
	tv := unix.Timeval{Sec: 2}
	_ = unix.SetsockoptTimeval(fd, unix.SOL_SOCKET, unix.SO_RCVTIMEO, &tv)
	if err := unix.Sendto(fd, diagRequest(ipproto, states), 0, &unix.SockaddrNetlink{Family: unix.AF_NETLINK}); err != nil {
		return nil, fmt.Errorf("sock_diag: %w", os.NewSyscallError("sendto", err))
	}
	out := map[uint64]bool{}
	buf := make([]byte, 1<<16)
	for {
		n, _, err := unix.Recvfrom(fd, buf, 0)
		if err != nil {
			return nil, fmt.Errorf("sock_diag: %w", os.NewSyscallError("recvfrom", err))
		}
		done, err := parseDiagMessages(buf[:n], out)
		if err != nil {
			return nil, fmt.Errorf("sock_diag: %w", err)
		}
		if done {
			return out, nil
		}
	}
}

// diagRequest is nlmsghdr + struct inet_diag_req_v2 (56 bytes) for a dump
// of AF_INET6 sockets of one protocol in the given states.
func diagRequest(ipproto uint8, states uint32) []byte {
	const reqLen = unix.NLMSG_HDRLEN + 56
	b := make([]byte, reqLen)
	ne := binary.NativeEndian
	ne.PutUint32(b[0:], reqLen)
	ne.PutUint16(b[4:], unix.SOCK_DIAG_BY_FAMILY)
	ne.PutUint16(b[6:], unix.NLM_F_REQUEST|unix.NLM_F_DUMP)
	ne.PutUint32(b[8:], 1) // sequence
	r := b[unix.NLMSG_HDRLEN:]
	r[0] = unix.AF_INET6
	r[1] = ipproto
	ne.PutUint32(r[4:], states)
	return b
}

// Offsets in struct inet_diag_msg: family, state, timer, retrans (4 bytes),
// inet_diag_sockid (48), expires, rqueue, wqueue, uid, inode (4 each).
const (
	diagMsgLen    = 72
	diagInodeOff  = 68
	attrSKV6Only  = 11 // INET_DIAG_SKV6ONLY
	nlmsgHdrLen   = unix.NLMSG_HDRLEN
	rtaHdrLen     = 4
	nlmsgAlignTo  = 4
	nlmsgDoneType = unix.NLMSG_DONE
)

func align4(n int) int { return (n + nlmsgAlignTo - 1) &^ (nlmsgAlignTo - 1) }

// parseDiagMessages walks one datagram of netlink messages, recording the
// V6ONLY attribute of each socket; done is true at NLMSG_DONE.
func parseDiagMessages(b []byte, out map[uint64]bool) (done bool, err error) {
	ne := binary.NativeEndian
	for len(b) >= nlmsgHdrLen {
		l := int(ne.Uint32(b[0:]))
		typ := ne.Uint16(b[4:])
		if l < nlmsgHdrLen || l > len(b) {
			return false, errors.New("truncated netlink message")
		}
		msg := b[nlmsgHdrLen:l]
		switch typ {
		case nlmsgDoneType:
			return true, nil
		case unix.NLMSG_ERROR:
			if len(msg) >= 4 {
				if errno := int32(ne.Uint32(msg)); errno != 0 {
					return false, unix.Errno(-errno)
				}
			}
			return true, nil
		case unix.SOCK_DIAG_BY_FAMILY:
			if len(msg) < diagMsgLen {
				return false, errors.New("short inet_diag_msg")
			}
			inode := uint64(ne.Uint32(msg[diagInodeOff:]))
			for attrs := msg[diagMsgLen:]; len(attrs) >= rtaHdrLen; {
				alen := int(ne.Uint16(attrs[0:]))
				atype := ne.Uint16(attrs[2:])
				if alen < rtaHdrLen || alen > len(attrs) {
					break
				}
				if atype == attrSKV6Only && alen > rtaHdrLen {
					out[inode] = attrs[rtaHdrLen] != 0
				}
				attrs = attrs[min(align4(alen), len(attrs)):]
			}
		}
		b = b[min(align4(l), len(b)):]
	}
	return false, nil
}
