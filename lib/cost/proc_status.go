package cost

import (
	"bufio"
	"os"
	"strconv"
	"strings"
)

// procStatus reads the address space, resident set and thread count of this
// process from /proc/self/status (Linux). Elsewhere it returns an error
// satisfying errors.Is(err, os.ErrNotExist).
func procStatus() (virtual, resident uint64, threads int, err error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, val, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fields := strings.Fields(val)
		if len(fields) == 0 {
			continue
		}
		n, perr := strconv.ParseUint(fields[0], 10, 64)
		if perr != nil {
			continue
		}
		switch key {
		case "VmSize":
			virtual = n * 1024 // the kernel reports kB
		case "VmRSS":
			resident = n * 1024
		case "Threads":
			threads = int(n)
		}
	}
	return virtual, resident, threads, sc.Err()
}
