package ztscan.phy_test

import data.ztscan.phy

cfg := {"physical": {"ambient_min_c": 0, "ambient_max_c": 40, "optical_rx_floor_dbm": -15}}

temp(dev, label, reading, max, crit) := {"source": "hwmon", "device": dev, "chip": "coretemp", "channel": "temp1", "label": label, "path": sprintf("/sys/class/hwmon/%s/temp1_input", [dev]), "status": "ok", "input_c": reading, "max_c": max, "crit_c": crit, "ambient": false}

inlet(reading) := object.union(temp("hwmon2", "Inlet Temp", reading, null, null), {"chip": "nct6798", "ambient": true})

snap(temps) := {"facts": {"sensors": {"temperatures": temps, "unreadable": 0}}, "collectors": [{"name": "sensors", "status": "ok"}]}

good := [temp("hwmon1", "Package id 0", 52, 84, 100), inlet(24)]

no_sensors := {"facts": {}, "collectors": [{"name": "sensors", "status": "unavailable", "error": "no temperature sensors: /sys/class/hwmon and /sys/class/thermal list none (usual in a VM or container, whose host watches the hardware)"}]}

test_zt_phy_001_pass if {
	v := phy.zt_phy_001 with input as snap(good) with data.config as cfg
	v.status == "pass"
	v.message == "2 sensor(s) read, 1 with a critical threshold, none at it; 1 ambient/inlet sensor(s) within 0..40 °C (nct6798 Inlet Temp 24 °C)"
}

test_zt_phy_001_pass_with_unreadable if {
	bad := {"source": "hwmon", "device": "hwmon3", "chip": "nvme", "channel": "temp2", "path": "/sys/class/hwmon/hwmon3/temp2_input", "status": "error", "reason": "input/output error"}
	v := phy.zt_phy_001 with input as snap(array.concat(good, [bad])) with data.config as cfg
	v.status == "pass"
	endswith(v.message, "1 sensor(s) could not be read: /sys/class/hwmon/hwmon3/temp2_input: input/output error")
}

test_zt_phy_001_fail_crit if {
	v := phy.zt_phy_001 with input as snap([temp("hwmon1", "Core 0", 101, 84, 100), inlet(24)]) with data.config as cfg
	v.status == "fail"
	v.message == "coretemp Core 0 reads 101 °C, at or above its critical 100 °C"
	v.evidence.sensors[0].crit_c == 100
}

test_zt_phy_001_fail_ambient if {
	v := phy.zt_phy_001 with input as snap([temp("hwmon1", "Package id 0", 52, 84, 100), inlet(43.5)]) with data.config as cfg
	v.status == "fail"
	v.message == "ambient nct6798 Inlet Temp reads 43.5 °C, outside 0..40 °C"
}

test_zt_phy_001_fail_ambient_cold if {
	v := phy.zt_phy_001 with input as snap([inlet(-2)]) with data.config as cfg
	v.status == "fail"
}

test_zt_phy_001_skip_no_sensors if {
	v := phy.zt_phy_001 with input as no_sensors with data.config as cfg
	v.status == "skip"
	contains(v.message, "no temperature sensors")
}

test_zt_phy_001_error_unreadable if {
	bad := {"source": "thermal", "device": "thermal_zone0", "chip": "acpitz", "path": "/sys/class/thermal/thermal_zone0/temp", "status": "error", "reason": "EIO"}
	v := phy.zt_phy_001 with input as snap([bad]) with data.config as cfg
	v.status == "error"
}

test_zt_phy_001_error_config if {
	v := phy.zt_phy_001 with input as snap(good) with data.config as {}
	v.status == "error"
}

test_zt_phy_002_pass if {
	v := phy.zt_phy_002 with input as snap(good) with data.config as cfg
	v.status == "pass"
	v.message == "1 sensor(s) with a max threshold, all below it"
}

test_zt_phy_002_fail if {
	v := phy.zt_phy_002 with input as snap([temp("hwmon1", "Package id 0", 88, 84, 100), inlet(24)]) with data.config as cfg
	v.status == "fail"
	v.message == "coretemp Package id 0 reads 88 °C, at or above its max 84 °C"
}

test_zt_phy_002_skip_no_max if {
	v := phy.zt_phy_002 with input as snap([inlet(24)]) with data.config as cfg
	v.status == "skip"
}

