package nginxconf

import (
	"fmt"
	"strconv"
	"strings"
)

// Value is a directive's value where it takes effect, and where it was
// written: Level is the block that set it ("http", "server", "stream").
type Value struct {
	Values []string `json:"values"`
	File   string   `json:"file"`
	Line   int      `json:"line"`
	Level  string   `json:"level"`
}

// Listen is one listen directive of a server block.
type Listen struct {
	// Address is "*" (all addresses), an IP ("127.0.0.1", "[::1]"), a
	// host name, or "unix:/path"; Port is 0 for a unix socket.
	Address       string `json:"address"`
	Port          int    `json:"port"`
	SSL           bool   `json:"ssl"`
	HTTP2         bool   `json:"http2"`
	DefaultServer bool   `json:"default_server"`
	// Implicit is the listen nginx adds to a server without one (*:80).
	Implicit bool   `json:"implicit"`
	Raw      string `json:"raw"`
	File     string `json:"file"`
	Line     int    `json:"line"`
}

// LimitReqZone is a limit_req_zone declaration (http level).
type LimitReqZone struct {
	Name string `json:"name"`
	Key  string `json:"key"`
	Size string `json:"size"`
	Rate string `json:"rate"`
	File string `json:"file"`
	Line int    `json:"line"`
}

// LimitReq is one limit_req directive in effect.
type LimitReq struct {
	Zone  string `json:"zone"`
	Burst int    `json:"burst"`
	// NoDelay: excess requests up to burst are served at once.
	NoDelay bool   `json:"nodelay"`
	File    string `json:"file"`
	Line    int    `json:"line"`
	Level   string `json:"level"` // http, server or location
}

// LocationLimit is a location of a server with the limit_req in effect
// there (its own, or inherited from server or http).
type LocationLimit struct {
	Location string     `json:"location"`
	File     string     `json:"file"`
	Line     int        `json:"line"`
	LimitReq []LimitReq `json:"limit_req"`
}

// Server is a server block with the ssl_* settings in effect in it:
// its own, else those of the enclosing http or stream block (nginx
// merges ssl_* from http into server, and no lower).
type Server struct {
	Context     string   `json:"context"` // http or stream
	File        string   `json:"file"`
	Line        int      `json:"line"`
	Listen      []Listen `json:"listen"`
	ServerNames []string `json:"server_names"`
	// SSL is true when a listen has "ssl" or "ssl on" is in effect.
	SSL                   bool    `json:"ssl"`
	SSLDirective          *Value  `json:"ssl_directive"`
	SSLProtocols          *Value  `json:"ssl_protocols"` // null: nginx's default
	SSLCertificate        []Value `json:"ssl_certificate"`
	SSLCertificateKey     []Value `json:"ssl_certificate_key"`
	SSLVerifyClient       *Value  `json:"ssl_verify_client"`
	SSLClientCertificate  *Value  `json:"ssl_client_certificate"`
	SSLTrustedCertificate *Value  `json:"ssl_trusted_certificate"`
	// LimitReq is what applies at server level; Locations lists every
	// location (nested ones too) with what applies there.
	LimitReq  []LimitReq      `json:"limit_req"`
	Locations []LocationLimit `json:"locations"`
}

// Model is the part of a configuration that facts report.
type Model struct {
	Servers       []Server       `json:"servers"`
	LimitReqZones []LimitReqZone `json:"limit_req_zones"`
}

// BuildModel derives server blocks, inheritance and rate limits from a
// loaded tree. A listen nginx would refuse is an *Error.
func BuildModel(c *Config) (*Model, error) {
	m := &Model{Servers: []Server{}, LimitReqZones: []LimitReqZone{}}
	for _, h := range Find(c.Directives, "http") {
		for _, z := range Find(h.Block, "limit_req_zone") {
			m.LimitReqZones = append(m.LimitReqZones, limitReqZone(z))
		}
		httpLimits := limitReqs(h.Block, "http", nil)
		for _, s := range Find(h.Block, "server") {
			srv, err := buildServer("http", h, s)
			if err != nil {
				return nil, err
			}
			srv.LimitReq = limitReqs(s.Block, "server", httpLimits)
			srv.Locations = locations(s.Block, srv.LimitReq)
			m.Servers = append(m.Servers, *srv)
		}
	}
	for _, st := range Find(c.Directives, "stream") {
		for _, s := range Find(st.Block, "server") {
			srv, err := buildServer("stream", st, s)
			if err != nil {
				return nil, err
			}
			srv.LimitReq, srv.Locations = []LimitReq{}, []LocationLimit{}
			m.Servers = append(m.Servers, *srv)
		}
	}
	return m, nil
}

