#!/usr/bin/env python3
"""nbcheck.py checks the committed notebooks, as GitHub will show them.

    scripts/py scripts/nbcheck.py notebooks/*.ipynb

Each notebook must use the GoNB kernel, open with the standard preamble cell,
have saved outputs for every code cell, no saved errors or panics, and no
machine-specific paths (temporary directories, home directories) in outputs.
It must also read like a chapter: no code cell over 25 lines unless it is an
exercise, its check or its solution (a %test cell, or a cell tagged
"exercise", "check" or "solution"), no markdown cell over 25 lines, no cell that took
more than 10 s in the run that saved it (make refresh records the time and
how many cores were free; on a busy machine a slow cell is only a warning), and
no figure in the prose (a number with a unit: 150 ns, 1.9x, 12%) that neither
the notebook's code nor its outputs contain; a parameter written as code
(`512 x 512`) is not a figure. Every chart output carries a PNG image, which
shows in every viewer, also inside its HTML. Every exercise is followed by a
cell tagged "check" (it feeds the check wrong answers) and one tagged
"solution" whose saved output shows the check passing. Exits 1 listing every
problem.

    scripts/py scripts/nbcheck.py --charts notebooks/*.ipynb
    scripts/py scripts/nbcheck.py --only-charts build/lab/notebooks/*.ipynb

--charts also reads every chart as its output saved it (see chartcheck.py):
no value axis without a unit, no bar under 2% of a linear axis without its
value, no speedup without its ideal, nothing lib/chart's own check found
(which covers labels outside the static image). --only-charts does that
alone, for notebooks just executed (whose prose was checked in their
committed form).
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from nbrun import BAD_TEXT, machine_path_pattern, output_text  # noqa: E402
import chartcheck  # noqa: E402

PREAMBLE_PREFIX = "!*go mod edit -require="
MAX_LINES = 25
MAX_SECONDS = 10.0
# A figure: a number with a unit of time, size, ratio or share.
FIGURE = re.compile(r"(?<![\w.])(\d+(?:[.,]\d+)*)\s?(x|×|%|ns|µs|us|ms|s|KiB|MiB|GiB|KB|MB|GB)(?![\w])")


def lines(cell):
    return len("".join(cell.get("source", "")).rstrip("\n").split("\n"))


def exempt(cell):
    """Exercises, their checks and solutions may be as long as they need."""
    tags = cell.get("metadata", {}).get("tags", [])
    return "exercise" in tags or "check" in tags or "solution" in tags or "".join(cell.get("source", "")).lstrip().startswith("%test")


def cell_text(c):
    """What a cell shows besides its source: its outputs as text and HTML."""
    parts = []
    for o in c.get("outputs", []):
        if "text" in o:
            parts.append("".join(o["text"]))
        for k, v in o.get("data", {}).items():
            if k.startswith("text/"):
                parts.append("".join(v) if isinstance(v, list) else v)
    return "\n".join(parts)


def quiet(nb):
    """Whether the saved run had most of the machine to itself (see nbrun)."""
    run = nb.get("metadata", {}).get("gp", {})
    cores, free = run.get("cores"), run.get("free_cores")
    return bool(cores) and free is not None and free >= 0.75 * cores


def style_problems(nb, warnings):
    problems = []
    cells = nb.get("cells", [])
    timed = quiet(nb)
    shown = "\n".join("".join(c.get("source", "")) + "\n" + cell_text(c) for c in cells if c.get("cell_type") == "code")
    for i, c in enumerate(cells, 1):
        n = lines(c)
        kind = c.get("cell_type")
        if kind == "code" and n > MAX_LINES and not exempt(c):
            problems.append("cell #%d: code cell of %d lines (at most %d unless it is an exercise or its check)" % (i, n, MAX_LINES))
        if kind == "markdown" and n > MAX_LINES:
            problems.append("cell #%d: markdown cell of %d lines (at most %d)" % (i, n, MAX_LINES))
        secs = c.get("metadata", {}).get("gp", {}).get("seconds")
        if kind == "code" and secs is not None and secs > MAX_SECONDS:
            msg = "cell #%d took %.1f s in the saved run (at most %.0f s)" % (i, secs, MAX_SECONDS)
            if timed:
                problems.append(msg)
            else:  # a busy machine's times say nothing about the cell
                warnings.append(msg + ", on a busy machine: re-run make refresh on a quiet one")
        if kind == "markdown":
            prose = re.sub(r"```.*?```", "", "".join(c.get("source", "")), flags=re.S)
            prose = re.sub(r"`[^`]*`", "", prose)
            for m in FIGURE.finditer(prose):
                if not re.search(r"(?<![\w.])" + re.escape(m.group(1)) + r"(?![\d])", shown):
                    problems.append("cell #%d: the prose states %r, which no code or output of the notebook shows" % (i, m.group(0)))
        for o in c.get("outputs", []):
            data = o.get("data", {})
            html = data.get("text/html", "")
            html = "".join(html) if isinstance(html, list) else html
            if "gp-chart" in html and ("image/png" not in data or "data:image/png" not in html):
                problems.append("cell #%d: a chart without a PNG image (image/png and in its HTML)" % i)
    problems += exercise_problems(cells)
    return problems


def exercise_problems(cells):
    """After each exercise: a check cell that feeds the check wrong answers,
    and a solution cell whose saved output shows the check passing, so that a
    reader of the saved notebook sees a check pass without the exercise
    being solved for them (its own %test still skips)."""
    tags = [c.get("metadata", {}).get("tags", []) for c in cells]
    exercises = [i for i, t in enumerate(tags) if "exercise" in t]
    if not exercises:
        return ["no exercise (a code cell tagged \"exercise\")"]
    problems = []
    for k, e in enumerate(exercises):
        end = exercises[k + 1] if k + 1 < len(exercises) else len(cells)
        after = range(e + 1, end)
        if not any("check" in tags[i] for i in after):
            problems.append("cell #%d: an exercise without a cell tagged \"check\" after it (the check fed wrong answers)" % (e + 1))
        solutions = [i for i in after if "solution" in tags[i]]
        if not solutions:
            problems.append("cell #%d: an exercise without a cell tagged \"solution\" after it" % (e + 1))
        for i in solutions:
            text = cell_text(cells[i])
            if "--- PASS" not in text or "--- FAIL" in text or "--- SKIP" in text:
                problems.append("cell #%d: a solution cell whose saved output does not show the check passing" % (i + 1))
    return problems


def chart_problems(nb):
    """What makes each chart of the notebook hard to read."""
    problems = []
    for i, c in enumerate(nb.get("cells", []), 1):
        k = 0
        for o in c.get("outputs", []):
            html = o.get("data", {}).get("text/html", "")
            html = "".join(html) if isinstance(html, list) else html
            if 'class="gp-chart"' not in html:
                continue
            k += 1
            for p in chartcheck.problems(html):
                problems.append("cell #%d, chart %d: %s" % (i, k, p))
    return problems


def check(path, paths_re, preamble, charts=False, only_charts=False):
    problems = []
    try:
        nb = json.load(open(path, encoding="utf-8"))
    except (OSError, ValueError) as e:
        return ["not a readable notebook: %s" % e], preamble
    if only_charts:
        return chart_problems(nb), preamble
    if charts:
        problems += chart_problems(nb)
    kernel = nb.get("metadata", {}).get("kernelspec", {}).get("name")
    if kernel != "gonb":
        problems.append("kernelspec is %r, not 'gonb'" % kernel)
    code = [c for c in nb.get("cells", []) if c.get("cell_type") == "code" and "".join(c.get("source", "")).strip()]
    if not code:
        return problems + ["no code cells"], preamble
    first = "".join(code[0].get("source", "")).strip()
    if not first.startswith(PREAMBLE_PREFIX):
        problems.append("first code cell is not the standard preamble")
    elif preamble is None:
        preamble = first
    elif first != preamble:
        problems.append("preamble differs from the other notebooks'")
    for n, c in enumerate(code, 1):
        outs = c.get("outputs", [])
        if not outs:
            problems.append("code cell %d has no saved output" % n)
        text = "\n".join(output_text(o) for o in outs)
        if any(o.get("output_type") == "error" for o in outs) or BAD_TEXT.search(text):
            problems.append("code cell %d has a saved error: %s" % (n, text.strip().splitlines()[-1][:200] if text.strip() else "error"))
        found = sorted(set(paths_re.findall(json.dumps(outs))))
        if found:
            problems.append("code cell %d shows machine paths: %s" % (n, ", ".join(found[:3])))
    warnings = []
    problems += style_problems(nb, warnings)
    for w in warnings:
        print("%s: warning: %s" % (path, w))
    return problems, preamble


def main(args):
    charts, only_charts = "--charts" in args, "--only-charts" in args
    paths = [a for a in args if a not in ("--charts", "--only-charts")]
    if not paths:
        print("nbcheck: no notebooks given", file=sys.stderr)
        return 1
    paths_re = machine_path_pattern()
    preamble, bad = None, 0
    for p in paths:
        problems, preamble = check(p, paths_re, preamble, charts, only_charts)
        for msg in problems:
            print("%s: %s" % (p, msg))
        bad += len(problems)
    print("checked %d notebook(s): %s" % (len(paths), "ok" if not bad else "%d problem(s)" % bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
