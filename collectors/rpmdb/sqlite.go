package rpmdb

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// sqliteMagic starts every SQLite 3 database file.
const sqliteMagic = "SQLite format 3\x00"

// sqliteDB reads table b-trees of an SQLite 3 file held in memory, just
// enough for rpm's "Packages" table (hnum INTEGER PRIMARY KEY, blob BLOB).
// Format: https://www.sqlite.org/fileformat2.html.
type sqliteDB struct {
	data     []byte
	pageSize int
	usable   int // page size minus the reserved bytes at the end of each page
	visited  map[uint32]bool
}

func openSQLite(data []byte) (*sqliteDB, error) {
	if len(data) < 100 || string(data[:16]) != sqliteMagic {
		return nil, errors.New("not an SQLite 3 database")
	}
	ps := int(binary.BigEndian.Uint16(data[16:18]))
	if ps == 1 {
		ps = 65536
	}
	if ps < 512 || ps&(ps-1) != 0 {
		return nil, fmt.Errorf("sqlite: bad page size %d", ps)
	}
	usable := ps - int(data[20])
	if usable < 480 {
		return nil, fmt.Errorf("sqlite: usable page size %d too small", usable)
	}
	return &sqliteDB{data: data, pageSize: ps, usable: usable}, nil
}

func (db *sqliteDB) page(n uint32) ([]byte, error) {
	if n == 0 {
		return nil, errors.New("sqlite: page 0 referenced")
	}
	start := uint64(n-1) * uint64(db.pageSize)
	if start+uint64(db.pageSize) > uint64(len(db.data)) {
		return nil, fmt.Errorf("sqlite: page %d beyond the end of the file", n)
	}
	return db.data[start : start+uint64(db.pageSize)], nil
}

// rows calls fn with the record of every row of the table b-tree rooted
// at root, in rowid order. A page met twice is a corrupt (cyclic) tree.
func (db *sqliteDB) rows(root uint32, fn func(rowid int64, rec []byte) error) error {
	db.visited = map[uint32]bool{}
	return db.walk(root, fn, 0)
}

func (db *sqliteDB) walk(n uint32, fn func(int64, []byte) error, depth int) error {
	if depth > 64 {
		return errors.New("sqlite: b-tree too deep")
	}
	if db.visited[n] {
		return fmt.Errorf("sqlite: page %d is referenced twice (corrupt b-tree)", n)
	}
	db.visited[n] = true
	pg, err := db.page(n)
	if err != nil {
		return err
	}
	hdr := 0
	if n == 1 {
		hdr = 100
	}
	if len(pg) < hdr+12 {
		return fmt.Errorf("sqlite: page %d too short", n)
	}
	kind := pg[hdr]
	ncells := int(binary.BigEndian.Uint16(pg[hdr+3:]))
	ptrs := hdr + 8
	if kind == 0x05 {
		ptrs = hdr + 12
	}
	if ptrs+2*ncells > db.usable {
		return fmt.Errorf("sqlite: page %d: %d cells do not fit", n, ncells)
	}
	for i := 0; i < ncells; i++ {
		off := int(binary.BigEndian.Uint16(pg[ptrs+2*i:]))
		if off >= db.usable {
			return fmt.Errorf("sqlite: page %d: cell %d out of the page", n, i)
		}
		cell := pg[off:db.usable]
		switch kind {
		case 0x05: // interior table page: child pointer, rowid
			if len(cell) < 4 {
				return fmt.Errorf("sqlite: page %d: short cell", n)
			}
			if err := db.walk(binary.BigEndian.Uint32(cell), fn, depth+1); err != nil {
				return err
			}
		case 0x0d: // leaf table page: payload size, rowid, payload
			size, k := varint(cell)
			if k == 0 {
				return fmt.Errorf("sqlite: page %d: bad cell", n)
			}
			rowid, k2 := varint(cell[k:])
			if k2 == 0 {
				return fmt.Errorf("sqlite: page %d: bad cell", n)
			}
			rec, err := db.payload(cell[k+k2:], size)
			if err != nil {
				return fmt.Errorf("sqlite: page %d: %w", n, err)
			}
			if err := fn(int64(rowid), rec); err != nil {
				return err
			}
		default:
			return fmt.Errorf("sqlite: page %d has type %#x, not a table b-tree page", n, kind)
		}
	}
	if kind == 0x05 {
		return db.walk(binary.BigEndian.Uint32(pg[hdr+8:]), fn, depth+1)
	}
	return nil
}

