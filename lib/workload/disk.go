package workload

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strconv"
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// Disk names the "disk" workload: task i writes file i (deterministic
// content) into a temporary directory, optionally fsyncs it, reads it back
// and verifies its CRC-32C; its digest is the CRC. The files stay until
// Close, which removes the directory; a task that fails removes its file.
//
// Size is the number of files (at most 100,000). With the default 64 KiB
// files and no fsync the data stays in the page cache, so a task is a few
// system calls and copies, kernel CPU work: Size 2000 takes about 0.5 s, and
// goroutines gain little. With Fsync every file waits for the disk,
// which makes the workload truly I/O-bound: on the course machine a file
// takes about 0.7-1.3 ms, so Size 400 takes about 0.3-0.5 s sequentially,
// and concurrent fsyncs share journal commits.
//
// Options:
//   - FileSize: bytes per file (default 65536)
//   - Fsync: fsync every file before reading it back
//   - Dir: where to create the temporary directory (default os.TempDir())
const Disk = "disk"

// newDisk builds a Disk job.
func newDisk(s Spec) (*Job, error) {
	c := checker{workload: s.Name}
	size := c.int("FileSize", s.Options.FileSize, 64<<10, 1, 1<<30)
	fsync, parent := s.Options.Fsync, s.Options.Dir
	if err := c.err(); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(parent, "workload-disk-")
	if err != nil {
		return nil, fmt.Errorf("workload disk: %w", err)
	}
	return &Job{
		N: s.Size,
		Task: func(ctx context.Context, i int) (string, error) {
			name := filepath.Join(dir, "file-"+strconv.Itoa(i))
			sum, err := writeReadBack(ctx, name, i, size, fsync)
			if err != nil {
				os.Remove(name)
				return "", err
			}
			return sum, nil
		},
		Check: func(got []string) error {
			want := make([]string, s.Size)
			for i := range want {
				want[i] = crcHex(fileCRC(i, size))
			}
			return compare(s.Name, want, got)
		},
		Close: closeOnce(func() error { return os.RemoveAll(dir) }),
	}, nil
}

// content generates the bytes of file i: a xorshift stream seeded by i.
type content struct{ x uint64 }

func newContent(i int) *content { return &content{uint64(i)*0x9E3779B97F4A7C15 | 1} }

// fill fills b with the next len(b) bytes; len(b) must be a multiple of 8
// except on the last call.
func (c *content) fill(b []byte) {
	var w [8]byte
	for len(b) > 0 {
		c.x ^= c.x << 13
		c.x ^= c.x >> 7
		c.x ^= c.x << 17
		binary.LittleEndian.PutUint64(w[:], c.x)
		b = b[copy(b, w[:]):]
	}
}

// fileCRC is the CRC-32C of the size bytes of file i.
func fileCRC(i, size int) uint32 {
	c, buf, crc := newContent(i), make([]byte, min(size, chunk)), uint32(0)
	for left := size; left > 0; left -= len(buf) {
		buf = buf[:min(left, chunk)]
		c.fill(buf)
		crc = crc32.Update(crc, castagnoli, buf)
	}
	return crc
}

func crcHex(c uint32) string { return fmt.Sprintf("%08x", c) }

// chunk is how much is generated, written or read between two looks at ctx.
const chunk = 64 << 10

func writeReadBack(ctx context.Context, name string, i, size int, fsync bool) (string, error) {
	f, err := os.Create(name)
	if err != nil {
		return "", err
	}
	c, buf, want := newContent(i), make([]byte, min(size, chunk)), uint32(0)
	for left := size; left > 0; left -= len(buf) {
		if err := ctx.Err(); err != nil {
			f.Close()
			return "", err
		}
		buf = buf[:min(left, chunk)]
		c.fill(buf)
		want = crc32.Update(want, castagnoli, buf)
		if _, err := f.Write(buf); err != nil {
			f.Close()
			return "", err
		}
	}
	if fsync {
		if err := f.Sync(); err != nil {
			f.Close()
			return "", err
		}
	}
	if err := f.Close(); err != nil {
		return "", err
	}

	f, err = os.Open(name)
	if err != nil {
		return "", err
	}
	defer f.Close()
	buf = buf[:cap(buf)]
	var got uint32
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return "", err
		}
		m, err := f.Read(buf)
		got = crc32.Update(got, castagnoli, buf[:m])
		n += int64(m)
		if errors.Is(err, io.EOF) || (err == nil && m == 0) {
			break
		}
		if err != nil {
			return "", err
		}
	}
	if n != int64(size) {
		return "", fmt.Errorf("%s: read %d bytes, wrote %d", name, n, size)
	}
	if got != want {
		return "", fmt.Errorf("%s: CRC %s, wrote %s", name, crcHex(got), crcHex(want))
	}
	return crcHex(want), nil
}
