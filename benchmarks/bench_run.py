"""Benchmarks for crisis-sim: run cost against a bare Mesa model, and CLI start-up.

Prints figures; it is not a test. Run it with::

    .venv/bin/python benchmarks/bench_run.py          # or: make bench
    .venv/bin/python benchmarks/bench_run.py --quick  # fewer repetitions

(a) One run of the bundled scenario (no plots, no files) against a bare Mesa
    model of the same shape, timed side by side: same number of agents, the
    same number of rounds per seed as the real run took, a DataCollector with
    the same number of model and agent reporters (trivial ones), collecting at
    init and after every step. Target: the crisis model at most 3x the bare one.
(b) ``crisis-sim --help`` wall time over repeated subprocess calls.
    Target: median under 0.5 s.

See benchmarks/README.md for what each figure means.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import subprocess
import sys
import time
import timeit
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path

import mesa
import pandas as pd

from crisis_sim.runs.single_run import run_model, run_scenario
from crisis_sim.scenario import load_scenario

SCENARIO = "us_colombia_2025"
RATIO_TARGET = 3.0
HELP_TARGET_S = 0.5


# --------------------------------------------------------------------------
# The bare Mesa model: same shape as CrisisModel, trivial decisions
# --------------------------------------------------------------------------


class BareAgent(mesa.Agent):
    """An agent whose whole decision is one random draw added to a float."""

    def __init__(self, model: mesa.Model, key: str):
        super().__init__(model)
        self.key = key
        self.value = 0.0

    def step(self) -> None:
        self.value += self.model.rng.random()


class BareModel(mesa.Model):
    """``n_agents`` trivial agents and a DataCollector with the given reporter counts.

    The first model reporters are named ``round`` and ``hours`` and the first
    agent reporter ``actor``, so the DataFrames can be built exactly as
    :func:`crisis_sim.runs.single_run.run_scenario` builds them.
    """

    def __init__(self, seed: int, n_agents: int, n_model_reporters: int, n_agent_reporters: int):
        super().__init__(rng=seed)
        self.round = 0
        self.hours = 0.0
        for i in range(n_agents):
            BareAgent(self, f"a{i}")
        model_names = ["round", "hours"] + [f"m{i}" for i in range(2, n_model_reporters)]
        agent_names = ["actor"] + [f"a{i}" for i in range(1, n_agent_reporters)]
        model_reporters = {name: (lambda m: m.hours) for name in model_names}
        model_reporters["round"] = lambda m: m.round
        agent_reporters = dict.fromkeys(agent_names, "value")
        agent_reporters["actor"] = "key"
        self.datacollector = mesa.DataCollector(
            model_reporters=model_reporters, agent_reporters=agent_reporters
        )
        self.datacollector.collect(self)

    def step(self) -> None:
        self.round += 1
        self.hours = self.round * 6.0
        self.agents.do("step")
        self.datacollector.collect(self)


def bare_frames(model: BareModel) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The DataFrame work of ``run_scenario``, step for step, on a bare model."""
    model_frame = model.datacollector.get_model_vars_dataframe().reset_index(drop=True)
    agents = model.datacollector.get_agent_vars_dataframe().reset_index()
    agents = agents.rename(columns={"Step": "round"}).drop(columns=["AgentID"])
    hours = dict(zip(model_frame["round"], model_frame["hours"], strict=True))
    agents.insert(1, "hours", agents["round"].map(hours))
    agents = agents.sort_values(["round", "actor"], kind="stable").reset_index(drop=True)
    return model_frame, agents


# --------------------------------------------------------------------------
# (a) run cost
# --------------------------------------------------------------------------


def best_per_run_ms(
    bodies: dict[str, Callable[[int], object]], seeds: list[int], repeat: int
) -> dict[str, float]:
    """Best-of-``repeat`` pass time of each body over all seeds, per run, in ms.

    timeit-style (GC off while timing). Passes are interleaved (one pass of
    each body, then the next round of passes) so that load from elsewhere on
    the machine spreads over all bodies instead of skewing one of them.
    """
    best = dict.fromkeys(bodies, float("inf"))
    for body in bodies.values():
        body(seeds[0])  # warm-up: lazy imports, caches
    for _ in range(repeat):
        for name, body in bodies.items():
            timer = timeit.Timer(lambda body=body: [body(seed) for seed in seeds])
            best[name] = min(best[name], timer.timeit(number=1))
    return {name: total / len(seeds) * 1000.0 for name, total in best.items()}


