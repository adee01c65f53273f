package collectors

// All returns every collector, in name order. A new collector adds its
// constructor here and nothing else.
func All() []Collector {
	return []Collector{
		NewAccounts(),
		NewHost(),
		NewMAC(),
		NewPackages(),
		NewSSHD(),
		NewSudoers(),
		NewSysctl(),
	}
}

// Names lists the collectors' names.
func Names() []string {
	var out []string
	for _, c := range All() {
		out = append(out, c.Name())
	}
	return out
}
