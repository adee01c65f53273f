package rpmdb

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// ndb is rpm's own format (lib/backend/ndb/rpmpkg.c), little-endian: a
// 32-byte header ("RpmP", version, generation, slot pages), then slots of
// 16 bytes ("Slot", package index, block offset, block count), then blobs
// at block offsets (blocks of 16 bytes) with a 16-byte header ("BlbS",
// package index, checksum, length).
const (
	ndbHeaderMagic = 'R' | 'p'<<8 | 'm'<<16 | 'P'<<24
	ndbSlotMagic   = 'S' | 'l'<<8 | 'o'<<16 | 't'<<24
	ndbBlobMagic   = 'B' | 'l'<<8 | 'b'<<16 | 'S'<<24
	ndbPageSize    = 4096
	ndbBlockSize   = 16
	ndbHeaderSize  = 32
)

func readNDB(data []byte) ([][]byte, error) {
	if len(data) < ndbHeaderSize || binary.LittleEndian.Uint32(data) != ndbHeaderMagic {
		return nil, errors.New("not an rpm ndb database")
	}
	if v := binary.LittleEndian.Uint32(data[4:]); v != 0 {
		return nil, fmt.Errorf("ndb: unsupported version %d", v)
	}
	slotPages := uint64(binary.LittleEndian.Uint32(data[12:]))
	end := slotPages * ndbPageSize
	if slotPages == 0 || end > uint64(len(data)) {
		return nil, fmt.Errorf("ndb: %d slot pages do not fit in %d bytes", slotPages, len(data))
	}
	var blobs [][]byte
	for off := uint64(ndbHeaderSize); off+16 <= end; off += 16 {
		s := data[off : off+16]
		if binary.LittleEndian.Uint32(s) != ndbSlotMagic {
			return nil, fmt.Errorf("ndb: bad slot magic at offset %d", off)
		}
		pkgIdx := binary.LittleEndian.Uint32(s[4:])
		if pkgIdx == 0 {
			continue // free slot
		}
		blkOff := uint64(binary.LittleEndian.Uint32(s[8:])) * ndbBlockSize
		blkLen := uint64(binary.LittleEndian.Uint32(s[12:])) * ndbBlockSize
		if blkOff < end || blkOff+blkLen > uint64(len(data)) || blkLen < 16 {
			return nil, fmt.Errorf("ndb: package %d: blob at %d+%d out of the file", pkgIdx, blkOff, blkLen)
		}
		b := data[blkOff : blkOff+blkLen]
		if binary.LittleEndian.Uint32(b) != ndbBlobMagic || binary.LittleEndian.Uint32(b[4:]) != pkgIdx {
			return nil, fmt.Errorf("ndb: package %d: bad blob header at offset %d", pkgIdx, blkOff)
		}
		n := uint64(binary.LittleEndian.Uint32(b[12:]))
		if 16+n > blkLen {
			return nil, fmt.Errorf("ndb: package %d: blob length %d overruns its blocks", pkgIdx, n)
		}
		blobs = append(blobs, b[16:16+n])
	}
	return blobs, nil
}