test_zt_phy_002_skip_no_sensors if {
	v := phy.zt_phy_002 with input as no_sensors with data.config as cfg
	v.status == "skip"
}

test_zt_phy_002_error if {
	v := phy.zt_phy_002 with input as {"facts": {}, "collectors": [{"name": "sensors", "status": "error", "error": "/sys/class/hwmon: permission denied"}]} with data.config as cfg
	v.status == "error"
}

lane(n, dbm) := {"lane": n, "tx_bias_ma": 7, "tx_power_mw": 1, "rx_power_mw": 0.5, "tx_power_dbm": 0, "rx_power_dbm": dbm}

sfp(rx, alarms) := {"name": "enp1s0f0", "driver": "ixgbe", "status": "ok", "module": {"standard": "SFF-8472", "vendor": "FINISAR CORP.", "part_number": "FTLX1471D3BCL", "diagnostics": true, "lanes": [lane(1, rx)], "alarms": alarms, "warnings": []}}

qsfp := {"name": "enp65s0np0", "driver": "mlx5_core", "status": "ok", "module": {"standard": "SFF-8636", "vendor": "Mellanox", "part_number": "MMA1B00-C100D", "diagnostics": true, "lanes": [lane(1, -1.2), lane(2, -1.9), lane(3, -2.4), lane(4, -1.6)], "alarms": [], "warnings": []}}

empty_cage := {"name": "enp1s0f1", "driver": "ixgbe", "status": "unavailable", "reason": "no module plugged in"}

optics(ifaces) := {"facts": {"optics": {"interfaces": ifaces, "modules": count([i | some i in ifaces; i.status == "ok"])}}, "collectors": [{"name": "optics", "status": "ok"}]}

test_zt_phy_003_pass if {
	v := phy.zt_phy_003 with input as optics([sfp(-3.1, []), empty_cage, qsfp]) with data.config as cfg
	v.status == "pass"
	v.message == "2 transceiver(s) receive above -15 dBm on every lane: enp1s0f0 -3.1 dBm, enp65s0np0 -1.2 dBm/-1.9 dBm/-2.4 dBm/-1.6 dBm"
}

test_zt_phy_003_fail_low if {
	v := phy.zt_phy_003 with input as optics([sfp(-17.3, ["rx_power_low"]), qsfp]) with data.config as cfg
	v.status == "fail"
	v.message == "enp1s0f0 lane 1 receives -17.3 dBm (FINISAR CORP. FTLX1471D3BCL), alarms: rx_power_low"
	v.evidence.enp1s0f0.rx_power_dbm == [-17.3]
}

test_zt_phy_003_fail_dark if {
	v := phy.zt_phy_003 with input as optics([sfp(null, ["rx_los"])]) with data.config as cfg
	v.status == "fail"
	contains(v.message, "receives no light")
}

test_zt_phy_003_skip_no_optics if {
	v := phy.zt_phy_003 with input as optics([{"name": "eth0", "driver": "virtio_net", "status": "unavailable", "reason": "the driver exposes no module EEPROM (no pluggable module)"}]) with data.config as cfg
	v.status == "skip"
	v.message == "no optical transceiver reports module diagnostics: eth0 (the driver exposes no module EEPROM (no pluggable module))"
}

test_zt_phy_003_skip_no_interfaces if {
	v := phy.zt_phy_003 with input as optics([]) with data.config as cfg
	v.status == "skip"
}

test_zt_phy_003_skip_rootfs if {
	v := phy.zt_phy_003 with input as {"facts": {}, "collectors": [{"name": "optics", "status": "unavailable", "error": "offline root"}]} with data.config as cfg
	v.status == "skip"
}

test_zt_phy_003_error_permission if {
	v := phy.zt_phy_003 with input as optics([{"name": "enp1s0f0", "status": "error", "reason": "enp1s0f0: reading the module EEPROM needs CAP_NET_ADMIN: operation not permitted"}]) with data.config as cfg
	v.status == "error"
	contains(v.message, "CAP_NET_ADMIN")
}

test_zt_phy_003_error_config if {
	v := phy.zt_phy_003 with input as optics([qsfp]) with data.config as {}
	v.status == "error"
}