// payload assembles a leaf cell's payload, following overflow pages.
func (db *sqliteDB) payload(cell []byte, size uint64) ([]byte, error) {
	if size > uint64(len(db.data)) {
		return nil, fmt.Errorf("payload of %d bytes is larger than the file", size)
	}
	u := uint64(db.usable)
	x := u - 35
	if size <= x {
		if uint64(len(cell)) < size {
			return nil, errors.New("payload overruns the page")
		}
		return cell[:size], nil
	}
	m := ((u-12)*32/255 - 23)
	local := m + (size-m)%(u-4)
	if local > x {
		local = m
	}
	if uint64(len(cell)) < local+4 {
		return nil, errors.New("payload overruns the page")
	}
	out := make([]byte, 0, size)
	out = append(out, cell[:local]...)
	next := binary.BigEndian.Uint32(cell[local:])
	seen := map[uint32]bool{}
	for uint64(len(out)) < size {
		if next == 0 || seen[next] {
			return nil, errors.New("broken overflow chain")
		}
		seen[next] = true
		pg, err := db.page(next)
		if err != nil {
			return nil, err
		}
		next = binary.BigEndian.Uint32(pg)
		chunk := pg[4:db.usable]
		if rest := size - uint64(len(out)); uint64(len(chunk)) > rest {
			chunk = chunk[:rest]
		}
		out = append(out, chunk...)
	}
	return out, nil
}

// varint decodes SQLite's big-endian variable-length integer; n is 0
// when b is too short.
func varint(b []byte) (v uint64, n int) {
	for i := 0; i < 9; i++ {
		if i >= len(b) {
			return 0, 0
		}
		if i == 8 {
			return v<<8 | uint64(b[i]), 9
		}
		v = v<<7 | uint64(b[i]&0x7f)
		if b[i] < 0x80 {
			return v, i + 1
		}
	}
	return v, 9
}

// columns decodes a record into its values: nil for NULL, int64, or
// []byte for text and blobs (floats are not needed and become nil).
func columns(rec []byte) ([]any, error) {
	hsize, k := varint(rec)
	if k == 0 || hsize > uint64(len(rec)) || hsize < uint64(k) {
		return nil, errors.New("bad record header")
	}
	hdr := rec[k:hsize]
	body := rec[hsize:]
	var out []any
	for len(hdr) > 0 {
		st, n := varint(hdr)
		if n == 0 {
			return nil, errors.New("bad record header")
		}
		hdr = hdr[n:]
		var size uint64
		switch {
		case st == 0, st == 8, st == 9:
			size = 0
		case st <= 4:
			size = st
		case st == 5:
			size = 6
		case st == 6, st == 7:
			size = 8
		case st >= 12:
			size = (st - 12) / 2
		default:
			return nil, fmt.Errorf("bad serial type %d", st)
		}
		if size > uint64(len(body)) {
			return nil, errors.New("record overruns its payload")
		}
		v := body[:size]
		body = body[size:]
		switch {
		case st == 0 || st == 7:
			out = append(out, nil)
		case st == 8:
			out = append(out, int64(0))
		case st == 9:
			out = append(out, int64(1))
		case st <= 6:
			var x int64
			if len(v) > 0 && v[0]&0x80 != 0 {
				x = -1
			}
			for _, c := range v {
				x = x<<8 | int64(c)
			}
			out = append(out, x)
		default:
			out = append(out, v)
		}
	}
	return out, nil
}

// readSQLite returns the header blobs of rpm's Packages table.
func readSQLite(data []byte) ([][]byte, error) {
	db, err := openSQLite(data)
	if err != nil {
		return nil, err
	}
	var root uint32
	err = db.rows(1, func(_ int64, rec []byte) error {
		cols, err := columns(rec)
		if err != nil {
			return fmt.Errorf("sqlite schema: %w", err)
		}
		if len(cols) < 4 {
			return nil
		}
		typ, _ := cols[0].([]byte)
		name, _ := cols[1].([]byte)
		rp, _ := cols[3].(int64)
		if string(typ) == "table" && strings.EqualFold(string(name), "Packages") && rp > 0 {
			root = uint32(rp)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if root == 0 {
		return nil, errors.New("sqlite: no Packages table: not an rpm database")
	}
	var blobs [][]byte
	err = db.rows(root, func(rowid int64, rec []byte) error {
		cols, err := columns(rec)
		if err != nil {
			return fmt.Errorf("Packages row %d: %w", rowid, err)
		}
		if len(cols) < 2 {
			return fmt.Errorf("Packages row %d: %d columns", rowid, len(cols))
		}
		blob, ok := cols[1].([]byte)
		if !ok || len(blob) == 0 {
			return fmt.Errorf("Packages row %d: no header blob", rowid)
		}
		blobs = append(blobs, bytes.Clone(blob))
		return nil
	})
	return blobs, err
}
