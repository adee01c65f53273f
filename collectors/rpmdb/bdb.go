package rpmdb

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Berkeley DB hash databases (rpm before 4.16): a metadata page, then
// hash pages whose items point at overflow page chains holding the
// header blobs. The byte order is the creator's: the magic says which.
const (
	bdbHashMagic    = 0x061561
	bdbPageHeader   = 26
	bdbPageHash     = 13 // P_HASH
	bdbPageHashOld  = 2  // P_HASH_UNSORTED (RHEL 5)
	bdbPageOverflow = 7  // P_OVERFLOW
	bdbItemOffPage  = 3  // H_OFFPAGE
	bdbOffPageSize  = 12
)

func readBDB(data []byte) ([][]byte, error) {
	if len(data) < 512 {
		return nil, errors.New("not a Berkeley DB database")
	}
	var bo binary.ByteOrder = binary.LittleEndian
	switch {
	case binary.LittleEndian.Uint32(data[12:]) == bdbHashMagic:
	case binary.BigEndian.Uint32(data[12:]) == bdbHashMagic:
		bo = binary.BigEndian
	default:
		return nil, errors.New("not a Berkeley DB hash database")
	}
	pageSize := uint64(bo.Uint32(data[20:]))
	if pageSize < 512 || pageSize > 65536 || pageSize&(pageSize-1) != 0 {
		return nil, fmt.Errorf("bdb: bad page size %d", pageSize)
	}
	lastPage := uint64(bo.Uint32(data[32:]))
	if (lastPage+1)*pageSize > uint64(len(data)) {
		return nil, fmt.Errorf("bdb: last page %d beyond the end of the file", lastPage)
	}
	page := func(n uint64) []byte { return data[n*pageSize : (n+1)*pageSize] }
	var blobs [][]byte
	for n := uint64(1); n <= lastPage; n++ {
		pg := page(n)
		if t := pg[25]; t != bdbPageHash && t != bdbPageHashOld {
			continue
		}
		entries := uint64(bo.Uint16(pg[20:]))
		if bdbPageHeader+2*entries > pageSize {
			return nil, fmt.Errorf("bdb: page %d: %d entries do not fit", n, entries)
		}
		// Entries come in key/data pairs; headers are the data items.
		for i := uint64(1); i < entries; i += 2 {
			off := uint64(bo.Uint16(pg[bdbPageHeader+2*i:]))
			if off >= pageSize {
				return nil, fmt.Errorf("bdb: page %d: item %d out of the page", n, i)
			}
			item := pg[off:]
			if item[0] != bdbItemOffPage {
				continue
			}
			if off+bdbOffPageSize > pageSize {
				return nil, fmt.Errorf("bdb: page %d: item %d out of the page", n, i)
			}
			blob, err := bdbOverflow(data, page, lastPage, uint64(bo.Uint32(item[4:])), uint64(bo.Uint32(item[8:])), bo)
			if err != nil {
				return nil, fmt.Errorf("bdb: page %d item %d: %w", n, i, err)
			}
			blobs = append(blobs, blob)
		}
	}
	return blobs, nil
}

// bdbOverflow reads total bytes from the overflow chain starting at first;
// each page says how many bytes it holds (hf_offset) and which is next.
func bdbOverflow(data []byte, page func(uint64) []byte, lastPage, first, total uint64, bo binary.ByteOrder) ([]byte, error) {
	if total > uint64(len(data)) {
		return nil, fmt.Errorf("value of %d bytes is larger than the file", total)
	}
	out := make([]byte, 0, total)
	seen := map[uint64]bool{}
	for n := first; uint64(len(out)) < total; {
		if n == 0 || n > lastPage || seen[n] {
			return nil, fmt.Errorf("broken overflow chain at page %d", n)
		}
		seen[n] = true
		pg := page(n)
		if pg[25] != bdbPageOverflow {
			return nil, fmt.Errorf("page %d is not an overflow page", n)
		}
		length := uint64(bo.Uint16(pg[22:]))
		if bdbPageHeader+length > uint64(len(pg)) {
			return nil, fmt.Errorf("overflow page %d holds %d bytes, more than fit", n, length)
		}
		out = append(out, pg[bdbPageHeader:bdbPageHeader+length]...)
		n = uint64(bo.Uint32(pg[16:]))
	}
	if uint64(len(out)) > total {
		out = out[:total]
	}
	return out, nil
}
