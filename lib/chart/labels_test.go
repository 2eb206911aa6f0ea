package chart

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestValueLabelsWhenBarsDifferALot(t *testing.T) {
	spread := NewBars("start", []string{"goroutine", "thread", "process"}, Series{Name: "µs", Y: []float64{0.805, 66, 1180}})
	even := NewBars("even", []string{"a", "b"}, Series{Name: "s", Y: []float64{10, 150}})
	opt, err := spread.Option()
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"formatter":"0.805"`, `"formatter":"66"`, `"formatter":"1180"`} {
		if !strings.Contains(opt, want) {
			t.Errorf("interactive bars 1465x apart lack the label %s", want)
		}
	}
	svg, _ := spread.SVG()
	if !strings.Contains(string(svg), ">0.805<") {
		t.Errorf("static bars 1465x apart lack the label 0.805")
	}
	if opt, _ := even.Option(); strings.Contains(opt, "formatter") {
		t.Errorf("bars 15x apart got value labels: %s", opt)
	}
}

func TestFormatValue(t *testing.T) {
	for v, want := range map[float64]string{0.000812: "0.000812", 1.234: "1.23", 45.67: "45.7", 1234: "1234", 0: "0", 2.5e9: "2.5e+09", 1.9: "1.9", 0.05: "0.05", 66: "66"} {
		if got := formatValue(v); got != want {
			t.Errorf("formatValue(%v) = %q, want %q", v, got, want)
		}
	}
}

var gridTop = regexp.MustCompile(`"grid":\[\{[^}]*"top":(\d+)`)

// A title too long for one line wraps, and the plot moves down to make room.
func TestLongTitleWrapsAndMakesRoom(t *testing.T) {
	top := func(title string) int {
		opt, err := NewBars(title, []string{"a"}, Series{Name: "s", Y: []float64{1}}).Option()
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(opt, `"overflow":"break"`) {
			t.Fatalf("title does not wrap: %s", opt)
		}
		m := gridTop.FindStringSubmatch(opt)
		if m == nil {
			t.Fatalf("no grid top in %s", opt)
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	short, long := top("short"), top(strings.Repeat("a rather long title ", 8))
	if long <= short {
		t.Errorf("grid top %d for a three-line title, %d for one line: want more room", long, short)
	}
}
