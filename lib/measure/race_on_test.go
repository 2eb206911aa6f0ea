//go:build race

package measure

// raceOn is true when the tests run under the race detector.
const raceOn = true
