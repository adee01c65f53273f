package rpmdb

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"sort"

	"github.com/ztscan/ztscan/collectors/hostfs"
)

// Paths are where rpm keeps its database, newest layout first: Fedora 36+
// and openSUSE moved it to /usr/lib/sysimage/rpm (with /var/lib/rpm a
// link); sqlite is rpm >= 4.16's default, ndb SUSE's, Packages the BDB of
// older releases.
var Paths = []string{
	"/usr/lib/sysimage/rpm/rpmdb.sqlite",
	"/usr/lib/sysimage/rpm/Packages.db",
	"/usr/lib/sysimage/rpm/Packages",
	"/var/lib/rpm/rpmdb.sqlite",
	"/var/lib/rpm/Packages.db",
	"/var/lib/rpm/Packages",
}

// MaxDatabaseSize bounds the file read: real databases are tens of MB.
const MaxDatabaseSize = 512 << 20

// Find returns the first database of Paths present on h; an error
// wrapping fs.ErrNotExist when there is none.
func Find(h hostfs.Host) (string, error) {
	for _, p := range Paths {
		fi, err := h.Stat(p)
		if err == nil && fi.IsRegular() && fi.Size > 0 {
			return p, nil
		}
		if err == nil && !fi.IsRegular() {
			return "", fmt.Errorf("%s: not a regular file", p)
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return "", err
		}
	}
	return "", fmt.Errorf("no rpm database: %w", fs.ErrNotExist)
}

// Read reads the database at path on h, recognising its format by its
// content (not its name). Errors name the file.
func Read(h hostfs.Host, path string) ([]Package, string, error) {
	data, err := h.ReadFileLimit(path, MaxDatabaseSize)
	if err != nil {
		return nil, "", err
	}
	pkgs, format, err := Decode(data)
	if err != nil {
		return nil, format, fmt.Errorf("%s: %w", path, err)
	}
	return pkgs, format, nil
}

// Decode parses a database image, returning its packages sorted by name,
// EVR and arch, and the format name ("sqlite", "ndb", "bdb").
func Decode(data []byte) ([]Package, string, error) {
	var blobs [][]byte
	var format string
	var err error
	switch {
	case bytes.HasPrefix(data, []byte(sqliteMagic)):
		format = "sqlite"
		blobs, err = readSQLite(data)
	case bytes.HasPrefix(data, []byte("RpmP")):
		format = "ndb"
		blobs, err = readNDB(data)
	default:
		format = "bdb"
		blobs, err = readBDB(data)
		if err != nil {
			err = fmt.Errorf("not an rpm database (neither sqlite, ndb nor Berkeley DB): %w", err)
		}
	}
	if err != nil {
		return nil, format, err
	}
	pkgs := make([]Package, 0, len(blobs))
	for i, b := range blobs {
		p, err := ParseHeader(b)
		if err != nil {
			return nil, format, fmt.Errorf("package %d: %w", i+1, err)
		}
		pkgs = append(pkgs, p)
	}
	sort.Slice(pkgs, func(i, j int) bool {
		a, b := pkgs[i], pkgs[j]
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		if a.EVR() != b.EVR() {
			return a.EVR() < b.EVR()
		}
		return a.Arch < b.Arch
	})
	return pkgs, format, nil
}
