// Command gendata writes the course's generated data: a pseudo-English
// corpus for the text workload and a sales CSV for the analysis workload.
// Both come from fixed seeds, so the output is the same on every machine.
//
// Run it from the repository root:
//
//	go run ./scripts/gendata                          # data/corpus.txt and data/sales.csv (the samples)
//	go run ./scripts/gendata -rows 1000000 -sales /tmp/sales-1m.csv
//
// Then use a larger file with workload.Spec{Name: "analysis", Size: 1000,
// Options: workload.Options{File: "/tmp/sales-1m.csv"}}.
package main

import (
	"flag"
	"fmt"
	"io"
	"log"
	"os"

	"github.com/go-parallelism/go-parallelism/lib/workload"
)

func main() {
	log.SetFlags(0)
	log.SetPrefix("gendata: ")
	var (
		corpus   = flag.String("corpus", "data/corpus.txt", "where to write the corpus (empty: skip)")
		chapters = flag.Int("chapters", workload.CorpusChapters, "chapters in the corpus")
		sales    = flag.String("sales", "data/sales.csv", "where to write the sales CSV (empty: skip)")
		rows     = flag.Int("rows", workload.SalesRows, "rows in the sales CSV")
		seed     = flag.Uint64("seed", 1, "seed of both generators")
	)
	flag.Parse()
	if *corpus != "" {
		write(*corpus, func(w io.Writer) error { return workload.WriteCorpus(w, *chapters, *seed) })
	}
	if *sales != "" {
		write(*sales, func(w io.Writer) error { return workload.WriteSales(w, *rows, *seed) })
	}
}

func write(path string, gen func(io.Writer) error) {
	f, err := os.Create(path)
	if err != nil {
		log.Fatal(err)
	}
	if err := gen(f); err != nil {
		f.Close()
		os.Remove(path)
		log.Fatal(err)
	}
	if err := f.Close(); err != nil {
		log.Fatal(err)
	}
	st, _ := os.Stat(path)
	fmt.Printf("wrote %s (%d bytes)\n", path, st.Size())
}
