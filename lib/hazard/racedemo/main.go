// Command racedemo runs hazard.CountRacy once and prints the count. Run it
// with the race detector to see the race reported:
//
//	go run -race ./lib/hazard/racedemo
package main

import (
	"fmt"
	"os"

	"github.com/go-parallelism/go-parallelism/lib/hazard"
)

func main() {
	c, err := hazard.CountRacy(2, 100)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(c)
}
