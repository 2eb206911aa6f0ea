// Demo writes an HTML page with one chart of each kind, from a small real
// experiment, for the browser check to test and for people to look at; with
// -ipynb it also writes a notebook whose outputs hold the same charts as
// GoNB displays them, to export with nbconvert.
//
//	go run ./scripts/browser/demo -o build/chart-demo.html -ipynb build/chart-demo.ipynb
package main

import (
	"context"
	"encoding/json"
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
	nb := flag.String("ipynb", "", "also write a notebook with the charts as cell outputs")
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
