package sshdconfig

// Keyword table of Debian 12's sshd 9.2p1 (servconf.c keywords[] with the
// Debian GSSAPI and DebianBanner patches, built with PAM, Kerberos and
// GSSAPI, without AFS). name is what users write (matched ignoring ASCII
// case), op the option it sets (aliases share an op), and the flags say
// whether the keyword may appear inside a Match block.

const (
	cfgGlobal = 1 << iota // allowed in the main section
	cfgMatch              // allowed inside a Match block
	cfgAll    = cfgGlobal | cfgMatch
)

// Pseudo-ops for keywords that sshd accepts but ignores.
const (
	opDeprecated  = "\x00deprecated"  // logged at INFO: "Deprecated option X"
	opIgnore      = "\x00ignore"      // logged at DEBUG2 only (Protocol)
	opUnsupported = "\x00unsupported" // logged at INFO: "Unsupported option X"
)

type keyword struct {
	op    string
	flags int
}

var keywords = map[string]keyword{
	"usepam":                          {"usepam", cfgGlobal},
	"pamauthenticationviakbdint":      {opDeprecated, cfgGlobal},
	"port":                            {"port", cfgGlobal},
	"hostkey":                         {"hostkey", cfgGlobal},
	"hostdsakey":                      {"hostkey", cfgGlobal},
	"hostkeyagent":                    {"hostkeyagent", cfgGlobal},
	"pidfile":                         {"pidfile", cfgGlobal},
	"modulifile":                      {"modulifile", cfgGlobal},
	"serverkeybits":                   {opDeprecated, cfgGlobal},
	"logingracetime":                  {"logingracetime", cfgGlobal},
	"keyregenerationinterval":         {opDeprecated, cfgGlobal},
	"permitrootlogin":                 {"permitrootlogin", cfgAll},
	"syslogfacility":                  {"syslogfacility", cfgGlobal},
	"loglevel":                        {"loglevel", cfgAll},
	"logverbose":                      {"logverbose", cfgAll},
	"rhostsauthentication":            {opDeprecated, cfgGlobal},
	"rhostsrsaauthentication":         {opDeprecated, cfgAll},
	"hostbasedauthentication":         {"hostbasedauthentication", cfgAll},
	"hostbasedusesnamefrompacketonly": {"hostbasedusesnamefrompacketonly", cfgAll},
	"hostbasedacceptedalgorithms":     {"hostbasedacceptedalgorithms", cfgAll},
	"hostbasedacceptedkeytypes":       {"hostbasedacceptedalgorithms", cfgAll},
	"hostkeyalgorithms":               {"hostkeyalgorithms", cfgGlobal},
	"rsaauthentication":               {opDeprecated, cfgAll},
	"pubkeyauthentication":            {"pubkeyauthentication", cfgAll},
	"pubkeyacceptedalgorithms":        {"pubkeyacceptedalgorithms", cfgAll},
	"pubkeyacceptedkeytypes":          {"pubkeyacceptedalgorithms", cfgAll},
	"pubkeyauthoptions":               {"pubkeyauthoptions", cfgAll},
	"dsaauthentication":               {"pubkeyauthentication", cfgGlobal},
	"kerberosauthentication":          {"kerberosauthentication", cfgAll},
	"kerberosorlocalpasswd":           {"kerberosorlocalpasswd", cfgGlobal},
	"kerberosticketcleanup":           {"kerberosticketcleanup", cfgGlobal},
	"kerberosgetafstoken":             {opUnsupported, cfgGlobal},
	"kerberostgtpassing":              {opUnsupported, cfgGlobal},
	"afstokenpassing":                 {opUnsupported, cfgGlobal},
	"gssapiauthentication":            {"gssapiauthentication", cfgAll},
	"gssapicleanupcredentials":        {"gssapicleanupcredentials", cfgGlobal},
	"gssapicleanupcreds":              {"gssapicleanupcredentials", cfgGlobal},
	"gssapistrictacceptorcheck":       {"gssapistrictacceptorcheck", cfgGlobal},
	"gssapikeyexchange":               {"gssapikeyexchange", cfgGlobal},
	"gssapistorecredentialsonrekey":   {"gssapistorecredentialsonrekey", cfgGlobal},
	"gssapikexalgorithms":             {"gssapikexalgorithms", cfgGlobal},
	"gssusesessionccache":             {opUnsupported, cfgGlobal},
	"gssapiusesessioncredcache":       {opUnsupported, cfgGlobal},
	"passwordauthentication":          {"passwordauthentication", cfgAll},
	"kbdinteractiveauthentication":    {"kbdinteractiveauthentication", cfgAll},
	"challengeresponseauthentication": {"kbdinteractiveauthentication", cfgAll},
	"skeyauthentication":              {"kbdinteractiveauthentication", cfgAll},
	"checkmail":                       {opDeprecated, cfgGlobal},
	"listenaddress":                   {"listenaddress", cfgGlobal},
	"addressfamily":                   {"addressfamily", cfgGlobal},
	"printmotd":                       {"printmotd", cfgGlobal},
	"printlastlog":                    {"printlastlog", cfgGlobal},
	"ignorerhosts":                    {"ignorerhosts", cfgAll},
	"ignoreuserknownhosts":            {"ignoreuserknownhosts", cfgGlobal},
	"x11forwarding":                   {"x11forwarding", cfgAll},
	"x11displayoffset":                {"x11displayoffset", cfgAll},
	"x11uselocalhost":                 {"x11uselocalhost", cfgAll},
	"xauthlocation":                   {"xauthlocation", cfgGlobal},
	"strictmodes":                     {"strictmodes", cfgGlobal},
	"permitblacklistedkeys":           {opDeprecated, cfgGlobal},
	"permitemptypasswords":            {"permitemptypasswords", cfgAll},
	"permituserenvironment":           {"permituserenvironment", cfgGlobal},
	"uselogin":                        {opDeprecated, cfgGlobal},
	"compression":                     {"compression", cfgGlobal},
	"rekeylimit":                      {"rekeylimit", cfgAll},
	"tcpkeepalive":                    {"tcpkeepalive", cfgGlobal},
	"keepalive":                       {"tcpkeepalive", cfgGlobal},
	"allowtcpforwarding":              {"allowtcpforwarding", cfgAll},
	"allowagentforwarding":            {"allowagentforwarding", cfgAll},
	"allowusers":                      {"allowusers", cfgAll},
	"denyusers":                       {"denyusers", cfgAll},
	"allowgroups":                     {"allowgroups", cfgAll},
	"denygroups":                      {"denygroups", cfgAll},
	"ciphers":                         {"ciphers", cfgGlobal},
	"macs":                            {"macs", cfgGlobal},
	"protocol":                        {opIgnore, cfgGlobal},
	"gatewayports":                    {"gatewayports", cfgAll},
	"subsystem":                       {"subsystem", cfgGlobal},
	"maxstartups":                     {"maxstartups", cfgGlobal},
	"persourcemaxstartups":            {"persourcemaxstartups", cfgGlobal},
	"persourcenetblocksize":           {"persourcenetblocksize", cfgGlobal},
	"maxauthtries":                    {"maxauthtries", cfgAll},
	"maxsessions":                     {"maxsessions", cfgAll},
	"banner":                          {"banner", cfgAll},
	"usedns":                          {"usedns", cfgGlobal},
	"verifyreversemapping":            {opDeprecated, cfgGlobal},
	"reversemappingcheck":             {opDeprecated, cfgGlobal},
	"clientaliveinterval":             {"clientaliveinterval", cfgAll},
	"clientalivecountmax":             {"clientalivecountmax", cfgAll},
	"authorizedkeysfile":              {"authorizedkeysfile", cfgAll},
	"authorizedkeysfile2":             {opDeprecated, cfgAll},
	"useprivilegeseparation":          {opDeprecated, cfgGlobal},
	"acceptenv":                       {"acceptenv", cfgAll},
	"setenv":                          {"setenv", cfgAll},
	"permittunnel":                    {"permittunnel", cfgAll},
	"permittty":                       {"permittty", cfgAll},
	"permituserrc":                    {"permituserrc", cfgAll},
	"match":                           {"match", cfgAll},
	"permitopen":                      {"permitopen", cfgAll},
	"permitlisten":                    {"permitlisten", cfgAll},
	"forcecommand":                    {"forcecommand", cfgAll},
	"chrootdirectory":                 {"chrootdirectory", cfgAll},
	"hostcertificate":                 {"hostcertificate", cfgGlobal},
	"revokedkeys":                     {"revokedkeys", cfgAll},
	"trustedusercakeys":               {"trustedusercakeys", cfgAll},
	"authorizedprincipalsfile":        {"authorizedprincipalsfile", cfgAll},
	"kexalgorithms":                   {"kexalgorithms", cfgGlobal},
	"include":                         {"include", cfgAll},
	"ipqos":                           {"ipqos", cfgAll},
	"authorizedkeyscommand":           {"authorizedkeyscommand", cfgAll},
	"authorizedkeyscommanduser":       {"authorizedkeyscommanduser", cfgAll},
	"authorizedprincipalscommand":     {"authorizedprincipalscommand", cfgAll},
	"authorizedprincipalscommanduser": {"authorizedprincipalscommanduser", cfgAll},
	"versionaddendum":                 {"versionaddendum", cfgGlobal},
	"authenticationmethods":           {"authenticationmethods", cfgAll},
	"streamlocalbindmask":             {"streamlocalbindmask", cfgAll},
	"streamlocalbindunlink":           {"streamlocalbindunlink", cfgAll},
	"allowstreamlocalforwarding":      {"allowstreamlocalforwarding", cfgAll},
	"fingerprinthash":                 {"fingerprinthash", cfgGlobal},
	"disableforwarding":               {"disableforwarding", cfgAll},
	"exposeauthinfo":                  {"exposeauthinfo", cfgAll},
	"rdomain":                         {"rdomain", cfgAll},
	"casignaturealgorithms":           {"casignaturealgorithms", cfgAll},
	"securitykeyprovider":             {"securitykeyprovider", cfgGlobal},
	"requiredrsasize":                 {"requiredrsasize", cfgAll},
	"channeltimeout":                  {"channeltimeout", cfgAll},
	"unusedconnectiontimeout":         {"unusedconnectiontimeout", cfgAll},
	"debianbanner":                    {"debianbanner", cfgGlobal},
}

