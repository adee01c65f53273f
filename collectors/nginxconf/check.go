package nginxconf

import "strings"

// context is where a directive stands, as nginx's NGX_*_CONF flags.
type context int

const (
	ctxMain context = iota
	ctxEvents
	ctxHTTP
	ctxHTTPServer
	ctxLocation // also "if" and "limit_except" inside server/location
	ctxUpstream
	ctxStream
	ctxStreamServer
	ctxMail
	ctxMailServer
	ctxHandler // types, map, geo, split_clients, charset_map: name/value lists
	ctxUnknown // a block of a directive ztscan does not model
)

func (c context) customHandler() bool { return c == ctxHandler }

// handlerBlocks are blocks whose content nginx reads with a custom
// handler (cf->handler) instead of directive tables.
var handlerBlocks = map[string]bool{
	"types": true, "map": true, "geo": true, "split_clients": true, "charset_map": true,
}

// enter is the context inside block directive d.
func (c context) enter(d *Directive) context {
	if handlerBlocks[d.Name] {
		return ctxHandler
	}
	switch c {
	case ctxMain:
		switch d.Name {
		case "events":
			return ctxEvents
		case "http":
			return ctxHTTP
		case "stream":
			return ctxStream
		case "mail":
			return ctxMail
		}
	case ctxHTTP:
		switch d.Name {
		case "server":
			return ctxHTTPServer
		case "upstream":
			return ctxUpstream
		}
	case ctxHTTPServer, ctxLocation:
		switch d.Name {
		case "location", "if", "limit_except":
			return ctxLocation
		}
	case ctxStream:
		switch d.Name {
		case "server":
			return ctxStreamServer
		case "upstream":
			return ctxUpstream
		}
	case ctxMail:
		if d.Name == "server" {
			return ctxMailServer
		}
	}
	return ctxUnknown
}

// spec is what ztscan knows of a directive: where it may stand, how many
// arguments it takes and whether it opens a block. Directives ztscan does
// not interpret are not checked (their module may or may not be loaded).
type spec struct {
	contexts []context
	minArgs  int
	maxArgs  int // -1: unbounded
	block    bool
}

var (
	anyHTTP    = []context{ctxHTTP, ctxHTTPServer, ctxLocation}
	sslCtx     = []context{ctxHTTP, ctxHTTPServer, ctxStream, ctxStreamServer, ctxMail, ctxMailServer}
	httpServer = []context{ctxHTTP, ctxHTTPServer}
)

var specs = map[string]spec{
	"events":                  {contexts: []context{ctxMain}, block: true},
	"http":                    {contexts: []context{ctxMain}, block: true},
	"stream":                  {contexts: []context{ctxMain}, block: true},
	"mail":                    {contexts: []context{ctxMain}, block: true},
	"location":                {contexts: []context{ctxHTTPServer, ctxLocation}, minArgs: 1, maxArgs: 2, block: true},
	"listen":                  {contexts: []context{ctxHTTPServer, ctxStreamServer, ctxMailServer}, minArgs: 1, maxArgs: -1},
	"server_name":             {contexts: []context{ctxHTTPServer, ctxMailServer, ctxMail}, minArgs: 1, maxArgs: -1},
	"ssl":                     {contexts: []context{ctxHTTP, ctxHTTPServer, ctxMail, ctxMailServer}, minArgs: 1, maxArgs: 1},
	"ssl_protocols":           {contexts: sslCtx, minArgs: 1, maxArgs: -1},
	"ssl_certificate":         {contexts: sslCtx, minArgs: 1, maxArgs: 1},
	"ssl_certificate_key":     {contexts: sslCtx, minArgs: 1, maxArgs: 1},
	"ssl_verify_client":       {contexts: sslCtx, minArgs: 1, maxArgs: 1},
	"ssl_client_certificate":  {contexts: sslCtx, minArgs: 1, maxArgs: 1},
	"ssl_trusted_certificate": {contexts: sslCtx, minArgs: 1, maxArgs: 1},
	"limit_req_zone":          {contexts: []context{ctxHTTP}, minArgs: 3, maxArgs: 4},
	"limit_req":               {contexts: anyHTTP, minArgs: 1, maxArgs: 4},
	"http2":                   {contexts: httpServer, minArgs: 1, maxArgs: 1},
}

// blockOnly are blocks whose directive name also exists as a simple
// directive in another context (upstream's "server addr;").
func specFor(name string, ctx context) (spec, bool) {
	if name == "server" {
		switch ctx {
		case ctxUpstream:
			return spec{contexts: []context{ctxUpstream}, minArgs: 1, maxArgs: -1}, true
		case ctxHTTP, ctxStream, ctxMail:
			return spec{contexts: []context{ctx}, block: true}, true
		}
		return spec{contexts: []context{ctxHTTP, ctxStream, ctxMail, ctxUpstream}, block: true}, true
	}
	s, ok := specs[name]
	return s, ok
}

