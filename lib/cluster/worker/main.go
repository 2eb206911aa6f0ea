// Command worker takes items off the work queue of cluster.Map, on any
// machine that reaches the NATS server or cluster:
//
//	go run github.com/go-parallelism/go-parallelism/lib/cluster/worker -nats nats://10.0.0.5:4222
//
// Start as many as you like, on as many machines; each asks for an item when
// it has room for one, so faster machines take more. It serves one Map
// after another (it waits for the stream to appear) until you stop it with
// Ctrl-C. The program that calls Map passes cluster.Elsewhere() to rely on
// these workers alone, or adds them to its own.
//
// A worker rebuilds each job from its workload.Spec, so the CPU-bound
// workloads run anywhere; the I/O-bound ones that talk to a server the Map's
// machine started on 127.0.0.1 (scrape, tcp) work only on that machine.
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"syscall"

	"github.com/go-parallelism/go-parallelism/lib/cluster"
)

func main() {
	url := flag.String("nats", os.Getenv("NATS_URL"), "NATS server or cluster URL(s), comma-separated (default $NATS_URL)")
	stream := flag.String("stream", cluster.DefaultStream, "work stream to serve (Options.Stream of the Map)")
	inFlight := flag.Int("inflight", 1, "items held at once")
	flag.Parse()
	if *url == "" {
		fmt.Fprintln(os.Stderr, "worker: no NATS URL: pass -nats nats://host:4222 or set NATS_URL")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	c, err := cluster.Connect(ctx, *url)
	if err != nil {
		log.Fatal(err)
	}
	defer c.Close()
	log.Printf("worker pid %d: serving stream %s on %s (server %s); Ctrl-C to stop", os.Getpid(), *stream, c.URL(), c.Server())
	if err := cluster.Serve(ctx, c, *stream, *inFlight); err != nil {
		log.Fatal(err)
	}
}
