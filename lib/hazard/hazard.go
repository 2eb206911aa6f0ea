// Package hazard makes the classic hazards of shared-memory concurrency
// happen, detects them, and fixes them, each in a function small enough to
// call from a notebook cell:
//
//   - a data race: CountRacy loses updates to a shared counter; the race
//     detector reports it (DetectRace); CountMutex, CountAtomic and
//     CountChannel give the exact count.
//   - a deadlock: Deadlock takes two locks in opposite orders and reports who
//     waits for whom once a watchdog's deadline passes; DeadlockOrdered takes
//     them in one global order and finishes.
//   - starvation: Starve measures each worker's share of a lock when one
//     worker is greedy, under an unfair spin lock, Go's sync.Mutex and a
//     FIFO ticket lock.
//
// None of them can hang: every wait is bounded by a context or a timeout
// (at most a minute), and every goroutine a demo starts has ended when the
// demo returns. Bad arguments get an error that names them, the value and
// what is allowed.
package hazard

import "time"

// maxDemo bounds the duration arguments of the demos: a minute is already
// far more than a demo needs, and a bound catches a unit mistake.
const maxDemo = time.Minute
