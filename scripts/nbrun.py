#!/usr/bin/env python3
"""nbrun.py executes notebooks top to bottom with the GoNB kernel.

    scripts/py scripts/nbrun.py --out build/notebooks [--html build/handouts]
                                [--timeout 120] [--refresh] notebooks/*.ipynb

Each notebook runs in its own directory (so its preamble finds the repository
at ${GONB_DIR}/..) and is written, executed, to --out; the sources are not
touched. The first failing cell stops the run with the notebook's name, the
cell's number and the error text. A cell fails when the kernel reports an
error, or when its output shows a Go panic or a data race report.

--solutions DIR puts each exercise's solution in place of its stub before
running (cells tagged "exercise", in order, take DIR/<notebook>-<k>.gonb) and
then requires every %test cell to pass, not skip: this proves the notebook's
own check accepts a correct answer. Without it, exercises run as saved.

--html writes the notebooks' handouts into a folder (scripts/handouts.py:
one page per notebook, an index and the scripts the charts need). --refresh copies the executed
notebooks back over the sources, but only after every notebook has passed, so
a failed run leaves them as they were.

At the end it prints, per notebook: code cells, seconds, slowest cell, status;
then the slowest cells of the whole run.
"""
import argparse
import html
import json
import os
import re
import shutil
import sys
import tempfile
import time

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

# Output text that means a cell went wrong even if the kernel said "ok".
BAD_TEXT = re.compile(r"^(panic: |fatal error: |WARNING: DATA RACE|goroutine \d+ \[running\]:)", re.M)
# Machine-specific paths that must not be saved into committed notebooks.
HOME = os.path.expanduser("~")


def machine_path_pattern():
    roots = {os.path.abspath(os.path.join(os.path.dirname(__file__), "..")), HOME}
    alts = [r"/tmp/[\w/.-]+"] + [re.escape(r) + r"[\w/.-]*" for r in roots if len(r) > 1]
    return re.compile("|".join(alts))


def output_text(out):
    """Plain text of one output, for error messages and checks."""
    if out.get("output_type") == "stream":
        return "".join(out.get("text", ""))
    if out.get("output_type") == "error":
        return "%s: %s" % (out.get("ename", ""), out.get("evalue", ""))
    data = out.get("data", {})
    if "text/plain" in data:
        return "".join(data["text/plain"])
    if "text/html" in data:
        h = "".join(data["text/html"])
        h = re.sub(r"(?s)<(style|script)\b.*?</\1>", "", h)
        return html.unescape(re.sub(r"<[^>]+>", "", h))
    return ""


def cell_error(cell):
    """Text explaining why an executed cell failed, or None."""
    outs = cell.get("outputs", [])
    failed = any(o.get("output_type") == "error" for o in outs)
    text = "\n".join(output_text(o) for o in outs)
    if failed or BAD_TEXT.search(text):
        lines = [l for l in text.splitlines() if l.strip()]
        return "\n".join(lines[-25:]) or "the kernel reported an error"
    return None


def strip_timing(nb):
    """Drop per-run metadata so saved notebooks change only when outputs do."""
    for cell in nb.cells:
        cell.metadata.pop("execution", None)
        cell.metadata.pop("ExecuteTime", None)


class Failure(Exception):
    pass


def use_solutions(nb, path, sol_dir):
    """Replace the source of cells tagged "exercise" by their solutions."""
    stem = os.path.splitext(os.path.basename(path))[0]
    k = 0
    for cell in nb.cells:
        if "exercise" in cell.metadata.get("tags", []):
            k += 1
            sol = os.path.join(sol_dir, "%s-%d.gonb" % (stem, k))
            if not os.path.exists(sol):
                raise Failure("%s: exercise %d has no solution file %s" % (os.path.basename(path), k, sol))
            with open(sol, encoding="utf-8") as f:
                cell.source = f.read()
    return k


