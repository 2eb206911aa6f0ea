package measure

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// status is what the kernel says of a process in /proc/<pid>/status.
type status struct {
	virtual  uint64 // address space reserved (VmSize)
	resident uint64 // memory in RAM (VmRSS); 0 for a process that has none
	threads  int
}

// readStatus reads /proc/<pid>/status, pid "self" for this process. Where
// there is no such file system it returns an error that errors.Is
// errors.ErrUnsupported.
func readStatus(pid string) (status, error) {
	var s status
	if runtime.GOOS != "linux" {
		return s, errors.ErrUnsupported
	}
	f, err := os.Open("/proc/" + pid + "/status")
	if err != nil {
		return s, err
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
			s.virtual = n * 1024 // the kernel reports kB
		case "VmRSS":
			s.resident = n * 1024
		case "Threads":
			s.threads = int(n)
		}
	}
	return s, sc.Err()
}

// RSS returns the resident set size of process pid: the bytes of its memory
// that are in RAM now (VmRSS in /proc/<pid>/status). Only on Linux;
// elsewhere the error errors.Is errors.ErrUnsupported.
func RSS(pid int) (uint64, error) {
	if pid < 1 {
		return 0, fmt.Errorf("measure: RSS: pid is %d, want a process id (1 or more)", pid)
	}
	s, err := readStatus(strconv.Itoa(pid))
	if err != nil {
		return 0, fmt.Errorf("measure: RSS of process %d: %w", pid, err)
	}
	if s.resident == 0 {
		return 0, fmt.Errorf("measure: RSS of process %d: the kernel reports no resident memory", pid)
	}
	return s.resident, nil
}
