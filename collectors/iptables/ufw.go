package iptables

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/ztscan/ztscan/collectors/fwmodel"
	"github.com/ztscan/ztscan/collectors/hostfs"
)

// ufw's files (Debian: RULES_PATH and USER_PATH are both /etc/ufw).
const (
	UFWConf     = "/etc/ufw/ufw.conf"
	UFWDefaults = "/etc/default/ufw"
	ufwDir      = "/etc/ufw/"
	maxUFWFile  = 4 << 20
)

// UFWConfig is ufw's state as its files set it.
type UFWConfig struct {
	// Installed: /etc/ufw/ufw.conf exists.
	Installed bool `json:"installed"`
	// Enabled is ENABLED=yes in ufw.conf (ufw loads its rules at boot).
	Enabled bool `json:"enabled"`
	// Default policies (DROP, REJECT, ACCEPT) of /etc/default/ufw.
	DefaultInput   string `json:"default_input_policy"`
	DefaultForward string `json:"default_forward_policy"`
	DefaultOutput  string `json:"default_output_policy"`
	IPv6           bool   `json:"ipv6"`
}

// ReadUFWConfig reads ufw.conf and /etc/default/ufw. A missing ufw.conf
// means ufw is not installed (no error).
func ReadUFWConfig(h hostfs.Host) (UFWConfig, error) {
	var cfg UFWConfig
	conf, err := readShellVars(h, UFWConf)
	if errors.Is(err, fs.ErrNotExist) {
		return cfg, nil
	}
	if err != nil {
		return cfg, err
	}
	cfg.Installed = true
	cfg.Enabled = strings.EqualFold(conf["ENABLED"], "yes")
	def, err := readShellVars(h, UFWDefaults)
	if err != nil {
		return cfg, err
	}
	// ufw's own fallbacks when a key is missing (ufw/common.py).
	get := func(k, dflt string) string {
		if v := strings.ToUpper(def[k]); v != "" {
			return v
		}
		return dflt
	}
	cfg.DefaultInput = get("DEFAULT_INPUT_POLICY", "DROP")
	cfg.DefaultForward = get("DEFAULT_FORWARD_POLICY", "DROP")
	cfg.DefaultOutput = get("DEFAULT_OUTPUT_POLICY", "ACCEPT")
	cfg.IPv6 = strings.EqualFold(def["IPV6"], "yes")
	for _, p := range []string{cfg.DefaultInput, cfg.DefaultForward, cfg.DefaultOutput} {
		if p != "DROP" && p != "REJECT" && p != "ACCEPT" {
			return cfg, fmt.Errorf("%s: bad default policy %q (ufw refuses to start)", UFWDefaults, p)
		}
	}
	return cfg, nil
}

func readShellVars(h hostfs.Host, file string) (map[string]string, error) {
	data, err := h.ReadFileLimit(file, 1<<20)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			continue
		}
		out[strings.TrimSpace(k)] = strings.Trim(strings.TrimSpace(v), `"'`)
	}
	return out, nil
}

