"""The tutorial's MultiProcessing program: a pool of processes maps a
function over seven scientists, turning each (name, born) into a name and an
age.

    python3 tutorial_multiprocessing.py SCIENTISTS_URL

Changed from the tutorial only so that it runs here and both languages get the
same input: the scientists are read from the course's local site (a JSON list
of {"name", "born"}) instead of written in the program; the pool is joined;
the last line is the JSON summary of _report.py. The ages are counted from
2019, as in the tutorial.
"""
from urllib.request import urlopen
import collections
import json
import multiprocessing
import sys
import time

from _report import report

Scientist = collections.namedtuple('Scientist', [
    'name',
    'born',
])


def process_item(item):
    return {
        'name': item.name,
        'age': 2019 - item.born
    }


if __name__ == '__main__':  # the guard: spawned children import this file
    with urlopen(sys.argv[1]) as response:
        scientists = tuple(Scientist(**s) for s in json.load(response))
    start = time.perf_counter()
    pool = multiprocessing.Pool()
    result = pool.map(process_item, scientists)
    pool.close()
    pool.join()
    seconds = time.perf_counter() - start
    print(tuple(result))
    report("multiprocessing", {"process pool": {"seconds": seconds, "items": len(result), "ok": len(result), "errors": 0}},
           ages={r["name"]: r["age"] for r in result})
