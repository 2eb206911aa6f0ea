"""The tutorial's Dummy program: multiprocessing.dummy's ThreadPool maps
urlopen over a list of sites, each download in its own thread, the results
in the order of the URLs.

    python3 tutorial_dummy.py URL...

Changed from the tutorial only so that it runs here: the URLs come from the
command line (the course's local site), a failed download is counted instead
of stopping the map, and the last line is the JSON summary of _report.py.
"""
from urllib.request import urlopen
from multiprocessing.dummy import Pool as ThreadPool
import sys
import time

from _report import report

urls = sys.argv[1:]


def download(url):
    try:
        with urlopen(url) as response:
            return len(response.read())
    except Exception as e:
        return e


if __name__ == '__main__':
    start = time.perf_counter()
    pool = ThreadPool()
    results = pool.map(download, urls)  # opens the URLs in their own threads, results in order
    pool.close()  # closes the pool and waits for the threads to end
    pool.join()
    seconds = time.perf_counter() - start
    errors = sum(isinstance(r, Exception) for r in results)
    print("sizes in URL order:", results)
    report("dummy", {"thread pool": {"seconds": seconds, "items": len(results), "ok": len(results) - errors, "errors": errors}})
