"""Dask engine against the local engine, side by side; figures for sizing large sweeps.

Prints (it is not a test):

* throughput of ``run_batch`` on the default scenario with the local engine at
  2 workers and with the Dask engine on a LocalCluster of 2 worker processes,
  measured in the same way (engine start-up excluded, then included); target:
  Dask at least 90% of local;
* runs per second per core, and disk per million runs (both tables), from the
  same batches — the inputs for sizing a 1,000,000-run sweep
  (docs/distributed.md).

Usage: ``.venv/bin/python benchmarks/bench_dask.py [--runs N] [--quick]``.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import tempfile
import time
from pathlib import Path

from crisis_sim.batch import run_batch
from crisis_sim.batch.api import plan_batch
from crisis_sim.batch.chunks import run_chunk
from crisis_sim.batch.engines.base import make_engine
from crisis_sim.scenario import DEFAULT_SCENARIO, load_scenario


def timed_engine(name: str, tasks: list, workers: int, runs: int) -> tuple[float, float]:
    """(seconds computing the chunks, seconds including engine start-up and shutdown).

    The engine alone, the tables shipped back to this process (as for a remote cluster).
    """
    started = time.perf_counter()
    with make_engine(name, workers) as engine:
        ready = time.perf_counter()
        done = sum(result.n_runs for result in engine.map_chunks(run_chunk, tasks))
        computing = time.perf_counter() - ready
    total = time.perf_counter() - started
    if done != runs:
        raise SystemExit(f"{name} engine returned {done} runs of {runs}")
    return computing, total


def timed_batch(scenario, runs: int, engine: str, folder: Path) -> float:
    """Wall seconds of a whole ``run_batch`` (start-up, planning, chunks, files, summary)."""
    started = time.perf_counter()
    run_batch(scenario, runs, seed=0, workers=2, out=folder, engine=engine)
    return time.perf_counter() - started


def folder_bytes(folder: Path, sub: str) -> int:
    return sum(p.stat().st_size for p in (folder / sub).glob("*.parquet"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=4000, help="runs per measurement (default 4000)")
    parser.add_argument("--batch-runs", type=int, default=16000,
                        help="runs per whole batch (default 16000: engine start-up weighs little)")
    parser.add_argument("--quick", action="store_true", help="1000 runs, batches of 4000")
    args = parser.parse_args()
    runs = 1000 if args.quick else args.runs
    batch_runs = 4000 if args.quick else args.batch_runs
    logging.getLogger("distributed").setLevel(logging.ERROR)

    scenario = load_scenario(DEFAULT_SCENARIO)
    plan = plan_batch(scenario, runs, 0, None)
    tasks = [plan.task(k) for k in range(plan.n_chunks)]
    print("machine")
    print(f"    platform  {platform.platform()}; python {platform.python_version()}")
    print(f"    cpus      {os.cpu_count()}; load average {os.getloadavg()[0]:.2f}")
    print(f"\nbatch of {runs} runs of {DEFAULT_SCENARIO}: {plan.n_chunks} chunks of {plan.chunk_size}")

    figures = {}
    for name in ("local", "dask", "local", "dask"):  # interleaved: load hits both alike
        computing, total = timed_engine(name, tasks, 2, runs)
        best = figures.get(name, (float("inf"), float("inf")))
        figures[name] = (min(best[0], computing), min(best[1], total))
    for name, (computing, total) in figures.items():
        print(f"    {name:5s} engine, 2 workers   {runs / computing:8.0f} runs/s computing"
              f"   {runs / total:8.0f} runs/s with start-up ({total:.1f} s)")
    ratio = figures["local"][0] / figures["dask"][0]
    ratio_total = figures["local"][1] / figures["dask"][1]
    print(f"    dask / local throughput        {ratio:6.2f} computing, {ratio_total:.2f} with start-up")

    print(f"\nwhole batches (run_batch, 2 workers, {batch_runs} runs, start-up included;"
          " workers on this machine write their chunks)")
    walls: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for k, name in enumerate(("local", "dask", "local", "dask")):
            wall = timed_batch(scenario, batch_runs, name, Path(tmp) / f"{name}-{k}")
            walls[name] = min(walls.get(name, float("inf")), wall)
    for name, wall in walls.items():
        print(f"    {name:5s} engine                   {batch_runs / wall:8.0f} runs/s  ({wall:.1f} s wall)")
    batch_ratio = walls["local"] / walls["dask"]
    verdict = "PASS" if batch_ratio >= 0.9 else "FAIL"
    print(f"    dask / local throughput        {batch_ratio:6.2f}   target >= 0.90  {verdict}")

    per_core = runs / figures["local"][0] / 2
    with tempfile.TemporaryDirectory() as tmp:
        result = run_batch(scenario, runs, seed=0, workers=2, out=Path(tmp) / "b")
        runs_bytes = folder_bytes(result.path, "runs")
        traj_bytes = folder_bytes(result.path, "trajectories")
        rounds = len(result.trajectories) / runs
    per_million = (runs_bytes + traj_bytes) / runs * 1e6
    print("\nsizing a 1,000,000-run sweep")
    print(f"    runs per second per core       {per_core:8.0f}")
    print(f"    disk per million runs          {per_million / 1e9:8.2f} GB"
          f"  (runs {runs_bytes / runs * 1e6 / 1e9:.2f} GB, trajectories"
          f" {traj_bytes / runs * 1e6 / 1e9:.2f} GB; {rounds:.1f} rounds a run)")
    for cores in (8, 64, 512):
        hours = 1e6 / (per_core * cores) / 3600
        print(f"    expected time on {cores:3d} cores     {hours * 60:8.1f} min"
              "  (at this machine's per-core rate, perfect scaling)")


if __name__ == "__main__":
    main()
