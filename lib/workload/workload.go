// Package workload provides the eight workloads of the course behind one
// contract: a Job is N independent tasks, each returning a short digest, plus
// a Check that verifies all digests.
//
// I/O-bound: scrape (fetch pages from a local web site), disk (write and read
// back files), pipe (send records through a pipe to another OS process and
// back), tcp (request/response round trips on loopback).
//
// CPU-bound: primes (trial division, the Fluent Python fixture), mandelbrot
// and montecarlo (embarrassingly parallel kernels with a tunable grain), text
// (wrap and count a corpus), images (rescale generated images), analysis
// (group-by aggregates over a sales CSV).
//
// A Job is built from a Spec, which is plain data, so a child process can
// rebuild the same job and run some of its tasks:
//
//	job, err := workload.New(workload.Spec{Name: "primes", Size: 20})
//	if err != nil { ... }
//	defer job.Close()
//	digests := make([]string, job.N)
//	for i := range job.N {
//		digests[i], err = job.Task(ctx, i)
//	}
//	err = job.Check(digests)
//
// Every workload is deterministic: the same Spec gives the same digests, in
// any order and with any number of goroutines. The doc comment of each
// workload's name (Scrape, Disk, ..., Analysis) says what Size means and lists
// the Options it reads; setting any other option is an error:
//
//	workload.Spec{Name: workload.Scrape, Size: 25, Options: workload.Options{Latency: 20 * time.Millisecond}}
//
// Sizes that take about half a second sequentially on the course machine
// (two cores):
//
//	scrape      25     pages, with Latency 20ms each
//	disk        2000   files of 64 KiB (400 with Fsync); varies with the disk
//	pipe        100    child processes (cat), 100 KB through each; varies with the OS
//	tcp         200    connections of 100 round trips
//	primes      7      numbers of the 20-number fixture (20: about 1.4 s)
//	mandelbrot  1400   pixels per side (Grain: rows per task)
//	montecarlo  80     tasks of a million samples
//	text        10000  chapters wrapped to 72 columns
//	images      45     images rescaled 512 → 128
//	analysis    2000   thousands of CSV rows (Chunk: rows per task)
//
// Long tasks look at ctx every few milliseconds of work, so a task returns
// ctx.Err() soon after its context is cancelled, even in the middle of a
// computation.
package workload

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sync/errgroup"
)

// Kind tells whether a workload mostly waits (I/O) or mostly computes (CPU).
type Kind int

const (
	IO  Kind = iota // mostly waits for I/O
	CPU             // mostly computes
)

