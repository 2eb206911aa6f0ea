// Demo writes an HTML page with one chart of each kind, from a small real
// experiment, for the browser check to test and for people to look at.
//
//	go run ./scripts/browser/demo -o build/chart-demo.html
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"sync"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/bench"
	"github.com/go-parallelism/go-parallelism/lib/chart"
	"github.com/go-parallelism/go-parallelism/lib/trace"
)

// spin keeps a core busy for d: a stand-in for a CPU-bound task.
func spin(d time.Duration) {
	for start := time.Now(); time.Since(start) < d; {
	}
}

const tasks = 24

func sequential(ctx context.Context, _ bench.Param) error {
	for i := range tasks {
		done := trace.Task(ctx, i, 0)
		spin(time.Millisecond)
		done(nil)
	}
	return nil
}

func pool(ctx context.Context, p bench.Param) error {
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := range p.Workers {
		wg.Go(func() {
			for i := range jobs {
				done := trace.Task(ctx, i, w)
				spin(time.Millisecond + time.Duration(i%5)*200*time.Microsecond)
				done(nil)
			}
		})
	}
	for i := range tasks {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return nil
}

func main() {
	out := flag.String("o", "build/chart-demo.html", "page to write")
	svgDir := flag.String("svg", "", "also write each chart's SVG into this directory")
	flag.Parse()

	res, err := bench.Run(context.Background(), bench.Experiment{
		Name: "spin", Reps: 3, Warmup: 1, Sweep: bench.Workers(1, 2, 4),
		Variants: []bench.Variant{{Name: "sequential", Run: sequential}, {Name: "pool", Run: pool}},
	})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Fprint(os.Stderr, res)
	spans := res.Spans("pool", bench.Param{Workers: 4})
	charts := []*chart.Chart{
		chart.Times(res),
		chart.Speedup(res),
		chart.Timeline(spans),
		chart.TaskLatency(spans),
	}
	if err := chart.WritePage(*out, "lib/chart: one chart of each kind", charts...); err != nil {
		log.Fatal(err)
	}
	if *svgDir != "" {
		for _, c := range charts {
			if err := c.WriteSVG(fmt.Sprintf("%s/%s.svg", *svgDir, c.Kind())); err != nil {
				log.Fatal(err)
			}
		}
	}
}
