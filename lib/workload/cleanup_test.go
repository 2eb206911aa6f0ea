package workload

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/site"
)

func TestDiskCloseRemovesFiles(t *testing.T) {
	parent := t.TempDir()
	j := newJob(t, Spec{Name: "disk", Size: 5, Options: Options{Dir: parent, FileSize: 1000, Fsync: true}})
	if _, err := RunSequential(context.Background(), j); err != nil {
		t.Fatal(err)
	}
	entries, _ := filepath.Glob(filepath.Join(parent, "*", "file-*"))
	if len(entries) != 5 {
		t.Fatalf("found %d files before Close, want 5: %v", len(entries), entries)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if err := j.Close(); err != nil {
		t.Errorf("second Close: %v", err)
	}
	if left, _ := os.ReadDir(parent); len(left) != 0 {
		t.Errorf("Close left %v behind", left)
	}
	if _, err := j.Task(context.Background(), 0); err == nil {
		t.Error("task after Close succeeded")
	}
}

func TestDiskFailedTaskRemovesItsFile(t *testing.T) {
	parent := t.TempDir()
	j := newJob(t, Spec{Name: "disk", Size: 1, Options: Options{Dir: parent, FileSize: 10_000_000}})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := j.Task(ctx, 0); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v", err)
	}
	if files, _ := filepath.Glob(filepath.Join(parent, "*", "file-*")); len(files) != 0 {
		t.Errorf("failed task left %v", files)
	}
}

// closedAfter reports whether the job's server port stops accepting after Close.
func dialable(addr string) bool {
	c, err := net.Dial("tcp", addr)
	if err == nil {
		c.Close()
	}
	return err == nil
}

func TestServersStopOnClose(t *testing.T) {
	for _, name := range []string{"scrape", "tcp"} {
		t.Run(name, func(t *testing.T) {
			j := newJob(t, Spec{Name: name, Size: 3})
			if _, err := RunSequential(context.Background(), j); err != nil {
				t.Fatal(err)
			}
			addr := jobAddr(t, j)
			if !dialable(addr) {
				t.Fatalf("%s not reachable before Close", addr)
			}
			// A job rebuilt from the Spec, as in a child process,
			// uses the same server and leaves it running.
			child := newJob(t, j.Spec)
			if d, err := child.Task(context.Background(), 2); err != nil {
				t.Fatalf("rebuilt job: %v", err)
			} else if err := child.Check([]string{"x", "x", d}); err == nil {
				t.Error("Check accepted wrong digests")
			}
			if child.Spec.Options.Addr != addr {
				t.Errorf("rebuilt job uses %q, want %q", child.Spec.Options.Addr, addr)
			}
			child.Close()
			if !dialable(addr) {
				t.Fatal("closing the rebuilt job stopped the server")
			}
			if err := j.Close(); err != nil {
				t.Fatal(err)
			}
			if dialable(addr) {
				t.Errorf("%s still open after Close", addr)
			}
			if err := j.Close(); err != nil {
				t.Errorf("second Close: %v", err)
			}
		})
	}
}

// jobAddr is the address of the server a job started, from its Spec.
func jobAddr(t *testing.T, j *Job) string {
	t.Helper()
	a := j.Spec.Options.Addr
	if a == "" {
		t.Fatalf("job %v records no server address", j.Spec)
	}
	return a
}

func TestScrapeAgainstRunningServer(t *testing.T) {
	srv, err := site.Start(site.Options{Pages: 50})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	j := newJob(t, Spec{Name: "scrape", Size: 10, Options: Options{Addr: srv.Addr(), Pages: 50}})
	d, err := RunSequential(context.Background(), j)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Check(d); err != nil {
		t.Fatal(err)
	}
	if st := srv.Stats(); st.Served != 10 {
		t.Errorf("server served %d pages, want 10", st.Served)
	}
	if err := j.Close(); err != nil {
		t.Fatal(err)
	}
	if !dialable(srv.Addr()) {
		t.Error("Close stopped a server the job did not start")
	}

	// A job that assumes the wrong number of pages sees other links, so
	// the checksums do not match.
	wrong := newJob(t, Spec{Name: "scrape", Size: 30, Options: Options{Addr: srv.Addr(), Pages: 40}})
	if _, err := wrong.Task(context.Background(), 20); err == nil || !strings.Contains(err.Error(), "checksum") {
		t.Errorf("wrong page count: got %v, want a checksum error", err)
	}
}

func TestScrapeFaults(t *testing.T) {
	j := newJob(t, Spec{Name: "scrape", Size: 40, Options: Options{ErrorRate: 0.3, Seed: 5}})
	opts := site.Options{ErrorRate: 0.3, Seed: 5}
	failed := 0
	for i := range j.N {
		_, err := j.Task(context.Background(), i)
		if want := opts.Fault(site.PagePath(i)); (want != site.OK) != (err != nil) {
			t.Errorf("page %d: error %v, predicted %v", i, err, want)
		}
		if err != nil {
			failed++
		}
	}
	if failed == 0 {
		t.Error("no page failed at a 30% error rate")
	}
}

