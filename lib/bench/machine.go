package bench

import (
	"bufio"
	"os"
	"strings"
	"sync"
	"time"
)

func nanos(n int64) time.Duration { return time.Duration(n) }

// cpuModel reads the processor's name from /proc/cpuinfo, once; it is empty
// where that file does not exist.
var cpuModel = sync.OnceValue(func() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
})
