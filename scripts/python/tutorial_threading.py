"""The tutorial's Threading program: a producer puts URLs on a queue, a
consumer thread takes them off and downloads them.

    python3 tutorial_threading.py URL...

Changed from the tutorial only so that it runs here and ends: the URLs come
from the command line (the course's local site instead of the internet); the
producer puts None after the URLs and the consumer stops on it (the original
consumer loops forever, so joining it never returns); a failed download is
counted instead of ending the consumer thread. The last line is the JSON
summary of _report.py.
"""
from urllib.request import urlopen
import queue
import sys
import threading
import time

from _report import report

urls = sys.argv[1:]


class Consumer(threading.Thread):
    def __init__(self, queue):
        threading.Thread.__init__(self)
        self._queue = queue
        self.ok, self.errors = 0, 0

    def run(self):
        while True:
            msg = self._queue.get()  # blocks this thread until an item comes
            if msg is None:  # the producer is done: end, so that join returns
                break
            try:
                with urlopen(msg) as response:
                    response.read()
                self.ok += 1
            except Exception:
                self.errors += 1


def Producer():
    urlQueue = queue.Queue()  # shares the items between the threads
    worker = Consumer(urlQueue)
    worker.start()  # calls run() in the new thread
    for url in urls:
        urlQueue.put(url)
    urlQueue.put(None)
    worker.join()  # waits for the consumer to end
    return worker


if __name__ == '__main__':
    start = time.perf_counter()
    worker = Producer()
    seconds = time.perf_counter() - start
    print(f"Downloaded {worker.ok} of {len(urls)} URLs in one consumer thread ({worker.errors} errors)")
    report("threading", {"threads": {"seconds": seconds, "items": len(urls), "ok": worker.ok, "errors": worker.errors}})
