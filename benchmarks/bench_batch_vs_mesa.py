"""Benchmark (b): ``crisis-sim batch`` against ``mesa.batch_run`` on the same model, side by side.

Prints figures; it is not a test. Run it with::

    .venv/bin/python benchmarks/bench_batch_vs_mesa.py                # 16000 runs, about 12 minutes
    .venv/bin/python benchmarks/bench_batch_vs_mesa.py --runs 1000    # quicker

Both run the bundled default scenario's ``CrisisModel`` with the same seeds
(``SeedSequence(0)`` spawned, as ``crisis-sim batch`` does) and the same
number of runs, each in a fresh process whose time and peak memory are
measured (see ``batch_common.py``):

* ``crisis-sim batch`` (the command, ``python -m crisis_sim batch``) writes
  its folder: every round of every run and one row per run, in Parquet.
* ``mesa.batch_run(CrisisBatchModel, ..., data_collection_period=1)`` keeps
  every round of every run too (its rows: model and agent reporters per
  round and agent) as a list of dicts in memory, which is what it returns;
  ``max_steps`` is the scenario's rounds, and the model stops itself when
  the crisis settles, as in ``run_model``. ``CrisisBatchModel`` is a
  small adapter: ``batch_run`` passes keyword arguments, so it takes the
  scenario's name and the seed.

Four configurations: each tool at its default (``crisis-sim batch``: one
worker per CPU; ``batch_run``: ``number_processes=1``), ``batch_run`` on
every CPU, and ``crisis-sim batch --workers 1``. The two defaults are
measured in ``--pairs`` back-to-back pairs (ABBA order; 2 by default) and
the median of the pairs' throughput ratios is judged, since a shared
machine's speed drifts between minutes. Targets, on the defaults: at least
2x the throughput and at most 1/3 of the peak memory. Peak memory is judged
two ways: the largest single process (``ru_maxrss``) and all processes
together (summed proportional set sizes, which count the pages forked
workers share with their parent once; the summed RSS, which counts them once
per process, is printed for reference). ``batch_run`` keeps about 37 KB per
run, so the memory target is met only for batches of more than about 11,000
runs; below that every figure is dominated by what the libraries take.
Throughput counts the whole command, start-up included.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from functools import cache
from pathlib import Path

from batch_common import Measured, load_average, machine, mb, measure, verdict
from crisis_sim.batch.engines.base import default_workers
from crisis_sim.core.model import CrisisModel

SCENARIO = "us_colombia_2025"
SPEED_TARGET = 2.0
MEMORY_TARGET = 1 / 3


@cache
def _scenario(name: str):
    from crisis_sim.scenario import load_scenario

    return load_scenario(name)


class CrisisBatchModel(CrisisModel):
    """``CrisisModel`` with keyword parameters, as ``mesa.batch_run`` builds models."""

    def __init__(self, scenario: str = SCENARIO, seed: int = 0):
        super().__init__(_scenario(scenario), seed)
        # batch_run reads what Mesa's DataCollector keeps under these names; the model's own
        # collector keeps the same under public ones
        self.datacollector._collection_steps = self.datacollector.times
        self.datacollector._agent_records = self.datacollector.agent_records
        self.datacollector._agenttype_records = {}


def mesa_child(runs: int, processes: int) -> None:
    """In the measured process: ``mesa.batch_run`` over the same seeds; report the rows kept."""
    from mesa.batchrunner import batch_run

    from crisis_sim.batch.seeds import run_seeds

    seeds = [int(s) for s in run_seeds(0, runs)]
    began = time.perf_counter()
    results = batch_run(
        CrisisBatchModel,
        parameters={"scenario": SCENARIO},
        number_processes=processes,
        data_collection_period=1,
        max_steps=_scenario(SCENARIO).rounds,
        display_progress=False,
        rng=seeds,
    )
    seconds = time.perf_counter() - began
    runs_seen = len({row["RunId"] for row in results})
    print(json.dumps({"seconds": seconds, "rows": len(results), "runs": runs_seen}))


def ours(runs: int, workers: int | None, out: Path) -> list[str]:
    command = [sys.executable, "-m", "crisis_sim", "batch", SCENARIO, "--runs", str(runs), "--seed", "0"]
    command += ["--out", str(out), "--json"]
    return command + (["--workers", str(workers)] if workers else [])


def line(name: str, runs: int, got: Measured) -> str:
    return (
        f"    {name:<40} {runs / got.seconds:6.0f} runs/s  {got.seconds:6.1f} s  "
        f"peak {mb(got.peak_tree_mb):>9} (all processes, PSS), {mb(got.largest_process_mb):>9} "
        f"(largest process), {mb(got.peak_rss_sum_mb):>9} (summed RSS)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=16000)
    parser.add_argument("--pairs", type=int, default=2, help="pairs of the two defaults measured (ABBA)")
    parser.add_argument("--mesa-child", nargs=2, metavar=("RUNS", "PROCESSES"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.mesa_child:
        mesa_child(int(args.mesa_child[0]), int(args.mesa_child[1]))
        return

    runs = args.runs
    print(f"(b) crisis-sim batch vs mesa.batch_run: {SCENARIO}, {runs} runs, same seeds")
    print(f"    {machine()}")
    here = str(Path(__file__).resolve())
    cpus = default_workers()
    pair_ratios: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        commands = {
            "ours all": lambda rep: ours(runs, None, Path(tmp) / f"a{rep}"),
            "mesa 1": lambda rep: [sys.executable, here, "--mesa-child", str(runs), "1"],
        }
        figures: dict[str, Measured] = {}
        for rep in range(max(1, args.pairs)):
            pair = {}
            for key in ("ours all", "mesa 1") if rep % 2 == 0 else ("mesa 1", "ours all"):
                pair[key] = measure(commands[key](rep))
                figures.setdefault(key, pair[key])  # the table shows the first pair
            pair_ratios.append(pair["mesa 1"].seconds / pair["ours all"].seconds)
        figures["mesa all"] = measure([sys.executable, here, "--mesa-child", str(runs), str(cpus)])
        figures["ours 1"] = measure(ours(runs, 1, Path(tmp) / "c"))
    for key, got in figures.items():
        if key.startswith("mesa"):
            assert got.report["runs"] == runs, got.report
    print(line(f"crisis-sim batch (default: {cpus} workers)", runs, figures["ours all"]))
    print(line("mesa.batch_run (default: 1 process)", runs, figures["mesa 1"]))
    print(line(f"mesa.batch_run number_processes={cpus}", runs, figures["mesa all"]))
    print(line("crisis-sim batch --workers 1", runs, figures["ours 1"]))
    for label, a, b in (
        ("defaults", "ours all", "mesa 1"),
        (f"{cpus} processes each", "ours all", "mesa all"),
        ("1 process each", "ours 1", "mesa 1"),
    ):
        speed = figures[b].seconds / figures[a].seconds
        if label == "defaults":
            speed = statistics.median(pair_ratios)
            pairs = ", ".join(f"{r:.2f}x" for r in pair_ratios)
            print(f"    defaults, throughput in each pair (ABBA): {pairs}; the median is judged")
        largest = figures[a].largest_process_mb / figures[b].largest_process_mb
        ours_mb, theirs_mb = figures[a].peak_tree_mb, figures[b].peak_tree_mb
        summed = ours_mb / theirs_mb if ours_mb and theirs_mb else None
        target = label == "defaults"
        text = f"    {label}: throughput {speed:.2f}x"
        if target:
            text += f" (target >= {SPEED_TARGET:g}x) {verdict(speed >= SPEED_TARGET)}"
        text += f"; peak memory {largest:.2f} of batch_run's (largest process)"
        if target:
            text += f" (target <= {MEMORY_TARGET:.2f}) {verdict(largest <= MEMORY_TARGET)}"
        if summed is not None:
            text += f", {summed:.2f} (all processes)"
            if target:
                text += f" {verdict(summed <= MEMORY_TARGET)}"
        print(text)
    print(f"    load average after: {load_average()}")


if __name__ == "__main__":
    main()
