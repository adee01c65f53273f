package pgconf

import (
	"fmt"
	"strings"
)

// optionMethods maps each authentication option to the methods it is
// valid for, and the method list the server names in its error.
var optionMethods = map[string]struct {
	methods []string
	names   string
}{
	"map":                 {[]string{"ident", "peer", "gss", "sspi", "cert"}, "ident, peer, gssapi, sspi, and cert"},
	"pamservice":          {[]string{"pam"}, "pam"},
	"pam_use_hostname":    {[]string{"pam"}, "pam"},
	"ldapurl":             {[]string{"ldap"}, "ldap"},
	"ldaptls":             {[]string{"ldap"}, "ldap"},
	"ldapscheme":          {[]string{"ldap"}, "ldap"},
	"ldapserver":          {[]string{"ldap"}, "ldap"},
	"ldapport":            {[]string{"ldap"}, "ldap"},
	"ldapbinddn":          {[]string{"ldap"}, "ldap"},
	"ldapbindpasswd":      {[]string{"ldap"}, "ldap"},
	"ldapsearchattribute": {[]string{"ldap"}, "ldap"},
	"ldapsearchfilter":    {[]string{"ldap"}, "ldap"},
	"ldapbasedn":          {[]string{"ldap"}, "ldap"},
	"ldapprefix":          {[]string{"ldap"}, "ldap"},
	"ldapsuffix":          {[]string{"ldap"}, "ldap"},
	"krb_realm":           {[]string{"gss", "sspi"}, "gssapi and sspi"},
	"include_realm":       {[]string{"gss", "sspi"}, "gssapi and sspi"},
	"compat_realm":        {[]string{"sspi"}, "sspi"},
	"upn_username":        {[]string{"sspi"}, "sspi"},
	"radiusservers":       {[]string{"radius"}, "radius"},
	"radiussecrets":       {[]string{"radius"}, "radius"},
	"radiusidentifiers":   {[]string{"radius"}, "radius"},
	"radiusports":         {[]string{"radius"}, "radius"},
}

// secretOptions are options whose values are credentials: facts keep
// only that they are set.
var secretOptions = map[string]bool{"ldapbindpasswd": true, "radiussecrets": true}

// parseOptions is the option loop of parse_hba_line and the checks after
// it that make a record unusable.
func parseOptions(e *HBAEntry, fields [][]token) string {
	set := map[string]string{}
	for _, f := range fields {
		for _, t := range f {
			name, val, ok := strings.Cut(t.Text, "=")
			if !ok {
				return fmt.Sprintf("authentication option not in name=value format: %s", t.Text)
			}
			if msg := checkOption(e, name, val); msg != "" {
				return msg
			}
			set[name] = val
			if secretOptions[name] {
				val = "<redacted>"
			}
			e.Options = append(e.Options, name+"="+val)
		}
	}
	_, basedn := set["ldapbasedn"]
	_, prefix := set["ldapprefix"]
	_, suffix := set["ldapsuffix"]
	switch e.Method {
	case "ldap":
		if _, url := set["ldapurl"]; url {
			basedn = basedn || ldapURLHasBase(set["ldapurl"])
		}
		if prefix || suffix {
			for _, o := range []string{"ldapbasedn", "ldapbinddn", "ldapbindpasswd", "ldapsearchattribute", "ldapsearchfilter"} {
				if _, ok := set[o]; ok {
					return "cannot use ldapbasedn, ldapbinddn, ldapbindpasswd, ldapsearchattribute, ldapsearchfilter, or ldapurl together with ldapprefix"
				}
			}
		} else if !basedn {
			return `authentication method "ldap" requires argument "ldapbasedn", "ldapprefix", or "ldapsuffix" to be set`
		}
		_, attr := set["ldapsearchattribute"]
		_, filter := set["ldapsearchfilter"]
		if attr && filter {
			return "cannot use ldapsearchattribute together with ldapsearchfilter"
		}
	case "radius":
		for _, o := range []string{"radiusservers", "radiussecrets"} {
			if _, ok := set[o]; !ok {
				return fmt.Sprintf("authentication method \"%s\" requires argument \"%s\" to be set", "radius", o)
			}
		}
	}
	return ""
}

// ldapURLHasBase reports whether an ldapurl names a base DN, which
// stands in for ldapbasedn.
func ldapURLHasBase(u string) bool {
	_, rest, ok := strings.Cut(u, "://")
	if !ok {
		return false
	}
	_, dn, ok := strings.Cut(rest, "/")
	dn, _, _ = strings.Cut(dn, "?")
	return ok && dn != ""
}

func checkOption(e *HBAEntry, name, val string) string {
	switch name {
	case "clientcert":
		if e.Type != "hostssl" {
			return `clientcert can only be configured for "hostssl" rows`
		}
		switch val {
		case "verify-full":
		case "verify-ca":
			if e.Method == "cert" {
				return `clientcert can only be set to "verify-full" when using "cert" authentication`
			}
		default:
			return fmt.Sprintf("invalid value for clientcert: \"%s\"", val)
		}
		return ""
	case "clientname":
		if e.Type != "hostssl" {
			return `clientname can only be configured for "hostssl" rows`
		}
		if val != "CN" && val != "DN" {
			return fmt.Sprintf("invalid value for clientname: \"%s\"", val)
		}
		return ""
	}
	om, ok := optionMethods[name]
	if !ok {
		return fmt.Sprintf("unrecognized authentication option name: \"%s\"", name)
	}
	valid := false
	for _, m := range om.methods {
		valid = valid || m == e.Method
	}
	if !valid {
		return fmt.Sprintf("authentication option \"%s\" is only valid for authentication methods %s", name, om.names)
	}
	return ""
}
