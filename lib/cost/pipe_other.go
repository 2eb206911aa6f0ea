//go:build !unix

package cost

import "errors"

// SwitchThreadsPipe is not available on this system.
func SwitchThreadsPipe(rounds int) (Timing, error) {
	return Timing{What: "OS thread switch (pipe)", N: 2 * rounds}, errors.New("cost: no blocking pipes on this system")
}