def bench_run(n_seeds: int, repeat: int) -> dict[str, bool]:
    scenario = load_scenario(SCENARIO)
    seeds = list(range(n_seeds))

    # The shape of the real model, read off real runs (outside the timing).
    rounds: dict[int, int] = {}
    for seed in seeds:
        model = run_model(scenario, seed)
        rounds[seed] = model.round
    n_agents = len(scenario.actors)
    n_model_rep = len(model.datacollector.model_reporters)
    n_agent_rep = len(model.datacollector.agent_reporters)
    assert len(model.agents) == n_agents

    def bare_step(seed: int) -> BareModel:
        bare = BareModel(seed, n_agents, n_model_rep, n_agent_rep)
        for _ in range(rounds[seed]):
            bare.step()
        return bare

    def bare_full(seed: int) -> None:
        bare_frames(bare_step(seed))

    def crisis_step(seed: int) -> None:
        run_model(scenario, seed)

    def crisis_full(seed: int) -> None:
        run_scenario(scenario, seed)

    bodies = {
        "bare": bare_step,
        "crisis": crisis_step,
        "bare+frames": bare_full,
        "crisis run_scenario": crisis_full,
    }
    per_run = best_per_run_ms(bodies, seeds, repeat)

    mean_rounds = statistics.fmean(rounds.values())
    print(f"(a) one run of {SCENARIO!r}, no plots, no files")
    print(
        f"    shape: {n_agents} agents, {n_model_rep} model reporters, "
        f"{n_agent_rep} agent reporters, rounds per seed {min(rounds.values())}-"
        f"{max(rounds.values())} (mean {mean_rounds:.1f}) of horizon {scenario.rounds}"
    )
    print(f"    {n_seeds} seeds per pass, best of {repeat} passes, GC off while timing")
    print(f"    {'bare Mesa model, stepping':<36}{per_run['bare']:8.3f} ms/run")
    print(f"    {'crisis model, run_model':<36}{per_run['crisis']:8.3f} ms/run")
    print(f"    {'bare Mesa model + DataFrames':<36}{per_run['bare+frames']:8.3f} ms/run")
    print(f"    {'crisis model, run_scenario':<36}{per_run['crisis run_scenario']:8.3f} ms/run")

    # stepping against a bare model of the same shape is printed for reference only: a model that
    # reads every contested move by Bayes' rule is not a skeleton, and that ratio is no longer a
    # target; a whole run (with its data frames) against a bare run with frames still is
    stepping = per_run["crisis"] / per_run["bare"]
    print(f"    ratio {'run_model / bare':<28}{stepping:6.2f}x  (reference, no target)")
    ratio = per_run["crisis run_scenario"] / per_run["bare+frames"]
    verdicts = {"run_scenario": ratio <= RATIO_TARGET}
    verdict = "PASS" if verdicts["run_scenario"] else "FAIL"
    label = "run_scenario / bare+frames"
    print(f"    ratio {label:<28}{ratio:6.2f}x  target <= {RATIO_TARGET:g}x  {verdict}")
    return verdicts


# --------------------------------------------------------------------------
# (b) CLI start-up
# --------------------------------------------------------------------------


def cli_path() -> Path | None:
    """The ``crisis-sim`` console script installed next to this interpreter."""
    folder = Path(sys.executable).parent
    for name in ("crisis-sim", "crisis-sim.exe"):
        if (folder / name).is_file():
            return folder / name
    return None


def bench_help(n_calls: int) -> bool | None:
    print("(b) crisis-sim --help")
    exe = cli_path()
    if exe is None:
        print(f"    cli not available (no crisis-sim next to {sys.executable})")
        return None
    probe = subprocess.run([str(exe), "--help"], capture_output=True, check=False)
    if probe.returncode != 0:
        print(f"    cli not available (crisis-sim --help exited {probe.returncode})")
        return None
    walls = []
    for _ in range(n_calls):
        start = time.perf_counter()
        subprocess.run([str(exe), "--help"], capture_output=True, check=True)
        walls.append(time.perf_counter() - start)
    median = statistics.median(walls)
    passed = median < HELP_TARGET_S
    print(
        f"    {n_calls} calls: median {median:.3f} s, min {min(walls):.3f} s  "
        f"target median < {HELP_TARGET_S:g} s  {'PASS' if passed else 'FAIL'}"
    )
    return passed


# --------------------------------------------------------------------------


def print_machine() -> None:
    print("machine")
    print(f"    platform  {platform.platform()} ({platform.machine()})")
    print(f"    python    {platform.python_version()} ({platform.python_implementation()})")
    print(
        f"    mesa      {mesa.__version__}; pandas {pd.__version__}; "
        f"crisis-sim {version('crisis-sim')}"
    )
    print(f"    cpus      {os.cpu_count()}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (a smoke run)")
    args = parser.parse_args(argv)
    n_seeds, repeat, n_calls = (20, 1, 3) if args.quick else (200, 5, 10)

    print_machine()
    print()
    run_verdicts = bench_run(n_seeds, repeat)
    gc.collect()
    print()
    help_ok = bench_help(n_calls)
    print()
    verdicts = [f"{name} {'PASS' if ok else 'FAIL'}" for name, ok in run_verdicts.items()]
    verdicts.append("help " + {True: "PASS", False: "FAIL", None: "n/a"}[help_ok])
    print("summary: " + ", ".join(verdicts) + (" (quick)" if args.quick else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
