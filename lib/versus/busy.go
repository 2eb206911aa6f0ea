package versus

import (
	"fmt"

	"github.com/go-parallelism/go-parallelism/lib/bench"
)

// BusyNote returns a warning when the runs of variant at p, which must
// compute on one goroutine (a sequential run, or GOMAXPROCS=1), got less
// than 80% of a core: their CPU time over wall time is the share of a core
// the machine gave them, and below that other programs were competing for
// the cores, so no speedup measured in the same experiment can be trusted.
// It returns "" when the runs had their core, or there were none.
func BusyNote(r *bench.Result, variant string, p bench.Param) string {
	s, ok := r.Stat(variant, p)
	if !ok || s.Parallelism >= 0.8 {
		return ""
	}
	return fmt.Sprintf("note: the %s runs got only %.0f%% of a core (cpu/wall %.2f): other programs were using the cores, so the speedups below understate what this machine can do; run the cell again when it is quieter.\n",
		variant, 100*s.Parallelism, s.Parallelism)
}
