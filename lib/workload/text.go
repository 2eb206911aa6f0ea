package workload

import (
	"bytes"
	"context"
	"fmt"
	"hash/crc32"
	"path/filepath"
	"sync"
)

// Text names the "text" workload, text formatting: task i takes chapter
// i of the corpus (cycling through its chapters), collapses irregular spaces,
// wraps every paragraph to Width columns and counts its words and lines;
// its digest is "words:lines:crc" of the formatted chapter.
//
// The corpus is data/corpus.txt, a deterministic pseudo-English text of 40
// chapters of about 20 KB (go run ./scripts/gendata writes it; if the file is
// not found the same text is generated in memory), or the file named by
// File, whose chapters start with a line "CHAPTER ...".
//
// Size is the number of chapters to format (at most 1,000,000), cycling
// through the corpus. A chapter takes about 40 µs, so Size 10000 takes about
// 0.5 s sequentially; Repeat makes each task coarser.
//
// Options:
//   - Width: columns to wrap to (default 72)
//   - Repeat: times each task formats its chapter (default 1)
//   - File: a text file to use instead of the corpus
const Text = "text"

// newText builds a Text job.
func newText(s Spec) (*Job, error) {
	c := checker{workload: s.Name}
	width := c.int("Width", s.Options.Width, 72, 10, 1<<20)
	repeat := c.int("Repeat", s.Options.Repeat, 1, 1, 1<<30)
	file := s.Options.File
	if err := c.err(); err != nil {
		return nil, err
	}
	text, err := loadCorpus(s.Name, file)
	if err != nil {
		return nil, err
	}
	chapters := splitChapters(text)
	if len(chapters) == 0 {
		return nil, fmt.Errorf("workload text: %s has no text", file)
	}
	format := func(ctx context.Context, c int) (string, error) {
		// Reuse output buffers: with thousands of goroutines, each
		// allocating its own, the garbage collector would dominate.
		buf := textBuffers.Get().(*[]byte)
		defer textBuffers.Put(buf)
		out := *buf
		var words, lines int
		for range repeat {
			var err error
			if out, words, lines, err = formatChapter(ctx, out[:0], chapters[c], width); err != nil {
				return "", err
			}
		}
		*buf = out
		return fmt.Sprintf("%d:%d:%08x", words, lines, crc32.Checksum(out, castagnoli)), nil
	}
	var (
		once sync.Once
		want []string
	)
	return &Job{
		N: s.Size,
		Task: func(ctx context.Context, i int) (string, error) {
			return format(ctx, i%len(chapters))
		},
		Check: func(got []string) error {
			once.Do(func() {
				want = make([]string, len(chapters))
				for c := range chapters {
					want[c], _ = format(context.Background(), c)
				}
			})
			all := make([]string, s.Size)
			for i := range all {
				all[i] = want[i%len(chapters)]
			}
			return compare(s.Name, all, got)
		},
	}, nil
}

var textBuffers = sync.Pool{New: func() any { return new([]byte) }}

var (
	corpusOnce sync.Once
	corpus     []byte
)

// loadCorpus reads file, or the default corpus if file is "".
func loadCorpus(workload, file string) ([]byte, error) {
	if file != "" {
		return readData(workload, file)
	}
	corpusOnce.Do(func() {
		if dir := dataDir(); dir != "" {
			if b, err := readData(workload, filepath.Join(dir, "corpus.txt")); err == nil {
				corpus = b
				return
			}
		}
		var buf bytes.Buffer
		WriteCorpus(&buf, CorpusChapters, CorpusSeed)
		corpus = buf.Bytes()
	})
	return corpus, nil
}

// splitChapters cuts text before every line that starts with "CHAPTER".
func splitChapters(text []byte) [][]byte {
	var out [][]byte
	marker := []byte("\nCHAPTER")
	for len(bytes.TrimSpace(text)) > 0 {
		k := bytes.Index(text[1:], marker)
		if k < 0 {
			out = append(out, text)
			break
		}
		out = append(out, text[:k+1])
		text = text[k+2:]
	}
	return out
}

// formatChapter appends the formatted chapter to out: paragraphs (separated
// by blank lines) with their spaces collapsed, wrapped to width columns,
// separated by one blank line. It returns the words and lines written.
func formatChapter(ctx context.Context, out, chapter []byte, width int) ([]byte, int, int, error) {
	words, lines := 0, 0
	for para := range bytes.SplitSeq(chapter, []byte("\n\n")) {
		if ctx.Err() != nil {
			return nil, 0, 0, ctx.Err()
		}
		col := 0
		for len(para) > 0 {
			// Cut the next word by hand: bytes.Fields would allocate,
			// and allocation is what keeps goroutines from scaling.
			k := 0
			for k < len(para) && isSpace(para[k]) {
				k++
			}
			para = para[k:]
			k = 0
			for k < len(para) && !isSpace(para[k]) {
				k++
			}
			if k == 0 {
				break
			}
			w := para[:k]
			para = para[k:]
			switch {
			case col == 0:
				if lines > 0 { // a blank line between paragraphs
					out = append(out, '\n')
					lines++
				}
			case col+1+len(w) > width:
				out = append(out, '\n')
				lines++
				col = 0
			default:
				out = append(out, ' ')
				col++
			}
			out = append(out, w...)
			col += len(w)
			words++
		}
		if col > 0 {
			out = append(out, '\n')
			lines++
		}
	}
	return out, words, lines, nil
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// TextStats parses a digest of the text workload into its word and line
// counts.
func TextStats(digest string) (words, lines int, err error) {
	var crc string
	if _, err := fmt.Sscanf(digest, "%d:%d:%s", &words, &lines, &crc); err != nil {
		return 0, 0, fmt.Errorf("text: bad digest %q", digest)
	}
	return words, lines, nil
}
