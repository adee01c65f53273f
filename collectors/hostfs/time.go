package hostfs

import (
	"time"

	"golang.org/x/sys/unix"
)

func timespecToTime(ts unix.Timespec) time.Time { return time.Unix(ts.Sec, ts.Nsec) }
