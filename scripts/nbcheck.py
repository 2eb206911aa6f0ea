#!/usr/bin/env python3
"""nbcheck.py checks the committed notebooks, as GitHub will show them.

    scripts/py scripts/nbcheck.py notebooks/*.ipynb

Each notebook must use the GoNB kernel, open with the standard preamble cell,
have saved outputs for every code cell, no saved errors or panics, and no
machine-specific paths (temporary directories, home directories) in outputs.
Exits 1 listing every problem found.
"""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from nbrun import BAD_TEXT, machine_path_pattern, output_text  # noqa: E402

PREAMBLE_PREFIX = "!*go mod edit -require="


def check(path, paths_re, preamble):
    problems = []
    try:
        nb = json.load(open(path, encoding="utf-8"))
    except (OSError, ValueError) as e:
        return ["not a readable notebook: %s" % e], preamble
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
    return problems, preamble


def main(paths):
    if not paths:
        print("nbcheck: no notebooks given", file=sys.stderr)
        return 1
    paths_re = machine_path_pattern()
    preamble, bad = None, 0
    for p in paths:
        problems, preamble = check(p, paths_re, preamble)
        for msg in problems:
            print("%s: %s" % (p, msg))
        bad += len(problems)
    print("checked %d notebook(s): %s" % (len(paths), "ok" if not bad else "%d problem(s)" % bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
