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
missing(name) := error(sprintf("collector %s failed: %s", [name, c.error])) if {
	c := collector(name)
	c.status == "error"
}

missing(name) := skip(sprintf("not available on this target: %s", [c.error])) if {
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
