"""Benchmark (a): batch throughput with 1 and 2 workers, side by side.

Prints figures; it is not a test. Run it with::

    .venv/bin/python benchmarks/bench_batch_workers.py            # 10000 runs, best of 2 each
    .venv/bin/python benchmarks/bench_batch_workers.py --runs 1000 --repeat 1   # quicker

Each measurement is a fresh process running ``run_batch`` on the bundled
default scenario (the same seeds, a new folder each time), so that every
figure pays the same costs: planning, worker start-up, writing the Parquet
chunks, the summary. Throughput is runs per second from the start of the
first chunk to the end of the last (worker start-up included); the wall time
of the whole process (imports included) is printed beside it. W = 1 and
W = 2 alternate, and the best of ``--repeat`` is kept for each, so that load
from elsewhere spreads over both. Target: 2 workers at least 1.8 times as
fast as 1. On a machine with 2 CPUs this needs both CPUs free; the load
average before and after is printed.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

from batch_common import load_average, machine, measure, verdict

SCENARIO = "us_colombia_2025"
TARGET = 1.8


def child(workers: int, runs: int, out: str) -> None:
    """In the measured process: one batch; print a JSON report as the last line."""
    from crisis_sim.batch import run_batch

    stamps: list[float] = []
    run_batch(
        SCENARIO,
        runs,
        seed=0,
        workers=workers,
        out=out,
        force=True,
        progress=lambda done, total: stamps.append(time.perf_counter()),
    )
    print(json.dumps({"run_seconds": stamps[-1] - stamps[0], "runs": runs}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--child", nargs=3, metavar=("W", "RUNS", "OUT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(int(args.child[0]), int(args.child[1]), args.child[2])
        return

    print(f"(a) batch throughput, 1 vs 2 workers: {SCENARIO}, {args.runs} runs, best of {args.repeat}")
    print(f"    {machine()}")
    best: dict[int, tuple[float, float, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for rep in range(args.repeat):
            for workers in (1, 2):
                out = Path(tmp) / f"w{workers}-{rep}"
                got = measure([sys.executable, __file__, "--child", str(workers), str(args.runs), str(out)])
                seconds = got.report["run_seconds"]
                print(
                    f"    W={workers} pass {rep + 1}: {args.runs / seconds:7.0f} runs/s "
                    f"({seconds:.1f} s running, {got.seconds:.1f} s wall with start-up, "
                    f"{got.cpu_seconds:.1f} CPU-s in all processes)"
                )
                if workers not in best or seconds < best[workers][0]:
                    best[workers] = (seconds, got.seconds, got.cpu_seconds)
    one, two = best[1][0], best[2][0]
    speedup = one / two
    print(f"    1 worker : {args.runs / one:7.0f} runs/s  ({1000 * one / args.runs:.2f} ms/run)")
    print(f"    2 workers: {args.runs / two:7.0f} runs/s  ({1000 * two / args.runs:.2f} ms/run)")
    print(f"    speed-up with 2 workers: {speedup:.2f}x (target >= {TARGET}x)  {verdict(speedup >= TARGET)}")
    work = best[2][2] / best[1][2]
    print(
        f"    CPU time with 2 workers: {work:.2f}x that with 1 (worker start-up); "
        f"on two free CPUs that allows up to {2 / work:.2f}x"
    )
    print(f"    load average after: {load_average()}")


if __name__ == "__main__":
    main()
