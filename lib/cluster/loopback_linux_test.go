package cluster_test

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/go-parallelism/go-parallelism/lib/cluster"
)

// listening returns the local addresses (hex, as /proc/net/tcp writes them)
// of the TCP sockets that process pid listens on.
func listening(t *testing.T, pid int) []string {
	t.Helper()
	inodes := map[string]bool{}
	fds, err := filepath.Glob("/proc/" + strconv.Itoa(pid) + "/fd/*")
	if err != nil {
		t.Fatal(err)
	}
	for _, fd := range fds {
		if l, err := os.Readlink(fd); err == nil && strings.HasPrefix(l, "socket:[") {
			inodes[strings.TrimSuffix(strings.TrimPrefix(l, "socket:["), "]")] = true
		}
	}
	var addrs []string
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		f, err := os.Open(table)
		if err != nil {
			continue
		}
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			fields := strings.Fields(sc.Text())
			// sl local_address rem_address st ... inode
			if len(fields) < 10 || fields[3] != "0A" || !inodes[fields[9]] {
				continue
			}
			addrs = append(addrs, fields[1])
		}
		f.Close()
	}
	return addrs
}

// loopback reports whether a /proc/net/tcp address is 127.0.0.1 or ::1.
func loopback(addr string) bool {
	ip, _, _ := strings.Cut(addr, ":")
	return ip == "0100007F" || ip == "00000000000000000000000001000000"
}

// checkLoopback fails t if process pid listens on anything but the
// loopback interface, or on nothing at all (the check would prove nothing).
func checkLoopback(t *testing.T, pid int) {
	t.Helper()
	addrs := listening(t, pid)
	if len(addrs) == 0 {
		t.Errorf("pid %d: no listening socket found", pid)
	}
	for _, a := range addrs {
		if !loopback(a) {
			t.Errorf("pid %d listens on %s, beyond the loopback interface", pid, a)
		}
	}
}

// The embedded server listens on 127.0.0.1 only (the servers of a local
// cluster are checked in TestClusterLosesStreamLeader).
func TestEmbeddedListensOnLoopbackOnly(t *testing.T) {
	s, err := cluster.Start(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	checkLoopback(t, os.Getpid())
}
