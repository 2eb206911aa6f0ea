// Demo writes an HTML page with one chart of each kind, from a small real
// experiment, for the browser check to test and for people to look at; with
// -ipynb it also writes a notebook whose outputs hold the same charts as
// GoNB displays them, to export with nbconvert.
//
//	go run ./scripts/chartdemo -o build/chart-demo.html -ipynb build/chart-demo.ipynb
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/bench"
	"github.com/go-parallelism/go-parallelism/lib/chart"
	"github.com/go-parallelism/go-parallelism/lib/span"
)

// spin keeps a core busy for d: a stand-in for a CPU-bound task.
func spin(d time.Duration) {
	for start := time.Now(); time.Since(start) < d; {
	}
}

const tasks = 24

func sequential(ctx context.Context, _ bench.Param) error {
	for i := range tasks {
		done := span.Task(ctx, i, 0)
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
				done := span.Task(ctx, i, w)
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
	nb := flag.String("ipynb", "", "also write a notebook with the charts as cell outputs")
	lab := flag.String("labsim", "", "also write a page that inserts the charts the way JupyterLab does")
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
		crowded(),
	}
	if err := chart.WritePage(*out, "lib/chart: one chart of each kind", charts...); err != nil {
		log.Fatal(err)
	}
	if *lab != "" {
		if err := writeLabSim(*lab, charts); err != nil {
			log.Fatal(err)
		}
	}
	if *nb != "" {
		if err := writeNotebook(*nb, charts); err != nil {
			log.Fatal(err)
		}
	}
	if *svgDir != "" {
		for _, c := range charts {
			if err := c.WriteSVG(fmt.Sprintf("%s/%s.svg", *svgDir, c.Kind())); err != nil {
				log.Fatal(err)
			}
		}
	}
}

// writeNotebook writes an nbformat 4 notebook with one code cell per chart,
// whose output is the chart's display bundle.
func writeNotebook(path string, charts []*chart.Chart) error {
	type output struct {
		OutputType string            `json:"output_type"`
		Data       map[string]string `json:"data"`
		Metadata   map[string]any    `json:"metadata"`
	}
	type cell struct {
		ID             string         `json:"id"`
		CellType       string         `json:"cell_type"`
		ExecutionCount *int           `json:"execution_count"`
		Metadata       map[string]any `json:"metadata"`
		Source         []string       `json:"source"`
		Outputs        []output       `json:"outputs"`
	}
	var cells []cell
	for i, c := range charts {
		b, err := c.Bundle()
		if err != nil {
			return err
		}
		n := i + 1
		cells = append(cells, cell{ID: fmt.Sprintf("chart-%d", n), CellType: "code", ExecutionCount: &n, Metadata: map[string]any{},
			Source:  []string{fmt.Sprintf("chart.%s(res).Display()", c.Kind())},
			Outputs: []output{{OutputType: "display_data", Data: b, Metadata: map[string]any{}}}})
	}
	doc := map[string]any{
		"nbformat": 4, "nbformat_minor": 5, "cells": cells,
		"metadata": map[string]any{
			"kernelspec":    map[string]string{"name": "gonb", "display_name": "Go (gonb)", "language": "go"},
			"language_info": map[string]string{"name": "go"},
		},
	}
	out, err := json.MarshalIndent(doc, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o644)
}

// labSim inserts output HTML as JupyterLab's renderHTML does: innerHTML on a
// node that is not yet in the document, each script replaced by a fresh
// copy (scripts set through innerHTML never run), and the node attached
// later, so scripts run only then.
const labSim = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>JupyterLab-style insertion</title></head>
<body style="font-family:sans-serif">
<div id="outputs"></div>
<script>
(function () {
  var outputs = __OUTPUTS__;
  outputs.forEach(function (html, i) {
    var host = document.createElement('div');
    host.innerHTML = html;
    host.querySelectorAll('script').forEach(function (old) {
      var s = document.createElement('script');
      s.textContent = old.textContent;
      old.parentNode.replaceChild(s, old);
    });
    setTimeout(function () { document.getElementById('outputs').appendChild(host); }, 200 + 100 * i);
  });
})();
</script>
</body></html>
`

func writeLabSim(path string, charts []*chart.Chart) error {
	var outputs []string
	for _, c := range charts {
		h, err := c.HTML()
		if err != nil {
			return err
		}
		outputs = append(outputs, h)
	}
	js, err := json.Marshal(outputs) // escapes <, > and &, so no </script> inside
	if err != nil {
		return err
	}
	return os.WriteFile(path, []byte(strings.Replace(labSim, "__OUTPUTS__", string(js), 1)), 0o644)
}

// crowded is a bar chart with many long categories and a long subtitle,
// which must stay readable.
func crowded() *chart.Chart {
	names := []string{"scrape", "disk", "pipe", "tcp", "primes", "text", "images", "analysis", "mandelbrot", "montecarlo"}
	var series []chart.Series
	for i, m := range []string{"goroutines", "pool(2)", "processes(2)"} {
		s := chart.Series{Name: m}
		for j := range names {
			s.Y = append(s.Y, float64(1+(i*7+j*3)%9)/2)
		}
		series = append(series, s)
	}
	ideal := chart.Series{Name: "ideal for computing: 2 CPUs", Dashed: true}
	for range names {
		ideal.Y = append(ideal.Y, 2)
	}
	c := chart.NewBars("speedup over sequential", names, append(series, ideal)...)
	c.Subtitle = "median wall time, speedup over sequential, CPU time/wall time; median of 2 runs; linux/amd64, 2 CPUs, GOMAXPROCS=2"
	return c.YAxis("speedup", "x")
}
