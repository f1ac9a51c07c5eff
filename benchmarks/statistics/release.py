"""Protecting a release jointly with the previous one, against protecting it alone.

Run:  .venv/bin/python benchmarks/statistics/release.py [--runs 3] [--size 10]

The table is a 4-dimensional person-level table of ``size**4`` cells (10,000 by default: year ×
three further axes of ``size`` categories each) with a realistic spread of counts, about a fifth of
the cells from 1 to 4. The previous release is the same table without its last year and with a
few persons fewer in 5 % of the cells (the new release appends a year and adds late registrations).
Side by side, in this process:

* ``alone`` (the baseline, what the platform did before): ``protect(counts)`` — the new release
  protected as a single table with its margins;
* ``joint``: ``protect_release(counts, previous=Release(previous counts, previous pattern))`` — the
  same table, its margins, the previous release and the change tables protected together.

Target (issue #16): ``joint`` within 5× of ``alone``. Medians of ``--runs`` runs; the machine is
shared, so quote the ratio rather than the seconds.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time

import numpy as np

TARGET_RATIO = 5.0


def tables(size: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    shape = (size,) * 4
    now = rng.poisson(rng.gamma(1.5, 8.0, shape)).astype(np.int64)
    earlier = now.copy()
    earlier[size - 1] = 0
    late = (rng.random(shape) < 0.05) & (earlier > 0)
    earlier[late] -= np.minimum(earlier[late], rng.integers(1, 3, int(late.sum())))
    return earlier, now


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--size", type=int, default=10, help="categories per axis (cells = size**4)")
    args = parser.parse_args(argv)
    from samverkan.statistics.disclosure import Release, protect, protect_release

    earlier, now = tables(args.size)
    before = protect(earlier)
    alone_times, joint_times = [], []
    for _ in range(args.runs):
        start = time.perf_counter()
        alone = protect(now)
        alone_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        joint = protect_release(now, previous=Release(earlier, before))
        joint_times.append(time.perf_counter() - start)
    alone_s, joint_s = statistics.median(alone_times), statistics.median(joint_times)
    ratio = joint_s / alone_s
    small = int(((now > 0) & (now < 5)).sum())
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"table: {now.size} cells, {small} interior cells from 1 to 4; medians of {args.runs} runs")
    print(f"alone: {alone_s:.1f} s, {int(alone.extended.sum())} withheld, {alone.rounds} audits")
    print(f"joint: {joint_s:.1f} s, {int(joint.extended.sum())} withheld, {joint.rounds} audits")
    print(f"joint / alone: {ratio:.1f}x (target within {TARGET_RATIO:.0f}x)")
    return 0 if ratio <= TARGET_RATIO else 1


if __name__ == "__main__":
    sys.exit(main())