// BuildUFW assembles the ruleset ufw loads at boot for family ("ipv4",
// "ipv6"), replaying what ufw-init does: its primary chains and INPUT
// jumps, before*.rules, after*.rules, user*.rules, the user-chain hooks and
// the default policies. It returns the tables and the files read.
func BuildUFW(h hostfs.Host, cfg UFWConfig, family string) ([]*fwmodel.Table, []string, error) {
	typ := ""
	if family == "ipv6" {
		typ = "6"
	}
	r := NewRestore(family, "ufw")
	step := func(name, text string) error { return r.Load([]byte(text), name) }
	var b strings.Builder
	b.WriteString("*filter\n")
	for _, c := range []string{"before-logging-input", "before-logging-output", "before-logging-forward", "before-input", "before-output",
		"before-forward", "after-input", "after-output", "after-forward", "after-logging-input", "after-logging-output",
		"after-logging-forward", "reject-input", "reject-output", "reject-forward", "track-input", "track-output", "track-forward",
		"logging-deny", "logging-allow", "skip-to-policy-input", "skip-to-policy-output", "skip-to-policy-forward"} {
		fmt.Fprintf(&b, ":ufw%s-%s - [0:0]\n", typ, c)
	}
	for _, c := range []string{"before-logging-input", "before-input", "after-input", "after-logging-input", "reject-input", "track-input"} {
		fmt.Fprintf(&b, "-A INPUT -j ufw%s-%s\n", typ, c)
	}
	for _, c := range []string{"before-logging-forward", "before-forward", "after-forward", "after-logging-forward", "reject-forward", "track-forward"} {
		fmt.Fprintf(&b, "-A FORWARD -j ufw%s-%s\n", typ, c)
	}
	if cfg.DefaultInput == "REJECT" {
		fmt.Fprintf(&b, "-A ufw%s-reject-input -j REJECT\n", typ)
	}
	if cfg.DefaultForward == "REJECT" {
		fmt.Fprintf(&b, "-A ufw%s-reject-forward -j REJECT\n", typ)
	}
	if cfg.DefaultInput == "ACCEPT" {
		fmt.Fprintf(&b, "-A ufw%[1]s-track-input -p tcp -m conntrack --ctstate NEW -j ACCEPT\n-A ufw%[1]s-track-input -p udp -m conntrack --ctstate NEW -j ACCEPT\n", typ)
	}
	fmt.Fprintf(&b, "-A ufw%s-skip-to-policy-input -j %s\n", typ, cfg.DefaultInput)
	fmt.Fprintf(&b, "-A ufw%s-skip-to-policy-forward -j %s\n", typ, cfg.DefaultForward)
	b.WriteString("COMMIT\n")
	if err := step("ufw-init (primary chains)", b.String()); err != nil {
		return nil, nil, err
	}
	var files []string
	load := func(file string) error {
		data, err := h.ReadFileLimit(file, maxUFWFile)
		if err != nil {
			return fmt.Errorf("%s: %w (ufw does not start without it)", file, err)
		}
		files = append(files, file)
		return r.Load(data, file)
	}
	if err := load(ufwDir + "before" + typ + ".rules"); err != nil {
		return nil, files, err
	}
	if err := load(ufwDir + "after" + typ + ".rules"); err != nil {
		return nil, files, err
	}
	user := fmt.Sprintf("*filter\n:ufw%[1]s-user-input - [0:0]\n:ufw%[1]s-user-output - [0:0]\n:ufw%[1]s-user-forward - [0:0]\n"+
		":ufw%[1]s-user-logging-input - [0:0]\n:ufw%[1]s-user-logging-output - [0:0]\n:ufw%[1]s-user-logging-forward - [0:0]\n"+
		":ufw%[1]s-user-limit - [0:0]\n:ufw%[1]s-user-limit-accept - [0:0]\nCOMMIT\n", typ)
	if err := step("ufw-init (user chains)", user); err != nil {
		return nil, files, err
	}
	if err := load(ufwDir + "user" + typ + ".rules"); err != nil {
		return nil, files, err
	}
	hooks := fmt.Sprintf("*filter\n-A ufw%[1]s-before-input -j ufw%[1]s-user-input\n-A ufw%[1]s-before-forward -j ufw%[1]s-user-forward\nCOMMIT\n", typ)
	policy := func(p string) string {
		if p == "REJECT" {
			return "DROP"
		}
		return p
	}
	hooks += fmt.Sprintf("*filter\n:INPUT %s [0:0]\n:FORWARD %s [0:0]\nCOMMIT\n", policy(cfg.DefaultInput), policy(cfg.DefaultForward))
	if err := step("ufw-init (hooks and policies)", hooks); err != nil {
		return nil, files, err
	}
	return r.Tables(), files, nil
}
