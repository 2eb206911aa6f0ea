//go:build unix

package measure

import (
	"errors"
	"runtime"
	"sync"
	"syscall"
	"time"
)

// SwitchThreadsPipe passes one byte back and forth between two OS threads
// (goroutines locked to their threads) through two pipes, with blocking
// read and write system calls, rounds times. Each thread sleeps in the
// kernel until the other writes, so every hand-over is a switch between two
// threads of one process done by the kernel's scheduler, with the same
// system calls as SwitchProcesses. N is 2*rounds.
func SwitchThreadsPipe(rounds int) (Timing, error) {
	t := Timing{What: "OS thread switch (pipe)", N: 2 * rounds}
	if err := checkN("SwitchThreadsPipe", "rounds", rounds); err != nil {
		return t, err
	}
	var there, back [2]int // there: this thread -> echo thread; back: echo -> this
	if err := syscall.Pipe(there[:]); err != nil {
		return t, err
	}
	if err := syscall.Pipe(back[:]); err != nil {
		syscall.Close(there[0])
		syscall.Close(there[1])
		return t, err
	}
	var wg sync.WaitGroup
	wg.Go(func() { // the echo thread: read a byte, write it back, until EOF
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		defer syscall.Close(back[1])
		b := []byte{0}
		for {
			if n, err := readFull(there[0], b); n == 0 || err != nil {
				return
			}
			if _, err := writeFull(back[1], b); err != nil {
				return
			}
		}
	})
	var err error
	func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		b := []byte{0}
		start := time.Now()
		for i := range rounds {
			b[0] = byte(i)
			if _, err = writeFull(there[1], b); err != nil {
				break
			}
			if _, err = readFull(back[0], b); err != nil {
				break
			}
		}
		t.Total = time.Since(start)
	}()
	syscall.Close(there[1]) // EOF for the echo thread
	wg.Wait()
	syscall.Close(there[0])
	syscall.Close(back[0])
	return t, err
}

// readFull reads len(b) bytes from the blocking descriptor fd, retrying when
// a signal interrupts the call; it returns 0 at end of file.
func readFull(fd int, b []byte) (int, error) {
	got := 0
	for got < len(b) {
		n, err := syscall.Read(fd, b[got:])
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return got, err
		}
		if n == 0 {
			return got, nil
		}
		got += n
	}
	return got, nil
}

// writeFull writes b to the blocking descriptor fd, retrying on EINTR.
func writeFull(fd int, b []byte) (int, error) {
	put := 0
	for put < len(b) {
		n, err := syscall.Write(fd, b[put:])
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil {
			return put, err
		}
		put += n
	}
	return put, nil
}
