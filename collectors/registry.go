package collectors

// All returns every collector, in name order, configured from the
// effective configuration (data.config) where a collector needs it. A new
// collector adds its constructor here and nothing else.
func All(cfg map[string]any) []Collector {
	return []Collector{
		NewAccounts(),
		NewAudit(cfg),
		NewCertificates(CertificatePaths(cfg)...),
		NewFilesystem(),
		NewFirewall(),
		NewHost(),
		NewInterfaces(),
		NewLogging(),
		NewMAC(),
		NewNginx(),
		NewOptics(),
		NewPackages(),
		NewPlatform(),
		NewPostgreSQL(),
		NewSensors(),
		NewServices(),
		NewSockets(),
		NewSSHD(),
		NewSudoers(),
		NewSysctl(),
		NewTimeSync(),
		NewUnits(),
		NewWireGuard(),
	}
}

// Names lists the collectors' names.
func Names() []string {
	var out []string
	for _, c := range All(nil) {
		out = append(out, c.Name())
	}
	return out
}
