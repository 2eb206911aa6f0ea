package contrast

import (
	"math"
	"strings"
	"testing"
)

func TestRatio(t *testing.T) {
	for _, tc := range []struct {
		fg, bg string
		want   float64
	}{
		{"#000", "#fff", 21},
		{"rgb(255, 255, 255)", "rgb(0, 0, 0)", 21},
		{"#777777", "#777777", 1},
		{"rgba(0, 0, 0, 0)", "#ffffff", 1},            // invisible text
		{"#464646", "#111111", 2.00},                  // ECharts' default title on JupyterLab Dark
		{"rgba(255, 255, 255, 0.5)", "#000000", 5.28}, // half-transparent white on black
		{"#3B82F6", "#ffffff", 3.68},
	} {
		got, err := Ratio(tc.fg, tc.bg)
		if err != nil {
			t.Fatalf("Ratio(%q, %q): %v", tc.fg, tc.bg, err)
		}
		if math.Abs(got-tc.want) > 0.01 {
			t.Errorf("Ratio(%q, %q) = %.3f, want %.2f", tc.fg, tc.bg, got, tc.want)
		}
	}
}

func TestParseRejects(t *testing.T) {
	for _, s := range []string{"", "red", "#12", "#12345", "rgb(1, 2)", "rgb(a, b, c)", "hsl(0, 0%, 0%)"} {
		_, err := Parse(s)
		if err == nil {
			t.Errorf("Parse(%q): no error", s)
			continue
		}
		if !strings.Contains(err.Error(), `"`+s+`"`) {
			t.Errorf("Parse(%q): error %q does not name the value", s, err)
		}
	}
}
