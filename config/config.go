// Package config loads ztscan's settings: the embedded defaults overlaid
// with a user's YAML file. The defaults double as the schema: a key the
// defaults do not have, or a value of another kind, is an error naming the
// file, line and key, so a typo never silently keeps a default.
package config

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

//go:embed defaults.yaml
var defaultsYAML []byte

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
	var v map[string]any
	if err := yaml.Unmarshal(defaultsYAML, &v); err != nil {
		return nil, fmt.Errorf("built-in defaults: %w", err)
	}
	return &Config{Values: v}, nil
}

// DefaultsYAML returns the commented defaults file.
func DefaultsYAML() []byte { return bytes.Clone(defaultsYAML) }

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
	var schema yaml.Node
	if err := yaml.Unmarshal(defaultsYAML, &schema); err != nil {
		return fmt.Errorf("built-in defaults: %w", err)
	}
	if err := check(name, "", schema.Content[0], user.Content[0]); err != nil {
		return err
	}
	var values map[string]any
	if err := user.Decode(&values); err != nil {
		return fmt.Errorf("config %s: %w", name, err)
	}
	c.Values = merge(c.Values, values)
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
