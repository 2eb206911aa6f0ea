// Command startbench starts n processes one after another and prints the
// median time from the start of each to its first message:
//
//	startbench -n 50             # n pools of one proc worker (this program)
//	startbench -n 50 -bare PATH  # n runs of the program PATH, which writes
//	                             # to its file descriptor 3 (testdata/bare)
//
// Built with -tags heavy, it also links what a notebook cell's program
// links (lib/model, bench, chart, nb), so that a worker has as much to
// initialise as in a notebook.
package main

import (
	"bufio"
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/proc"
)

func main() {
	proc.Main()
	n := flag.Int("n", 50, "processes to start")
	bare := flag.String("bare", "", "a program to start instead of proc workers")
	flag.Parse()
	var starts, ends []time.Duration
	for range *n {
		var d, e time.Duration
		var err error
		if *bare != "" {
			d, e, err = startBare(*bare)
		} else {
			d, e, err = startWorker()
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		starts, ends = append(starts, d), append(ends, e)
	}
	if *n == 0 {
		return
	}
	fmt.Printf("%d starts: p50 %v (p10 %v, p90 %v); then to exit: p50 %v\n", len(starts), median(starts),
		starts[len(starts)/10], starts[len(starts)*9/10], median(ends))
}

func median(ds []time.Duration) time.Duration {
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// startWorker starts a pool of one worker and closes it. It returns the
// worker's start time, and how long the pool took to close.
func startWorker() (start, end time.Duration, err error) {
	p, err := proc.NewPool(context.Background(), 1)
	if err != nil {
		return 0, 0, err
	}
	t0 := time.Now()
	err = p.Close()
	return p.StartTimes()[0], time.Since(t0), err
}

// startBare starts path as proc starts a worker (a pipe as fd 3, stdout to
// /dev/null) and times it to its first line, and then to its exit.
func startBare(path string) (start, end time.Duration, err error) {
	r, w, err := os.Pipe()
	if err != nil {
		return 0, 0, err
	}
	defer r.Close()
	cmd := exec.Command(path)
	cmd.ExtraFiles = []*os.File{w}
	t0 := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	w.Close()
	_, err = bufio.NewReader(r).ReadString('\n')
	start = time.Since(t0)
	t1 := time.Now()
	if werr := cmd.Wait(); err == nil {
		err = werr
	}
	return start, time.Since(t1), err
}
