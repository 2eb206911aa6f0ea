package measure

import (
	"fmt"
	"io"
	"os/exec"
	"runtime"
	"sync"
	"time"
)

// SwitchGoroutines passes a token back and forth between two goroutines over
// two unbuffered channels, rounds times, and reports one switch (half a round
// trip) as the operation: N is 2*rounds. A round trip, 2*Each, is what a
// request to a goroutine and its reply cost, the in-process counterpart of a
// task sent to a worker process.
func SwitchGoroutines(rounds int) (Timing, error) {
	return pingPong("SwitchGoroutines", "goroutine switch", rounds, false)
}

// SwitchThreads is SwitchGoroutines with both goroutines locked to their own
// OS thread, so that every hand-over wakes another OS thread through the
// kernel, and the Go runtime hands its processor (P) from one thread to the
// other. SwitchThreadsPipe measures the same two threads without the
// runtime's part.
func SwitchThreads(rounds int) (Timing, error) {
	return pingPong("SwitchThreads", "OS thread switch (channel)", rounds, true)
}

func pingPong(fn, what string, rounds int, locked bool) (Timing, error) {
	t := Timing{What: what, N: 2 * rounds}
	if err := checkN(fn, "rounds", rounds); err != nil {
		return t, err
	}
	ping, pong := make(chan int), make(chan int)
	ready := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		if locked {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
		}
		ready <- struct{}{}
		for v := range ping {
			pong <- v + 1
		}
	})
	func() {
		if locked {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
		}
		<-ready
		start := time.Now()
		for i := range rounds {
			ping <- i
			<-pong
		}
		t.Total = time.Since(start)
	}()
	close(ping)
	wg.Wait()
	return t, nil
}

// SwitchProcesses sends one byte to a child process, cat, through a pipe and
// reads it back through another, rounds times: every round trip is two
// switches between processes, each with its read and write system calls,
// exactly as in SwitchThreadsPipe. N is 2*rounds.
func SwitchProcesses(rounds int) (Timing, error) {
	t := Timing{What: "OS process switch", N: 2 * rounds}
	if err := checkN("SwitchProcesses", "rounds", rounds); err != nil {
		return t, err
	}
	cmd := exec.Command("cat")
	in, err := cmd.StdinPipe()
	if err != nil {
		return t, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return t, err
	}
	if err := cmd.Start(); err != nil {
		return t, fmt.Errorf("measure: SwitchProcesses: %w", err)
	}
	b := []byte{0}
	start := time.Now()
	for i := range rounds {
		b[0] = byte(i)
		if _, err = in.Write(b); err != nil {
			break
		}
		if _, err = io.ReadFull(out, b); err != nil {
			break
		}
	}
	t.Total = time.Since(start)
	in.Close()
	if werr := cmd.Wait(); err == nil {
		err = werr
	}
	return t, err
}
