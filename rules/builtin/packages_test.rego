package ztscan.pkg_test

import data.ztscan.pkg

cfg := {"packages": {"tools_allowed": [], "compilers_allowed": []}}

p(v) := {"version": v, "arch": "amd64", "source": "x"}

snap(installed) := {
	"facts": {"packages": {"manager": "dpkg", "source": "/var/lib/dpkg/status", "installed": installed}},
	"collectors": [{"name": "packages", "status": "ok"}],
}

clean := snap({"openssh-server": p("1:9.2p1-2"), "gcc-12-base": p("12.2.0-14"), "libgcc-s1": p("12.2.0-14"), "telnet": p("0.17")})

broken := snap({"telnetd": p("0.17-44"), "gcc": p("4:12.2.0-3"), "gcc-12": p("12.2.0-14"), "netcat-openbsd": p("1.219-1"), "tcpdump:i386": p("4.99.3-1")})

failed := {"facts": {}, "collectors": [{"name": "packages", "status": "error", "error": "/var/lib/dpkg/status: file too large"}]}

unavailable := {"facts": {}, "collectors": [{"name": "packages", "status": "unavailable", "error": "no package database"}]}

test_zt_pkg_001_pass if {
	v := pkg.zt_pkg_001 with input as clean with data.config as cfg
	v.status == "pass"
}

test_zt_pkg_001_fail if {
	v := pkg.zt_pkg_001 with input as broken with data.config as cfg
	v.status == "fail"
	v.evidence.found == ["telnetd 0.17-44"]
}

test_zt_pkg_001_fail_rpm if {
	v := pkg.zt_pkg_001 with input as snap({"telnet-server": p("1:0.17-85.el9")}) with data.config as cfg
	v.status == "fail"
}

test_zt_pkg_001_error if {
	v := pkg.zt_pkg_001 with input as failed with data.config as cfg
	v.status == "error"
	contains(v.message, "file too large")
}

test_zt_pkg_001_error_no_list if {
	v := pkg.zt_pkg_001 with input as {"facts": {"packages": {"manager": "dpkg"}}, "collectors": [{"name": "packages", "status": "ok"}]} with data.config as cfg
	v.status == "error"
}

test_zt_pkg_001_skip if {
	v := pkg.zt_pkg_001 with input as unavailable with data.config as cfg
	v.status == "skip"
}

test_zt_pkg_002_pass if {
	v := pkg.zt_pkg_002 with input as clean with data.config as cfg
	v.status == "pass"
}

test_zt_pkg_002_pass_allowed if {
	v := pkg.zt_pkg_002 with input as snap({"tcpdump": p("4.99")}) with data.config as {"packages": {"tools_allowed": ["tcpdump"], "compilers_allowed": []}}
	v.status == "pass"
	v.message == "no netcat, nmap, socat or tcpdump is installed (allowed here: tcpdump 4.99)"
}

test_zt_pkg_002_fail if {
	v := pkg.zt_pkg_002 with input as broken with data.config as cfg
	v.status == "fail"
	v.evidence.found == ["netcat-openbsd 1.219-1", "tcpdump:i386 4.99.3-1"]
}

test_zt_pkg_002_error if {
	v := pkg.zt_pkg_002 with input as clean with data.config as {}
	v.status == "error"
}

test_zt_pkg_002_skip if {
	v := pkg.zt_pkg_002 with input as unavailable with data.config as cfg
	v.status == "skip"
}

test_zt_pkg_003_pass if {
	v := pkg.zt_pkg_003 with input as clean with data.config as cfg
	v.status == "pass"
}

test_zt_pkg_003_fail if {
	v := pkg.zt_pkg_003 with input as broken with data.config as cfg
	v.status == "fail"
	v.evidence.found == ["gcc 4:12.2.0-3", "gcc-12 12.2.0-14"]
}

test_zt_pkg_003_pass_allowed if {
	v := pkg.zt_pkg_003 with input as snap({"gcc": p("4:12")}) with data.config as {"packages": {"tools_allowed": [], "compilers_allowed": ["gcc"]}}
	v.status == "pass"
}

test_zt_pkg_003_error if {
	v := pkg.zt_pkg_003 with input as failed with data.config as cfg
	v.status == "error"
}

test_zt_pkg_003_skip if {
	v := pkg.zt_pkg_003 with input as unavailable with data.config as cfg
	v.status == "skip"
}
