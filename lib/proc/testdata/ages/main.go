// Command ages is a plain program that maps a task over a process pool, the
// tutorial's scientists and their ages; the proc tests build and run it.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/go-parallelism/go-parallelism/lib/proc"
)

type Scientist struct {
	Name string
	Born int
}

type Aged struct {
	Name     string
	Age, PID int
}

var age = proc.Register("age", func(_ context.Context, s Scientist) (Aged, error) {
	return Aged{s.Name, 2025 - s.Born, os.Getpid()}, nil
})

func main() {
	fmt.Println("main starts") // printed by workers too, into /dev/null
	proc.Main()
	ctx := context.Background()
	pool, err := proc.NewPool(ctx, 2)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	defer pool.Close()
	scientists := []Scientist{
		{"Ada Lovelace", 1815}, {"Emmy Noether", 1882}, {"Marie Curie", 1867}, {"Tu Youyou", 1930},
		{"Ada Yonath", 1939}, {"Vera Rubin", 1928}, {"Sally Ride", 1951},
	}
	ages, err := age.Map(ctx, pool, scientists, 2)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for _, a := range ages {
		fmt.Printf("%s %d %v\n", a.Name, a.Age, a.PID != os.Getpid())
	}
}
