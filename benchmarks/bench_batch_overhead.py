"""Benchmark (d): what the batch layer adds over bare model stepping of the same runs.

Prints figures; it is not a test. Run it with::

    .venv/bin/python benchmarks/bench_batch_overhead.py               # 1000 runs, best of 5
    .venv/bin/python benchmarks/bench_batch_overhead.py --runs 300    # quicker

Both sides run the bundled default scenario with the same seeds, in this
process, one after the other:

* **bare**: ``run_model(scenario, seed, agent_records=False)`` for every
  seed, keeping nothing: the model collects exactly what a batch's models
  collect (a batch stores no per-government records);
* **batch**: ``run_batch(scenario, runs, workers=1, out=..., force=True)``: the
  same models, plus everything the batch layer does: validating the
  plan, spawning seeds, gathering both tables from each model's
  DataCollector, writing the Parquet chunks atomically, the summary
  (reading the runs table back), the manifest.

The two alternate ``--repeat`` times and the best of each is kept
(timeit-style; GC stays on, as in real use). Wall and CPU time of this
process are both printed: CPU time is less disturbed by other load on the
machine. Target: batch at most 1.2 times bare (20% overhead).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from batch_common import load_average, machine, verdict
from crisis_sim.batch import run_batch
from crisis_sim.batch.seeds import run_seeds
from crisis_sim.runs.single_run import run_model
from crisis_sim.scenario import load_scenario

SCENARIO = "us_colombia_2025"
TARGET = 1.2


def timed(body) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    body()
    return time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    runs = args.runs
    scenario = load_scenario(SCENARIO)
    seeds = [int(s) for s in run_seeds(0, runs)]
    print(f"(d) experiment-layer overhead: {SCENARIO}, {runs} runs, best of {args.repeat}, 1 worker")
    print(f"    {machine()}")

    def bare() -> None:
        for seed in seeds:
            run_model(scenario, seed, agent_records=False)

    with tempfile.TemporaryDirectory() as tmp:

        def batch() -> None:
            run_batch(scenario, runs, seed=0, workers=1, out=Path(tmp) / "b", force=True)

        bare(), batch()  # warm-up: imports, caches
        best = {"bare": [float("inf")] * 2, "batch": [float("inf")] * 2}
        for _ in range(args.repeat):
            for name, body in (("bare", bare), ("batch", batch)):
                wall, cpu = timed(body)
                best[name] = [min(best[name][0], wall), min(best[name][1], cpu)]
    for name in ("bare", "batch"):
        wall, cpu = best[name]
        print(f"    {name:<6} {1000 * wall / runs:6.2f} ms/run wall, {1000 * cpu / runs:6.2f} ms/run CPU")
    wall_ratio = best["batch"][0] / best["bare"][0]
    cpu_ratio = best["batch"][1] / best["bare"][1]
    print(f"    batch / bare: {wall_ratio:.3f} wall (target <= {TARGET}) {verdict(wall_ratio <= TARGET)}")
    print(f"    batch / bare: {cpu_ratio:.3f} CPU  (target <= {TARGET}) {verdict(cpu_ratio <= TARGET)}")
    print(f"    load average after: {load_average()}")


if __name__ == "__main__":
    main()