// multistate tables: accepted spellings (matched ignoring ASCII case) and
// the spelling sshd -T prints for each value, which is the first spelling
// listed for that value in sshd's table (so "prohibit-password" prints as
// "without-password" in 9.2).
type multistate struct{ in, out string }

var (
	msFlag            = []multistate{{"yes", "yes"}, {"no", "no"}}
	msIgnoreRhosts    = []multistate{{"yes", "yes"}, {"no", "no"}, {"shosts-only", "shosts-only"}}
	msAddressFamily   = []multistate{{"inet", "inet"}, {"inet6", "inet6"}, {"any", "any"}}
	msPermitRootLogin = []multistate{{"without-password", "without-password"}, {"prohibit-password", "without-password"}, {"forced-commands-only", "forced-commands-only"}, {"yes", "yes"}, {"no", "no"}}
	msCompression     = []multistate{{"yes", "yes"}, {"delayed", "yes"}, {"no", "no"}}
	msGatewayPorts    = []multistate{{"clientspecified", "clientspecified"}, {"yes", "yes"}, {"no", "no"}}
	msTCPForwarding   = []multistate{{"yes", "yes"}, {"all", "yes"}, {"no", "no"}, {"remote", "remote"}, {"local", "local"}}
)

// multistateFor names the table each multistate option uses; every other
// int option that reaches parseMultistate is a yes/no flag.
var multistateFor = map[string][]multistate{
	"ignorerhosts":               msIgnoreRhosts,
	"addressfamily":              msAddressFamily,
	"permitrootlogin":            msPermitRootLogin,
	"compression":                msCompression,
	"gatewayports":               msGatewayPorts,
	"allowtcpforwarding":         msTCPForwarding,
	"allowstreamlocalforwarding": msTCPForwarding,
}

