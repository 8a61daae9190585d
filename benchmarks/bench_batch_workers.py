"""Benchmark (a): batch throughput with 1 and 2 workers, side by side.

Prints figures; it is not a test. Run it with::

    .venv/bin/python benchmarks/bench_batch_workers.py            # 10000 runs, 5 pairs: about 25 minutes
    .venv/bin/python benchmarks/bench_batch_workers.py --runs 1000 --repeat 1   # quicker

Each measurement is a fresh process running ``run_batch`` on the bundled
default scenario (the same seeds, a new folder each time), so that every
figure pays the same costs: planning, worker start-up, writing the Parquet
chunks, the summary. Throughput is runs per second from the start of the
first chunk to the end of the last (worker start-up included); the wall time
of the whole process (imports included) is printed beside it.

The speed of a shared virtual machine drifts by 10-20% over minutes, more
than the effect measured, so W = 1 and W = 2 are measured in pairs, back to
back, in ABBA order (W=1 then W=2, then W=2 then W=1, ...), and the speed-up
is the **median of the pairs' ratios**: drift slower than a pair cancels
within it. The ratio of the best figure of each is printed too (it compares
runs made minutes apart). Target: 2 workers at least 1.8 times as fast as 1.
On a machine with 2 CPUs this needs both CPUs free; the load average before
and after is printed.

A control follows (``--control`` pairs, 3 by default): the same runs stepped
bare, with no batch layer, in one process against halves in two independent
processes, also in ABBA pairs. It tells what this machine gives two
processes of this work at all, so that a shortfall can be told apart from a
cost of the batch layer.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
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


def bare_child(runs: int, start: int, stop: int) -> None:
    """In a control process: ``run_model`` for the batch's seeds ``start:stop``; print the loop's seconds."""
    from crisis_sim.batch.seeds import run_seeds
    from crisis_sim.runs.single_run import run_model
    from crisis_sim.scenario import load_scenario

    scenario = load_scenario(SCENARIO)
    seeds = [int(s) for s in run_seeds(0, runs)[start:stop]]
    run_model(scenario, seeds[0], agent_records=False)
    began = time.perf_counter()
    for seed in seeds:
        run_model(scenario, seed, agent_records=False)
    print(json.dumps({"seconds": time.perf_counter() - began}))


def bare_seconds(runs: int, ranges: list[tuple[int, int]]) -> float:
    """Run the control processes side by side; the slowest one's loop time."""
    children = [
        subprocess.Popen(
            [sys.executable, __file__, "--bare", str(runs), str(a), str(b)], stdout=subprocess.PIPE, text=True
        )
        for a, b in ranges
    ]
    return max(json.loads(child.communicate()[0].strip().splitlines()[-1])["seconds"] for child in children)


def machine_ceiling(runs: int, pairs: int) -> list[float]:
    """What the machine allows: bare stepping of all runs in one process against halves in two.

    No batch layer at all (no pool, no tables, no files): two independent
    processes each step half of the runs. The ratio is the speed-up two
    CPUs give this work on this machine at this moment; a virtual machine
    whose two CPUs share a physical core, or a busy host, gives less than 2.
    """
    half = runs // 2
    ratios = []
    for rep in range(pairs):
        order = ("one", "two") if rep % 2 == 0 else ("two", "one")
        got = {}
        for kind in order:
            got[kind] = bare_seconds(runs, [(0, runs)] if kind == "one" else [(0, half), (half, runs)])
        ratios.append(got["one"] / got["two"])
    return ratios


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10000)
    parser.add_argument("--repeat", type=int, default=5, help="pairs of measurements")
    parser.add_argument("--control", type=int, default=3, help="pairs of the machine-ceiling control")
    parser.add_argument("--child", nargs=3, metavar=("W", "RUNS", "OUT"), help=argparse.SUPPRESS)
    parser.add_argument("--bare", nargs=3, type=int, metavar=("RUN", "START", "STOP"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(int(args.child[0]), int(args.child[1]), args.child[2])
        return
    if args.bare:
        bare_child(*args.bare)
        return

    print(f"(a) batch throughput, 1 vs 2 workers: {SCENARIO}, {args.runs} runs, {args.repeat} pairs")
    print(f"    {machine()}")
    best: dict[int, tuple[float, float, float]] = {}
    ratios: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        for rep in range(args.repeat):
            seconds_of: dict[int, float] = {}
            for workers in (1, 2) if rep % 2 == 0 else (2, 1):
                out = Path(tmp) / f"w{workers}-{rep}"
                command = [sys.executable, __file__, "--child", str(workers), str(args.runs), str(out)]
                got = measure(command, memory=False)  # sampling memory would take CPU from 2 workers
                seconds = seconds_of[workers] = got.report["run_seconds"]
                print(
                    f"    W={workers} pair {rep + 1}: {args.runs / seconds:7.0f} runs/s "
                    f"({seconds:.1f} s running, {got.seconds:.1f} s wall with start-up, "
                    f"{got.cpu_seconds:.1f} CPU-s in all processes)"
                )
                if workers not in best or seconds < best[workers][0]:
                    best[workers] = (seconds, got.seconds, got.cpu_seconds)
            ratios.append(seconds_of[1] / seconds_of[2])
    one, two = best[1][0], best[2][0]
    speedup = statistics.median(ratios)
    print(f"    1 worker : {args.runs / one:7.0f} runs/s at best ({1000 * one / args.runs:.2f} ms/run)")
    print(f"    2 workers: {args.runs / two:7.0f} runs/s at best ({1000 * two / args.runs:.2f} ms/run)")
    pairs = ", ".join(f"{r:.2f}x" for r in ratios)
    print(f"    speed-up in each pair: {pairs}; best against best {one / two:.2f}x")
    print(
        f"    speed-up with 2 workers (median of pairs): {speedup:.2f}x (target >= {TARGET}x)  "
        f"{verdict(speedup >= TARGET)}"
    )
    if args.control:
        ceiling = machine_ceiling(args.runs, args.control)
        print(
            f"    machine ceiling (bare run_model, all runs in 1 process vs halves in 2, no batch layer): "
            f"{', '.join(f'{r:.2f}x' for r in ceiling)}; median {statistics.median(ceiling):.2f}x"
        )
    work = best[2][2] / best[1][2]
    print(
        f"    CPU time with 2 workers: {work:.2f}x that with 1 (worker start-up); "
        f"on two free CPUs that allows up to {2 / work:.2f}x"
    )
    print(f"    load average after: {load_average()}")


if __name__ == "__main__":
    main()