func (k Kind) String() string {
	switch k {
	case IO:
		return "I/O-bound"
	case CPU:
		return "CPU-bound"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Spec names a workload and its size; it is plain data (JSON) so a child
// process can rebuild the same job.
type Spec struct {
	Name    string  `json:"name"`             // one of Names(), e.g. Primes
	Size    int     `json:"size"`             // number of tasks or a scale, documented per workload
	Options Options `json:"options,omitzero"` // tuning; zero fields mean the defaults
}

// String formats s as name(size) with the options set, for labels and logs:
// "scrape(8 latency=20ms)".
func (s Spec) String() string {
	if o := s.Options.String(); o != "" {
		return fmt.Sprintf("%s(%d %s)", s.Name, s.Size, o)
	}
	return fmt.Sprintf("%s(%d)", s.Name, s.Size)
}

// Job is a workload ready to run: N independent tasks, indexed 0..N-1.
type Job struct {
	// Spec rebuilds this job in another process. It is the Spec given to
	// New, except that a job that started a server records its address
	// in Options.Addr, so that a rebuilt job talks to the same server.
	Spec Spec
	Kind Kind
	N    int
	// Task runs task i and returns a short digest of its result (a
	// checksum, a count, a number as text), so results can cross a process
	// boundary as a string. It honours ctx cancellation and is safe to call
	// from many goroutines at once.
	Task func(ctx context.Context, i int) (string, error)
	// Check verifies the digests of all N tasks (digests[i] for task i)
	// against the expected result.
	Check func(digests []string) error
	// Close releases what New acquired (temp dirs, servers it started).
	// Safe to call twice.
	Close func() error
}

type workload struct {
	name    string
	kind    Kind
	maxSize int
	uses    []string // the fields of Options it reads
	new     func(s Spec) (*Job, error)
}

// registry lists the workloads in the order Names reports them: I/O first.
var registry = []workload{
	{Scrape, IO, 100_000, []string{"Latency", "LatencyMax", "Timeout", "ErrorRate", "HangRate", "Seed", "Addr", "Pages", "PageSize"}, newScrape},
	{Disk, IO, 100_000, []string{"FileSize", "Fsync", "Dir"}, newDisk},
	{Pipe, IO, 10_000, []string{"Records", "RecordSize", "Latency"}, newPipe},
	{TCP, IO, 10_000, []string{"Rounds", "MsgSize", "Latency", "Addr"}, newTCP},
	{Primes, CPU, 2000, nil, newPrimes},
	{Mandelbrot, CPU, 20_000, []string{"Grain", "Iter"}, newMandelbrot},
	{MonteCarlo, CPU, 100_000, []string{"Samples", "Seed"}, newMonteCarlo},
	{Text, CPU, 1_000_000, []string{"Width", "Repeat", "File"}, newText},
	{Images, CPU, 100_000, []string{"Src", "Dst", "Kernel"}, newImages},
	{Analysis, CPU, 10_000, []string{"Chunk", "File"}, newAnalysis},
}

// Names returns all workload names, I/O-bound ones first.
func Names() []string {
	out := make([]string, len(registry))
	for i, w := range registry {
		out[i] = w.name
	}
	return out
}

// KindOf returns the kind of the named workload.
func KindOf(name string) (Kind, error) {
	for _, w := range registry {
		if w.name == name {
			return w.kind, nil
		}
	}
	return 0, unknown(name)
}

func unknown(name string) error {
	return fmt.Errorf("workload: unknown name %q (want one of %s)", name, strings.Join(Names(), ", "))
}

// New builds the job that s describes. It fails with a clear error for an
// unknown name, a size out of range, a missing data file, and for options:
// one *OptionError per option that the workload does not use or whose value
// it does not allow, joined.
func New(s Spec) (*Job, error) {
	for _, w := range registry {
		if w.name != s.Name {
			continue
		}
		if s.Size < 1 || s.Size > w.maxSize {
			return nil, fmt.Errorf("workload %s: Size is %d, want 1..%d", s.Name, s.Size, w.maxSize)
		}
		if err := s.Options.unused(s.Name, w.uses); err != nil {
			return nil, err
		}
		j, err := w.new(s)
		if err != nil {
			return nil, err
		}
		if j.Spec.Name == "" {
			j.Spec = s
		}
		j.Kind = w.kind
		if j.Close == nil {
			j.Close = func() error { return nil }
		}
		j.Task = guard(j)
		return j, nil
	}
	return nil, unknown(s.Name)
}

// guard wraps a job's Task so that every workload rejects an index out of
// range and a context that is already done in the same way.
func guard(j *Job) func(context.Context, int) (string, error) {
	task := j.Task
	return func(ctx context.Context, i int) (string, error) {
		if i < 0 || i >= j.N {
			return "", fmt.Errorf("workload %s: task %d out of range [0, %d)", j.Spec.Name, i, j.N)
		}
		if err := ctx.Err(); err != nil {
			return "", err
		}
		return task(ctx, i)
	}
}

// RunSequential runs every task of j in order, in this goroutine, and returns
// the digests. It stops at the first error.
func RunSequential(ctx context.Context, j *Job) ([]string, error) {
	out := make([]string, j.N)
	for i := range j.N {
		d, err := j.Task(ctx, i)
		if err != nil {
			return out, fmt.Errorf("task %d: %w", i, err)
		}
		out[i] = d
	}
	return out, nil
}

// --- helpers shared by the workloads ---

// digest is the first 8 bytes of the SHA-256 of b, in hex.
func digest(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// compare checks digests against want, naming the first mismatch.
func compare(name string, want, got []string) error {
	if len(got) != len(want) {
		return fmt.Errorf("workload %s: got %d digests, want %d", name, len(got), len(want))
	}
	bad, first := 0, -1
	for i := range want {
		if got[i] != want[i] {
			if first < 0 {
				first = i
			}
			bad++
		}
	}
	if bad > 0 {
		return fmt.Errorf("workload %s: %d of %d digests wrong; first is task %d: got %q, want %q",
			name, bad, len(want), first, got[first], want[first])
	}
	return nil
}

// checkAgainst returns a Check that compares digests with those of a
// reference run of task, computed once on first use (with one goroutine per
// core) and kept. It verifies that the run being checked agrees with a
// fresh, independent run, whatever the order and concurrency.
func checkAgainst(name string, n int, task func(ctx context.Context, i int) (string, error)) func([]string) error {
	var (
		once sync.Once
		want []string
		err  error
	)
	return func(got []string) error {
		if len(got) != n {
			return fmt.Errorf("workload %s: got %d digests, want %d", name, len(got), n)
		}
		once.Do(func() {
			want = make([]string, n)
			var g errgroup.Group
			g.SetLimit(runtime.GOMAXPROCS(0))
			for i := range n {
				g.Go(func() (e error) {
					want[i], e = task(context.Background(), i)
					return e
				})
			}
			if e := g.Wait(); e != nil {
				err = fmt.Errorf("workload %s: reference run: %w", name, e)
			}
		})
		if err != nil {
			return err
		}
		return compare(name, want, got)
	}
}

// ctxCheck is a cheap cancellation probe for hot loops: call it often, it
// looks at ctx only every 1<<every calls.
type ctxCheck struct {
	ctx   context.Context
	n     uint
	every uint
}

func (c *ctxCheck) done() bool {
	c.n++
	if c.n&(1<<c.every-1) != 0 {
		return false
	}
	return c.ctx.Err() != nil
}

// closeOnce wraps f so that it runs once; later calls return its first result.
func closeOnce(f func() error) func() error {
	var (
		once sync.Once
		err  error
	)
	return func() error {
		once.Do(func() { err = f() })
		return err
	}
}

func fmtErr(s Spec, format string, args ...any) error {
	return fmt.Errorf("workload %s: "+format, append([]any{s.Name}, args...)...)
}
