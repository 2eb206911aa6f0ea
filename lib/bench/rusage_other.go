//go:build !unix

package bench

// Resource usage is not available here: CPU time and child memory read as
// zero.
func selfUsage() usage  { return usage{} }
func childUsage() usage { return usage{} }
