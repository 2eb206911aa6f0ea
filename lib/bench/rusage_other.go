//go:build !unix

package bench

// rusage is not available here: CPU time and child memory read as zero.
func rusage() (self, children usage) { return usage{}, usage{} }
