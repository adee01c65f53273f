package procnet

import (
	"encoding/binary"
	"net/netip"
	"strings"
	"testing"
)

func littleEndian() bool { return binary.NativeEndian.Uint16([]byte{1, 0}) == 1 }

func TestParseTable(t *testing.T) {
	if !littleEndian() {
		t.Skip("table lines below are as a little-endian kernel prints them")
	}
	for _, tc := range []struct {
		name    string
		v6      bool
		data    string
		want    []Entry
		wantErr string
	}{
		{name: "real tcp", data: "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
			"   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1678 1 0000000000000000 100 0 0 10 0\n" +
			"   1: 0100007F:1538 0A00000A:D431 01 00000000:00000000 00:00000000 00000000   105        0 99 1 0000000000000000 20 4 30 10 -1\n",
			want: []Entry{
				{Local: netip.MustParseAddrPort("0.0.0.0:2024"), Remote: netip.MustParseAddrPort("0.0.0.0:0"), State: StateListen, Inode: 1678, LineNumber: 2},
				{Local: netip.MustParseAddrPort("127.0.0.1:5432"), Remote: netip.MustParseAddrPort("10.0.0.10:54321"), State: StateEstablished, UID: 105, Inode: 99, LineNumber: 3},
			}},
		{name: "real tcp6", v6: true, data: "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n" +
			"   0: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 20 1 0000000000000000 100 0 0 10 0\n" +
			"   1: 0000000000000000FFFF00000100007F:2328 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 21 1 0000000000000000 100 0 0 10 0\n",
			want: []Entry{
				{Local: netip.MustParseAddrPort("[::1]:22"), Remote: netip.MustParseAddrPort("[::]:0"), State: StateListen, Inode: 20, LineNumber: 2},
				{Local: netip.MustParseAddrPort("[::ffff:127.0.0.1]:9000"), Remote: netip.MustParseAddrPort("[::]:0"), State: StateListen, Inode: 21, LineNumber: 3},
			}},
		{name: "empty table", data: Header + "\n"},
		{name: "no header", data: "   0: 00000000:07E8 00000000:0000 0A", wantErr: "header"},
		{name: "short line", data: Header + "\n   0: 00000000:07E8 00000000:0000 0A\n", wantErr: "line 2: 4 fields"},
		{name: "v4 address in v6 table", v6: true, data: Header + "\n   0: 00000000:07E8 00000000:0000 0A 0:0 0:0 0 0 0 1\n", wantErr: "want 32"},
		{name: "bad port", data: Header + "\n   0: 00000000:07G8 00000000:0000 0A 0:0 0:0 0 0 0 1\n", wantErr: "port not hex"},
		{name: "bad state", data: Header + "\n   0: 00000000:07E8 00000000:0000 1FF 0:0 0:0 0 0 0 1\n", wantErr: "state"},
		{name: "bad inode", data: Header + "\n   0: 00000000:07E8 00000000:0000 0A 0:0 0:0 0 0 0 -1\n", wantErr: "inode"},
		{name: "no slot colon", data: Header + "\n   0 00000000:07E8 00000000:0000 0A 0:0 0:0 0 0 0 1\n", wantErr: "slot"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ParseTable([]byte(tc.data), tc.v6)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %+v, want %+v", got, tc.want)
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("entry %d = %+v, want %+v", i, got[i], tc.want[i])
				}
			}
		})
	}
}

func TestFormatLineRoundTrip(t *testing.T) {
	for _, e := range []Entry{
		{Local: netip.MustParseAddrPort("192.0.2.7:65535"), Remote: netip.MustParseAddrPort("0.0.0.0:0"), State: StateListen, UID: 1000, Inode: 1 << 40},
		{Local: netip.MustParseAddrPort("[2001:db8::1]:443"), Remote: netip.MustParseAddrPort("[fe80::2]:1"), State: StateClose, Inode: 5},
	} {
		data := Header + "\n" + FormatLine(0, e) + "\n"
		got, err := ParseTable([]byte(data), e.Local.Addr().Is6())
		e.LineNumber = 2
		if err != nil || len(got) != 1 || got[0] != e {
			t.Errorf("round trip of %+v = %+v, %v", e, got, err)
		}
	}
}

func TestSocketInode(t *testing.T) {
	for link, want := range map[string]uint64{"socket:[12345]": 12345, "socket:[]": 0, "pipe:[5]": 0, "socket:[x]": 0, "/dev/null": 0, "socket:[1": 0} {
		got, ok := SocketInode(link)
		if got != want || ok != (want != 0) {
			t.Errorf("SocketInode(%q) = %d %v, want %d", link, got, ok, want)
		}
	}
}

func TestServiceUnit(t *testing.T) {
	for cg, want := range map[string]string{
		"0::/system.slice/nginx.service\n":                                           "nginx.service",
		"0::/system.slice/system-postgresql.slice/postgresql@15-main.service\n":      "postgresql@15-main.service",
		"0::/user.slice/user-1000.slice/user@1000.service/app.slice/myapp.service":   "myapp.service",
		"0::/user.slice/user-1000.slice/session-3.scope\n":                           "",
		"12:pids:/system.slice/a.service\n1:name=systemd:/system.slice/cron.service": "cron.service",
		"0::/\n1:name=systemd:/system.slice/old.service\n":                           "old.service",
		"0::/docker/0123abcd\n":                                                      "",
		"0::/system.slice/docker-0123.scope/.service\n":                              "",
		"garbage": "",
	} {
		if got := ServiceUnit([]byte(cg)); got != want {
			t.Errorf("ServiceUnit(%q) = %q, want %q", cg, got, want)
		}
	}
}