def test_verdict(cell):
    """For a %test cell run against solutions: why it did not pass, or None."""
    if not cell.source.lstrip().startswith("%test"):
        return None
    text = "\n".join(output_text(o) for o in cell.get("outputs", []))
    if "--- PASS" not in text or "--- SKIP" in text or "--- FAIL" in text:
        return "the exercise check did not pass with the solution:\n" + text.strip()[-1500:]
    return None


def free_cores(seconds=0.5):
    """How many cores were idle over a short sample (Linux; None elsewhere)."""
    def idle():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:]]
        return v[3] + v[4], sum(v)
    try:
        i0, t0 = idle()
        time.sleep(seconds)
        i1, t1 = idle()
    except OSError:
        return None
    return round((os.cpu_count() or 1) * (i1 - i0) / max(t1 - t0, 1), 2)


def machine():
    """The machine a run measures, for the handouts' index: cores, CPU, Go, date."""
    import datetime
    import subprocess

    m = {"cores": os.cpu_count()}
    try:
        with open("/proc/cpuinfo") as f:
            cpu = re.search(r"^model name\s*:\s*(.+)$", f.read(), re.M)
        if cpu:
            m["cpu"] = " ".join(cpu.group(1).split())
    except OSError:
        pass
    try:
        goos, goarch, version = subprocess.run(
            ["go", "env", "GOOS", "GOARCH", "GOVERSION"], capture_output=True, text=True, check=True
        ).stdout.split()
        m["platform"], m["go"] = goos + "/" + goarch, version
    except (OSError, ValueError, subprocess.CalledProcessError):
        pass
    m["date"] = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
    return m


def run_one(path, out_dir, timeout, log, sol_dir=None):
    nb = nbformat.read(path, as_version=4)
    free = [free_cores()]
    if sol_dir and use_solutions(nb, path, sol_dir) == 0:
        raise Failure("%s: no exercise (a cell tagged \"exercise\")" % os.path.basename(path))
    code = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.strip()]
    times = {}
    name = os.path.basename(path)
    started = {}

    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="gonb",
        allow_errors=True,  # we judge each cell ourselves, to catch panics too
        record_timing=False,
        resources={"metadata": {"path": os.path.dirname(os.path.abspath(path))}},
    )

    def before(cell, cell_index, **_):
        if cell_index not in code:
            return
        started[cell_index] = time.monotonic()
        n = code.index(cell_index) + 1
        print("  %s [%d/%d] ..." % (name, n, len(code)), end="", flush=True)

    def after(cell, cell_index, **_):
        if cell_index not in code:
            return
        times[cell_index] = time.monotonic() - started.get(cell_index, time.monotonic())
        print(" %.1fs" % times[cell_index], flush=True)
        err = cell_error(cell) or (sol_dir and test_verdict(cell))
        if err:
            n = code.index(cell_index) + 1 if cell_index in code else cell_index + 1
            raise Failure("%s: code cell %d (cell #%d in the file) failed:\n%s" % (name, n, cell_index + 1, err))

    client.on_cell_start = before
    client.on_cell_executed = after
    t0 = time.monotonic()
    try:
        client.execute(stderr=log, stdout=log)
    except Failure:
        raise
    except CellTimeoutError as e:
        raise Failure("%s: a cell ran longer than %ds and was stopped:\n%s" % (name, timeout, str(e)[:2000]))
    except (CellExecutionError, DeadKernelError, RuntimeError) as e:
        raise Failure("%s: %s" % (name, str(e)[:3000]))
    wall = time.monotonic() - t0
    free.append(free_cores())
    strip_timing(nb)
    # The cell times mean something only on a quiet machine: record how
    # quiet it was (the lower reading, before or after the run).
    known = [f for f in free if f is not None]
    # What the notebook says of itself (gp.summary, for the handouts' index)
    # stays; what this run measured replaces the last run's.
    nb.metadata["gp"] = dict(nb.metadata.get("gp", {}), **machine(), free_cores=min(known) if known else None)
    for i, secs in times.items():
        # Saved with the outputs, so that nbcheck can hold the committed run
        # to the time limit a reader will meet.
        nb.cells[i].metadata["gp"] = {"seconds": round(secs, 1)}
    os.makedirs(out_dir, exist_ok=True)
    dest = os.path.join(out_dir, name)
    with tempfile.NamedTemporaryFile("w", dir=out_dir, delete=False, suffix=".tmp") as f:
        nbformat.write(nb, f)
    os.replace(f.name, dest)
    return nb, dest, wall, [(times.get(i, 0.0), code.index(i) + 1) for i in code]


