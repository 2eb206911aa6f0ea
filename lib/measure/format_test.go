package measure

import "testing"

func TestMagnitude(t *testing.T) {
	for x, want := range map[float64]string{3.4: "3", 9.6: "10", 10: "10", 44: "40", 250: "300", 4567: "5,000", 123456: "100,000", -1: "?"} {
		if got := Magnitude(x); got != want {
			t.Errorf("Magnitude(%v) = %q, want %q", x, got, want)
		}
	}
}

func TestOutcomeString(t *testing.T) {
	for o, want := range map[Outcome]string{Holds: "holds", Fails: "fails", Unclear: "unclear"} {
		if o.String() != want {
			t.Errorf("%d.String() = %q, want %q", o, o, want)
		}
	}
}
