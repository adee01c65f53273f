// Package rpmdb reads the package database of an RPM system without
// running rpm: the sqlite (rpmdb.sqlite), Berkeley DB hash (Packages) and
// ndb (Packages.db) formats, each from bytes read through hostfs, so an
// image's database never makes ztscan execute or open anything outside
// the target. Every structure is bounds-checked and every chain of pages
// is followed at most once: a corrupt or hostile file is an error, never
// a hang or a crash.
package rpmdb

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// Package is one installed package, from its header.
type Package struct {
	Name      string
	Epoch     int // -1 when the header has none
	Version   string
	Release   string
	Arch      string
	SourceRPM string
}

// EVR is the version as `rpm -q --qf '%{EVR}'` prints it.
func (p Package) EVR() string {
	v := p.Version + "-" + p.Release
	if p.Epoch >= 0 {
		v = fmt.Sprintf("%d:%s", p.Epoch, v)
	}
	return v
}

// SourceName is the source package's name ("openssh" for
// "openssh-8.7p1-34.el9.src.rpm"), or Name when the header has none.
func (p Package) SourceName() string {
	s := strings.TrimSuffix(strings.TrimSuffix(p.SourceRPM, ".src.rpm"), ".nosrc.rpm")
	for i := 0; i < 2; i++ {
		j := strings.LastIndexByte(s, '-')
		if j <= 0 {
			return p.Name
		}
		s = s[:j]
	}
	if s == "" {
		return p.Name
	}
	return s
}

// Header tags and types ztscan reads (rpmtag.h).
const (
	tagName      = 1000
	tagVersion   = 1001
	tagRelease   = 1002
	tagEpoch     = 1003
	tagArch      = 1022
	tagSourceRPM = 1044

	typeInt32       = 4
	typeString      = 6
	typeStringArray = 8
	typeI18NString  = 9

	maxIndexEntries = 1 << 16  // rpm's HEADER_TAGS_MAX
	maxDataLength   = 64 << 20 // rpm's HEADER_DATA_MAX (256 MiB) is far above real headers
)

// ErrNotHeader marks a blob that is not an rpm header.
var ErrNotHeader = errors.New("not an rpm header")

// ParseHeader reads the fields ztscan needs from a header blob as the
// databases store it: il and dl (big-endian int32), il index entries of
// 16 bytes (tag, type, offset, count), then dl bytes of data.
func ParseHeader(blob []byte) (Package, error) {
	p := Package{Epoch: -1}
	if len(blob) < 8 {
		return p, fmt.Errorf("%w: %d bytes", ErrNotHeader, len(blob))
	}
	il := binary.BigEndian.Uint32(blob[0:4])
	dl := binary.BigEndian.Uint32(blob[4:8])
	if il == 0 || il > maxIndexEntries || dl > maxDataLength {
		return p, fmt.Errorf("%w: %d entries, %d data bytes", ErrNotHeader, il, dl)
	}
	dataStart := 8 + uint64(il)*16
	if dataStart+uint64(dl) > uint64(len(blob)) {
		return p, fmt.Errorf("%w: %d entries and %d data bytes overrun a %d-byte blob", ErrNotHeader, il, dl, len(blob))
	}
	data := blob[dataStart : dataStart+uint64(dl)]
	for i := uint64(0); i < uint64(il); i++ {
		e := blob[8+i*16 : 8+i*16+16]
		tag := binary.BigEndian.Uint32(e[0:4])
		typ := binary.BigEndian.Uint32(e[4:8])
		off := binary.BigEndian.Uint32(e[8:12])
		cnt := binary.BigEndian.Uint32(e[12:16])
		if uint64(off) >= uint64(len(data)) {
			continue // region tags point past the data; not ours
		}
		switch tag {
		case tagName, tagVersion, tagRelease, tagArch, tagSourceRPM:
			if typ != typeString && typ != typeI18NString && typ != typeStringArray {
				return p, fmt.Errorf("%w: tag %d has type %d, not a string", ErrNotHeader, tag, typ)
			}
			s, err := cString(data, off)
			if err != nil {
				return p, fmt.Errorf("tag %d: %w", tag, err)
			}
			switch tag {
			case tagName:
				p.Name = s
			case tagVersion:
				p.Version = s
			case tagRelease:
				p.Release = s
			case tagArch:
				p.Arch = s
			case tagSourceRPM:
				p.SourceRPM = s
			}
		case tagEpoch:
			if typ != typeInt32 || cnt < 1 || uint64(off)+4 > uint64(len(data)) {
				return p, fmt.Errorf("%w: bad epoch entry", ErrNotHeader)
			}
			p.Epoch = int(int32(binary.BigEndian.Uint32(data[off:])))
		}
	}
	if p.Name == "" {
		return p, fmt.Errorf("%w: no name tag", ErrNotHeader)
	}
	return p, nil
}

func cString(data []byte, off uint32) (string, error) {
	rest := data[off:]
	for i, b := range rest {
		if b == 0 {
			return string(rest[:i]), nil
		}
	}
	return "", fmt.Errorf("%w: unterminated string", ErrNotHeader)
}
