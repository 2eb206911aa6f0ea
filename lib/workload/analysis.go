package workload

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// Analysis names the "analysis" workload, data analysis: group-by
// aggregates over a sales CSV (date, region, store, product, quantity,
// price). Task i parses rows [i*chunk, (i+1)*chunk) with encoding/csv and
// computes, per (region, product), the count of sales and the sum, min and
// max of their revenue (quantity × price, in cents); its digest encodes
// these partial aggregates (see MergeSales). Check merges the digests of all
// tasks and compares the result with a single pass over all rows.
//
// Size is the number of rows in thousands (at most 10,000, ten million
// rows); N = ceil(Size*1000/Chunk). The first 10,000 rows are the committed
// sample data/sales.csv; more rows are generated in memory from the same
// seed (go run ./scripts/gendata -rows N writes such a file); generating
// takes New about 0.2-0.3 s per million rows, once per process. Size 2000
// (two million rows, 200 tasks) takes about 0.45 s sequentially.
//
// Options:
//   - Chunk: rows per task (default 10,000)
//   - File: a sales CSV (with header) to read instead; it must hold at least
//     Size*1000 rows
const Analysis = "analysis"

// newAnalysis builds a Analysis job.
func newAnalysis(s Spec) (*Job, error) {
	c := checker{workload: s.Name}
	chunk := c.int("Chunk", s.Options.Chunk, 10_000, 1, 1<<30)
	file := s.Options.File
	if err := c.err(); err != nil {
		return nil, err
	}
	rows := s.Size * 1000
	data, err := loadSales(s, file, rows)
	if err != nil {
		return nil, err
	}
	// Cut the data into chunks at line boundaries, once.
	var chunks [][]byte
	for start := 0; start < len(data); {
		end := start
		for k := 0; k < chunk && end < len(data); k++ {
			nl := bytes.IndexByte(data[end:], '\n')
			if nl < 0 {
				end = len(data)
			} else {
				end += nl + 1
			}
		}
		chunks = append(chunks, data[start:end])
		start = end
	}
	var (
		once sync.Once
		want string
		werr error
	)
	return &Job{
		N: len(chunks),
		Task: func(ctx context.Context, i int) (string, error) {
			agg, err := aggregateSales(ctx, chunks[i])
			if err != nil {
				return "", fmt.Errorf("chunk %d: %w", i, err)
			}
			return agg.String(), nil
		},
		Check: func(got []string) error {
			if len(got) != len(chunks) {
				return fmt.Errorf("workload %s: got %d digests, want %d", s.Name, len(got), len(chunks))
			}
			merged, err := mergeSales(got)
			if err != nil {
				return fmt.Errorf("workload %s: %w", s.Name, err)
			}
			once.Do(func() {
				var agg salesAgg
				agg, werr = aggregateSales(context.Background(), data)
				want = agg.String()
			})
			if werr != nil {
				return werr
			}
			if m := merged.String(); m != want {
				return fmt.Errorf("workload %s: merged aggregates differ from a single pass:\n got %.200s\nwant %.200s", s.Name, m, want)
			}
			return nil
		},
	}, nil
}

var (
	salesMu    sync.Mutex
	salesCache []byte // the generated rows, grown on demand (no header)
)

// loadSales returns exactly rows data rows (no header): from file, else from
// the committed sample or generated.
func loadSales(s Spec, file string, rows int) ([]byte, error) {
	if file != "" {
		b, err := readData(s.Name, file)
		if err != nil {
			return nil, err
		}
		header, body, _ := bytes.Cut(b, []byte("\n"))
		if strings.TrimSpace(string(header)) != SalesHeader {
			return nil, fmtErr(s, "%s: first line is %.60q, want %q", file, header, SalesHeader)
		}
		return firstRows(s, file, body, rows)
	}
	salesMu.Lock()
	defer salesMu.Unlock()
	if rows <= SalesRows && len(salesCache) == 0 {
		if dir := dataDir(); dir != "" {
			if b, err := readData(s.Name, filepath.Join(dir, "sales.csv")); err == nil {
				if _, body, ok := bytes.Cut(b, []byte("\n")); ok {
					if out, err := firstRows(s, "sample", body, rows); err == nil {
						return out, nil
					}
				}
			}
		}
	}
	if n := bytes.Count(salesCache, []byte("\n")); n < rows {
		salesCache = appendSales(nil, rows, SalesSeed)
	}
	return firstRows(s, "generated data", salesCache, rows)
}

// firstRows returns the first rows lines of body.
func firstRows(s Spec, what string, body []byte, rows int) ([]byte, error) {
	end := 0
	for range rows {
		nl := bytes.IndexByte(body[end:], '\n')
		if nl < 0 {
			if end < len(body) { // last line without newline
				end = len(body)
				continue
			}
			return nil, fmtErr(s, "%s has fewer than %d rows", what, rows)
		}
		end += nl + 1
	}
	return body[:end], nil
}

