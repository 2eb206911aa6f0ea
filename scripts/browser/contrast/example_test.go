package contrast_test

import (
	"fmt"

	"github.com/go-parallelism/go-parallelism/scripts/browser/contrast"
)

// ECharts' default title colour on JupyterLab's light and dark pages.
func ExampleRatio() {
	for _, page := range []string{"#ffffff", "#111111"} {
		r, _ := contrast.Ratio("#464646", page)
		fmt.Printf("on %s: %.1f, legible %v\n", page, r, r >= contrast.Min)
	}
	// Output:
	// on #ffffff: 9.4, legible true
	// on #111111: 2.0, legible false
}
