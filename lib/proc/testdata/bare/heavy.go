//go:build heavy

package main

// What a notebook cell's program links: its workers initialise all of it.
import (
	_ "github.com/go-parallelism/go-parallelism/lib/bench"
	_ "github.com/go-parallelism/go-parallelism/lib/chart"
	_ "github.com/go-parallelism/go-parallelism/lib/model"
	_ "github.com/go-parallelism/go-parallelism/lib/nb"
)
