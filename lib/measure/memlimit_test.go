package measure_test

import (
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"

	"github.com/go-parallelism/go-parallelism/lib/measure"
)

// TestLimitMemory runs itself in a child process, which caps its memory and
// then allocates past the cap: the child must die of it, the test must not.
func TestLimitMemory(t *testing.T) {
	if os.Getenv("MEASURE_LIMIT_CHILD") == "1" {
		if err := measure.LimitMemory(64 << 20); err != nil {
			os.Exit(3)
		}
		b := make([]byte, 1<<30)
		for i := range b {
			b[i] = 1
		}
		os.Exit(0) // not reached
	}
	if runtime.GOOS != "linux" {
		if err := measure.LimitMemory(1 << 30); err == nil {
			t.Fatal("LimitMemory: no error off Linux")
		}
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestLimitMemory$")
	cmd.Env = append(os.Environ(), "MEASURE_LIMIT_CHILD=1", "GOTRACEBACK=none")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("the child allocated 1 GiB past a 64 MiB cap: %s", out)
	}
	// Under the race detector the runtime fails earlier, for want of
	// address space.
	if !strings.Contains(string(out), "out of memory") && !strings.Contains(string(out), "address space") {
		t.Fatalf("the child failed, but not for lack of memory: %v\n%s", err, out)
	}
}
