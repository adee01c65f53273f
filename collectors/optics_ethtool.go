package collectors

import (
	"encoding/binary"
	"fmt"
	"unsafe"

	"golang.org/x/sys/unix"
)

// ethtoolModuleReader reads module EEPROMs with the SIOCETHTOOL ioctl
// (ETHTOOL_GMODULEINFO, then ETHTOOL_GMODULEEEPROM), the interface every
// kernel since 3.5 has. mdlayher/ethtool v0.7.0 has no module EEPROM
// call, and the netlink MODULE_EEPROM_GET (5.13+) returns pages one by
// one where the ioctl returns the SFF-8472/8636 layouts package sff
// decodes. The kernel asks for CAP_NET_ADMIN.
type ethtoolModuleReader struct{}

// ethtoolIfreq is struct ifreq with the ifr_data member of the union.
type ethtoolIfreq struct {
	name [unix.IFNAMSIZ]byte
	data unsafe.Pointer
	_    [24 - unsafe.Sizeof(uintptr(0))]byte
}

// ethtoolModinfo is struct ethtool_modinfo.
type ethtoolModinfo struct {
	cmd       uint32
	typ       uint32
	eepromLen uint32
	reserved  [8]uint32
}

// maxModuleEEPROM bounds what a driver may claim (SFF-8636 paged is 640).
const maxModuleEEPROM = 4096

func (ethtoolModuleReader) ReadModuleEEPROM(ifname string) ([]byte, error) {
	if len(ifname) >= unix.IFNAMSIZ {
		return nil, fmt.Errorf("%q: %w", ifname, unix.EINVAL)
	}
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		return nil, fmt.Errorf("socket: %w", err)
	}
	defer unix.Close(fd)
	info := ethtoolModinfo{cmd: unix.ETHTOOL_GMODULEINFO}
	if err := ethtoolIoctl(fd, ifname, unsafe.Pointer(&info)); err != nil {
		return nil, fmt.Errorf("ETHTOOL_GMODULEINFO: %w", err)
	}
	if info.eepromLen == 0 || info.eepromLen > maxModuleEEPROM {
		return nil, fmt.Errorf("ETHTOOL_GMODULEINFO: module EEPROM length %d: %w", info.eepromLen, unix.EIO)
	}
	// struct ethtool_eeprom {cmd, magic, offset, len} followed by data.
	buf := make([]byte, 16+int(info.eepromLen))
	binary.NativeEndian.PutUint32(buf[0:], unix.ETHTOOL_GMODULEEEPROM)
	binary.NativeEndian.PutUint32(buf[8:], 0)
	binary.NativeEndian.PutUint32(buf[12:], info.eepromLen)
	if err := ethtoolIoctl(fd, ifname, unsafe.Pointer(&buf[0])); err != nil {
		return nil, fmt.Errorf("ETHTOOL_GMODULEEEPROM: %w", err)
	}
	n := binary.NativeEndian.Uint32(buf[12:])
	if n > info.eepromLen {
		n = info.eepromLen
	}
	return buf[16 : 16+n], nil
}

func ethtoolIoctl(fd int, ifname string, data unsafe.Pointer) error {
	var ifr ethtoolIfreq
	copy(ifr.name[:], ifname)
	ifr.data = data
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), unix.SIOCETHTOOL, uintptr(unsafe.Pointer(&ifr)))
	if errno != 0 {
		return errno
	}
	return nil
}
