//go:build !unix

package bench

// Resource usage is not available here: CPU time and child memory read as
// zero, and FreeCores returns NaN.
const haveCPUTime = false

func selfUsage() usage  { return usage{} }
func childUsage() usage { return usage{} }
