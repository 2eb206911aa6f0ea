package charts_test

import (
	"fmt"

	"github.com/go-parallelism/go-parallelism/scripts/browser/charts"
)

// A chart that ECharts never drew: fine where no script runs, a failure
// where scripts run.
func ExampleCheck() {
	stuck := charts.Chart{ID: "gpc-1", State: "static", ImgVisible: true, ImgDecoded: true, ImgW: 800, ImgH: 400}
	fmt.Println(len(charts.Check(charts.Static, []charts.Chart{stuck})))
	for _, p := range charts.Check(charts.Interactive, []charts.Chart{stuck}) {
		fmt.Println(p.Kind)
	}
	// Output:
	// 0
	// not drawn interactively
}
