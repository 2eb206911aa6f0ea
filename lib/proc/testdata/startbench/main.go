// Command startbench starts n processes one after another and prints the
// median time from the start of each to its first message:
//
//	startbench -n 50             # n pools of one proc worker (this program)
//	startbench -n 50 -bare PATH  # n runs of the program PATH, which writes
//	                             # to its file descriptor 3 (testdata/bare)
//	startbench -n 50 -vs PATH    # both in turn, and the median of the
//	                             # ratios worker/PATH, pair by pair
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
	"path/filepath"
	"slices"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/proc"
)

func main() {
	proc.Main()
	n := flag.Int("n", 50, "processes to start")
	bare := flag.String("bare", "", "a program to start instead of proc workers")
	vs := flag.String("vs", "", "a program to start in turn with proc workers")
	flag.Parse()
	if *vs != "" {
		pairs(*n, *vs)
		return
	}
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

// pairs starts a worker and the program path in turn, n times each: taking
// turns keeps a change in the machine's load from favouring either.
func pairs(n int, path string) {
	var workers, bares []time.Duration
	var ratios []float64
	for range n {
		w, _, err := startWorker()
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		b, _, err := startBare(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		workers, bares, ratios = append(workers, w), append(bares, b), append(ratios, float64(w)/float64(b))
	}
	if n == 0 {
		return
	}
	slices.Sort(ratios)
	fmt.Printf("%d pairs: worker p50 %v, %s p50 %v; worker/%s per pair: p50 %.2f (p10 %.2f, p90 %.2f)\n",
		n, median(workers), filepath.Base(path), median(bares), filepath.Base(path), ratios[n/2], ratios[n/10], ratios[n*9/10])
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
