// Package config loads ztscan's settings: the embedded defaults overlaid
// with a user's YAML file. The defaults double as the schema: a key the
// defaults do not have, or a value of another kind, is an error naming the
// file, line and key, so a typo never silently keeps a default.
//
// The defaults live in defaults/*.yaml, one file per area, each owning its
// top-level keys; they are merged in file-name order.
package config

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed defaults/*.yaml
var defaultsFS embed.FS

// DefaultPath is read when --config is not given and the file exists.
const DefaultPath = "/etc/ztscan/config.yaml"

// maxConfigSize bounds a config file; a real one is a few KiB.
const maxConfigSize = 1 << 20

// Config is the merged settings, as rules see them in data.config.
type Config struct {
	Values map[string]any
	// Source names the file that overrode the defaults ("" = defaults only).
	Source string
}

// Defaults returns the embedded defaults.
func Defaults() (*Config, error) {
	schema, err := defaultsSchema()
	if err != nil {
		return nil, err
	}
	var v map[string]any
	if err := schema.Decode(&v); err != nil {
		return nil, fmt.Errorf("built-in defaults: %w", err)
	}
	v, err = jsonTyped(v)
	if err != nil {
		return nil, fmt.Errorf("built-in defaults: %w", err)
	}
	return &Config{Values: v}, nil
}

// DefaultsYAML returns the commented default files, concatenated.
func DefaultsYAML() []byte {
	var b bytes.Buffer
	names, _ := fs.Glob(defaultsFS, "defaults/*.yaml")
	for _, n := range names {
		data, _ := defaultsFS.ReadFile(n)
		b.Write(data)
		b.WriteString("\n")
	}
	return b.Bytes()
}

// defaultsSchema merges the default files into one mapping node; a
// top-level key defined by two files is an error (each area owns its keys).
func defaultsSchema() (*yaml.Node, error) {
	names, err := fs.Glob(defaultsFS, "defaults/*.yaml")
	if err != nil {
		return nil, err
	}
	merged := &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
	owner := map[string]string{}
	for _, n := range names {
		data, err := defaultsFS.ReadFile(n)
		if err != nil {
			return nil, err
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return nil, fmt.Errorf("built-in defaults %s: %w", n, err)
		}
		if len(doc.Content) == 0 {
			continue
		}
		top := doc.Content[0]
		if top.Kind != yaml.MappingNode {
			return nil, fmt.Errorf("built-in defaults %s: not a mapping", n)
		}
		for i := 0; i+1 < len(top.Content); i += 2 {
			key := top.Content[i].Value
			if prev, dup := owner[key]; dup {
				return nil, fmt.Errorf("built-in defaults: key %q is defined in %s and %s", key, prev, n)
			}
			owner[key] = n
		}
		merged.Content = append(merged.Content, top.Content...)
	}
	return merged, nil
}

// Load reads path over the defaults. explicit says the user named the file
// (--config): then a missing file is an error; the default path may be
// absent.
func Load(path string, explicit bool) (*Config, error) {
	cfg, err := Defaults()
	if err != nil {
		return nil, err
	}
	if path == "" {
		return cfg, nil
	}
	data, err := readBounded(path)
	if err != nil {
		if !explicit && errors.Is(err, os.ErrNotExist) {
			return cfg, nil
		}
		return nil, fmt.Errorf("config %s: %w", path, err)
	}
	if err := cfg.overlay(path, data); err != nil {
		return nil, err
	}
	cfg.Source = path
	return cfg, nil
}

func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		return nil, fmt.Errorf("not a regular file")
	}
	data, err := io.ReadAll(io.LimitReader(f, maxConfigSize+1))
	if err != nil {
		return nil, err
	}
	if len(data) > maxConfigSize {
		return nil, fmt.Errorf("larger than %d bytes", maxConfigSize)
	}
	return data, nil
}

// overlay validates data against the defaults' shape and merges it in.
func (c *Config) overlay(name string, data []byte) error {
	var user yaml.Node
	if err := yaml.Unmarshal(data, &user); err != nil {
		return fmt.Errorf("config %s: %w", name, err)
	}
	if user.Kind == 0 || len(user.Content) == 0 {
		return nil // empty file: defaults
	}
	schema, err := defaultsSchema()
	if err != nil {
		return err
	}
	if err := check(name, "", schema, user.Content[0]); err != nil {
		return err
	}
	var values map[string]any
	if err := user.Decode(&values); err != nil {
		return fmt.Errorf("config %s: %w", name, err)
	}
	merged, err := jsonTyped(merge(c.Values, values))
	if err != nil {
		return fmt.Errorf("config %s: %w", name, err)
	}
	c.Values = merged
	return nil
}

// check walks the user's document beside the defaults. Mappings must use
// known keys; scalars must have the default's type; sequences hold
// scalars of the default's element type.
func check(file, path string, want, got *yaml.Node) error {
	at := func(n *yaml.Node, format string, args ...any) error {
		key := path
		if key == "" {
			key = "(top level)"
		}
		return fmt.Errorf("config %s:%d: %s: %s", file, n.Line, key, fmt.Sprintf(format, args...))
	}
	if got.Kind == yaml.AliasNode {
		got = got.Alias
	}
	switch want.Kind {
	case yaml.MappingNode:
		if got.Kind != yaml.MappingNode {
			return at(got, "want a mapping, got %s", kindName(got))
		}
		known := map[string]*yaml.Node{}
		var names []string
		for i := 0; i+1 < len(want.Content); i += 2 {
			known[want.Content[i].Value] = want.Content[i+1]
			names = append(names, want.Content[i].Value)
		}
		sort.Strings(names)
		seen := map[string]bool{}
		for i := 0; i+1 < len(got.Content); i += 2 {
			k, v := got.Content[i], got.Content[i+1]
			sub := k.Value
			if path != "" {
				sub = path + "." + k.Value
			}
			if seen[k.Value] {
				return fmt.Errorf("config %s:%d: %s: key given twice", file, k.Line, sub)
			}
			seen[k.Value] = true
			w, ok := known[k.Value]
			if !ok {
				return fmt.Errorf("config %s:%d: %s: unknown key (known here: %s)", file, k.Line, sub, strings.Join(names, ", "))
			}
			if err := check(file, sub, w, v); err != nil {
				return err
			}
		}
	case yaml.SequenceNode:
		if got.Kind != yaml.SequenceNode {
			return at(got, "want a list, got %s", kindName(got))
		}
		if len(want.Content) > 0 {
			for _, item := range got.Content {
				if err := check(file, path+"[]", want.Content[0], item); err != nil {
					return err
				}
			}
		}
	case yaml.ScalarNode:
		if got.Kind != yaml.ScalarNode {
			return at(got, "want %s, got %s", article(tagName(want.Tag)), kindName(got))
		}
		if want.Tag != "!!null" && got.Tag != want.Tag && !(want.Tag == "!!float" && got.Tag == "!!int") {
			return at(got, "want %s, got %s %q", article(tagName(want.Tag)), tagName(got.Tag), got.Value)
		}
	}
	return nil
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		return article(tagName(n.Tag))
	}
	return "nothing"
}

func article(s string) string {
	if strings.ContainsAny(s[:1], "aeiou") {
		return "an " + s
	}
	return "a " + s
}

func tagName(tag string) string {
	switch tag {
	case "!!str":
		return "string"
	case "!!int":
		return "integer"
	case "!!bool":
		return "boolean (true/false)"
	case "!!float":
		return "number"
	case "!!null":
		return "null"
	}
	return strings.TrimPrefix(tag, "!!")
}

// jsonTyped gives values the types a JSON decoder would (float64 numbers,
// map[string]any), which is what OPA's store and data.config expect.
func jsonTyped(v map[string]any) (map[string]any, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var out map[string]any
	err = json.Unmarshal(b, &out)
	return out, err
}

// merge overlays user onto base: mappings merge key by key, anything else
// (lists included) replaces.
func merge(base, user map[string]any) map[string]any {
	out := make(map[string]any, len(base))
	for k, v := range base {
		out[k] = v
	}
	for k, uv := range user {
		bm, bok := out[k].(map[string]any)
		um, uok := uv.(map[string]any)
		if bok && uok {
			out[k] = merge(bm, um)
			continue
		}
		out[k] = uv
	}
	return out
}

// YAML renders the effective configuration.
func (c *Config) YAML() ([]byte, error) {
	var b bytes.Buffer
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(c.Values); err != nil {
		return nil, err
	}
	return b.Bytes(), enc.Close()
}
