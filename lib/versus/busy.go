package versus

import (
	"fmt"

	"github.com/go-parallelism/go-parallelism/lib/bench"
)

// BusyNote returns a warning when the runs of variant at p kept fewer cores
// busy than they could: cores is what the variant can use, 1 for code on one
// goroutine (or GOMAXPROCS=1), the machine's cores for one goroutine per task
// with at least as many tasks. Its CPU time over wall time below 80% of that
// means other programs were competing for the cores, so the speedups
// measured in the same experiment cannot be trusted. It returns "" when the
// runs had their cores, or there were none. Child processes' CPU time is
// not counted while they live, so do not use it for a process pool.
func BusyNote(r *bench.Result, variant string, p bench.Param, cores int) string {
	s, ok := r.Stat(variant, p)
	if !ok || cores < 1 || s.Parallelism >= 0.8*float64(cores) {
		return ""
	}
	return fmt.Sprintf("note: the %s runs kept only %.2f of the %d core(s) they could use busy (cpu/wall): other programs were using the cores, so the speedups here understate what this machine can do; run the cell again when it is quieter.\n",
		variant, s.Parallelism, cores)
}