// flagOps are the options parsed as yes/no.
var flagOps = map[string]bool{
	"usepam": true, "ignoreuserknownhosts": true, "hostbasedauthentication": true,
	"hostbasedusesnamefrompacketonly": true, "pubkeyauthentication": true,
	"kerberosauthentication": true, "kerberosorlocalpasswd": true, "kerberosticketcleanup": true,
	"gssapiauthentication": true, "gssapikeyexchange": true, "gssapicleanupcredentials": true,
	"gssapistrictacceptorcheck": true, "gssapistorecredentialsonrekey": true,
	"passwordauthentication": true, "kbdinteractiveauthentication": true, "printmotd": true,
	"printlastlog": true, "x11forwarding": true, "x11uselocalhost": true, "permittty": true,
	"permituserrc": true, "strictmodes": true, "tcpkeepalive": true, "permitemptypasswords": true,
	"usedns": true, "allowagentforwarding": true, "disableforwarding": true,
	"streamlocalbindunlink": true, "exposeauthinfo": true, "debianbanner": true,
}

// intOps are parsed with atoi_err (non-negative decimal up to INT_MAX).
var intOps = map[string]bool{
	"x11displayoffset": true, "maxauthtries": true, "maxsessions": true,
	"clientalivecountmax": true, "requiredrsasize": true,
}

