"""_variants.py: the three ways the workload programs run a function over
their items, and the loop that times them.

sequential: a list comprehension; threads: a ThreadPoolExecutor with one
thread per core; processes: a multiprocessing.Pool with one process per core,
started inside the timing, as a program would. Each way returns the results
in the order of the items.
"""
import argparse
import concurrent.futures
import multiprocessing
import os
import time

from _report import gil_enabled, report


def sequential(fn, items):
    return [fn(x) for x in items]


def threads(fn, items):
    with concurrent.futures.ThreadPoolExecutor(os.cpu_count()) as ex:
        return list(ex.map(fn, items))


def processes(fn, items):
    with multiprocessing.Pool(os.cpu_count()) as pool:
        return pool.map(fn, items)


WAYS = {"sequential": sequential, "threads": threads, "processes": processes}


def arguments(doc):
    """A parser with the options every workload program takes."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--variants", default=",".join(WAYS), help="which ways to run, comma-separated")
    ap.add_argument("--rotate", type=int, default=0, help="start with the K-th way")
    return ap


def run(program, args, fn, items, summarize, prepare=None):
    """Time fn over items in each way of args.variants; summarize(results)
    gives the counts to report. prepare(way), if given, is called before each
    timing and returns (fn, items, cleanup)."""
    names = args.variants.split(",")
    for name in names:
        if name not in WAYS:
            raise SystemExit(f"{program}: unknown variant {name!r}, known: {', '.join(WAYS)}")
    k = args.rotate % len(names)
    out = {}
    for name in names[k:] + names[:k]:
        f, xs, cleanup = prepare(name) if prepare else (fn, items, None)
        t0 = time.perf_counter()
        results = WAYS[name](f, xs)
        seconds = time.perf_counter() - t0
        if cleanup:
            cleanup()
        label = "threads, no GIL" if name == "threads" and not gil_enabled() else name
        out[label] = {"seconds": seconds, "items": len(results), **summarize(results)}
    report(program, out)
