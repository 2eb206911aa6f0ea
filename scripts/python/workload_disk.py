"""workload_disk.py: the course's disk workload in CPython: write file i
(SIZE deterministic bytes), optionally fsync it, read it back and check its
CRC-32, as lib/workload's disk workload does (there with CRC-32C, a checksum
the standard library lacks, and other bytes of the same size).

    python3 workload_disk.py [--variants ...] [--rotate K] [--size 65536] [--fsync] [--dir DIR] FILES

Each variant works in a fresh temporary directory, removed after the timing.
Prints the JSON summary of _report.py: per variant the seconds, the files
written (items), and how many read back right (ok) or not (errors).
"""
import functools
import os
import random
import shutil
import tempfile
import zlib

import _variants


def write_read_back(i, folder, size, fsync):
    data = random.Random(i).randbytes(size)
    name = os.path.join(folder, f"file-{i}")
    try:
        with open(name, "wb") as f:
            f.write(data)
            if fsync:
                f.flush()
                os.fsync(f.fileno())
        with open(name, "rb") as f:
            back = f.read()
        return zlib.crc32(back) == zlib.crc32(data) and len(back) == size
    except OSError:
        return False


def summarize(results):
    ok = sum(results)
    return {"ok": ok, "errors": len(results) - ok}


if __name__ == "__main__":  # the guard: spawned children import this file
    ap = _variants.arguments(__doc__)
    ap.add_argument("--size", type=int, default=64 << 10)
    ap.add_argument("--fsync", action="store_true")
    ap.add_argument("--dir", default=None)
    ap.add_argument("files", type=int)
    args = ap.parse_args()

    def prepare(way):
        folder = tempfile.mkdtemp(prefix="workload-disk-", dir=args.dir)
        fn = functools.partial(write_read_back, folder=folder, size=args.size, fsync=args.fsync)
        return fn, range(args.files), lambda: shutil.rmtree(folder)

    _variants.run("disk", args, None, None, summarize, prepare)
