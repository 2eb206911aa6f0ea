//go:build heavy

package main

import _ "github.com/go-parallelism/go-parallelism/lib/model" // what a notebook cell links
