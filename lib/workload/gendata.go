package workload

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The data of the text and analysis workloads is generated from a fixed seed,
// so it is the same on every machine. data/corpus.txt and data/sales.csv in
// the repository hold the default samples (written by go run ./scripts/gendata);
// when they cannot be found, the workloads generate the same bytes in memory.

// Default seeds and sizes of the committed samples.
const (
	CorpusSeed     = 1
	CorpusChapters = 40
	SalesSeed      = 1
	SalesRows      = 10_000
)

// rng is SplitMix64: tiny, fast, and its output will never change, which
// matters for data that must match a committed file.
type rng struct{ x uint64 }

func (r *rng) next() uint64 {
	r.x += 0x9E3779B97F4A7C15
	z := r.x
	z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
	z = (z ^ z>>27) * 0x94D049BB133111EB
	return z ^ z>>31
}

// intn returns a number in [0, n).
func (r *rng) intn(n int) int { return int((r.next() >> 32) * uint64(n) >> 32) }

// vocabulary for the corpus, most frequent first; word k is drawn with a
// weight of 1/(k+8), a softened Zipf's law.
var vocabulary = strings.Fields(`the of and to a in that it was he is for with as his
on be at by had not but from they she this have which her were all one you an
or their there we been so no when would what will more if out up into them said
time could some than other then only its about over after before like made may
upon our now such great these must very through those under well down where
even most long own while many good little old should being still might never
just same much also world house river morning evening light voice garden window
letter question answer reason journey country mountain water fire winter summer
harbour village station road bridge forest valley shadow silence memory promise
quiet bright heavy gentle sudden careful strange distant ancient narrow patient
walked turned looked found carried opened followed remembered wondered answered
returned listened watched believed noticed gathered crossed whispered waited
slowly quickly softly nearly perhaps always again already almost together
captain doctor teacher stranger traveller merchant sister brother neighbour
friend mother father child keeper miller sailor weaver farmer clerk`)

var cumWeights = func() []float64 {
	c := make([]float64, len(vocabulary))
	sum := 0.0
	for k := range vocabulary {
		sum += 1 / float64(k+8)
		c[k] = sum
	}
	return c
}()

func (r *rng) word() string {
	u := float64(r.next()>>11) / (1 << 53) * cumWeights[len(cumWeights)-1]
	lo, hi := 0, len(cumWeights)-1
	for lo < hi {
		mid := (lo + hi) / 2
		if cumWeights[mid] < u {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return vocabulary[lo]
}

// WriteCorpus writes a deterministic pseudo-English text of the given number
// of chapters (about 20 KB each). Each chapter starts with a line
// "CHAPTER n"; paragraphs are single long lines separated by a blank line, with
// irregular spacing left in for the text workload to clean up.
func WriteCorpus(w io.Writer, chapters int, seed uint64) error {
	if chapters < 1 {
		return fmt.Errorf("gendata: %d chapters, want >= 1", chapters)
	}
	bw := bufio.NewWriter(w)
	r := &rng{seed}
	for c := 1; c <= chapters; c++ {
		fmt.Fprintf(bw, "CHAPTER %d\n\n", c)
		for range 22 + r.intn(8) {
			for s := range 4 + r.intn(6) {
				if s > 0 {
					bw.WriteString(" ")
					if r.intn(8) == 0 {
						bw.WriteString(" ") // sloppy double space
					}
				}
				n := 6 + r.intn(16)
				for k := range n {
					wd := r.word()
					if k == 0 {
						wd = strings.ToUpper(wd[:1]) + wd[1:]
					} else {
						bw.WriteByte(' ')
					}
					bw.WriteString(wd)
					if k < n-1 && r.intn(9) == 0 {
						bw.WriteByte(',')
					}
				}
				bw.WriteByte(".?!."[r.intn(4)])
			}
			bw.WriteString("\n\n")
		}
	}
	return bw.Flush()
}

// Sales data: the shape of a small retailer's sales log.
var (
	salesRegions  = []string{"North", "South", "East", "West", "Central"}
	salesProducts = []struct {
		name  string
		cents int // list price
	}{
		{"Notebook", 349}, {"Pen", 129}, {"Backpack", 3999}, {"Calculator", 1499},
		{"Stapler", 899}, {"Folder", 249}, {"Desk lamp", 2499}, {"Marker set", 699},
	}
)

// SalesHeader is the first line of a sales CSV.
const SalesHeader = "date,region,store,product,quantity,price"

// WriteSales writes a deterministic sales CSV with a header and rows rows:
// date (2024-01-01 onwards), region, store, product, quantity, unit price.
// The first k rows are the same whatever rows is, so a small sample is a
// prefix of a large file.
func WriteSales(w io.Writer, rows int, seed uint64) error {
	if rows < 0 {
		return fmt.Errorf("gendata: %d rows, want >= 0", rows)
	}
	bw := bufio.NewWriter(w)
	bw.WriteString(SalesHeader + "\n")
	_, err := bw.Write(appendSales(nil, rows, seed))
	if err != nil {
		return err
	}
	return bw.Flush()
}

// salesPerDay is how many rows share a date: the default sample covers
// about a year.
const salesPerDay = 28

// appendSales appends rows [0, n) of the sales data, without header.
func appendSales(b []byte, n int, seed uint64) []byte {
	b = slices.Grow(b, n*40) // rows average 37 bytes
	r := &rng{seed}
	start := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)
	var date []byte
	for i := range n {
		if i%salesPerDay == 0 {
			date = start.AddDate(0, 0, i/salesPerDay).AppendFormat(date[:0], "2006-01-02")
		}
		reg := r.intn(len(salesRegions))
		p := salesProducts[r.intn(len(salesProducts))]
		qty := 1 + r.intn(4)
		if r.intn(10) == 0 {
			qty += r.intn(40) // occasional bulk order
		}
		price := p.cents * (90 + r.intn(21)) / 100 // list price +-10 %
		b = append(b, date...)
		b = append(b, ',')
		b = append(b, salesRegions[reg]...)
		b = append(b, ',', salesRegions[reg][0])
		b = strconv.AppendInt(append(b, '-'), int64(1+r.intn(6)), 10)
		b = append(b, ',')
		b = append(b, p.name...)
		b = strconv.AppendInt(append(b, ','), int64(qty), 10)
		b = strconv.AppendInt(append(b, ','), int64(price/100), 10)
		b = append(b, '.', byte('0'+price%100/10), byte('0'+price%10), '\n')
	}
	return b
}

// dataDir is the repository's data directory, found next to this source
// file; "" if it is not there (a binary built elsewhere or with -trimpath).
func dataDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		return ""
	}
	dir := filepath.Join(filepath.Dir(file), "..", "..", "data")
	if _, err := os.Stat(dir); err != nil {
		return ""
	}
	return dir
}

// readData reads a file named by a Spec param; a missing file is an error
// that names it and says how to generate the data.
func readData(workload, path string) ([]byte, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("workload %s: data file %s does not exist (generate data with: go run ./scripts/gendata)", workload, path)
	}
	if err != nil {
		return nil, fmt.Errorf("workload %s: %w", workload, err)
	}
	return b, nil
}
