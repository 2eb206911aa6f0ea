"""gil_cpu.py: time a CPU-bound loop in CPython, run twice: one after the
other, in two threads, and in two processes. Standard library only.

    python3 gil_cpu.py [N [REPS]]   (defaults: 12000000 3)

Each of the three ways counts down from N twice; each is timed REPS times,
interleaved, and the best time is kept (the least disturbed by other
programs). Prints one JSON object: the Python version, whether the GIL is
on, N, the share of a core a sequential run got (below 0.8, other programs
were competing for the cores), and the best wall time in seconds of each
way. Under the GIL, two threads take about as long as one after the
other; two processes (a pool started before the timings) take about half as
long on two or more cores.
"""
import json
import multiprocessing
import platform
import sys
import threading
import time


def count_down(n):
    while n > 0:
        n -= 1


def warm_up(seconds):
    """Count down for a while. On some machines (seen on a Linux virtual
    machine) a process runs this loop up to 1.6x slower in its first two
    seconds, which would penalize whichever way is timed first."""
    t0 = time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        count_down(100_000)


def sequential(n):
    count_down(n)
    count_down(n)


def threads(n):
    ts = [threading.Thread(target=count_down, args=(n,)) for _ in range(2)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()


def processes(n, pool):
    pool.map(count_down, [n, n])


def timed(fn, *args):
    t0 = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0


def cpu_share(n):
    """Share of a core the sequential way got: below 1 when other programs compete."""
    c0, t0 = time.process_time(), time.perf_counter()
    sequential(n)
    return (time.process_time() - c0) / (time.perf_counter() - t0)


if __name__ == "__main__":  # the guard: spawned children import this file
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 12_000_000
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    best = {}
    warm_up(2)  # before the pool: its workers are forked from a warm process
    with multiprocessing.Pool(2) as pool:  # started once, outside the timings
        pool.map(count_down, [1, 1])
        for _ in range(reps):
            for name, t in (("sequential", timed(sequential, n)),
                            ("2 threads", timed(threads, n)),
                            ("2 processes", timed(processes, n, pool))):
                best[name] = min(t, best.get(name, t))
        share = cpu_share(n)
    # Free-threaded builds (3.13t and later) can run without the GIL.
    gil = getattr(sys, "_is_gil_enabled", lambda: True)()
    print(json.dumps({"python": platform.python_version(), "gil": gil, "n": n, "cpu_share": share, **best}))