// SalesGroup holds the aggregates of one (region, product) group. Money is
// in cents.
type SalesGroup struct {
	Region, Product string
	Count           int64
	Sum, Min, Max   int64 // revenue per sale: quantity × unit price
}

// Mean is the mean revenue per sale, in cents.
func (g SalesGroup) Mean() float64 { return float64(g.Sum) / float64(g.Count) }

type salesKey struct{ region, product string }

type salesAgg map[salesKey]*SalesGroup

func (a salesAgg) add(g SalesGroup) {
	k := salesKey{g.Region, g.Product}
	if old, ok := a[k]; ok {
		old.Count += g.Count
		old.Sum += g.Sum
		old.Min = min(old.Min, g.Min)
		old.Max = max(old.Max, g.Max)
		return
	}
	a[k] = &g
}

// groups returns the groups sorted by region, then product.
func (a salesAgg) groups() []SalesGroup {
	out := make([]SalesGroup, 0, len(a))
	for _, g := range a {
		out = append(out, *g)
	}
	slices.SortFunc(out, func(x, y SalesGroup) int {
		if c := strings.Compare(x.Region, y.Region); c != 0 {
			return c
		}
		return strings.Compare(x.Product, y.Product)
	})
	return out
}

// String encodes the aggregates, groups sorted, as
// "region|product|count|sum|min|max;...".
func (a salesAgg) String() string {
	var b strings.Builder
	for k, g := range a.groups() {
		if k > 0 {
			b.WriteByte(';')
		}
		fmt.Fprintf(&b, "%s|%s|%d|%d|%d|%d", g.Region, g.Product, g.Count, g.Sum, g.Min, g.Max)
	}
	return b.String()
}

// MergeSales merges the digests of an analysis job (partial aggregates of
// each chunk) into the aggregates of all rows, sorted by region and product.
func MergeSales(digests []string) ([]SalesGroup, error) {
	a, err := mergeSales(digests)
	if err != nil {
		return nil, err
	}
	return a.groups(), nil
}

func mergeSales(digests []string) (salesAgg, error) {
	all := salesAgg{}
	for i, d := range digests {
		if d == "" {
			continue
		}
		for _, rec := range strings.Split(d, ";") {
			f := strings.Split(rec, "|")
			if len(f) != 6 {
				return nil, fmt.Errorf("digest %d: bad group %q", i, rec)
			}
			var n [4]int64
			for j := range n {
				v, err := strconv.ParseInt(f[2+j], 10, 64)
				if err != nil {
					return nil, fmt.Errorf("digest %d: bad group %q", i, rec)
				}
				n[j] = v
			}
			all.add(SalesGroup{Region: f[0], Product: f[1], Count: n[0], Sum: n[1], Min: n[2], Max: n[3]})
		}
	}
	return all, nil
}

// aggregateSales parses CSV rows (no header) and aggregates them.
func aggregateSales(ctx context.Context, rows []byte) (salesAgg, error) {
	r := csv.NewReader(bytes.NewReader(rows))
	r.FieldsPerRecord = 6
	r.ReuseRecord = true
	agg := salesAgg{}
	for n := 0; ; n++ {
		if n%1024 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return agg, nil
		}
		if err != nil {
			return nil, err
		}
		qty, err := strconv.ParseInt(rec[4], 10, 64)
		if err != nil {
			return nil, fmt.Errorf("row %d: quantity: %w", n+1, err)
		}
		price, err := parseCents(rec[5])
		if err != nil {
			return nil, fmt.Errorf("row %d: price: %w", n+1, err)
		}
		rev := qty * price
		k := salesKey{rec[1], rec[3]}
		if g, ok := agg[k]; ok {
			g.Count++
			g.Sum += rev
			g.Min = min(g.Min, rev)
			g.Max = max(g.Max, rev)
		} else {
			// Copy the strings, so that the map does not keep the
			// whole row alive.
			g := &SalesGroup{Region: strings.Clone(rec[1]), Product: strings.Clone(rec[3]),
				Count: 1, Sum: rev, Min: rev, Max: rev}
			agg[salesKey{g.Region, g.Product}] = g
		}
	}
}

// parseCents parses a price like "12.34" into cents.
func parseCents(s string) (int64, error) {
	whole, frac, ok := strings.Cut(s, ".")
	w, err := strconv.ParseInt(whole, 10, 64)
	if err != nil {
		return 0, err
	}
	if !ok {
		return w * 100, nil
	}
	if len(frac) != 2 {
		return 0, fmt.Errorf("price %q: want two decimals", s)
	}
	f, err := strconv.ParseInt(frac, 10, 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("price %q: bad cents", s)
	}
	return w*100 + f, nil
}
