"""Benchmark (c): peak memory of ``crisis-sim batch`` for 20,000 runs against 1,000 runs.

Prints figures; it is not a test. Run it with::

    .venv/bin/python benchmarks/bench_batch_memory.py                    # 1,000 and 20,000 runs
    .venv/bin/python benchmarks/bench_batch_memory.py --runs 500 5000    # quicker

Each size runs as the command a user types (``python -m crisis_sim batch``
on the bundled default scenario, default workers, ``--json``), in a fresh
process, and its peak memory is measured twice (see ``batch_common.py``):
summed over the command and its worker processes, and for the largest
single process. Memory should not grow with the number of runs: chunks
are written as they finish, and only a few are in flight at once. Target:
the larger batch at most 1.2 times the peak of the smaller one.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from batch_common import load_average, machine, mb, measure, verdict

SCENARIO = "us_colombia_2025"
TARGET = 1.2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, nargs=2, default=[1000, 20000], metavar=("SMALL", "LARGE"))
    parser.add_argument("--workers", type=int, default=None, help="default: one per CPU")
    args = parser.parse_args()
    small, large = args.runs
    print(f"(c) peak memory of crisis-sim batch: {SCENARIO}, {small:,} vs {large:,} runs")
    print(f"    {machine()}")
    figures = {}
    with tempfile.TemporaryDirectory() as tmp:
        for runs in (small, large):
            command = [sys.executable, "-m", "crisis_sim", "batch", SCENARIO, "--runs", str(runs)]
            command += ["--out", str(Path(tmp) / f"b{runs}"), "--json"]
            if args.workers:
                command += ["--workers", str(args.workers)]
            got = measure(command)
            assert got.report["n_runs"] == runs, got.report
            figures[runs] = got
            print(
                f"    {runs:>7,} runs: {got.seconds:6.1f} s, {runs / got.seconds:5.0f} runs/s; peak "
                f"{mb(got.peak_tree_mb)} (all processes, PSS), "
                f"{mb(got.largest_process_mb)} (largest process), {mb(got.peak_rss_sum_mb)} (summed RSS)"
            )
    tree_small, tree_large = figures[small].peak_tree_mb, figures[large].peak_tree_mb
    if tree_small and tree_large:
        ratio = tree_large / tree_small
        print(f"    all processes: {ratio:.2f}x (target <= {TARGET}x)  {verdict(ratio <= TARGET)}")
    ratio = figures[large].largest_process_mb / figures[small].largest_process_mb
    print(f"    largest process: {ratio:.2f}x (target <= {TARGET}x)  {verdict(ratio <= TARGET)}")
    print(f"    load average after: {load_average()}")


if __name__ == "__main__":
    main()
