# Helpers every rule uses to state its verdict in data. A rule's value is
# an object {status, message, evidence}; the engine adds the METADATA.
package ztscan.lib

pass(msg, evidence) := {"status": "pass", "message": msg, "evidence": evidence}

fail(msg, evidence) := {"status": "fail", "message": msg, "evidence": evidence}

skip(msg) := {"status": "skip", "message": msg, "evidence": {}}

error(msg) := {"status": "error", "message": msg, "evidence": {}}

# collector(name) is the status entry of a collector that ran.
collector(name) := c if {
	some c in input.collectors
	c.name == name
}

# missing(name) is the verdict for a rule whose collector gave no facts:
# error when it failed (or never ran), skip when the facts do not exist on
# this target (an offline root has no sockets). Undefined when the facts
# are there, so rules start with:
#   zt_x := v if { v := lib.missing("sshd") } else := ...
missing(name) := error(sprintf("collector %s failed: %s", [name, object.get(c, "error", "no reason given")])) if {
	c := collector(name)
	c.status == "error"
}

missing(name) := skip(sprintf("not available on this target: %s", [object.get(c, "error", "no reason given")])) if {
	c := collector(name)
	c.status == "unavailable"
}

missing(name) := error(sprintf("collector %s did not run", [name])) if {
	not collector(name)
}

missing(name) := error(sprintf("collector %s reported ok but gave no facts", [name])) if {
	c := collector(name)
	c.status == "ok"
	not input.facts[name]
}

# part_missing(part, what) is the verdict for a piece of facts ({status,
# reason}) that is not "ok": error or skip with the reason.
part_missing(part, what) := error(sprintf("%s could not be read: %s", [what, part.reason])) if {
	part.status == "error"
}

part_missing(part, what) := skip(sprintf("%s not available on this target: %s", [what, part.reason])) if {
	part.status == "unavailable"
}

part_missing(part, what) := error(sprintf("%s: no status in facts", [what])) if {
	not part.status
}

# Severity order, for rules and reports that compare severities.
severity_rank := {"info": 0, "low": 1, "medium": 2, "high": 3, "critical": 4}

# int_of(s) is the number a decimal string (as sshd -T and sysctl print
# them) stands for; undefined for anything else, so a rule can say
# "not a number" instead of failing at runtime in to_number.
int_of(s) := to_number(s) if {
	is_string(s)
	regex.match(`^[0-9]+$`, s)
}

int_of(n) := n if is_number(n)

# octal(s) is the value of an octal file mode string such as "0640";
# undefined when s is not octal.
octal(s) := sum(digits) if {
	is_string(s)
	regex.match(`^[0-7]{1,6}$`, s)
	n := count(s)
	digits := [v |
		some i, d in split(s, "")
		v := to_number(d) * bits.lsh(1, 3 * ((n - 1) - i))
	]
}

# major_minor(s) is [major, minor] read from the leading "X.Y" of a
# version or kernel release ("6.1.0-13-amd64" -> [6, 1]); undefined when
# s does not start so. Compare the arrays, never the strings ("10.1" >
# "5.4" only numerically).
major_minor(s) := [to_number(m[1]), to_number(m[2])] if {
	is_string(s)
	m := regex.find_all_string_submatch_n(`^([0-9]+)\.([0-9]+)`, s, 1)[0]
}

# basename(p) is the last element of a slash-separated path.
basename(p) := b if {
	parts := split(p, "/")
	b := parts[count(parts) - 1]
}

# config_missing(keys) is an error verdict naming the data.config keys
# (dotted paths) a rule needs and the configuration lacks; undefined when
# all are set.
config_missing(keys) := error(sprintf("configuration lacks %s (see config/defaults.yaml)", [concat(", ", absent)])) if {
	absent := [k |
		some k in keys
		object.get(data.config, split(k, "."), null) == null
	]
	count(absent) > 0
}

config_missing(_) := error("configuration (data.config) is missing") if not data.config
