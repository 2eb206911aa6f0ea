//go:build !unix

package measure

import (
	"errors"
	"fmt"
)

// SwitchThreadsPipe is not available on this system.
func SwitchThreadsPipe(rounds int) (Timing, error) {
	return Timing{What: "OS thread switch (pipe)", N: 2 * rounds}, fmt.Errorf("measure: SwitchThreadsPipe: %w", errors.ErrUnsupported)
}