func TestDefaultRoutes(t *testing.T) {
	r4 := "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n" +
		"eth1\t00000000\t0100000A\t0003\t0\t0\t200\t00000000\t0\t0\t0\n" +
		"eth0\t00000000\t010200C0\t0003\t0\t0\t100\t00000000\t0\t0\t0\n" +
		"eth2\t00000000\t010200C0\t0002\t0\t0\t1\t00000000\t0\t0\t0\n" +
		"eth0\t000200C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0\n"
	got, err := DefaultRoutes4([]byte(r4))
	if err != nil || len(got) != 2 || got[0].Device != "eth0" || got[1].Device != "eth1" {
		t.Errorf("DefaultRoutes4 = %+v, %v; want eth0 (metric 100) then eth1, not the down eth2", got, err)
	}
	r6 := "00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000003 00000000 00000003     ens3\n" +
		"00000000000000000000000000000000 00 00000000000000000000000000000000 00 00000000000000000000000000000000 ffffffff 00000001 00000000 00200200       lo\n"
	got, err = DefaultRoutes6([]byte(r6))
	if err != nil || len(got) != 1 || got[0].Device != "ens3" || got[0].Metric != 0x400 {
		t.Errorf("DefaultRoutes6 = %+v, %v; want ens3 only", got, err)
	}
	for _, bad := range []string{"", "Iface\neth0 zz", "Iface\neth0\t0000000G\t0\t0003\t0\t0\t0\t00000000"} {
		if _, err := DefaultRoutes4([]byte(bad)); err == nil {
			t.Errorf("DefaultRoutes4(%q) accepted", bad)
		}
	}
	if _, err := DefaultRoutes6([]byte("0000 00 x\n")); err == nil {
		t.Error("DefaultRoutes6 accepted garbage")
	}
}

func TestParseDiagMessages(t *testing.T) {
	ne := binary.NativeEndian
	msg := func(typ uint16, body []byte) []byte {
		b := make([]byte, 16+len(body))
		ne.PutUint32(b, uint32(len(b)))
		ne.PutUint16(b[4:], typ)
		copy(b[16:], body)
		return b
	}
	diag := func(inode uint32, v6only byte) []byte {
		body := make([]byte, diagMsgLen+8)
		ne.PutUint32(body[diagInodeOff:], inode)
		ne.PutUint16(body[diagMsgLen:], 5)
		ne.PutUint16(body[diagMsgLen+2:], attrSKV6Only)
		body[diagMsgLen+4] = v6only
		return body
	}
	out := map[uint64]bool{}
	data := append(msg(20, diag(7, 1)), msg(20, diag(8, 0))...)
	data = append(data, msg(3, nil)...) // NLMSG_DONE
	done, err := parseDiagMessages(data, out)
	if err != nil || !done || !out[7] || out[8] || len(out) != 2 {
		t.Errorf("parse = %v %v %v", done, err, out)
	}
	if _, err := parseDiagMessages(msg(20, []byte{1, 2}), out); err == nil {
		t.Error("short inet_diag_msg accepted")
	}
	bad := msg(20, diag(1, 1))
	ne.PutUint32(bad, 9999)
	if _, err := parseDiagMessages(bad, out); err == nil {
		t.Error("truncated message accepted")
	}
}

func FuzzParseTable(f *testing.F) {
	f.Add([]byte(Header+"\n   0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1678 1 0000000000000000 100 0 0 10 0\n"), false)
	f.Add([]byte(Header+"\n   0: 00000000000000000000000001000000:0016 00000000000000000000000000000000:0000 0A 0:0 0:0 0 0 0 20\n"), true)
	f.Add([]byte("garbage"), false)
	f.Fuzz(func(t *testing.T, data []byte, v6 bool) {
		entries, err := ParseTable(data, v6)
		if err != nil {
			return
		}
		for _, e := range entries {
			if e.Local.Addr().Is6() != v6 || e.Remote.Addr().Is6() != v6 {
				t.Fatalf("family mismatch in %+v", e)
			}
			// What parses re-renders to a line that parses to the same entry.
			again, err := ParseTable([]byte(Header+"\n"+FormatLine(0, e)+"\n"), v6)
			e.LineNumber = 2
			if err != nil || len(again) != 1 || again[0] != e {
				t.Fatalf("round trip of %+v: %+v %v", e, again, err)
			}
		}
	})
}

func FuzzRoutes(f *testing.F) {
	f.Add([]byte("Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\neth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\n"))
	f.Add([]byte("00000000000000000000000000000000 00 00000000000000000000000000000000 00 fe800000000000000000000000000001 00000400 00000003 00000000 00000003     ens3\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, parse := range []func([]byte) ([]DefaultRoute, error){DefaultRoutes4, DefaultRoutes6} {
			rs, err := parse(data)
			if err != nil {
				continue
			}
			for i := 1; i < len(rs); i++ {
				if rs[i].Metric < rs[i-1].Metric {
					t.Fatalf("not sorted by metric: %+v", rs)
				}
			}
		}
	})
}

func FuzzCgroupAndDiag(f *testing.F) {
	f.Add([]byte("0::/system.slice/nginx.service\n"))
	f.Add([]byte{40, 0, 0, 0, 20, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		if u := ServiceUnit(data); u != "" && !strings.HasSuffix(u, ".service") {
			t.Fatalf("unit %q", u)
		}
		parseDiagMessages(data, map[uint64]bool{})
	})
}
