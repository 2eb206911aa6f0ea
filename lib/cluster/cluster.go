// Package cluster runs the course's workloads beyond one machine: as a work
// queue on NATS JetStream, with workers that may be goroutines, processes,
// or programs on other machines.
//
// A work queue decouples who has the work from who does it. Map publishes
// one message per item to a stream (a log that the server keeps on disk,
// replicated in a cluster); workers anywhere fetch items from a consumer of
// that stream, run them and acknowledge them; an acknowledged item leaves
// the queue. Nobody assigns items to workers: a free worker asks for one.
// Adding a machine means starting a worker on it with the same URL.
//
//	c, err := cluster.Open(ctx, os.Getenv("NATS_URL")) // "" starts an embedded server
//	if err != nil { ... }
//	defer c.Close()
//	res, err := cluster.Map(ctx, c, job, cluster.Processes(2), cluster.Options{})
//
// # Failures are normal
//
// A worker can die at any moment. The server redelivers an item that was
// not acknowledged within AckWait, so no item is lost, but an item may run
// twice: delivery is at least once. Map keeps the first result of each item
// and drops the others (Result.Duplicates), so the results hold each item
// exactly once. Result.Redelivered counts the work done again.
//
// An item that kills every worker that takes it (a poison message) would
// come back forever; MaxDeliver stops that. After MaxDeliver deliveries the
// server gives up on it: Map returns a *PoisonError for it and lists it in
// Result.DeadLetters, and the message stays in the stream for inspection.
// A task that returns an error is not retried: its *ItemError is the answer.
//
// # One server or a cluster
//
// With an empty URL, Open starts a NATS server inside this process (Start),
// listening on 127.0.0.1 only, with its store in a temporary directory that
// Close removes: nothing to install, works offline. Give it a URL and the
// same code runs against a real server or cluster. StartServers starts a
// real cluster on this machine, three servers in separate processes, so
// that losing one can be tried: the stream, replicated on three servers,
// carries on with the other two.
//
// Every wait has a bound: the context given, and a few seconds for each
// request to the server, after which it is made again.
//
// Errors that a caller may want to tell apart are types: *UnreachableError,
// *NoJetStreamError, *StreamExistsError, and per item *ItemError and
// *PoisonError (ItemErrors sorts them by item).
package cluster
