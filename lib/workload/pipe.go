package workload

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os/exec"
	"strconv"
	"time"
)

// Pipe names the "pipe" workload, data sharing between programs: task i
// starts a separate OS process, the system tool cat, writes records to its
// standard input through a pipe while reading them back from its standard
// output through another, and verifies their CRC-32C; its digest is the CRC.
// Cancelling ctx kills the child.
//
// Size is the number of tasks, that is of child processes (at most 10,000).
// Each task moves Records records of RecordSize bytes both ways (default
// 1000 × 100 bytes). Starting a process costs about 4 ms of CPU on the course
// machine, so Size 100 takes about 0.5 s sequentially; that is kernel work,
// so goroutines gain little on two cores. With Latency the child first
// sleeps (sh -c 'sleep ...; exec cat'), like a slow program at the other end
// of the pipe: then tasks mostly wait, and goroutines overlap the waits.
//
// Options:
//   - Records: records per task (default 1000)
//   - RecordSize: bytes per record, newline included (default 100, at least 20)
//   - Latency: how long the child waits before copying (default none)
const Pipe = "pipe"

// newPipe builds a Pipe job.
func newPipe(s Spec) (*Job, error) {
	c := checker{workload: s.Name}
	records := c.int("Records", s.Options.Records, 1000, 1, 100_000_000)
	recSize := c.int("RecordSize", s.Options.RecordSize, 100, 20, 1<<20)
	latency := c.duration("Latency", s.Options.Latency, 0, maxWait)
	if err := c.err(); err != nil {
		return nil, err
	}
	// The child is cat, or, with a latency, a shell that sleeps first and
	// then becomes cat: a slow program at the other end of the pipe.
	argv := []string{"cat"}
	if latency > 0 {
		argv = []string{"sh", "-c", `sleep "$1" && exec cat`, "sh", strconv.FormatFloat(latency.Seconds(), 'f', -1, 64)}
		if _, err := exec.LookPath("sleep"); err != nil {
			return nil, fmt.Errorf("workload pipe: %w", err)
		}
	}
	path, err := exec.LookPath(argv[0])
	if err != nil {
		return nil, fmt.Errorf("workload pipe: %w", err)
	}
	argv[0] = path
	want := func(i int) uint32 {
		h := crc32.New(castagnoli)
		writeRecords(h, i, records, recSize)
		return h.Sum32()
	}
	return &Job{
		N: s.Size,
		Task: func(ctx context.Context, i int) (string, error) {
			got, n, err := roundTrip(ctx, argv, i, records, recSize)
			if err != nil {
				return "", err
			}
			if n != int64(records*recSize) {
				return "", fmt.Errorf("pipe: read back %d bytes, wrote %d", n, records*recSize)
			}
			if w := want(i); got != w {
				return "", fmt.Errorf("pipe: CRC %s, wrote %s", crcHex(got), crcHex(w))
			}
			return crcHex(got), nil
		},
		Check: func(got []string) error {
			w := make([]string, s.Size)
			for i := range w {
				w[i] = crcHex(want(i))
			}
			return compare(s.Name, w, got)
		},
	}, nil
}

// writeRecords writes the records of task i: fixed-size lines of
// "task record payload...".
func writeRecords(w io.Writer, task, records, size int) error {
	line := make([]byte, size)
	for r := range records {
		line = line[:0]
		line = strconv.AppendInt(line, int64(task), 10)
		line = append(line, ' ')
		line = strconv.AppendInt(line, int64(r), 10)
		line = append(line, ' ')
		for k := len(line); k < size-1; k++ {
			line = append(line, 'a'+byte((task+r+k)%26))
		}
		line = append(line, '\n')
		if _, err := w.Write(line); err != nil {
			return err
		}
	}
	return nil
}

// roundTrip sends the records of task through a child process that copies
// its input to its output, and returns the CRC and length of what came back.
func roundTrip(ctx context.Context, argv []string, task, records, size int) (uint32, int64, error) {
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.WaitDelay = 5 * time.Second // never wait forever for the pipes
	in, err := cmd.StdinPipe()
	if err != nil {
		return 0, 0, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, 0, err
	}
	killGroup(cmd) // where supported, cancelling kills the child's children too
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	// A grandchild (sleep) may hold the pipes open after the child is
	// killed; closing our ends on cancellation unblocks us regardless.
	stop := context.AfterFunc(ctx, func() {
		in.Close()
		out.Close()
	})
	defer stop()

	// Write and read at the same time: a pipe holds only 64 KiB, so writing
	// everything first would block both processes.
	werr := make(chan error, 1)
	go func() {
		bw := bufio.NewWriterSize(in, 64<<10)
		err := writeRecords(bw, task, records, size)
		if err == nil {
			err = bw.Flush()
		}
		if cerr := in.Close(); err == nil {
			err = cerr
		}
		werr <- err
	}()

	h := crc32.New(castagnoli)
	n, rerr := io.Copy(h, out)
	if rerr != nil {
		cmd.Process.Kill() // unblock the writer
	}
	wErr := <-werr
	waitErr := cmd.Wait()
	if err := ctx.Err(); err != nil {
		return 0, 0, err
	}
	if err := errors.Join(rerr, wErr, waitErr); err != nil {
		return 0, 0, fmt.Errorf("pipe through %s: %w", argv[0], err)
	}
	return h.Sum32(), n, nil
}
