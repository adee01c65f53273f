package collectors

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"

	"golang.org/x/sys/unix"

	"github.com/ztscan/ztscan/collectors/hostfs"
	"github.com/ztscan/ztscan/collectors/sff"
)

// OpticsFacts are the pluggable transceivers of the physical interfaces
// of a running system, with their digital diagnostics.
type OpticsFacts struct {
	// Interfaces are the physical interfaces (those with a device in
	// /sys/class/net/<name>/device), sorted by name, each with its module
	// or the reason there is none.
	Interfaces []OpticsInterface `json:"interfaces"`
	// Modules counts the interfaces with a decoded module.
	Modules int `json:"modules"`
}

// OpticsInterface is one interface and its module. Status "ok" has a
// Module; "unavailable" says there is no module the driver exposes (no
// cage, empty cage, a virtual NIC); "error" that it could not be read or
// decoded.
type OpticsInterface struct {
	Name   string `json:"name"`
	Driver string `json:"driver,omitempty"`
	Part
	EEPROMBytes int         `json:"eeprom_bytes,omitempty"`
	Module      *sff.Module `json:"module,omitempty"`
}

// ModuleReader reads the module EEPROM of an interface of the live host.
// Its errors wrap the errno the kernel returned.
type ModuleReader interface {
	ReadModuleEEPROM(ifname string) ([]byte, error)
}

// Optics collects OpticsFacts.
type Optics struct {
	reader ModuleReader
}

// NewOptics returns the "optics" collector, reading EEPROMs through the
// ethtool ioctl of the scanning host.
func NewOptics() *Optics { return &Optics{reader: ethtoolModuleReader{}} }

// Name is the facts key.
func (*Optics) Name() string { return "optics" }

const maxOpticsInterfaces = 4096

// Collect lists the physical interfaces and reads their modules.
func (c *Optics) Collect(ctx context.Context, h hostfs.Host) (any, error) {
	if h.Kind() == hostfs.KindRootfs {
		return nil, Unavailable("offline root: transceiver diagnostics are read from a running system")
	}
	entries, err := h.ReadDir("/sys/class/net")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, Unavailable("no /sys/class/net: sysfs is not mounted")
	}
	if err != nil {
		return nil, fmt.Errorf("/sys/class/net: %w", err)
	}
	if len(entries) > maxOpticsInterfaces {
		return nil, fmt.Errorf("/sys/class/net: %d interfaces, more than %d", len(entries), maxOpticsInterfaces)
	}
	out := OpticsFacts{Interfaces: []OpticsInterface{}}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		dir := "/sys/class/net/" + e.Name
		if _, err := h.Stat(dir + "/device"); err != nil {
			continue // virtual: loopback, bridges, tunnels, veth
		}
		oi := OpticsInterface{Name: e.Name}
		if target, err := h.Readlink(dir + "/device/driver"); err == nil {
			oi.Driver = path.Base(target)
		}
		c.readModule(&oi)
		if oi.Module != nil {
			out.Modules++
		}
		out.Interfaces = append(out.Interfaces, oi)
	}
	return out, nil
}

func (c *Optics) readModule(oi *OpticsInterface) {
	if c.reader == nil {
		oi.Part = PartUnavailable("no module reader")
		return
	}
	data, err := c.reader.ReadModuleEEPROM(oi.Name)
	switch {
	case errors.Is(err, unix.EOPNOTSUPP), errors.Is(err, unix.ENOTSUP):
		oi.Part = PartUnavailable("the driver exposes no module EEPROM (no pluggable module)")
		return
	case errors.Is(err, unix.ENODEV), errors.Is(err, unix.EIO), errors.Is(err, unix.EINVAL), errors.Is(err, unix.ENXIO):
		oi.Part = PartUnavailable(fmt.Sprintf("no module plugged in, or it does not answer: %v", err))
		return
	case errors.Is(err, unix.EPERM), errors.Is(err, unix.EACCES):
		oi.Part = PartError(fmt.Errorf("%s: reading the module EEPROM needs CAP_NET_ADMIN: %w", oi.Name, err))
		return
	case err != nil:
		oi.Part = PartError(fmt.Errorf("%s: module EEPROM: %w", oi.Name, err))
		return
	}
	oi.EEPROMBytes = len(data)
	m, err := sff.Decode(data)
	switch {
	case errors.Is(err, sff.ErrUnsupported):
		oi.Part = PartUnavailable(err.Error())
	case err != nil:
		oi.Part = PartError(fmt.Errorf("%s: %w", oi.Name, err))
	default:
		oi.Part, oi.Module = PartOK(), m
	}
}
