# Packages (PKG): nothing installed that a Zero Trust server does not
# need and an attacker would use.
package ztscan.pkg

import data.ztscan.lib

pkgs := object.get(input, ["facts", "packages"], {})

installed := object.get(pkgs, "installed", {})

# base(key) is the package name of an installed key: dpkg names foreign
# architectures "name:arch".
base(key) := split(key, ":")[0]

found(names) := sort([sprintf("%s %s", [k, p.version]) |
	some k, p in installed
	base(k) in names
])

need_installed := lib.error("facts.packages.installed is missing") if not pkgs.installed

ev(list) := {"manager": object.get(pkgs, "manager", null), "source": object.get(pkgs, "source", null), "found": list}

legacy := {"telnetd", "telnet-server", "rsh-server", "rsh-redone-server", "inetutils-telnetd", "telnetd-ssl", "krb5-telnetd"}

# METADATA
# title: No legacy remote-access servers
# description: >-
#   telnet and rsh servers send credentials in clear text and authenticate
#   by host name; none of their packages may be installed.
# custom:
#   id: ZT-PKG-001
#   severity: high
#   remediation: >-
#     apt purge telnetd inetutils-telnetd rsh-server rsh-redone-server (dnf
#     remove telnet-server rsh-server on RHEL); use SSH instead.
#   references:
#     - CIS Debian Linux 12 Benchmark 2.2.4 (telnet client), 2.1.x (server services not in use)
#     - NIST SP 800-53 CM-7, IA-2, SC-8
#     - NIST SP 800-207 tenet 2 (all communication is secured regardless of network location)
zt_pkg_001 := v if {
	v := lib.missing("packages")
} else := v if {
	v := need_installed
} else := lib.fail(sprintf("legacy remote-access servers are installed: %s", [concat(", ", found(legacy))]), ev(found(legacy))) if {
	count(found(legacy)) > 0
} else := lib.pass(sprintf("no telnet or rsh server is installed (%d packages in %s)", [count(installed), object.get(pkgs, "source", "the package database")]), ev([]))

tools := {"netcat", "netcat-openbsd", "netcat-traditional", "ncat", "nmap-ncat", "nc", "socat", "nmap", "tcpdump"}

tools_allowed := {t | some t in object.get(data.config, ["packages", "tools_allowed"], [])}

tool_hits := found(tools - tools_allowed)

# METADATA
# title: No attack tooling on production nodes
# description: >-
#   netcat (any flavour), nmap, socat and tcpdump turn a foothold into a
#   relay, scanner or sniffer; none is installed unless this node's
#   configuration allows it (packages.tools_allowed).
# custom:
#   id: ZT-PKG-002
#   severity: medium
#   remediation: >-
#     apt purge netcat-openbsd netcat-traditional ncat nmap socat tcpdump (or
#     dnf remove nmap-ncat nmap socat tcpdump); where a tool is needed on
#     this node, add its package to packages.tools_allowed in the ztscan
#     configuration.
#   references:
#     - NIST SP 800-53 CM-7, CM-11
#     - NIST SP 800-207 tenet 5 (integrity and security posture of assets)
zt_pkg_002 := v if {
	v := lib.missing("packages")
} else := v if {
	v := need_installed
} else := v if {
	v := lib.config_missing(["packages.tools_allowed"])
} else := lib.fail(sprintf("attack tooling is installed: %s", [concat(", ", tool_hits)]), object.union(ev(tool_hits), {"allowed": sort([t | some t in tools_allowed])})) if {
	count(tool_hits) > 0
} else := lib.pass(sprintf("no netcat, nmap, socat or tcpdump is installed%s", [allowed_note(tools_allowed, tools)]), object.union(ev([]), {"allowed": sort([t | some t in tools_allowed])}))

allowed_note(allowed, set) := sprintf(" (allowed here: %s)", [concat(", ", found(allowed & set))]) if {
	count(found(allowed & set)) > 0
} else := ""

# compiler(name) matches gcc, g++, clang, cc and their versioned
# packages (gcc-12, clang-16), not their runtime libraries (gcc-12-base).
compiler(name) if regex.match(`^(gcc|g\+\+|clang|cc|gcc-c\+\+|c\+\+)(-[0-9][0-9.]*)?$`, name)

compilers_allowed := {t | some t in object.get(data.config, ["packages", "compilers_allowed"], [])}

compiler_hits := sort([sprintf("%s %s", [k, p.version]) |
	some k, p in installed
	compiler(base(k))
	not base(k) in compilers_allowed
])

# METADATA
# title: No compilers on production nodes
# description: >-
#   A compiler lets an intruder build tools on the host itself; gcc, g++,
#   clang and cc packages are absent unless allowed
#   (packages.compilers_allowed).
# custom:
#   id: ZT-PKG-003
#   severity: low
#   remediation: >-
#     apt purge gcc g++ clang 'gcc-[0-9]*' 'g++-[0-9]*' 'clang-[0-9]*' (dnf
#     remove gcc gcc-c++ clang); build elsewhere and ship artefacts. On a
#     build host, list the packages in packages.compilers_allowed.
#   references:
#     - NIST SP 800-53 CM-7, CM-11
#     - NIST SP 800-207 tenet 5 (integrity and security posture of assets)
zt_pkg_003 := v if {
	v := lib.missing("packages")
} else := v if {
	v := need_installed
} else := v if {
	v := lib.config_missing(["packages.compilers_allowed"])
} else := lib.fail(sprintf("compilers are installed: %s", [concat(", ", compiler_hits)]), ev(compiler_hits)) if {
	count(compiler_hits) > 0
} else := lib.pass("no gcc, g++, clang or cc package is installed", ev([]))
