"""_report.py: the one JSON line that every program in this folder prints last.

The course's Go runner (lib/measure) reads that line: which interpreter ran,
whether the GIL was on, and, per variant, the seconds it took and how many
items it handled (ok and errors counted, never thrown).
"""
import json
import platform
import sys
import sysconfig


def gil_enabled():
    """False only in a free-threaded build (3.13t and later) running without the GIL."""
    return getattr(sys, "_is_gil_enabled", lambda: True)()


def report(program, variants, **extra):
    """Print the summary line. variants maps a variant's name to a dict with
    at least "seconds" and "items"."""
    line = {
        "program": program,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "gil": gil_enabled(),
        "free_threaded_build": bool(sysconfig.get_config_var("Py_GIL_DISABLED")),
        "variants": variants,
        **extra,
    }
    print(json.dumps(line), flush=True)