// timeOps are parsed with convtime ("1m30s" => 90).
var timeOps = map[string]bool{"logingracetime": true, "clientaliveinterval": true}

// matchIntOps are the int-like options a Match block may override
// (servconf.c copy_set_server_options M_CP_INTOPT list).
var matchIntOps = []string{
	"passwordauthentication", "gssapiauthentication", "pubkeyauthentication",
	"pubkeyauthoptions", "kerberosauthentication", "hostbasedauthentication",
	"hostbasedusesnamefrompacketonly", "kbdinteractiveauthentication", "permitrootlogin",
	"permitemptypasswords", "ignorerhosts", "allowtcpforwarding",
	"allowstreamlocalforwarding", "allowagentforwarding", "disableforwarding",
	"exposeauthinfo", "permittunnel", "gatewayports", "streamlocalbindunlink",
	"x11displayoffset", "x11forwarding", "x11uselocalhost", "permittty", "permituserrc",
	"maxsessions", "maxauthtries", "clientalivecountmax", "clientaliveinterval",
	"ipqos", "rekeylimit", "loglevel", "requiredrsasize", "unusedconnectiontimeout",
	"streamlocalbindmask",
}

// matchStrOps and matchArrayOps are COPY_MATCH_STRING_OPTS plus the
// post-authentication strings (ForceCommand, ChrootDirectory).
var matchStrOps = []string{
	"banner", "trustedusercakeys", "revokedkeys", "authorizedkeyscommand",
	"authorizedkeyscommanduser", "authorizedprincipalsfile", "authorizedprincipalscommand",
	"authorizedprincipalscommanduser", "hostbasedacceptedalgorithms",
	"pubkeyacceptedalgorithms", "casignaturealgorithms", "rdomain", "permituserenvironment",
	"forcecommand", "chrootdirectory",
}

var matchArrayOps = []string{
	"authorizedkeysfile", "allowusers", "denyusers", "allowgroups", "denygroups",
	"acceptenv", "setenv", "authenticationmethods", "permitopen", "permitlisten",
	"logverbose", "channeltimeout",
}
