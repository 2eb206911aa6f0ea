// Package measure holds the course's experiments: every quantity the course
// makes a claim about is measured here, by one function, so that the claim
// can be checked on the reader's machine rather than believed.
//
// What a flow of control costs, for a goroutine, an OS thread (a goroutine
// locked to its thread) and an OS process:
//
//   - to start one and wait for it: StartGoroutines, StartThreads,
//     StartProcesses (a process pool's own start-up is proc.Pool.StartTimes);
//   - to hand control to another and back: SwitchGoroutines, SwitchThreads,
//     SwitchThreadsPipe, SwitchProcesses;
//   - the memory one holds while it waits: ParkGoroutines, ParkThreads, and
//     RSS for a whole process; StackLimit is what a C thread reserves;
//   - to share data: FillShared (goroutines write one slice in place)
//     against CopyThroughProcess (the bytes go to another process and back).
//
// Each of those returns plain numbers (Timing, Memory); Best repeats one
// and keeps the least disturbed run:
//
//	t, err := measure.Best(3, measure.SwitchGoroutines, 100_000)
//
// Threads and Peaks count the OS threads the runtime made and the most
// goroutines and threads alive while a function ran. Fetch downloads a page
// the way a CPython thread does under the GIL. (To cap a worker process's
// memory, see the option proc.MemoryLimit.)
//
// The course's larger experiments:
//
//   - Claims measures every line of the tutorial's table "Threading vs
//     Multiprocessing" and gives each a verdict (Row.Outcome);
//   - RunMatrix times every workload under every execution model (the
//     variants come from Variants and Swept), as a Matrix that prints as a
//     table and draws its speedups and parallelism;
//   - Interleave shows goroutines taking turns on one core, or running side
//     by side on several.
//
// Timing whole runs, their statistics, speedups, Amdahl's law and the note
// that other programs took the cores are lib/bench's; this package calls it.
package measure