// checkDirective makes ngx_conf_handler's checks for the directives of
// specs: context, block or not, argument count; plus the values nginx
// validates for them.
func checkDirective(lx *lexer, d *Directive, block bool, ctx context) error {
	if d.Name == "include" {
		if block {
			return lx.errorf(`directive "include" is not terminated by ";"`)
		}
		return nil
	}
	if !directiveName(d.Name) {
		// No module has such a name: nginx says "unknown directive".
		return lx.errorf(`unknown directive "%s"`, d.Name)
	}
	if ctx == ctxUnknown {
		return nil
	}
	s, ok := specFor(d.Name, ctx)
	if !ok {
		return nil
	}
	allowed := false
	for _, c := range s.contexts {
		if c == ctx {
			allowed = true
		}
	}
	if !allowed {
		return lx.errorf(`"%s" directive is not allowed here`, d.Name)
	}
	if s.block && !block {
		return lx.errorf(`directive "%s" has no opening "{"`, d.Name)
	}
	if !s.block && block {
		return lx.errorf(`directive "%s" is not terminated by ";"`, d.Name)
	}
	if n := len(d.Args); n < s.minArgs || (s.maxArgs >= 0 && n > s.maxArgs) {
		return lx.errorf(`invalid number of arguments in "%s" directive`, d.Name)
	}
	switch d.Name {
	case "ssl_protocols":
		for _, a := range d.Args {
			if !knownProtocols[a] {
				return lx.errorf(`invalid value "%s" in "%s" directive`, a, d.Name)
			}
		}
	case "ssl", "http2":
		if a := strings.ToLower(d.Args[0]); a != "on" && a != "off" {
			return lx.errorf(`invalid value "%s" in "%s" directive, it must be "on" or "off"`, d.Args[0], d.Name)
		}
	case "ssl_verify_client":
		if !verifyClientValues[d.Args[0]] {
			return lx.errorf(`invalid value "%s" in "%s" directive`, d.Args[0], d.Name)
		}
	}
	return nil
}

// knownProtocols are the values ngx_ssl_protocols accepts (nginx 1.22).
var knownProtocols = map[string]bool{
	"SSLv2": true, "SSLv3": true, "TLSv1": true, "TLSv1.1": true, "TLSv1.2": true, "TLSv1.3": true,
}

var verifyClientValues = map[string]bool{"on": true, "off": true, "optional": true, "optional_no_ca": true}

// checkTree makes the checks nginx makes on the whole configuration:
// one events block, blocks that are not repeated, no duplicate ssl
// settings in one block, and limit_req naming a declared zone.
func checkTree(c *Config) error {
	events := Find(c.Directives, "events")
	if len(events) == 0 {
		return &Error{File: c.Main, Msg: `no "events" section in configuration`}
	}
	for _, name := range []string{"events", "http", "stream", "mail"} {
		if ds := Find(c.Directives, name); len(ds) > 1 {
			return &Error{File: ds[1].File, Line: ds[1].Line, Msg: `"` + name + `" directive is duplicate`}
		}
	}
	for _, h := range Find(c.Directives, "http") {
		if err := checkHTTP(h); err != nil {
			return err
		}
	}
	for _, s := range Find(c.Directives, "stream") {
		if err := checkDuplicates(s.Block); err != nil {
			return err
		}
		for _, srv := range Find(s.Block, "server") {
			if err := checkDuplicates(srv.Block); err != nil {
				return err
			}
		}
	}
	return nil
}

// onceDirectives may appear once per block (ngx_conf_set_*_slot refuses
// a second one with "is duplicate"). ssl_protocols is a bitmask slot: a
// second one adds its protocols, and ssl_certificate(_key) are arrays.
var onceDirectives = []string{"ssl_verify_client", "ssl_client_certificate", "ssl_trusted_certificate", "ssl", "http2"}

func checkDuplicates(block []*Directive) error {
	for _, name := range onceDirectives {
		if ds := Find(block, name); len(ds) > 1 {
			return &Error{File: ds[1].File, Line: ds[1].Line, Msg: `"` + name + `" directive is duplicate`}
		}
	}
	return nil
}

func checkHTTP(h *Directive) error {
	zones := map[string]bool{}
	for _, z := range Find(h.Block, "limit_req_zone") {
		name, _, _ := strings.Cut(zoneArg(z.Args), ":")
		if name == "" {
			return &Error{File: z.File, Line: z.Line, Msg: `no zone in "limit_req_zone" directive`}
		}
		zones[name] = true
	}
	if err := checkDuplicates(h.Block); err != nil {
		return err
	}
	var walk func(block []*Directive, inServer bool) error
	walk = func(block []*Directive, inServer bool) error {
		for _, d := range block {
			if d.Name == "limit_req" {
				zone := zoneArg(d.Args)
				if zone == "" {
					return &Error{File: d.File, Line: d.Line, Msg: `no zone in "limit_req" directive`}
				}
				if !zones[zone] {
					return &Error{File: d.File, Line: d.Line, Msg: `unknown limit_req_zone "` + zone + `"`}
				}
			}
			switch {
			case d.Name == "server" && d.IsBlock && !inServer:
				if err := checkDuplicates(d.Block); err != nil {
					return err
				}
				if err := walk(d.Block, true); err != nil {
					return err
				}
			case d.Name == "location" || d.Name == "if" || d.Name == "limit_except":
				if err := walk(d.Block, inServer); err != nil {
					return err
				}
			}
		}
		return nil
	}
	return walk(h.Block, false)
}

// zoneArg is the value of the "zone=" argument.
func zoneArg(args []string) string {
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "zone="); ok {
			return v
		}
	}
	return ""
}

// directiveName reports whether name could name a directive of some
// module: ASCII letters, digits and underscores.
func directiveName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