func buildServer(context string, parent, s *Directive) (*Server, error) {
	srv := &Server{Context: context, File: s.File, Line: s.Line, Listen: []Listen{}, ServerNames: []string{}}
	for _, l := range Find(s.Block, "listen") {
		ln, err := parseListen(l, context)
		if err != nil {
			return nil, err
		}
		srv.Listen = append(srv.Listen, ln)
	}
	if len(srv.Listen) == 0 && context == "http" {
		// ngx_http_core_merge_srv_conf: a server without listen gets
		// *:80 (nginx run as root; 8000 otherwise).
		srv.Listen = append(srv.Listen, Listen{Address: "*", Port: 80, Implicit: true, File: s.File, Line: s.Line})
	}
	for _, n := range Find(s.Block, "server_name") {
		srv.ServerNames = append(srv.ServerNames, n.Args...)
	}
	srv.SSLDirective = single(parent, s, "ssl", context)
	srv.SSLProtocols = protocols(parent, s, context)
	srv.SSLCertificate = array(parent, s, "ssl_certificate", context)
	srv.SSLCertificateKey = array(parent, s, "ssl_certificate_key", context)
	srv.SSLVerifyClient = single(parent, s, "ssl_verify_client", context)
	srv.SSLClientCertificate = single(parent, s, "ssl_client_certificate", context)
	srv.SSLTrustedCertificate = single(parent, s, "ssl_trusted_certificate", context)
	for _, l := range srv.Listen {
		srv.SSL = srv.SSL || l.SSL
	}
	if srv.SSLDirective != nil && strings.EqualFold(srv.SSLDirective.Values[0], "on") {
		srv.SSL = true
	}
	return srv, nil
}

func valueOf(d *Directive, level string) *Value {
	return &Value{Values: append([]string{}, d.Args...), File: d.File, Line: d.Line, Level: level}
}

// single is a one-value directive: the server's, else the parent's.
func single(parent, s *Directive, name, parentLevel string) *Value {
	if ds := Find(s.Block, name); len(ds) > 0 {
		return valueOf(ds[len(ds)-1], "server")
	}
	if ds := Find(parent.Block, name); len(ds) > 0 {
		return valueOf(ds[len(ds)-1], parentLevel)
	}
	return nil
}

// array is an array directive (ssl_certificate): all of the server's if
// it has any, else all of the parent's.
func array(parent, s *Directive, name, parentLevel string) []Value {
	out := []Value{}
	ds, level := Find(s.Block, name), "server"
	if len(ds) == 0 {
		ds, level = Find(parent.Block, name), parentLevel
	}
	for _, d := range ds {
		out = append(out, *valueOf(d, level))
	}
	return out
}

// protocols is ssl_protocols, a bitmask: several directives in one block
// add up; the server's set replaces the parent's.
func protocols(parent, s *Directive, parentLevel string) *Value {
	ds, level := Find(s.Block, "ssl_protocols"), "server"
	if len(ds) == 0 {
		ds, level = Find(parent.Block, "ssl_protocols"), parentLevel
	}
	if len(ds) == 0 {
		return nil
	}
	v := &Value{Values: []string{}, File: ds[0].File, Line: ds[0].Line, Level: level}
	seen := map[string]bool{}
	for _, d := range ds {
		for _, a := range d.Args {
			if !seen[a] {
				seen[a] = true
				v.Values = append(v.Values, a)
			}
		}
	}
	return v
}

func limitReqZone(d *Directive) LimitReqZone {
	z := LimitReqZone{Key: d.Args[0], File: d.File, Line: d.Line}
	for _, a := range d.Args[1:] {
		if v, ok := strings.CutPrefix(a, "zone="); ok {
			z.Name, z.Size, _ = strings.Cut(v, ":")
		} else if v, ok := strings.CutPrefix(a, "rate="); ok {
			z.Rate = v
		}
	}
	return z
}

// limitReqs is the limit_req in effect in block: its own directives if
// it has any, else inherited (ngx_http_limit_req_merge_conf).
func limitReqs(block []*Directive, level string, inherited []LimitReq) []LimitReq {
	ds := Find(block, "limit_req")
	if len(ds) == 0 {
		if inherited == nil {
			return []LimitReq{}
		}
		return inherited
	}
	out := []LimitReq{}
	for _, d := range ds {
		lr := LimitReq{Zone: zoneArg(d.Args), File: d.File, Line: d.Line, Level: level}
		for _, a := range d.Args {
			if v, ok := strings.CutPrefix(a, "burst="); ok {
				lr.Burst, _ = strconv.Atoi(v)
			} else if a == "nodelay" {
				lr.NoDelay = true
			}
		}
		out = append(out, lr)
	}
	return out
}

