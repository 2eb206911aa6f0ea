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
// its Params. Sizes that take about half a second sequentially on the course
// machine (two cores):
//
//	scrape      25     pages, 20 ms latency each ("latency" param)
//	disk        2000   files of 64 KiB (400 with "fsync": "true"); varies with the disk
//	pipe        100    child processes (cat), 100 KB through each; varies with the OS
//	tcp         200    connections of 100 round trips
//	primes      7      numbers of the 20-number fixture (20: about 1.4 s)
//	mandelbrot  1400   pixels per side ("grain": rows per task)
//	montecarlo  80     tasks of a million samples
//	text        10000  chapters wrapped to 72 columns
//	images      45     images rescaled 512 → 128
//	analysis    2000   thousands of CSV rows ("chunk": rows per task)
package workload

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

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
	Name   string            `json:"name"`             // one of Names(), e.g. Primes
	Size   int               `json:"size"`             // number of tasks or a scale, documented per workload
	Params map[string]string `json:"params,omitempty"` // workload options, e.g. "latency": "100ms"
}

// String formats s as name(size) with its params, for labels and logs.
func (s Spec) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s(%d", s.Name, s.Size)
	keys := make([]string, 0, len(s.Params))
	for k := range s.Params {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%s", k, s.Params[k])
	}
	b.WriteByte(')')
	return b.String()
}

// Job is a workload ready to run: N independent tasks, indexed 0..N-1.
type Job struct {
	// Spec rebuilds this job in another process. It is the Spec given to
	// New, except that a job that started a server records its address
	// in Params["addr"], so that a rebuilt job talks to the same server.
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
	name string
	kind Kind
	new  func(s Spec) (*Job, error)
}

// registry lists the workloads in the order Names reports them: I/O first.
var registry = []workload{
	{Scrape, IO, newScrape},
	{Disk, IO, newDisk},
	{Pipe, IO, newPipe},
	{TCP, IO, newTCP},
	{Primes, CPU, newPrimes},
	{Mandelbrot, CPU, newMandelbrot},
	{MonteCarlo, CPU, newMonteCarlo},
	{Text, CPU, newText},
	{Images, CPU, newImages},
	{Analysis, CPU, newAnalysis},
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
// unknown name, a size below 1, bad params or a missing data file.
func New(s Spec) (*Job, error) {
	for _, w := range registry {
		if w.name != s.Name {
			continue
		}
		if s.Size < 1 {
			return nil, fmt.Errorf("workload %s: size is %d, want >= 1", s.Name, s.Size)
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

// params reads a Spec's params with defaults, remembering the first error.
type params struct {
	name string
	m    map[string]string
	err  error
}

func paramsOf(s Spec) *params { return &params{name: s.Name, m: s.Params} }

func (p *params) fail(key, v, want string) {
	if p.err == nil {
		p.err = fmt.Errorf("workload %s: param %s=%q: want %s", p.name, key, v, want)
	}
}

func (p *params) str(key, def string) string {
	if v, ok := p.m[key]; ok {
		return v
	}
	return def
}

// int reads an integer in [lo, hi].
func (p *params) int(key string, def, lo, hi int) int {
	v, ok := p.m[key]
	if !ok {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		p.fail(key, v, fmt.Sprintf("an integer in [%d, %d]", lo, hi))
		return def
	}
	return n
}

func (p *params) float(key string, def, lo, hi float64) float64 {
	v, ok := p.m[key]
	if !ok {
		return def
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < lo || f > hi {
		p.fail(key, v, fmt.Sprintf("a number in [%g, %g]", lo, hi))
		return def
	}
	return f
}

func (p *params) duration(key string, def time.Duration) time.Duration {
	v, ok := p.m[key]
	if !ok {
		return def
	}
	if v == "0" {
		return 0
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		p.fail(key, v, `a duration like "100ms"`)
		return def
	}
	return d
}

func (p *params) bool(key string, def bool) bool {
	v, ok := p.m[key]
	if !ok {
		return def
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		p.fail(key, v, "true or false")
		return def
	}
	return b
}

// known fails on any param not in keys, to catch typos.
func (p *params) known(keys ...string) {
	for k := range p.m {
		if !slices.Contains(keys, k) && p.err == nil {
			p.err = fmt.Errorf("workload %s: unknown param %q (known: %s)", p.name, k, strings.Join(keys, ", "))
		}
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

func sizeTooBig(s Spec, max int) error {
	return fmt.Errorf("workload %s: size is %d, want at most %d", s.Name, s.Size, max)
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

// withParam returns a copy of s with params[key] = value.
func withParam(s Spec, kv ...string) Spec {
	m := make(map[string]string, len(s.Params)+len(kv)/2)
	for k, v := range s.Params {
		m[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	s.Params = m
	return s
}
