package cluster_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-parallelism/go-parallelism/lib/cluster"
	"github.com/go-parallelism/go-parallelism/lib/workload"
)

// A three-server cluster loses the server that leads the stream in the
// middle of a Map; the stream, replicated three ways, elects a new leader,
// and every item is in the results exactly once.
func TestClusterLosesStreamLeader(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	t0 := time.Now()
	srvs, err := cluster.StartServers(ctx, 3)
	if err != nil {
		t.Fatal(err)
	}
	defer func() {
		if err := srvs.Close(); err != nil {
			t.Error(err)
		}
	}()
	t.Logf("three servers ready in %v: %s", time.Since(t0), srvs.URL())
	for _, name := range srvs.Names() {
		checkLoopback(t, srvs.PID(name)) // client and route ports alike
	}
	c, err := cluster.Connect(ctx, srvs.URL())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()

	job := newJob(t, workload.Spec{Name: workload.Scrape, Size: 40, Options: workload.Options{Latency: 30 * time.Millisecond}})
	var killed string
	for _, w := range []cluster.Workers{cluster.Processes(2)} {
		t0 = time.Now()
		res, err := cluster.Map(ctx, c, job, w, cluster.Options{
			AckWait: 500 * time.Millisecond,
			OnItem: func(done int) {
				if done != 10 {
					return
				}
				leader, err := c.StreamLeader(ctx, cluster.DefaultStream)
				if err != nil {
					t.Error(err)
					return
				}
				killed = leader
				if err := srvs.Kill(leader); err != nil {
					t.Error(err)
				}
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%v: %v, leader %s -> %s, redelivered %d, duplicates %d", w, time.Since(t0), res.LeaderBefore, res.LeaderAfter, res.Redelivered, res.Duplicates)
		exactlyOnce(t, job, res)
		if res.Replicas != 3 {
			t.Errorf("Replicas = %d, want 3 in a cluster of three", res.Replicas)
		}
		if res.LeaderBefore != killed || res.LeaderAfter == "" || res.LeaderAfter == killed {
			t.Errorf("leader before %q, after %q; killed %q: want the killed leader replaced", res.LeaderBefore, res.LeaderAfter, killed)
		}
		if alive := srvs.Alive(); len(alive) != 2 || slices.Contains(alive, killed) {
			t.Errorf("alive servers %v after killing %s", alive, killed)
		}
	}
	// Stop asks a server to leave; Close then reports no failure, neither
	// for it nor for the killed one.
	other := srvs.Alive()[0]
	if err := srvs.Stop(other); err != nil {
		t.Fatal(err)
	}
	if alive := srvs.Alive(); len(alive) != 1 || slices.Contains(alive, other) {
		t.Errorf("alive servers %v after stopping %s", alive, other)
	}
	if err := srvs.Kill("n9"); err == nil || !strings.Contains(err.Error(), "n1, n2, n3") {
		t.Errorf("Kill(n9): err = %v, want one that lists the servers", err)
	}
}