// locations lists the locations of a server (nested ones and those
// inside "if" too) with the limit_req in effect in each.
func locations(block []*Directive, inherited []LimitReq) []LocationLimit {
	out := []LocationLimit{}
	for _, d := range block {
		if d.Name != "location" || !d.IsBlock {
			continue
		}
		eff := limitReqs(d.Block, "location", inherited)
		out = append(out, LocationLimit{Location: strings.Join(d.Args, " "), File: d.File, Line: d.Line, LimitReq: eff})
		out = append(out, locations(d.Block, eff)...)
	}
	return out
}

// parseListen reads a listen directive as ngx_http_core_listen does:
// the address (port only, address only, address:port, [v6]:port or
// unix:path) and the flags that matter for TLS.
func parseListen(d *Directive, context string) (Listen, error) {
	l := Listen{Raw: strings.Join(d.Args, " "), File: d.File, Line: d.Line}
	bad := func(format string, args ...any) error {
		return &Error{File: d.File, Line: d.Line, Msg: fmt.Sprintf(format, args...)}
	}
	addr := d.Args[0]
	switch {
	case strings.HasPrefix(addr, "unix:"):
		if len(addr) == len("unix:") {
			return l, bad(`no path in the unix domain socket in "%s" of the "listen" directive`, addr)
		}
		l.Address = addr
	case strings.HasPrefix(addr, "["):
		end := strings.Index(addr, "]")
		if end < 0 {
			return l, bad(`invalid IPv6 address in "%s" of the "listen" directive`, addr)
		}
		l.Address, l.Port = addr[:end+1], 80
		if rest := addr[end+1:]; rest != "" {
			p, ok := strings.CutPrefix(rest, ":")
			if !ok {
				return l, bad(`invalid host in "%s" of the "listen" directive`, addr)
			}
			port, err := parsePort(p)
			if err != nil {
				return l, bad(`invalid port in "%s" of the "listen" directive`, addr)
			}
			l.Port = port
		}
	default:
		host, p, hasPort := cutLast(addr, ":")
		if !hasPort {
			if port, err := parsePort(addr); err == nil {
				l.Address, l.Port = "*", port
				break
			} else if allDigits(addr) {
				return l, bad(`invalid port in "%s" of the "listen" directive`, addr)
			}
			host, p = addr, "80"
		}
		port, err := parsePort(p)
		if err != nil {
			return l, bad(`invalid port in "%s" of the "listen" directive`, addr)
		}
		if host == "" {
			return l, bad(`no host in "%s" of the "listen" directive`, addr)
		}
		l.Address, l.Port = host, port
	}
	if context == "stream" && l.Port == 80 && !strings.Contains(addr, ":") && !allDigits(addr) {
		// the stream module has no default port
		return l, bad(`no port in "%s" of the "listen" directive`, addr)
	}
	for _, a := range d.Args[1:] {
		name, _, _ := strings.Cut(a, "=")
		switch {
		case a == "ssl":
			l.SSL = true
		case a == "http2" && context == "http":
			l.HTTP2 = true
		case (a == "default_server" || a == "default") && context == "http":
			l.DefaultServer = true
		case listenFlags[a] || listenParams[name] && strings.Contains(a, "="):
		default:
			return l, bad(`invalid parameter "%s"`, a)
		}
	}
	return l, nil
}

// listenFlags and listenParams are the other listen parameters of nginx
// 1.22 (http and stream), accepted and not reported.
var listenFlags = map[string]bool{
	"bind": true, "deferred": true, "reuseport": true, "proxy_protocol": true, "udp": true, "quic": true,
}

var listenParams = map[string]bool{
	"backlog": true, "rcvbuf": true, "sndbuf": true, "setfib": true, "fastopen": true,
	"accept_filter": true, "ipv6only": true, "so_keepalive": true,
}

func cutLast(s, sep string) (before, after string, found bool) {
	if i := strings.LastIndex(s, sep); i >= 0 {
		return s[:i], s[i+len(sep):], true
	}
	return s, "", false
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

func parsePort(s string) (int, error) {
	if !allDigits(s) {
		return 0, fmt.Errorf("not a port")
	}
	p, err := strconv.Atoi(s)
	if err != nil || p < 1 || p > 65535 {
		return 0, fmt.Errorf("port out of range")
	}
	return p, nil
}
