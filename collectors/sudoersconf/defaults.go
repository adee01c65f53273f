package sudoersconf

import (
	"fmt"
	"regexp"
	"strconv"
)

// paramKind is how sudoers(5) types a Defaults parameter, which decides
// what sudo accepts: a flag takes no value, a list takes += and -=, a
// parameter "usable in a boolean context" may be negated with '!'.
type paramKind int

const (
	kindFlag    paramKind = iota // Boolean Flags
	kindInt                      // Integers
	kindIntBool                  // Integers that can be used in a boolean context
	kindStr                      // Strings
	kindStrBool                  // Strings that can be used in a boolean context
	kindList                     // Lists that can be used in a boolean context
)

// params are the Defaults parameters of sudo 1.9.13 (sudoers(5), SUDOERS
// OPTIONS); an unknown name is an error there ("unknown defaults entry").
var params = map[string]paramKind{}

func init() {
	groups := map[paramKind][]string{
		kindFlag: {"always_query_group_plugin", "always_set_home", "authenticate", "case_insensitive_group",
			"case_insensitive_user", "closefrom_override", "compress_io", "exec_background", "env_editor",
			"env_reset", "fast_glob", "log_passwords", "fqdn", "ignore_audit_errors", "ignore_dot",
			"ignore_iolog_errors", "ignore_logfile_errors", "ignore_local_sudoers", "ignore_unknown_defaults",
			"insults", "log_allowed", "log_denied", "log_exit_status", "log_host", "log_input", "log_output",
			"log_server_keepalive", "log_server_verify", "log_stderr", "log_stdin", "log_stdout", "log_subcmds",
			"log_ttyin", "log_ttyout", "log_year", "long_otp_prompt", "mail_all_cmnds", "mail_always",
			"mail_badpass", "mail_no_host", "mail_no_perms", "mail_no_user", "match_group_by_gid", "intercept",
			"intercept_allow_setid", "intercept_authenticate", "intercept_verify", "netgroup_tuple", "noexec",
			"noninteractive_auth", "pam_acct_mgmt", "pam_rhost", "pam_ruser", "pam_session", "pam_setcred",
			"passprompt_override", "path_info", "preserve_groups", "pwfeedback", "requiretty", "root_sudo",
			"rootpw", "runas_allow_unknown_id", "runas_check_shell", "runaspw", "selinux", "set_home",
			"set_logname", "set_utmp", "setenv", "shell_noargs", "stay_setuid", "sudoedit_checkdir",
			"sudoedit_follow", "syslog_pid", "targetpw", "tty_tickets", "umask_override", "use_loginclass",
			"use_netgroups", "use_pty", "user_command_timeouts", "utmp_runas", "visiblepw"},
		kindInt:     {"closefrom", "command_timeout", "log_server_timeout", "maxseq", "passwd_tries", "syslog_maxlen"},
		kindIntBool: {"loglinelen", "passwd_timeout", "timestamp_timeout", "umask"},
		kindStr: {"apparmor_profile", "authfail_message", "badpass_message", "editor", "intercept_type",
			"iolog_dir", "iolog_file", "iolog_flush", "iolog_group", "iolog_mode", "iolog_user",
			"lecture_status_dir", "limitprivs", "log_server_cabundle", "log_server_peer_cert",
			"log_server_peer_key", "mailsub", "noexec_file", "pam_askpass_service", "pam_login_service",
			"pam_service", "passprompt", "privs", "role", "runas_default", "sudoers_locale", "timestamp_type",
			"timestampdir", "timestampowner", "type"},
		kindStrBool: {"admin_flag", "env_file", "exempt_group", "fdexec", "group_plugin", "lecture",
			"lecture_file", "listpw", "log_format", "logfile", "mailerflags", "mailerpath", "mailfrom", "mailto",
			"rlimit_as", "rlimit_core", "rlimit_cpu", "rlimit_data", "rlimit_fsize", "rlimit_locks",
			"rlimit_memlock", "rlimit_nofile", "rlimit_nproc", "rlimit_rss", "rlimit_stack",
			"restricted_env_file", "runchroot", "runcwd", "secure_path", "syslog", "syslog_badpri",
			"syslog_goodpri", "verifypw"},
		kindList: {"env_check", "env_delete", "env_keep", "log_servers", "passprompt_regex"},
	}
	for k, names := range groups {
		for _, n := range names {
			params[n] = k
		}
	}
}

// tupleValues are the only values some parameters accept.
var tupleValues = map[string][]string{
	"lecture":        {"never", "once", "always"},
	"listpw":         {"all", "always", "any", "never"},
	"verifypw":       {"all", "always", "any", "never"},
	"fdexec":         {"always", "never", "digest_only"},
	"log_format":     {"json", "sudo"},
	"intercept_type": {"dso", "trace"},
	"timestamp_type": {"global", "ppid", "tty", "kernel"},
}

var (
	uintRE    = regexp.MustCompile(`^[0-9]+$`)
	intRE     = regexp.MustCompile(`^-?[0-9]+$`)
	timeoutRE = regexp.MustCompile(`^(-?[0-9]+(\.[0-9]*)?|([0-9]+[dDhHmMsS])+)$`)
)

// numericCheck validates the value of a numeric parameter as sudo's
// store_* functions do.
var numericCheck = map[string]func(string) bool{
	"closefrom":          func(v string) bool { return intRE.MatchString(v) },
	"command_timeout":    timeoutRE.MatchString,
	"log_server_timeout": timeoutRE.MatchString,
	"passwd_timeout":     timeoutRE.MatchString,
	"timestamp_timeout":  timeoutRE.MatchString,
	"maxseq":             uintRE.MatchString,
	"passwd_tries":       uintRE.MatchString,
	"syslog_maxlen":      uintRE.MatchString,
	"loglinelen":         uintRE.MatchString,
	"umask":              octalMode,
	"iolog_mode":         octalMode,
}

func octalMode(v string) bool {
	n, err := strconv.ParseUint(v, 8, 32)
	return err == nil && n <= 0o777
}

// checkDefault returns sudo's complaint about one Defaults setting, or "".
func checkDefault(name, op, value string, negated, hasValue bool) string {
	kind, ok := params[name]
	if !ok {
		return fmt.Sprintf("unknown defaults entry %q", name)
	}
	if op == "+=" || op == "-=" {
		if kind != kindList {
			return fmt.Sprintf("invalid operator %q for %q", op, name)
		}
	}
	switch {
	case kind == kindFlag && hasValue:
		return fmt.Sprintf("option %q does not take a value", name)
	case kind == kindFlag:
		return ""
	case negated && hasValue:
		return fmt.Sprintf("option %q does not take a value", name)
	case negated && (kind == kindInt || kind == kindStr):
		return fmt.Sprintf("no value specified for %q", name)
	case negated:
		return ""
	case !hasValue:
		return fmt.Sprintf("no value specified for %q", name)
	}
	if vals, ok := tupleValues[name]; ok && !contains(vals, value) {
		return fmt.Sprintf("value %q is invalid for option %q", value, name)
	}
	if check, ok := numericCheck[name]; ok && !check(value) {
		return fmt.Sprintf("value %q is invalid for option %q", value, name)
	}
	return ""
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
