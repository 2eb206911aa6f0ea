"""workload_primes.py: the course's primes workload in CPython: check each
number for primality by trial division, as lib/workload's IsPrime and
Fluent Python's is_prime do.

    python3 workload_primes.py [--variants sequential,threads,processes] [--rotate K] N...

Prints the JSON summary of _report.py: per variant the seconds, the numbers
checked (items), how many were prime, and which (1 or 0 per number).
"""
import math

import _variants


def is_prime(n):
    if n < 2:
        return False
    if n % 2 == 0:
        return n == 2
    root = math.isqrt(n)
    for i in range(3, root + 1, 2):
        if n % i == 0:
            return False
    return True


def summarize(found):
    return {"primes": sum(found), "prime": [int(p) for p in found]}


if __name__ == "__main__":  # the guard: spawned children import this file
    ap = _variants.arguments(__doc__)
    ap.add_argument("numbers", type=int, nargs="+")
    args = ap.parse_args()
    _variants.run("primes", args, is_prime, args.numbers, summarize)