def write_handouts(executed, html_dir):
    """Handouts of the notebooks that ran; a failed build fails the run."""
    import handouts

    if not executed:
        return True
    try:
        handouts.build([dest for _, dest in executed], html_dir)
    except handouts.BuildError as e:
        print("\nFAILED handouts: %s" % e, file=sys.stderr)
        return False
    print("\nHandouts of %d notebook(s) in %s" % (len(executed), html_dir))
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("notebooks", nargs="+")
    ap.add_argument("--out", required=True, help="directory for executed notebooks")
    ap.add_argument("--html", help="directory for HTML handouts")
    ap.add_argument("--timeout", type=int, default=120, help="seconds allowed per cell")
    ap.add_argument("--refresh", action="store_true", help="save outputs back into the sources")
    ap.add_argument("--solutions", help="run exercises with the solutions in this directory")
    ap.add_argument("--log", default="build/kernel.log", help="file for the kernel's own log")
    args = ap.parse_args()
    if args.refresh and args.solutions:
        ap.error("--refresh saves notebooks as readers get them: it cannot be used with --solutions")

    os.makedirs(os.path.dirname(args.log) or ".", exist_ok=True)
    rows, slow, executed = [], [], []
    paths_re = machine_path_pattern()
    with open(args.log, "w") as log:
        for path in args.notebooks:
            name = os.path.basename(path)
            try:
                nb, dest, wall, cells = run_one(path, args.out, args.timeout, log, args.solutions)
            except Failure as e:
                rows.append((name, "-", "-", "-", "FAILED"))
                print_summary(rows, slow)
                if args.html:  # the notebooks that passed
                    write_handouts(executed, args.html)
                print("\nFAILED " + str(e), file=sys.stderr)
                print("(kernel log: %s)" % args.log, file=sys.stderr)
                return 1
            worst = max(cells) if cells else (0.0, 0)
            rows.append((name, str(len(cells)), "%.1f" % wall, "#%d %.1fs" % (worst[1], worst[0]), "ok"))
            slow += [(t, name, n) for t, n in cells]
            executed.append((path, dest))
    print_summary(rows, slow)
    if args.html and not write_handouts(executed, args.html):
        return 1
    if args.refresh:
        leaks = []
        for src, dest in executed:
            text = json.dumps([c.get("outputs", []) for c in nbformat.read(dest, as_version=4).cells])
            found = sorted(set(paths_re.findall(text)))
            if found:
                leaks.append("%s: %s" % (os.path.basename(src), ", ".join(found[:3])))
        if leaks:
            print("\nNot saved: machine paths in outputs:\n  " + "\n  ".join(leaks), file=sys.stderr)
            return 1
        for src, dest in executed:
            shutil.copyfile(dest, src + ".tmp")
            os.replace(src + ".tmp", src)
        print("\nSaved fresh outputs into %d notebook(s)." % len(executed))
    return 0


def print_summary(rows, slow):
    head = ("notebook", "cells", "seconds", "slowest cell", "status")
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    print()
    for r in [head] + rows:
        print("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip())
    if slow:
        slow = sorted(slow, reverse=True)[:5]
        print("\nslowest cells: " + ", ".join("%s #%d %.1fs" % (n, c, t) for t, n, c in slow))
        over = [s for s in slow if s[0] > 10]
        print("cells over 10 s: %d" % len(over))


if __name__ == "__main__":
    sys.exit(main())
