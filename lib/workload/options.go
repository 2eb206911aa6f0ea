package workload

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"
)

// Options tune a workload. The zero value of every field means the
// workload's default, so Spec{Name: Primes, Size: 7} needs none. Each
// workload's doc comment (Scrape, Disk, ..., Analysis) lists the fields it
// reads; New rejects any other field that is set, so a typo in the intent
// (Grain for a workload that has no grain) is an error, not a silent no-op.
//
// Options are plain data: they travel as JSON to a worker process, which
// rebuilds the same job. The JSON names are also the names String prints.
type Options struct {
	// Waiting: how slow the other end is.
	Latency    time.Duration `json:"latency,omitzero"`     // scrape, pipe, tcp: delay before each answer
	LatencyMax time.Duration `json:"latency_max,omitzero"` // scrape: draw each page's delay from [Latency, LatencyMax)
	Timeout    time.Duration `json:"timeout,omitzero"`     // scrape: client timeout per request (default 10s)

	// Faults, drawn per page by Seed.
	ErrorRate float64 `json:"error_rate,omitzero"` // scrape: fraction of pages answering 500/503
	HangRate  float64 `json:"hang_rate,omitzero"`  // scrape: fraction of pages that never answer
	Seed      int64   `json:"seed,omitzero"`       // scrape, montecarlo: picks faults, delays, samples

	// Where: a server or file to use instead of the built-in one.
	Addr     string `json:"addr,omitzero"`      // scrape, tcp: host:port of a running server
	Pages    int    `json:"pages,omitzero"`     // scrape with Addr: pages of that server (default Size)
	PageSize int    `json:"page_size,omitzero"` // scrape: bytes per page (default 2048)
	Dir      string `json:"dir,omitzero"`       // disk: parent of the temporary directory
	File     string `json:"file,omitzero"`      // text, analysis: data file instead of the built-in data

	// How much work per task, and how it is cut.
	FileSize   int    `json:"file_size,omitzero"`   // disk: bytes per file (default 65536)
	Fsync      bool   `json:"fsync,omitzero"`       // disk: fsync every file before reading it back
	Records    int    `json:"records,omitzero"`     // pipe: records per task (default 1000)
	RecordSize int    `json:"record_size,omitzero"` // pipe: bytes per record (default 100)
	Rounds     int    `json:"rounds,omitzero"`      // tcp: round trips per task (default 100)
	MsgSize    int    `json:"msg_size,omitzero"`    // tcp: bytes per message (default 64)
	Grain      int    `json:"grain,omitzero"`       // mandelbrot: rows per task (default 1)
	Iter       int    `json:"iter,omitzero"`        // mandelbrot: iterations per pixel (default 500)
	Samples    int    `json:"samples,omitzero"`     // montecarlo: points per task (default 1,000,000)
	Width      int    `json:"width,omitzero"`       // text: columns (default 72)
	Repeat     int    `json:"repeat,omitzero"`      // text: times each task formats its chapter (default 1)
	Src        int    `json:"src,omitzero"`         // images: side of the source image (default 512)
	Dst        int    `json:"dst,omitzero"`         // images: side of the rescaled image (default 128)
	Kernel     string `json:"kernel,omitzero"`      // images: catmullrom (default), bilinear, approx
	Chunk      int    `json:"chunk,omitzero"`       // analysis: rows per task (default 10,000)
}

// An OptionError is an option New rejects: one the workload does not use,
// or a value outside what it allows. New joins one per bad option.
type OptionError struct {
	Workload string // e.g. "mandelbrot"
	Option   string // the field of Options, e.g. "Grain"
	Value    any    // the value given
	Want     string // what is allowed
	Unused   bool   // the workload does not read this option
}

func (e *OptionError) Error() string {
	if e.Unused {
		return fmt.Sprintf("workload %s: option %s (%v) is not used by %s; %s", e.Workload, e.Option, e.Value, e.Workload, e.Want)
	}
	return fmt.Sprintf("workload %s: option %s is %v, want %s", e.Workload, e.Option, e.Value, e.Want)
}

// set returns the names of the fields of o that are not zero, in order.
func (o Options) set() []string {
	var names []string
	v := reflect.ValueOf(o)
	for i := range v.NumField() {
		if !v.Field(i).IsZero() {
			names = append(names, v.Type().Field(i).Name)
		}
	}
	return names
}

// field returns the value of the named field and its JSON name.
func (o Options) field(name string) (any, string) {
	f, _ := reflect.TypeFor[Options]().FieldByName(name)
	json, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	return reflect.ValueOf(o).FieldByName(name).Interface(), json
}

// String lists the options that are set, as "latency=20ms seed=2".
func (o Options) String() string {
	var b strings.Builder
	for _, name := range o.set() {
		v, json := o.field(name)
		if b.Len() > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s=%v", json, v)
	}
	return b.String()
}

// unused returns an OptionError for every option that is set but not in uses.
func (o Options) unused(workload string, uses []string) error {
	var errs []error
	for _, name := range o.set() {
		if slices.Contains(uses, name) {
			continue
		}
		want := workload + " uses no options"
		if len(uses) > 0 {
			want = workload + " uses " + strings.Join(uses, ", ")
		}
		v, _ := o.field(name)
		errs = append(errs, &OptionError{Workload: workload, Option: name, Value: v, Want: want, Unused: true})
	}
	return errors.Join(errs...)
}

// maxWait bounds every duration option: a day is already far beyond any
// experiment, and a bound catches a unit mistake.
const maxWait = 24 * time.Hour

// checker validates option values and fills in defaults, collecting an
// OptionError for every bad one.
type checker struct {
	workload string
	errs     []error
}

func (c *checker) fail(option string, v any, want string) {
	c.errs = append(c.errs, &OptionError{Workload: c.workload, Option: option, Value: v, Want: want})
}

func (c *checker) err() error { return errors.Join(c.errs...) }

// int returns v, or def if v is 0; a value outside [lo, hi] is an error.
func (c *checker) int(option string, v, def, lo, hi int) int {
	if v == 0 {
		return def
	}
	if v < lo || v > hi {
		c.fail(option, v, fmt.Sprintf("%d..%d (0 for the default, %d)", lo, hi, def))
		return def
	}
	return v
}

// duration returns d, or def if d is 0; d must be in [0, max].
func (c *checker) duration(option string, d, def, max time.Duration) time.Duration {
	if d == 0 {
		return def
	}
	if d < 0 || d > max {
		c.fail(option, d, fmt.Sprintf("0..%v", max))
		return def
	}
	return d
}

// fraction checks that f is in [0, 1].
func (c *checker) fraction(option string, f float64) float64 {
	if !(f >= 0 && f <= 1) { // also catches NaN
		c.fail(option, f, "a fraction in [0, 1]")
		return 0
	}
	return f
}
