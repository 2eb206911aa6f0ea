// Command bare is the smallest Go program that does what a worker does
// first: it says hello on file descriptor 3, then exits. BENCHMARKS.md
// compares a worker's start with its start. Built with -tags heavy, it
// links what startbench -tags heavy links, to compare programs of one size.
package main

import "os"

func main() {
	os.NewFile(3, "hello").Write([]byte("{}\n"))
}
