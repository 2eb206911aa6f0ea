package scaling

import (
	"github.com/janpfeifer/gonb/gonbui"

	"github.com/go-parallelism/go-parallelism/lib/chart"
)

// Show displays the charts in a GoNB notebook cell, like chart.Show, and
// then waits until the kernel has received them (gonbui.Sync). A cell is a
// program that exits when its last line returns; without the wait, a chart
// sent just before the exit can be lost on a busy machine.
func Show(charts ...*chart.Chart) {
	chart.Show(charts...)
	gonbui.Sync()
}