func TestCommittedSamplesMatchGenerator(t *testing.T) {
	dir := dataDir()
	if dir == "" {
		t.Skip("data directory not found")
	}
	var corpus, sales bytes.Buffer
	if err := WriteCorpus(&corpus, CorpusChapters, CorpusSeed); err != nil {
		t.Fatal(err)
	}
	if err := WriteSales(&sales, SalesRows, SalesSeed); err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string][]byte{"corpus.txt": corpus.Bytes(), "sales.csv": sales.Bytes()} {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("data/%s differs from the generator's output; run go run ./scripts/gendata", name)
		}
	}
	if corpus.Len() > 1<<20 || sales.Len() > 500<<10 {
		t.Errorf("samples too big: corpus %d, sales %d bytes", corpus.Len(), sales.Len())
	}
	// A larger file starts with the sample.
	var more bytes.Buffer
	WriteSales(&more, 2*SalesRows, SalesSeed)
	if !bytes.HasPrefix(more.Bytes(), sales.Bytes()) {
		t.Error("a larger sales file does not start with the sample")
	}
}

func TestAnalysisFromFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sales.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	WriteSales(f, 3000, 9)
	f.Close()
	j := newJob(t, Spec{Name: "analysis", Size: 3, Options: Options{File: path, Chunk: 700}})
	if j.N != 5 {
		t.Errorf("N = %d, want 5 chunks of 700 rows for 3000 rows", j.N)
	}
	d, err := runConcurrently(context.Background(), j)
	if err != nil {
		t.Fatal(err)
	}
	if err := j.Check(d); err != nil {
		t.Fatal(err)
	}
	groups, err := MergeSales(d)
	if err != nil {
		t.Fatal(err)
	}
	var count int64
	for _, g := range groups {
		count += g.Count
		if g.Min > g.Max || g.Mean() < float64(g.Min) || g.Mean() > float64(g.Max) {
			t.Errorf("group %+v: inconsistent", g)
		}
	}
	if count != 3000 || len(groups) != len(salesRegions)*len(salesProducts) {
		t.Errorf("%d rows in %d groups, want 3000 in %d", count, len(groups), len(salesRegions)*len(salesProducts))
	}
	// Swapping two chunks' digests keeps the merge right; dropping one
	// does not.
	d[0], d[1] = d[1], d[0]
	if err := j.Check(d); err != nil {
		t.Errorf("order of digests should not matter to the merge: %v", err)
	}
	d[2] = ""
	if err := j.Check(d); err == nil {
		t.Error("Check accepted a missing chunk")
	}

	if _, err := New(Spec{Name: "analysis", Size: 4, Options: Options{File: path}}); err == nil ||
		!strings.Contains(err.Error(), "fewer than 4000 rows") {
		t.Errorf("file too short: %v", err)
	}
	bad := filepath.Join(t.TempDir(), "bad.csv")
	os.WriteFile(bad, []byte("a,b\n1,2\n"), 0o644)
	if _, err := New(Spec{Name: "analysis", Size: 1, Options: Options{File: bad}}); err == nil {
		t.Error("a CSV without the sales header was accepted")
	}
}

func TestTextCounts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "t.txt")
	os.WriteFile(path, []byte("CHAPTER 1\n\none  two   three four\n\nfive\nsix\n\nCHAPTER 2\n\nseven\n"), 0o644)
	j := newJob(t, Spec{Name: "text", Size: 3, Options: Options{File: path, Width: 12}})
	d, err := RunSequential(context.Background(), j)
	if err != nil {
		t.Fatal(err)
	}
	// Chapter 1: "CHAPTER 1" / "" / "one two" "three four" / "" / "five six".
	for i, want := range [][2]int{{8, 6}, {3, 3}, {8, 6}} {
		w, l, err := TextStats(d[i])
		if err != nil || w != want[0] || l != want[1] {
			t.Errorf("task %d: %d words, %d lines (%v); want %v", i, w, l, err, want)
		}
	}
	if err := j.Check(d); err != nil {
		t.Error(err)
	}
}

func TestSpecString(t *testing.T) {
	s := Spec{Name: "scrape", Size: 5, Options: Options{Seed: 2, Latency: time.Millisecond}}
	if got := s.String(); got != "scrape(5 latency=1ms seed=2)" {
		t.Errorf("String() = %q", got)
	}
	if got := (Spec{Name: Primes, Size: 7}).String(); got != "primes(7)" {
		t.Errorf("String() = %q", got)
	}
}

// A Spec crosses to a worker process as JSON: it must come back equal, and
// a Spec without options must not carry an empty options object.
func TestSpecJSON(t *testing.T) {
	for _, s := range []Spec{
		{Name: Primes, Size: 7},
		{Name: Scrape, Size: 3, Options: Options{Latency: 20 * time.Millisecond, ErrorRate: 0.25, Addr: "127.0.0.1:9", Pages: 8}},
		{Name: Disk, Size: 3, Options: Options{Fsync: true, Dir: "d"}},
	} {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var back Spec
		if err := json.Unmarshal(b, &back); err != nil {
			t.Fatal(err)
		}
		if back != s {
			t.Errorf("%s: JSON %s came back as %+v", s, b, back)
		}
		if s.Options == (Options{}) && strings.Contains(string(b), "options") {
			t.Errorf("%s: JSON %s carries empty options", s, b)
		}
	}
}
