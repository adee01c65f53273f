// Package nginxconf reads an nginx configuration tree the way nginx 1.22
// does, without running nginx: the tokenizer of ngx_conf_file.c (quotes,
// escapes, comments, "${var}", the 4096-byte token limit), blocks,
// `include` with glob patterns resolved against the configuration prefix
// (the directory of the main file), nested includes, and the structural
// checks nginx makes before it would start (braces, argument counts and
// contexts of the directives ztscan interprets, an "events" block).
//
// Load returns the directive tree with includes expanded in place and the
// files in the order `nginx -T` dumps them; the collector turns the tree
// into facts (server blocks, listen sockets, ssl_* settings, rate limits).
package nginxconf

import "fmt"

// FS is how the parser reads the target (hostfs.Host satisfies it).
type FS interface {
	ReadFile(path string) ([]byte, error)
	Glob(pattern string) ([]string, error) // sorted, like glob(3)
}

// Directive is one directive: its name, arguments (unquoted, unescaped)
// and where its first word is. Block is nil for a simple directive and
// non-nil (possibly empty) for a block directive.
type Directive struct {
	Name  string       `json:"name"`
	Args  []string     `json:"args"`
	File  string       `json:"file"`
	Line  int          `json:"line"`
	Block []*Directive `json:"block,omitempty"`
	// IsBlock tells an empty block "{ }" from a simple directive.
	IsBlock bool `json:"is_block,omitempty"`
}

// File is one configuration file as read, in the order nginx -T dumps
// them (each file once, at its first inclusion).
type File struct {
	Path string
	Data []byte
}

// Config is a loaded tree.
type Config struct {
	// Main is the main file and Prefix the directory relative include
	// paths are resolved against (nginx's conf_prefix).
	Main   string
	Prefix string
	// Directives is the main file's top level, includes expanded.
	Directives []*Directive
	// Files lists every file read, main file first.
	Files []File
}

// Error is a configuration nginx would refuse (or a file it could not
// read), located like nginx's own "[emerg] ... in FILE:LINE".
type Error struct {
	File string
	Line int // 0 when the error is not about a line
	Msg  string
	Err  error // the underlying read error, if any
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.File, e.Msg)
}

func (e *Error) Unwrap() error { return e.Err }

// Find returns the directives named name directly in block, in order.
func Find(block []*Directive, name string) []*Directive {
	var out []*Directive
	for _, d := range block {
		if d.Name == name {
			out = append(out, d)
		}
	}
	return out
}
